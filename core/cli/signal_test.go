//go:build unix

// Sending SIGINT to the test binary itself needs a Unix system.

package cli

import (
	"bytes"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

// Ctrl-C during a long `tnjwt test --wait` stops it at once, with the
// transport exit code and a report that says it was stopped, not that the
// network failed. Run (not Dispatch) is what main calls, so this tests the
// signal handling itself.
func TestRunStopsAWaitingTestOnInterrupt(t *testing.T) {
	org := startOrg(t, nil, emulator.Options{})
	if err := org.E.SetPropagation(emulatortest.AppName, time.Hour); err != nil {
		t.Fatal(err)
	}
	// A safety net of the test's own: should Run ever stop listening before
	// the signal arrives, SIGINT must not kill the whole test binary.
	net := make(chan os.Signal, 1)
	signal.Notify(net, syscall.SIGINT)
	t.Cleanup(func() { signal.Stop(net) })

	stderr := newLineWatch("tries again in")
	var stdout bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code, _ := Run(org.testArgs(t, "--wait", "10m"), &stdout, stderr)
		done <- code
	}()
	select {
	case <-stderr.seen: // attempt 1 got invalid_client_id; the test waits to retry
	case code := <-done:
		t.Fatalf("the test ended (exit %d) before it waited:\n%s", code, stderr.String())
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var code int
	select {
	case code = <-done:
	case <-time.After(time.Minute): // a deadlock guard, far above the milliseconds it takes
		t.Fatalf("tnjwt test kept waiting after Ctrl-C:\n%s", stderr.String())
	}
	if code != ExitTransport {
		t.Fatalf("exit %d after Ctrl-C, want %d:\n%s", code, ExitTransport, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "stopped while waiting for the app's settings to propagate") ||
		!strings.Contains(out, "The test was stopped before it finished") || strings.Contains(out, "network connection") {
		t.Errorf("the report does not say the test was stopped (or blames the network):\n%s", out)
	}
}
