//go:build unix

// Sending SIGINT to the test binary itself needs a Unix system.

package cli

import (
	"bytes"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

// lineWatch is stderr that says when a line containing want is written.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Ctrl-C during a long `tnjwt test --wait` stops it at once, with the
// transport exit code and a report that says the person stopped it, not
// that the network failed. Run (not
// Dispatch) is what main calls, so this is the signal handling itself.
func TestRunStopsAWaitingTestOnInterrupt(t *testing.T) {
	org := startOrg(t, nil, emulator.Options{})
	if err := org.E.SetPropagation(emulatortest.AppName, time.Hour); err != nil {
		t.Fatal(err)
	}
	stderr := &lineWatch{want: "tnjwt: ", seen: make(chan struct{})}
	var stdout bytes.Buffer
	done := make(chan int)
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
	if code := <-done; code != ExitTransport {
		t.Fatalf("exit %d after Ctrl-C, want %d:\n%s", code, ExitTransport, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "stopped while waiting for the app's settings to propagate") ||
		!strings.Contains(out, "You stopped the test") || strings.Contains(out, "network connection") {
		t.Errorf("the report does not say the test was stopped (or blames the network):\n%s", out)
	}
}
