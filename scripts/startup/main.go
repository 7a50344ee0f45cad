// Command startup times whole runs of the built tnjwt binaries: `--help`,
// and `test` against `tnjwt emulator` on loopback, for the desktop and the
// headless build, beside two floors (/bin/true and a Go hello world built
// here), and prints the median of N runs of each (make bench).
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
	hello := goHello(dir) // before the emulator: a failed build leaves nothing running
	url, stop := startEmulator(*headless, dir)
	defer stop()
	test := []string{"test", "--login-url", url, "--client-id", consumerKey, "--username", "embed@acme.com",
		"--key-file", filepath.Join(dir, "keys", "sf_private_key.pem")}
	// /bin/true is the floor: what starting any process costs on this machine;
	// a Go program that only prints is the floor for any Go binary (its
	// runtime starts before main, whatever main does).
	report("floor", "/bin/true", "/bin/true", nil, *n)
	report("floor", "Go hello world", hello, nil, *n)
	for _, b := range []struct{ kind, bin string }{{"headless", *headless}, {"desktop", *desktop}} {
		if b.bin == "" {
			continue
		}
		report(b.kind, "tnjwt --help", b.bin, []string{"--help"}, *n)
		report(b.kind, "tnjwt test (emulator)", b.bin, test, *n)
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

// goHello builds a static Go program that prints one line, into dir.
func goHello(dir string) string {
	src := filepath.Join(dir, "hello")
	check(os.MkdirAll(src, 0o755))
	check(os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o600))
	check(os.WriteFile(filepath.Join(src, "main.go"),
		[]byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n"), 0o600))
	bin := filepath.Join(dir, "go-hello")
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		fail(fmt.Sprintf("building the Go floor: %v\n%s", err, out))
	}
	return bin
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

func report(kind, what, bin string, args []string, n int) {
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
