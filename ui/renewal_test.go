package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// clockOrg is the practice org set up for testBundle and testKey whose app
// changes take five minutes to propagate, on a clock that the window's
// test client moves with each pause between tries.
func clockOrg(t *testing.T, e *env) *emulatortest.Org {
	t.Helper()
	clock := emulatortest.NewClock(time.Now())
	cfg := emulatortest.Config(testBundle(t))
	cfg.Apps[0].ConsumerKey = testKey
	cfg.Users[0].Username = testUser
	org := emulatortest.Start(t, cfg, emulator.Options{Now: clock.Now})
	if err := org.E.SetPropagation(emulatortest.AppName, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	org.E.SkipPropagation(emulatortest.AppName)
	e.s.deps.client = func() *salesforce.Client {
		c := salesforce.NewClient(10 * time.Second)
		c.Now = clock.Now
		c.Sleep = clock.Sleep
		return c
	}
	return org
}

func (e *env) stored(name string) profiles.Profile {
	e.t.Helper()
	p, err := e.store.Get(name)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// press taps the button called text in the dialog on top.
func (e *env) press(text string) {
	e.t.Helper()
	b := findButton(e.s.win.Canvas().Overlays().Top(), text)
	if b == nil {
		e.t.Fatalf("no %q button in the dialog on top:\n%s", text, e.texts())
	}
	e.tap(b)
}

// A rotation from the Welcome row: the new key waits as pending, the test
// retries through the upload's propagation and then makes it current, and
// the row says the old key is kept.
func TestRotateFromWelcomePromotesAfterPropagation(t *testing.T) {
	e := newEnv(t)
	org := clockOrg(t, e)
	e.savedOrg("acme", org.URL, true)
	e.s.welcome.reload()
	e.settle()
	row := e.row("acme")
	if !row.renew.Visible() || !row.rotate.Visible() || row.abandon.Visible() {
		t.Fatal("a set-up org offers no Renew and Rotate, or offers Abandon")
	}
	old, _ := e.vault.Get(context.Background(), "acme", secrets.PrivateKey)

	e.tap(row.rotate)
	e.see(rotation.RotateExplained)
	e.press("Make the new key and certificate")
	e.see("New key staged as pending")
	p := e.stored("acme")
	if p.Pending == nil {
		t.Fatal("no pending key in the profile")
	}
	if cur, _ := e.vault.Get(context.Background(), "acme", secrets.PrivateKey); string(cur) != string(old) {
		t.Fatal("rotating changed the current key")
	}
	if err := org.E.UploadCertificate(emulatortest.AppName, []byte(p.Pending.CertificatePEM)); err != nil {
		t.Fatal(err)
	}
	e.press("Test now")
	e.see(rotation.Promoted)
	p = e.stored("acme")
	if p.Pending != nil || p.Previous == nil || p.LastTest == nil || !p.LastTest.OK {
		t.Fatalf("after the passing test: pending %v, previous %v, last test %+v", p.Pending, p.Previous, p.LastTest)
	}
	if cur, _ := e.vault.Get(context.Background(), "acme", secrets.PrivateKey); string(cur) == string(old) {
		t.Fatal("the new key did not become current")
	}
	e.press("Close")
	e.see("The previous key (certificate")

	// Roll back from the row: the old key is current again, and the flow
	// offers its certificate for the new upload.
	e.tap(e.row("acme").rollback)
	e.press("Roll back")
	e.see(rotation.RolledBack)
	if p := e.stored("acme"); p.CertificatePEM != string(testBundle(t).CertPEM) || p.Previous == nil {
		t.Fatalf("after rollback: current is the old certificate %v, previous %v", p.CertificatePEM == string(testBundle(t).CertPEM), p.Previous)
	}
	if cur, _ := e.vault.Get(context.Background(), "acme", secrets.PrivateKey); string(cur) != string(old) {
		t.Fatal("rollback did not bring back the old key")
	}
	e.press("Close")
	e.tap(e.row("acme").discard)
	e.press("Discard")
	if p := e.stored("acme"); p.Previous != nil {
		t.Fatal("previous key kept after Discard")
	}
	for _, u := range e.mem.Users(secrets.Service) {
		if strings.Contains(u, "previous") || strings.Contains(u, "pending") {
			t.Errorf("left in the keychain: %s", u)
		}
	}
}

// A rotation left unconfirmed (the window closed mid-way) is explained on
// the next start, with Continue and Abandon; Abandon keeps the current key.
func TestUnconfirmedRotationIsExplainedAndCanBeAbandoned(t *testing.T) {
	e := newEnv(t)
	org := clockOrg(t, e)
	e.savedOrg("acme", org.URL, true)
	m := e.s.manager()
	if _, err := m.Rotate(context.Background(), "acme", 0, 0, nil); err != nil {
		t.Fatal(err)
	}
	e.open() // the next start
	e.see("Rotation in progress: pending key not yet confirmed")
	row := e.row("acme")
	if !row.resumeRotation.Visible() || !row.abandon.Visible() || row.rotate.Visible() {
		t.Fatal("no Continue and Abandon for the rotation in progress")
	}
	e.tap(row.abandon)
	e.press("Abandon")
	if p := e.stored("acme"); p.Pending != nil {
		t.Fatal("still pending after Abandon")
	}
	if _, err := e.vault.Get(context.Background(), "acme", secrets.PendingPrivateKey); secrets.KindOf(err) != secrets.NotFound {
		t.Errorf("pending key left: %v", err)
	}
	e.notSee("Rotation in progress")
}

// Renewal from the Welcome row: a new certificate over the same key, saved
// through tnjwt's own dialog, and a passing test.
func TestRenewFromWelcome(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // where the save dialog starts
	e := newEnv(t)
	org := clockOrg(t, e)
	e.savedOrg("acme", org.URL, true)
	e.s.welcome.reload()
	e.settle()
	before := e.stored("acme")
	e.tap(e.row("acme").renew)
	e.see(rotation.RenewExplained)
	e.press("Make the new certificate")
	after := e.stored("acme")
	if after.Fingerprint == before.Fingerprint {
		t.Fatal("the profile kept the old certificate")
	}
	e.see(fingerprintLines(after.Fingerprint))
	e.press("Save certificate…")
	e.press("Save")
	e.see("Saved to ")
	e.press("Test now")
	e.see("The test passed")
}

// The Welcome row flags a certificate due for renewal in amber with Renew
// standing out, and an expired one in red.
func TestWelcomeFlagsExpiringCertificates(t *testing.T) {
	e := newEnv(t)
	for name, days := range map[string]int{"soon": 20, "gone": -2, "fine": 200} {
		p := profiles.Profile{Name: name, LoginURL: "https://acme.my.salesforce.com", Username: testUser,
			CertificatePEM: "x", CertNotAfter: testNow.Add(time.Duration(days) * 24 * time.Hour),
			Checklist: map[string]profiles.StepState{"key-store": {Done: true}}}
		if err := e.store.Save(p); err != nil {
			t.Fatal(err)
		}
	}
	e.s.welcome.reload()
	e.settle()
	for name, want := range map[string]widget.Importance{"soon": widget.WarningImportance, "gone": widget.DangerImportance,
		"fine": widget.MediumImportance} {
		r := e.row(name)
		if r.cert.Importance != want {
			t.Errorf("%s: certificate line importance %v, want %v (%s)", name, r.cert.Importance, want, r.cert.Text)
		}
		if flagged := strings.HasPrefix(r.name.Text, "⚠"); flagged != (name != "fine") {
			t.Errorf("%s: name %q", name, r.name.Text)
		}
		if high := r.renew.Importance == widget.HighImportance; high != (name != "fine") {
			t.Errorf("%s: Renew stands out %v", name, high)
		}
	}
	e.see("Certificate expired on")
}
