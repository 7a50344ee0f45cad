// These use the real Secret Service: `make keychain-test` runs them under
// scripts/with-keyring.sh (a private, unlocked GNOME Keyring); a plain
// `go test` skips them.

package profiles

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/core/secrets/keyringtest"
)

func realStore(t *testing.T) *Store {
	t.Helper()
	keyringtest.Require(t)
	return Open(t.TempDir(), secrets.NewVault(secrets.NewKeyring(), 10*time.Second))
}

func TestKeyringProfileDeleteRemovesItsItems(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	b := make([]byte, 4)
	rand.Read(b)
	name := "it-profiles-" + hex.EncodeToString(b)

	key, err := exec.Command("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096").Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9" + hex.EncodeToString(key[100:140])), secrets.PrivateKey: key}
	if err := s.Import(ctx, sample(name), items, false); err != nil {
		t.Fatalf("import into the real keyring: %v", err)
	}
	if err := s.Vault().Put(ctx, name, secrets.PreviousPrivateKey, key); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Vault().Get(ctx, name, secrets.PrivateKey); err != nil || string(got) != string(key) {
		t.Fatalf("key read back: %v", err)
	}
	if n := len(secretToolItems(t, name)); n < 6 {
		t.Fatalf("expected the manifests and chunks in the keyring, found %d items", n)
	}

	if err := s.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if left := secretToolItems(t, name); len(left) != 0 {
		t.Fatalf("keyring items left after deleting the profile: %v", left)
	}
	for _, p := range secrets.Purposes() {
		if _, err := s.Vault().Get(ctx, name, p); !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("%s after delete: %v", p, err)
		}
	}
	if _, err := s.Get(name); !errors.Is(err, ErrNotFound) {
		t.Fatalf("profile after delete: %v", err)
	}
}

// secretToolItems asks libsecret's secret-tool, an independent client, which
// tnjwt items exist for profile.
func secretToolItems(t *testing.T, profile string) []string {
	t.Helper()
	return keyringtest.Items(t, secrets.Service, profile)
}
