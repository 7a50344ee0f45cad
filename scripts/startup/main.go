// Command startup times whole runs of the built tnjwt binaries: `--help`,
// and `test` against `tnjwt emulator` on loopback, for the desktop and the
// headless build, and prints the median of N runs of each (make bench).
// Timings are reported, never asserted: a busy machine is slower, not wrong.
//
//	go run ./scripts/startup -desktop ./tnjwt -headless ./tnjwt-headless [-n 21]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const consumerKey = "3MVG9practice.consumer.key.for.the.local.emulator.only.0123456789"

func main() {
	desktop := flag.String("desktop", "", "the desktop build")
	headless := flag.String("headless", "", "the headless build")
	n := flag.Int("n", 21, "runs of each command")
	flag.Parse()
	if *headless == "" {
		fail("give -headless (and -desktop)")
	}
	dir, err := os.MkdirTemp("", "tnjwt-startup")
	check(err)
	defer os.RemoveAll(dir)
	url, stop := startEmulator(*headless, dir)
	defer stop()
	test := []string{"test", "--login-url", url, "--client-id", consumerKey, "--username", "embed@acme.com",
		"--key-file", filepath.Join(dir, "keys", "sf_private_key.pem")}
	// /bin/true is the floor: what starting any process costs on this machine.
	report("floor", "/bin/true", nil, *n)
	for _, b := range []struct{ kind, bin string }{{"headless", *headless}, {"desktop", *desktop}} {
		if b.bin == "" {
			continue
		}
		report(b.kind, b.bin, []string{"--help"}, *n)
		report(b.kind, b.bin, test, *n)
	}
}

func startEmulator(bin, dir string) (url string, stop func()) {
	run(bin, "keygen", "--out", filepath.Join(dir, "keys"))
	cfg := fmt.Sprintf(`{"legacy_login_hosts": false, "apps": [{"name": "Tableau Next Embedding", "consumer_key": %q,
  "certificate_file": %q, "jwt_bearer_enabled": true, "scopes": ["web", "refresh_token"],
  "permitted_users": "admin_approved", "permission_sets": ["TableauNextEmbeddingJWT"], "propagation_seconds": 0}],
 "users": [{"username": "embed@acme.com", "active": true, "permission_sets": ["TableauNextEmbeddingJWT"]}]}`,
		consumerKey, filepath.Join(dir, "keys", "sf_public_cert.crt"))
	check(os.WriteFile(filepath.Join(dir, "org.json"), []byte(cfg), 0o600))
	cmd := exec.Command(bin, "emulator", "--config", filepath.Join(dir, "org.json"))
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on ") {
		fail("the emulator did not start: " + line)
	}
	go func() { _, _ = bufio.NewReader(out).WriteTo(devNull{}) }()
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

func report(kind, bin string, args []string, n int) {
	times := make([]time.Duration, 0, n)
	env := append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=")
	for range n {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			fail(fmt.Sprintf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out))
		}
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	what := "tnjwt " + strings.Join(args, " ")
	if len(args) > 1 {
		what = "tnjwt test (emulator)"
	}
	if args == nil {
		what = bin
	}
	fmt.Printf("%-8s %-22s median %6.2f ms  (min %.2f, max %.2f, %d runs)\n", kind, what,
		ms(times[n/2]), ms(times[0]), ms(times[n-1]), n)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func run(bin string, args ...string) {
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		fail(fmt.Sprintf("%s %v: %v\n%s", bin, args, err, out))
	}
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "startup: "+msg)
	os.Exit(1)
}
