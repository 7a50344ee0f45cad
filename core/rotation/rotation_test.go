package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const name = "acme"

var ctx = context.Background()

// rig is a profile set up and working against the practice org, whose app
// changes take five minutes to propagate on a clock the test moves.
type rig struct {
	t     *testing.T
	org   *emulatortest.Org
	clock *emulatortest.Clock
	mem   *secrets.Memory
	vault *secrets.Vault
	store *profiles.Store
	m     *rotation.Manager
}

func newRig(t *testing.T) *rig {
	t.Helper()
	b := emulatortest.Keys()
	clock := emulatortest.NewClock(time.Now())
	r := &rig{t: t, clock: clock, mem: secrets.NewMemory(0)}
	r.org = emulatortest.Start(t, emulatortest.Config(b), emulator.Options{Now: clock.Now})
	if err := r.org.E.SetPropagation(emulatortest.AppName, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	r.org.E.SkipPropagation(emulatortest.AppName)
	r.vault = secrets.NewVault(r.mem, 5*time.Second)
	r.store = profiles.Open(t.TempDir(), r.vault)
	p := profiles.Profile{Name: name, LoginURL: r.org.URL, Username: emulatortest.Username,
		CertificatePEM: string(b.CertPEM), Fingerprint: certs.Fingerprint(b.Cert), CertNotAfter: b.Cert.NotAfter}
	if err := r.store.Create(p); err != nil {
		t.Fatal(err)
	}
	for purpose, v := range map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte(emulatortest.ConsumerKey), secrets.PrivateKey: b.KeyPEM} {
		if err := r.vault.Put(ctx, name, purpose, v); err != nil {
			t.Fatal(err)
		}
	}
	r.m = r.manager(r.store, r.vault)
	return r
}

func (r *rig) manager(p rotation.Profiles, k rotation.Keys) *rotation.Manager {
	return &rotation.Manager{Profiles: p, Keys: k, Now: r.clock.Now}
}

// exchange runs one live test signed with keyPEM; newCert and wait retry
// through a certificate's propagation, each pause moving the clock on.
func (r *rig) exchange(keyPEM []byte, newCert bool, wait time.Duration) error {
	r.t.Helper()
	key, err := certs.ParsePrivateKey(keyPEM)
	if err != nil {
		r.t.Fatal(err)
	}
	c := salesforce.NewClient(5 * time.Second)
	c.Now = r.clock.Now
	c.Sleep = r.clock.Sleep
	_, err = c.Exchange(ctx, salesforce.Request{LoginURL: r.org.URL, ClientID: emulatortest.ConsumerKey,
		Username: emulatortest.Username, Key: key, NewCertificate: newCert, Wait: wait})
	return err
}

func (r *rig) key(p secrets.Purpose) []byte {
	r.t.Helper()
	b, err := r.vault.Get(ctx, name, p)
	if err != nil {
		r.t.Fatalf("%s: %v", p, err)
	}
	return b
}

func (r *rig) profile() profiles.Profile {
	r.t.Helper()
	p, err := r.store.Get(name)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *rig) upload(certPEM string) {
	r.t.Helper()
	if err := r.org.E.UploadCertificate(emulatortest.AppName, []byte(certPEM)); err != nil {
		r.t.Fatal(err)
	}
}

func refusedAs(err error, code string) bool {
	var re *salesforce.RefusalError
	return errors.As(err, &re) && re.Code == code
}

// Renewing keeps the key, so a server signing in a loop never fails: before
// the renewal, after it, during the upload's propagation and after it.
func TestRenewKeepsEveryRequestWorking(t *testing.T) {
	r := newRig(t)
	before := r.profile()
	server := r.key(secrets.PrivateKey) // what the app's servers sign with
	failures := 0
	sign := func(when string) {
		for range 5 {
			if err := r.exchange(server, false, 0); err != nil {
				failures++
				t.Errorf("%s: %v", when, err)
			}
			r.clock.Add(30 * time.Second)
		}
	}
	sign("before")
	r.clock.Add(300 * 24 * time.Hour)
	kc, err := r.m.Renew(ctx, name, 730, nil)
	if err != nil {
		t.Fatal(err)
	}
	sign("renewed, not uploaded")
	r.upload(kc.CertificatePEM)
	sign("uploaded, propagating")
	sign("propagated")
	if failures != 0 {
		t.Fatalf("%d requests failed across the renewal", failures)
	}
	after := r.profile()
	if after.Fingerprint == before.Fingerprint || after.CertificatePEM != kc.CertificatePEM {
		t.Error("the profile does not hold the new certificate")
	}
	if got := certs.DaysLeft(after.CertNotAfter, r.clock.Now()); got < 729 {
		t.Errorf("renewed certificate has %d days left, want about 730", got)
	}
	if string(r.key(secrets.PrivateKey)) != string(server) {
		t.Error("renewing changed the key")
	}
	if _, err := certs.Load(server, []byte(kc.CertificatePEM)); err != nil {
		t.Errorf("the renewed certificate is not for the same key: %v", err)
	}
}

// Rotate stages a new key and leaves the current one alone; the new key is
// refused until its certificate is uploaded and propagated, then it is
// promoted, and a server still on the old key fails as on Salesforce.
func TestRotateStagesThenPromotesAfterPropagation(t *testing.T) {
	r := newRig(t)
	old := r.key(secrets.PrivateKey)
	oldCert := r.profile().CertificatePEM
	kc, err := r.m.Rotate(ctx, name, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := r.profile()
	if p.Pending == nil || p.Pending.Fingerprint != kc.Fingerprint || p.CertificatePEM != oldCert {
		t.Fatalf("after rotate: pending %+v, current changed %v", p.Pending, p.CertificatePEM != oldCert)
	}
	if !strings.Contains(rotation.Describe(p), "Rotation in progress: pending key not yet confirmed") {
		t.Errorf("state in words: %q", rotation.Describe(p))
	}
	pending, err := r.m.PendingKey(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.exchange(pending, true, 0); !refusedAs(err, "invalid_grant") {
		t.Fatalf("the new key before its upload: %v", err)
	}
	if err := r.exchange(old, false, 0); err != nil {
		t.Fatalf("the current key stopped working after rotate: %v", err)
	}
	if _, err := r.m.Rotate(ctx, name, 0, 0, nil); err == nil || !strings.Contains(err.Error(), "in progress") {
		t.Fatalf("a second rotate while one is pending: %v", err)
	}

	r.upload(kc.CertificatePEM)
	if err := r.exchange(pending, false, 0); !refusedAs(err, "invalid_grant") {
		t.Fatalf("the new key right after its upload: %v", err)
	}
	// The live test of a pending key retries through propagation.
	if err := r.exchange(pending, true, 10*time.Minute); err != nil {
		t.Fatalf("the new key with retries through propagation: %v", err)
	}
	if err := r.m.Promote(ctx, name); err != nil {
		t.Fatal(err)
	}
	p = r.profile()
	if p.Pending != nil || p.Fingerprint != kc.Fingerprint || p.Previous == nil || p.Previous.CertificatePEM != oldCert {
		t.Fatalf("after promote: pending %v, current %s, previous %+v", p.Pending, p.Fingerprint, p.Previous)
	}
	if string(r.key(secrets.PrivateKey)) != string(pending) || string(r.key(secrets.PreviousPrivateKey)) != string(old) {
		t.Fatal("the keychain's current and previous keys are not the new and the old")
	}
	if _, err := r.vault.Get(ctx, name, secrets.PendingPrivateKey); secrets.KindOf(err) != secrets.NotFound {
		t.Errorf("the pending key is still stored: %v", err)
	}
	if err := r.exchange(old, false, 0); !refusedAs(err, "invalid_grant") {
		t.Errorf("a server still signing with the old key: %v, want invalid_grant", err)
	}
}

// Rollback swaps the previous key back in (and keeps the one it replaces);
// once the old certificate is uploaded again, the old key works again.
func TestRollbackRestoresThePreviousKey(t *testing.T) {
	r := newRig(t)
	old := r.key(secrets.PrivateKey)
	oldCert := r.profile().CertificatePEM
	r.rotateAndPromote()
	newKey := r.key(secrets.PrivateKey)
	if err := r.m.Rollback(ctx, name); err != nil {
		t.Fatal(err)
	}
	p := r.profile()
	if p.CertificatePEM != oldCert || p.Previous == nil || p.Pending != nil {
		t.Fatalf("after rollback: current is old %v, previous %v, pending %v", p.CertificatePEM == oldCert, p.Previous != nil, p.Pending)
	}
	if string(r.key(secrets.PrivateKey)) != string(old) || string(r.key(secrets.PreviousPrivateKey)) != string(newKey) {
		t.Fatal("rollback did not swap the keys")
	}
	r.upload(oldCert)
	r.clock.Add(5 * time.Minute)
	if err := r.exchange(old, false, 0); err != nil {
		t.Fatalf("the old key after rollback and upload: %v", err)
	}
	if err := r.m.DiscardPrevious(ctx, name); err != nil {
		t.Fatal(err)
	}
	if got := r.mem.Users(secrets.Service); len(got) == 0 || strings.Contains(strings.Join(got, " "), "previous") ||
		strings.Contains(strings.Join(got, " "), "pending") {
		t.Errorf("keychain items after discard: %v", got)
	}
	if err := r.m.Rollback(ctx, name); err == nil || !strings.Contains(err.Error(), "no previous key") {
		t.Errorf("rollback with nothing to go back to: %v", err)
	}
}

func (r *rig) rotateAndPromote() {
	r.t.Helper()
	kc, err := r.m.Rotate(ctx, name, 0, 0, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.upload(kc.CertificatePEM)
	r.clock.Add(5 * time.Minute)
	if err := r.m.Promote(ctx, name); err != nil {
		r.t.Fatal(err)
	}
}

// Abandon drops the staged key and leaves the current one.
func TestAbandonLeavesTheCurrentKey(t *testing.T) {
	r := newRig(t)
	old := r.key(secrets.PrivateKey)
	if _, err := r.m.Rotate(ctx, name, 0, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.m.Abandon(ctx, name); err != nil {
		t.Fatal(err)
	}
	if p := r.profile(); p.Pending != nil || rotation.Describe(p) != "" {
		t.Errorf("after abandon: %+v %q", p.Pending, rotation.Describe(p))
	}
	if _, err := r.vault.Get(ctx, name, secrets.PendingPrivateKey); secrets.KindOf(err) != secrets.NotFound {
		t.Errorf("pending key left: %v", err)
	}
	if err := r.exchange(old, false, 0); err != nil {
		t.Errorf("current key after abandon: %v", err)
	}
}

// failingProfiles fails the nth profile update.
type failingProfiles struct {
	*profiles.Store
	n, calls int
}

func (f *failingProfiles) Update(name string, fn func(*profiles.Profile) error) error {
	f.calls++
	if f.calls == f.n {
		return errors.New("injected: the profiles file could not be written")
	}
	return f.Store.Update(name, fn)
}

// An interruption at any keychain write or profile update of rotate,
// promote or rollback leaves a current key that works with the profile's
// certificate, and a state that the next start explains: nothing changed,
// a rotation pending, or the change finished by Recover.
func TestInterruptionAlwaysLeavesAWorkingCurrentKey(t *testing.T) {
	ops := map[string]func(r *rig, m *rotation.Manager) error{
		"rotate":   func(r *rig, m *rotation.Manager) error { _, err := m.Rotate(ctx, name, 0, 0, nil); return err },
		"promote":  func(r *rig, m *rotation.Manager) error { return m.Promote(ctx, name) },
		"rollback": func(r *rig, m *rotation.Manager) error { return m.Rollback(ctx, name) },
	}
	prepare := map[string]func(r *rig){
		"rotate": func(*rig) {},
		"promote": func(r *rig) {
			kc, err := r.m.Rotate(ctx, name, 0, 0, nil)
			if err != nil {
				r.t.Fatal(err)
			}
			r.upload(kc.CertificatePEM)
		},
		"rollback": func(r *rig) { r.rotateAndPromote() },
	}
	for op, run := range ops {
		for _, where := range []string{"keychain", "profiles"} {
			total := -1 // writes of a clean run: counted on the first pass
			for n := 0; total < 0 || n <= total; n++ {
				r := newRig(t)
				prepare[op](r)
				before := r.kept()
				writes := 0
				r.mem.SetHook(func(kind, _, _ string) error {
					if kind == "get" || where != "keychain" {
						return nil
					}
					if writes++; writes == n {
						return errors.New("injected keychain failure")
					}
					return nil
				})
				fp := &failingProfiles{Store: r.store}
				if where == "profiles" {
					fp.n = n
				}
				err := run(r, r.manager(fp, r.vault))
				r.mem.SetHook(nil)
				label := fmt.Sprintf("%s, %s failure at write %d", op, where, n)
				if n == 0 {
					if err != nil {
						t.Fatalf("%s: a clean run failed: %v", op, err)
					}
					if total = writes; where == "profiles" {
						total = fp.calls
					}
				}
				r.checkUsable(label)
				after := r.kept()
				for fp := range before {
					if !after[fp] {
						t.Fatalf("%s (%v): the key of certificate %s was lost", label, err, fp[:11])
					}
				}
			}
		}
	}
}

// checkUsable restarts (a new manager on the same store), recovers, and
// checks that the current key signs for the profile's certificate and that
// the state is one the Welcome row can explain.
func (r *rig) checkUsable(label string) {
	r.t.Helper()
	m := r.manager(profiles.Open(r.store.Dir(), r.vault), r.vault)
	if _, err := m.Recover(ctx, name); err != nil {
		r.t.Fatalf("%s: recover: %v", label, err)
	}
	p := r.profile()
	cur := r.key(secrets.PrivateKey)
	if _, err := certs.Load(cur, []byte(p.CertificatePEM)); err != nil {
		r.t.Fatalf("%s: the current key does not fit the profile's certificate: %v", label, err)
	}
	if p.Pending != nil {
		if _, err := m.PendingKey(ctx, p); err != nil {
			r.t.Fatalf("%s: a pending rotation whose key is unusable: %v", label, err)
		}
	}
	if p.Previous != nil {
		prev := r.key(secrets.PreviousPrivateKey)
		if _, err := certs.Load(prev, []byte(p.Previous.CertificatePEM)); err != nil {
			r.t.Fatalf("%s: the previous key does not fit its certificate: %v", label, err)
		}
	}
}

// kept lists the certificates (by fingerprint) whose key the profile
// points at and the keychain holds: current, pending and previous.
func (r *rig) kept() map[string]bool {
	r.t.Helper()
	p := r.profile()
	out := map[string]bool{}
	slots := []struct {
		purpose secrets.Purpose
		kc      *profiles.KeyCert
	}{
		{secrets.PrivateKey, &profiles.KeyCert{CertificatePEM: p.CertificatePEM, Fingerprint: p.Fingerprint}},
		{secrets.PendingPrivateKey, p.Pending},
		{secrets.PreviousPrivateKey, p.Previous},
	}
	for _, s := range slots {
		if s.kc == nil {
			continue
		}
		if key, err := r.vault.Get(ctx, name, s.purpose); err == nil {
			if _, err := certs.Load(key, []byte(s.kc.CertificatePEM)); err == nil {
				out[s.kc.Fingerprint] = true
			}
		}
	}
	return out
}
