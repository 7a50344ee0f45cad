package secrets

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	keyring "github.com/zalando/go-keyring"
)

// NewKeyring is the OS keychain through go-keyring. On Linux and the BSDs
// every call first checks for a D-Bus session bus: without one, godbus would
// run dbus-launch, which fails headless and leaves a stray dbus-daemon behind
// on every call.
func NewKeyring() Backend {
	return &keyringBackend{goos: runtime.GOOS, probe: realBusProbe()}
}

type keyringBackend struct {
	goos  string
	probe busProbe
}

func (k *keyringBackend) Set(service, user, value string) error {
	if err := k.checkBus(); err != nil {
		return err
	}
	return keyring.Set(service, user, value)
}

func (k *keyringBackend) Get(service, user string) (string, error) {
	if err := k.checkBus(); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

func (k *keyringBackend) Delete(service, user string) error {
	if err := k.checkBus(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

func (k *keyringBackend) checkBus() error {
	if k.goos == "darwin" || k.goos == "windows" {
		return nil
	}
	missing := k.probe.problem()
	if missing == "" {
		return nil
	}
	return &Error{
		Kind:    NoSessionBus,
		Message: fmt.Sprintf("There is no D-Bus session bus, so tnjwt cannot reach the %s: %s.", locationFor(k.goos), missing),
		Remedy:  noBusRemedy,
	}
}

// busProbe is what the session-bus check looks at; tests fill it in.
type busProbe struct {
	getenv   func(string) string
	setenv   func(string, string) error
	isSocket func(string) bool
	exists   func(string) bool
	uid      int
}

func realBusProbe() busProbe {
	return busProbe{
		getenv: os.Getenv,
		setenv: os.Setenv,
		isSocket: func(p string) bool {
			fi, err := os.Stat(p)
			return err == nil && fi.Mode()&os.ModeSocket != 0
		},
		exists: func(p string) bool {
			_, err := os.Stat(p)
			return err == nil
		},
		uid: os.Getuid(),
	}
}

// noBus is the address PreventBusAutolaunch sets when there is no session
// bus: it names no transport godbus knows, so every dial fails at once.
const noBus = "disabled:"

// PreventBusAutolaunch stops D-Bus autolaunch for this process. With no
// session bus, godbus (used by Fyne's theme watcher and by go-keyring) runs
// dbus-launch, whose dbus-daemon outlives tnjwt: one more per start. Call it
// before Fyne starts. A bus that exists is used as before, and the keychain
// still says which bus is missing.
func PreventBusAutolaunch() { realBusProbe().preventAutolaunch() }

func (p busProbe) preventAutolaunch() {
	if p.problem() != "" {
		_ = p.setenv("DBUS_SESSION_BUS_ADDRESS", noBus)
	}
}

// problem says what is missing, or "" when godbus will find a bus without
// launching one. It mirrors godbus v5.2.2's SessionBus lookup:
// DBUS_SESSION_BUS_ADDRESS, then /run/user/UID/bus and /run/user/UID/dbus-session.
func (p busProbe) problem() string {
	if addr := p.getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" && addr != noBus {
		return ""
	}
	if rt := p.getenv("XDG_RUNTIME_DIR"); rt != "" {
		sock := filepath.Join(rt, "bus")
		if p.isSocket(sock) {
			// godbus only looks in /run/user/UID, so point it at this socket
			// rather than let it fall back to dbus-launch.
			if err := p.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+escapeBusValue(sock)); err != nil {
				return "DBUS_SESSION_BUS_ADDRESS could not be set"
			}
			return ""
		}
	}
	run := fmt.Sprintf("/run/user/%d", p.uid)
	if p.exists(filepath.Join(run, "bus")) || p.exists(filepath.Join(run, "dbus-session")) {
		return ""
	}
	if rt := p.getenv("XDG_RUNTIME_DIR"); rt != "" {
		return fmt.Sprintf("DBUS_SESSION_BUS_ADDRESS is empty and there is no bus socket at %s", filepath.Join(rt, "bus"))
	}
	return "DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are both empty (no desktop session)"
}

// escapeBusValue escapes a D-Bus address value: every byte outside the
// optionally-escaped set becomes %xx (D-Bus specification, "Server Addresses").
func escapeBusValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_/\\.*", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02x", c)
	}
	return b.String()
}
