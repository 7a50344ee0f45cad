// Uses the real Secret Service: `make keychain-test` runs it under
// scripts/with-keyring.sh; a plain `go test` skips it.

package rotation_test

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/core/secrets/keyringtest"
)

// Renew, rotate, promote and rollback of a 4096-bit key in the real keyring;
// after each, secret-tool sees exactly the items of the keys the profile
// points at, and no orphaned chunk.
func TestKeyringRotationLeavesExactlyTheItemsExpected(t *testing.T) {
	keyringtest.Require(t)
	vault := secrets.NewVault(secrets.NewKeyring(), 20*time.Second)
	store := profiles.Open(t.TempDir(), vault)
	b := make([]byte, 4)
	rand.Read(b)
	prof := "it-rotation-" + hex.EncodeToString(b)
	key, err := certs.Generate(certs.Options{Bits: 4096})
	if err != nil {
		t.Fatal(err)
	}
	p := profiles.Profile{Name: prof, LoginURL: "https://acme.my.salesforce.com", Username: "embed@acme.com",
		CertificatePEM: string(key.CertPEM), Fingerprint: certs.Fingerprint(key.Cert), CertNotAfter: key.Cert.NotAfter}
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9" + hex.EncodeToString(key.Cert.Raw[:40])), secrets.PrivateKey: key.KeyPEM}
	if err := store.Import(ctx, p, items, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Delete(ctx, prof) })
	m := &rotation.Manager{Profiles: store, Keys: vault}

	expect := func(step string, purposes ...secrets.Purpose) {
		t.Helper()
		got := map[secrets.Purpose]int{}
		chunk := regexp.MustCompile(`^` + regexp.QuoteMeta(prof) + `/([a-z-]+)(/g\d+/\d+)?$`)
		for _, item := range keyringtest.Items(t, secrets.Service, prof) {
			mm := chunk.FindStringSubmatch(item)
			if mm == nil {
				t.Fatalf("%s: unexpected item %q", step, item)
			}
			got[secrets.Purpose(mm[1])]++
		}
		for _, pu := range secrets.Purposes() {
			if want := slices.Contains(purposes, pu); want != (got[pu] > 0) {
				t.Fatalf("%s: %s stored %v, want %v (items %v)", step, pu, got[pu] > 0, want, got)
			}
		}
		// Every stored secret must read back whole: its index and exactly
		// the chunks it names, nothing more.
		for _, pu := range purposes {
			secret, err := vault.Get(ctx, prof, pu)
			if err != nil {
				t.Fatalf("%s: %s: %v", step, pu, err)
			}
			if n := chunksFor(len(secret)); got[pu] != n+1 {
				t.Fatalf("%s: %s has %d items, want its index and %d chunks: an orphan", step, pu, got[pu], n)
			}
		}
	}
	expect("imported", secrets.ConsumerKey, secrets.PrivateKey)
	if _, err := m.Renew(ctx, prof, 365, nil); err != nil {
		t.Fatal(err)
	}
	expect("renewed", secrets.ConsumerKey, secrets.PrivateKey)
	if _, err := m.Rotate(ctx, prof, 365, 4096, nil); err != nil {
		t.Fatal(err)
	}
	expect("rotated", secrets.ConsumerKey, secrets.PrivateKey, secrets.PendingPrivateKey)
	if err := m.Promote(ctx, prof); err != nil {
		t.Fatal(err)
	}
	expect("promoted", secrets.ConsumerKey, secrets.PrivateKey, secrets.PreviousPrivateKey)
	if err := m.Rollback(ctx, prof); err != nil {
		t.Fatal(err)
	}
	expect("rolled back", secrets.ConsumerKey, secrets.PrivateKey, secrets.PreviousPrivateKey)
	if cur, _ := vault.Get(ctx, prof, secrets.PrivateKey); string(cur) != string(key.KeyPEM) {
		t.Fatal("rollback did not bring back the first key")
	}
	if err := m.DiscardPrevious(ctx, prof); err != nil {
		t.Fatal(err)
	}
	expect("previous discarded", secrets.ConsumerKey, secrets.PrivateKey)
}

// chunksFor is how many chunks the vault splits a text secret of n bytes into.
func chunksFor(n int) int { return (n + secrets.ChunkSize - 1) / secrets.ChunkSize }
