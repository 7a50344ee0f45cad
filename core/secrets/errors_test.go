package secrets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestClassifyKnownKeychainFailures(t *testing.T) {
	for _, tc := range []struct {
		goos string
		err  error
		want ErrorKind
	}{
		{"linux", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), Locked},
		{"linux", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), NoService},
		{"linux", errors.New("org.freedesktop.DBus.Error.ServiceUnknown: no such name"), NoService},
		{"linux", errors.New("dbus: couldn't determine address of session bus"), NoSessionBus},
		{"linux", errors.New("prompt dismissed"), Refused},
		{"linux", errors.New("org.freedesktop.DBus.Error.AccessDenied: nope"), Refused},
		{"linux", fmt.Errorf("wrapped: %w", ErrSetDataTooBig), TooBig},
		{"linux", fmt.Errorf("wrapped: %w", ErrNotFound), NotFound},
		{"linux", context.DeadlineExceeded, Timeout},
		{"linux", context.Canceled, Canceled},
		{"linux", errors.New("something else"), Other},
		{"darwin", errors.New("exit status 36"), Locked},
		{"darwin", errors.New("exit status 128"), Refused},
		{"darwin", errors.New("exit status 1"), Other},
		{"windows", errors.New("A specified logon session does not exist. It may already have been terminated."), NoService},
		{"windows", errors.New("failed to unlock correct collection"), Other},
	} {
		if got := classify(tc.goos, tc.err); got != tc.want {
			t.Errorf("%s %q: got %v, want %v", tc.goos, tc.err, got, tc.want)
		}
	}
}

func TestEachFailureHasItsOwnRemedy(t *testing.T) {
	what := `the private key of profile "acme"`
	for _, tc := range []struct {
		kind ErrorKind
		want []string
	}{
		{Locked, []string{"is locked", "Unlock your login keyring"}},
		{NoService, []string{"No Secret Service is running", "gnome-keyring", "KWallet"}},
		{Refused, []string{"refused access", "allow access"}},
		{Timeout, []string{"did not answer within 30 s", "is it locked?", "Unlock it ("}},
		{NoSessionBus, []string{"no D-Bus session bus", "dbus-run-session",
			"waits for your login-keyring password on standard input: type it, then press Ctrl-D"}},
	} {
		e := describeFailure("linux", tc.kind, "saving", PrivateKey, what, 30*time.Second, errors.New("x"))
		if e.Kind != tc.kind {
			t.Errorf("%v: kind %v", tc.kind, e.Kind)
		}
		for _, w := range tc.want {
			if !strings.Contains(e.Error(), w) {
				t.Errorf("%v: %q lacks %q", tc.kind, e.Error(), w)
			}
		}
	}
	mac := describeFailure("darwin", Locked, "reading", PrivateKey, what, time.Second, nil)
	if !strings.Contains(mac.Error(), "Keychain Access") || !strings.Contains(mac.Error(), "macOS Keychain") {
		t.Errorf("macOS locked message does not point at Keychain Access: %q", mac)
	}
}

func TestLocationNamesEachOS(t *testing.T) {
	for goos, want := range map[string]string{
		"darwin": "macOS Keychain", "windows": "Windows Credential Manager", "linux": "Secret Service (GNOME Keyring, KWallet…)",
	} {
		if got := locationFor(goos); got != want {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
}

func fakeProbe(env map[string]string, files ...string) (busProbe, map[string]string) {
	set := map[string]string{}
	has := func(p string) bool {
		for _, f := range files {
			if f == p {
				return true
			}
		}
		return false
	}
	return busProbe{
		getenv:   func(k string) string { return env[k] },
		setenv:   func(k, v string) error { set[k] = v; return nil },
		isSocket: has,
		exists:   has,
		uid:      1000,
	}, set
}

func TestSessionBusDetection(t *testing.T) {
	p, _ := fakeProbe(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"})
	if got := p.problem(); got != "" {
		t.Errorf("with an address: %q", got)
	}
	p, _ = fakeProbe(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:", "XDG_RUNTIME_DIR": "/tmp/rt"})
	if got := p.problem(); !strings.Contains(got, "no bus socket at /tmp/rt/bus") {
		t.Errorf("autolaunch only: %q", got)
	}
	p, _ = fakeProbe(map[string]string{})
	if got := p.problem(); !strings.Contains(got, "DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are both empty") {
		t.Errorf("no session at all: %q", got)
	}
	p, _ = fakeProbe(map[string]string{}, "/run/user/1000/bus")
	if got := p.problem(); got != "" {
		t.Errorf("godbus's own socket path: %q", got)
	}
	p, set := fakeProbe(map[string]string{"XDG_RUNTIME_DIR": "/tmp/my rt"}, "/tmp/my rt/bus")
	if got := p.problem(); got != "" {
		t.Errorf("socket in XDG_RUNTIME_DIR: %q", got)
	}
	if got := set["DBUS_SESSION_BUS_ADDRESS"]; got != "unix:path=/tmp/my%20rt/bus" {
		t.Errorf("address handed to godbus: %q", got)
	}
}

func TestAutolaunchPreventedOnlyWithoutABus(t *testing.T) {
	env := map[string]string{"XDG_RUNTIME_DIR": "/tmp/rt"}
	p, set := fakeProbe(env)
	p.setenv = func(k, v string) error { set[k] = v; env[k] = v; return nil }
	p.preventAutolaunch()
	if got := env["DBUS_SESSION_BUS_ADDRESS"]; got != noBus {
		t.Fatalf("no bus: DBUS_SESSION_BUS_ADDRESS = %q, want %q", got, noBus)
	}
	if got := p.problem(); !strings.Contains(got, "no bus socket at /tmp/rt/bus") {
		t.Errorf("after preventing autolaunch the keychain message changed: %q", got)
	}
	for _, tc := range []struct {
		env   map[string]string
		files []string
	}{
		{map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, nil},
		{map[string]string{}, []string{"/run/user/1000/bus"}},
	} {
		p, set := fakeProbe(tc.env, tc.files...)
		p.preventAutolaunch()
		if got, ok := set["DBUS_SESSION_BUS_ADDRESS"]; ok {
			t.Errorf("%v %v: a working bus was replaced by %q", tc.env, tc.files, got)
		}
	}
}

func TestNoSessionBusFailsAtOnceWithoutCallingGoKeyring(t *testing.T) {
	run := fmt.Sprintf("/run/user/%d", os.Getuid())
	if _, err := os.Stat(filepath.Join(run, "bus")); err == nil {
		t.Skipf("this machine has a session bus at %s/bus", run)
	}
	if _, err := os.Stat(filepath.Join(run, "dbus-session")); err == nil {
		t.Skipf("this machine has a session bus file at %s/dbus-session", run)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	k := NewKeyring().(*keyringBackend)
	k.goos = "linux"
	err := k.Set(Service, "tnjwt-test", "v")
	var e *Error
	// go-keyring's own failure would be a plain error, not our *Error: this
	// proves the library (and dbus-launch) was never reached.
	if !errors.As(err, &e) || e.Kind != NoSessionBus || e.Err != nil {
		t.Fatalf("got %#v, want our NoSessionBus error", err)
	}
	if !strings.Contains(e.Error(), "no bus socket at") || !strings.Contains(e.Error(), "dbus-run-session") {
		t.Fatalf("message does not say what is missing and what to do: %q", e)
	}

	_, err = NewVault(k, 0).Get(context.Background(), "acme", PrivateKey)
	if KindOf(err) != NoSessionBus {
		t.Fatalf("through the vault: %v", err)
	}
}

func TestBusSocketInXDGRuntimeDirIsUsed(t *testing.T) {
	dir, err := os.MkdirTemp("", "rt") // short path: unix socket names are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l, err := net.Listen("unix", filepath.Join(dir, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	if got := realBusProbe().problem(); got != "" {
		t.Fatalf("socket present but reported missing: %q", got)
	}
	if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got != "unix:path="+escapeBusValue(filepath.Join(dir, "bus")) {
		t.Fatalf("DBUS_SESSION_BUS_ADDRESS = %q", got)
	}
}
