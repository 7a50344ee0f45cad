package ui

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tnjwt/tnjwt/core/safetext"
	"github.com/tnjwt/tnjwt/wizard"
)

// Opening a web page or a folder. Fyne's OpenURL starts xdg-open (open on
// macOS) and reports success as soon as it started: when the opener then
// fails (no browser for root, "no method available"), the window said the
// page was open, and the process was never reaped. tnjwt runs the opener
// itself, waits for its answer, and reaps it.

// openerGrace is how long an opener may run before tnjwt takes it as having
// worked: xdg-open waits for some browsers until they close.
const openerGrace = 5 * time.Second

// openerSaidMax bounds what is kept of the opener's error output.
const openerSaidMax = 400

// openCommand is the desktop's opener for this system, or "" where Fyne's
// own is used (Windows).
func openCommand() string {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return "xdg-open"
	case "darwin":
		return "open"
	}
	return ""
}

// openerError is an opener that ended in failure, with what it said.
type openerError struct {
	name string
	code int
	said string // its error output, cleaned, with the address taken out
}

func (e *openerError) Error() string {
	msg := fmt.Sprintf("%s ended with exit status %d", e.name, e.code)
	if e.said != "" {
		msg += " (it said: " + e.said + ")"
	}
	return msg
}

// open hands u to the desktop's opener off the UI goroutine, then runs then
// on the UI goroutine with nil when it opened, or why not.
func (s *shell) open(u *url.URL, then func(error)) {
	if s.deps.openURL != nil { // tests: record what the opener was given
		then(s.deps.openURL(u))
		return
	}
	name := openCommand()
	if name == "" {
		then(s.app.OpenURL(u))
		return
	}
	out := &boundedBuffer{max: openerSaidMax}
	cmd := exec.Command(name, u.String())
	cmd.Stdout, cmd.Stderr = nil, out
	// A browser the opener starts may keep its error output open: once
	// the opener itself has exited, its answer is not waited for longer.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		then(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reaps the opener, however long it runs
	late := make(chan struct{})
	var once sync.Once
	s.after(openerGrace, func() { once.Do(func() { close(late) }) })
	background(s.jobs, func() error {
		select {
		case err := <-done:
			return openerResult(name, err, out.String(), u.String())
		case <-late:
			return nil // still running: a browser xdg-open waits for
		}
	}, then)
}

// openerResult is nil for an opener that exited 0, else what went wrong,
// never quoting the address (a frontdoor URL is a credential).
func openerResult(name string, err error, said, address string) error {
	if err == nil || errors.Is(err, exec.ErrWaitDelay) {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	for _, quoted := range []string{"'" + address + "'", `"` + address + `"`, address} {
		said = strings.ReplaceAll(said, quoted, "the address")
	}
	said = strings.TrimSpace(strings.Join(strings.Fields(safetext.Clean(said)), " "))
	return &openerError{name: name, code: ee.ExitCode(), said: said}
}

// openFailed says why a folder or page did not open, and what to do: on
// Linux the desktop's opener (xdg-open) may not be installed, or find
// nothing to open the page with.
func openFailed(err error, target string) string {
	var oe *openerError
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return "Couldn't open " + target + ": this system has no xdg-open to open it with (Debian/Ubuntu: sudo apt install xdg-utils); open it by hand."
	case errors.As(err, &oe) && oe.said != "":
		return "Couldn't open " + target + ": " + oe.name + " said “" + strings.TrimSuffix(oe.said, ".") +
			"”. This desktop has no program set up to open it (often so for root, or without a desktop session); open it by hand."
	case errors.As(err, &oe):
		return "Couldn't open " + target + ": " + oe.name + " found no program to open it with; open it by hand."
	}
	return "Couldn't open " + target + ": " + wizard.Sentence(err.Error())
}

// boundedBuffer keeps the first max bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
