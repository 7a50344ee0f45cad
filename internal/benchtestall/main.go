// Command bench-testall times `tnjwt test --all` over many profiles against
// one practice org on loopback, whole process, beside `tnjwt test --profile`
// of one of them, and counts the keychain reads a run makes (make bench, under
// scripts/with-keyring.sh: a real Secret Service). Medians of N runs; the
// figures are reported, never asserted.
//
//	scripts/with-keyring.sh go run ./internal/benchtestall -tnjwt ./tnjwt-headless [-profiles 50] [-parallel 8] [-n 7]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/cli"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/internal/benchorg"
)

func main() {
	bin := flag.String("tnjwt", "", "the tnjwt binary to time")
	count := flag.Int("profiles", 50, "profiles to test with --all")
	parallel := flag.Int("parallel", 8, "--parallel for --all")
	n := flag.Int("n", 7, "runs of each")
	flag.Parse()
	if *bin == "" {
		fail("give -tnjwt")
	}
	dir, err := os.MkdirTemp("", "tnjwt-bench-testall")
	check(err)
	defer os.RemoveAll(dir)
	keys, err := certs.Generate(certs.Options{})
	check(err)
	org, err := benchorg.Start(keys, nil)
	check(err)
	defer org.Close()
	keyFile := filepath.Join(dir, "sf_private_key.pem")
	check(os.WriteFile(keyFile, keys.KeyPEM, 0o600))
	config := filepath.Join(dir, "config")
	env := append(os.Environ(), profiles.EnvDir+"="+config)
	names := make([]string, *count)
	for i := range names {
		names[i] = fmt.Sprintf("org%02d", i)
		run(*bin, env, "profile", "import", "--name", names[i], "--login-url", org.URL, "--username", benchorg.Username,
			"--client-id", benchorg.ConsumerKey, "--key-file", keyFile)
	}
	one := median(*n, func() { run(*bin, env, "test", "--profile", names[0]) })
	all := median(*n, func() { run(*bin, env, "test", "--all", "--json", "--parallel", fmt.Sprint(*parallel)) })
	reads, per := keychainReads(*count, org.URL, keyFile)
	floor := keychainFloor(*count, *parallel, *n)
	fmt.Printf("test --all over %d profiles, one practice org on loopback (medians of %d runs, real Secret Service)\n", *count, *n)
	fmt.Printf("  %-40s %8.1f ms\n", "tnjwt test --profile (one org)", ms(one))
	fmt.Printf("  %-40s %8.1f ms   %.2f× one org (target ≤ 2×)\n", fmt.Sprintf("tnjwt test --all --parallel %d", *parallel), ms(all), float64(all)/float64(one))
	fmt.Printf("  %-40s %8d      %.1f per org\n", "keychain reads in one --all run", reads, per)
	fmt.Printf("  %-40s %8.1f ms   %.2f× one org: the floor for any --all over this keychain\n",
		fmt.Sprintf("floor: those reads alone, %d at a time", *parallel), ms(floor), float64(floor)/float64(one))
}

// keychainFloor times reading two secrets for each of count profiles from
// the real Secret Service, parallel at a time, and nothing else.
func keychainFloor(count, parallel, n int) time.Duration {
	vault := secrets.NewVault(secrets.NewKeyring(), 10*time.Second)
	ctx := context.Background()
	for i := range count {
		for _, p := range []secrets.Purpose{secrets.ConsumerKey, secrets.PrivateKey} {
			check(vault.Put(ctx, fmt.Sprintf("floor%02d", i), p, []byte("a secret of a few dozen bytes, as a consumer key is")))
		}
	}
	defer func() {
		for i := range count {
			vault.DeleteProfile(ctx, fmt.Sprintf("floor%02d", i))
		}
	}()
	return median(n, func() {
		var wg sync.WaitGroup
		slots := make(chan struct{}, parallel)
		for i := range count {
			wg.Add(1)
			slots <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				for _, p := range []secrets.Purpose{secrets.ConsumerKey, secrets.PrivateKey} {
					_, err := vault.Get(ctx, fmt.Sprintf("floor%02d", i), p)
					check(err)
				}
			}()
		}
		wg.Wait()
	})
}

// keychainReads runs the same --all in this process over a keychain that
// counts what it is asked: reads per org, not per attempt.
func keychainReads(count int, url, keyFile string) (int64, float64) {
	dir, err := os.MkdirTemp("", "tnjwt-bench-reads")
	check(err)
	defer os.RemoveAll(dir)
	mem := &countingBackend{Memory: secrets.NewMemory(0)}
	vault := func() *secrets.Vault { return secrets.NewVault(mem, 5*time.Second) }
	os.Setenv(profiles.EnvDir, dir)
	env := func() *cli.Env {
		var sink bytes.Buffer
		return &cli.Env{Ctx: context.Background(), Stdout: &sink, Stderr: &sink, Now: time.Now, NewVault: vault}
	}
	for i := range count {
		code := cli.Dispatch([]string{"profile", "import", "--name", fmt.Sprintf("org%02d", i), "--login-url", url,
			"--username", benchorg.Username, "--client-id", benchorg.ConsumerKey, "--key-file", keyFile}, env())
		if code != 0 {
			fail("in-process import failed")
		}
	}
	mem.gets.Store(0)
	cli.Dispatch([]string{"test", "--all", "--json"}, env())
	reads := mem.gets.Load()
	return reads, float64(reads) / float64(count)
}

// countingBackend counts keychain reads.
type countingBackend struct {
	*secrets.Memory
	gets atomic.Int64
}

func (c *countingBackend) Get(service, user string) (string, error) {
	c.gets.Add(1)
	return c.Memory.Get(service, user)
}

func median(n int, f func()) time.Duration {
	f() // warm the caches
	var runs []time.Duration
	for range n {
		start := time.Now()
		f()
		runs = append(runs, time.Since(start))
	}
	slices.Sort(runs)
	return runs[len(runs)/2]
}

func run(bin string, env []string, args ...string) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		fail(fmt.Sprintf("%s %v: %v\n%s", bin, args, err, out))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "bench-testall:", msg)
	os.Exit(1)
}
