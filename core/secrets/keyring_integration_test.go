// These tests use the real Secret Service: `make keychain-test` runs them
// under scripts/with-keyring.sh, which starts a private D-Bus session with a
// fresh, unlocked GNOME Keyring in a temporary HOME. A plain `go test` skips
// them; under with-keyring.sh they fail (never skip) when that keyring does
// not work.

package secrets

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/secrets/keyringtest"
)

var (
	probeOnce sync.Once
	probeErr  error
)

// realVault returns a vault on the real keychain after checking that it is
// the sandboxed one from scripts/with-keyring.sh and that it works.
func realVault(t *testing.T) *Vault {
	t.Helper()
	keyringtest.Require(t)
	v := NewVault(NewKeyring(), 10*time.Second)
	probeOnce.Do(func() {
		ctx := context.Background()
		name := "it-probe-" + randomHex(4)
		if probeErr = v.Put(ctx, name, ConsumerKey, []byte("probe")); probeErr != nil {
			return
		}
		if _, probeErr = v.Get(ctx, name, ConsumerKey); probeErr != nil {
			return
		}
		probeErr = v.Delete(ctx, name, ConsumerKey)
	})
	if probeErr != nil {
		t.Fatalf("the Secret Service is not usable: %v", probeErr)
	}
	return v
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// itemsOf lists, through secret-tool (a second, independent client), the
// item names stored for profile under the tnjwt service.
func itemsOf(t *testing.T, profile string) []string {
	t.Helper()
	return keyringtest.Items(t, Service, profile)
}

func TestKeyringRoundTripsRSAKeys(t *testing.T) {
	v := realVault(t)
	ctx := context.Background()
	profile := "it-secrets-" + randomHex(4)
	defer v.DeleteProfile(ctx, profile)

	for _, bits := range []int{2048, 4096} {
		key := rsaKeyPEM(t, bits)
		if err := v.Put(ctx, profile, PrivateKey, key); err != nil {
			t.Fatalf("RSA-%d: %v", bits, err)
		}
		got, err := v.Get(ctx, profile, PrivateKey)
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("RSA-%d did not round-trip: %v", bits, err)
		}
	}
	// After the replace only the manifest and the current chunks remain.
	items := itemsOf(t, profile)
	want := []string{profile + "/private-key", profile + "/private-key/g2/0", profile + "/private-key/g2/1"}
	if strings.Join(slices.Sorted(slices.Values(items)), ",") != strings.Join(want, ",") {
		t.Fatalf("items in the keyring: %v, want %v", items, want)
	}
	// The manifest, read by another client, is the small JSON index.
	out, err := exec.Command("secret-tool", "lookup", "service", Service, "username", profile+"/private-key").Output()
	if err != nil || !strings.Contains(string(out), `"tnjwt_secret":1`) || strings.Contains(string(out), "PRIVATE KEY") {
		t.Fatalf("manifest as secret-tool sees it: %v %q", err, out)
	}

	ck := []byte("3MVG9" + randomHex(40))
	if err := v.Put(ctx, profile, ConsumerKey, ck); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Get(ctx, profile, ConsumerKey); err != nil || !bytes.Equal(got, ck) {
		t.Fatalf("consumer key: %v", err)
	}
}

func TestKeyringDelete(t *testing.T) {
	v := realVault(t)
	ctx := context.Background()
	profile := "it-secrets-" + randomHex(4)
	for _, p := range Purposes() {
		if err := v.Put(ctx, profile, p, rsaKeyPEM(t, 4096)); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Delete(ctx, profile, ConsumerKey); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(ctx, profile, ConsumerKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := v.DeleteProfile(ctx, profile); err != nil {
		t.Fatal(err)
	}
	if items := itemsOf(t, profile); len(items) != 0 {
		t.Fatalf("items left in the keyring: %v", items)
	}
	if err := v.DeleteProfile(ctx, profile); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
}

// runChild runs one test of this binary in a fresh D-Bus session whose
// keyring was never unlocked. extra goes before the command (dbus-run-session
// options).
func runChild(t *testing.T, test, mode string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"home", "data", "config", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	args := append(extra, "--", os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd := exec.Command("dbus-run-session", args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "TNJWT_KEYRING_CHILD="+mode, "HOME="+filepath.Join(dir, "home"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "run"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("child %s: %v\n%s", test, err, out)
	}
	return string(out)
}

func TestKeyringLockedIsReportedAsLocked(t *testing.T) {
	realVault(t)
	runChild(t, "TestKeyringChildLocked", "locked")
}

// TestKeyringChildLocked runs inside runChild's session, where GNOME Keyring
// is started by D-Bus activation but its keyring is locked and there is no
// display for an unlock prompt.
func TestKeyringChildLocked(t *testing.T) {
	if os.Getenv("TNJWT_KEYRING_CHILD") != "locked" {
		t.Skip("runs only as TestKeyringLockedIsReportedAsLocked's child")
	}
	v := NewVault(NewKeyring(), 10*time.Second)
	err := v.Put(context.Background(), "acme", PrivateKey, []byte("secret"))
	if KindOf(err) != Locked || !strings.Contains(err.Error(), "Unlock your login keyring") {
		t.Fatalf("got %v (kind %v), want Locked", err, KindOf(err))
	}
}

const noServiceBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

func TestKeyringMissingServiceIsReportedAsNoService(t *testing.T) {
	realVault(t)
	conf := filepath.Join(t.TempDir(), "session.conf")
	// A session bus with no service folders: nothing can provide org.freedesktop.secrets.
	if err := os.WriteFile(conf, []byte(noServiceBusConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	runChild(t, "TestKeyringChildNoService", "noservice", "--config-file="+conf)
}

func TestKeyringChildNoService(t *testing.T) {
	if os.Getenv("TNJWT_KEYRING_CHILD") != "noservice" {
		t.Skip("runs only as TestKeyringMissingServiceIsReportedAsNoService's child")
	}
	v := NewVault(NewKeyring(), 10*time.Second)
	_, err := v.Get(context.Background(), "acme", PrivateKey)
	if KindOf(err) != NoService || !strings.Contains(err.Error(), "gnome-keyring") {
		t.Fatalf("got %v (kind %v), want NoService", err, KindOf(err))
	}
}
