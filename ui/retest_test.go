package ui

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

const (
	emuApp     = "Tableau Next Embedding"
	emuPermset = "TableauNextEmbeddingJWT"
)

// practiceOrg is the emulator on loopback, set up right for testBundle's
// certificate, testKey and testUser.
type practiceOrg struct {
	e   *emulator.Emulator
	url string
}

func startPracticeOrg(t *testing.T) *practiceOrg {
	t.Helper()
	active := true
	cfg := &emulator.Config{
		Apps: []emulator.AppConfig{{
			Name: emuApp, ConsumerKey: testKey, Certificate: string(testBundle(t).CertPEM),
			JWTBearerEnabled: true, Scopes: []string{"web", "refresh_token"},
			PermittedUsers: emulator.AdminApproved, PermissionSets: []string{emuPermset},
		}},
		Users: []emulator.UserConfig{{Username: testUser, Active: &active, PermissionSets: []string{emuPermset}}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("practice org config: %v", err)
	}
	em := emulator.New(cfg, emulator.Options{})
	srv, err := emulator.Start("127.0.0.1:0", em)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &practiceOrg{e: em, url: srv.URL}
}

// savedOrg saves a profile whose whole checklist up to the consumer key is
// ticked; with secrets, they are in the keychain and key-store is ticked too.
func (e *env) savedOrg(name, loginURL string, withSecrets bool) {
	e.t.Helper()
	b := testBundle(e.t)
	p := profiles.Profile{Name: name, LoginURL: loginURL, Username: testUser,
		CertificatePEM: string(b.CertPEM), Fingerprint: certs.Describe(b.Cert, testNow).Fingerprint,
		CertNotAfter: b.Cert.NotAfter, Checklist: map[string]profiles.StepState{}, Created: testNow}
	for _, st := range wizard.Steps() {
		for _, it := range st.Items {
			if it.ID != wizard.IDKeyStore || withSecrets {
				p.Checklist[it.ID] = profiles.StepState{Done: true, At: testNow}
			}
		}
	}
	if err := e.store.Save(p); err != nil {
		e.t.Fatal(err)
	}
	if withSecrets {
		ctx := context.Background()
		if err := e.vault.Put(ctx, name, secrets.ConsumerKey, []byte(testKey)); err != nil {
			e.t.Fatal(err)
		}
		if err := e.vault.Put(ctx, name, secrets.PrivateKey, b.KeyPEM); err != nil {
			e.t.Fatal(err)
		}
	}
	e.s.welcome.reload()
	e.settle()
}

func (e *env) row(name string) *profileRow {
	e.t.Helper()
	r := e.s.welcome.rows[name]
	if r == nil {
		e.t.Fatalf("no Welcome row for %s", name)
	}
	return r
}

// retest taps Re-test and waits for the outcome.
func (e *env) retest(name string) *retest {
	e.t.Helper()
	e.tap(e.row(name).retest)
	r := e.s.welcome.test
	if r == nil || r.result == nil {
		e.t.Fatal("Re-test showed no outcome")
	}
	return r
}

func (e *env) clipboard() string { return e.appRef.Clipboard().Content() }

func TestRetestShowsTheFrontdoorURLMaskedUntilRevealed(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.url, true)
	e.see("Not tested yet.")
	r := e.retest("acme")

	e.see("The JWT bearer flow works for acme.")
	if !strings.Contains(r.frontdoor, "/secur/frontdoor.jsp?otp=") {
		t.Fatalf("frontdoor URL %q", r.frontdoor)
	}
	otp := r.frontdoor[strings.Index(r.frontdoor, "otp=")+4:][:20]
	e.notSee(otp) // neither the URL nor the snippet shows the one-time code
	e.see(mask(r.frontdoor))
	e.see(sdkSnippet(mask(r.frontdoor), org.url))
	if r.url.Selectable {
		t.Error("the masked URL can be selected")
	}

	e.tap(r.reveal)
	e.see(r.frontdoor)
	if r.reveal.Text != "Hide" {
		t.Errorf("Reveal button says %q once revealed", r.reveal.Text)
	}
	e.tap(r.reveal)
	e.notSee(otp)

	e.tap(r.copyURL)
	if e.clipboard() != r.frontdoor {
		t.Errorf("Copy put %q on the clipboard", e.clipboard())
	}
	e.see("Copied the frontdoor URL to the clipboard.")
	e.tap(r.copyOrg)
	if e.clipboard() != org.url { // a loopback org is its own Lightning address
		t.Errorf("orgUrl copied as %q, want %q", e.clipboard(), org.url)
	}
	e.tap(r.copySnippet)
	if want := `initializeAnalyticsSdk({ authCredential: "` + r.frontdoor + `", orgUrl: "` + org.url + `" })`; e.clipboard() != want {
		t.Errorf("snippet copied as %q, want %q", e.clipboard(), want)
	}

	p, err := e.store.Get("acme")
	if err != nil || p.LastTest == nil || !p.LastTest.OK || !p.LastTest.When.Equal(testNow) ||
		!p.Checklist[wizard.IDLiveTest].Done || p.LastTest.TimingsMS["total"] <= 0 {
		t.Fatalf("recorded: %+v %v", p.LastTest, err)
	}
	assertNoCredentialOnDisk(t, e.dir, otp)
	e.see("Last test passed on") // the Welcome row, behind the dialog
	if r.goStep != nil || r.again != nil {
		t.Error("a passed test offers to fix something")
	}
}

// assertNoCredentialOnDisk reads every file under dir.
func assertNoCredentialOnDisk(t *testing.T, dir, otp string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range []string{otp, "frontdoor", "BEGIN PRIVATE KEY", testKey} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s holds %q", path, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRetestRefusalShowsTheDiagnosisAndGoesToTheStep(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.url, true)
	if err := org.e.RemoveCertificate(emuApp); err != nil {
		t.Fatal(err)
	}
	r := e.retest("acme")
	e.see("Salesforce refused the token request (HTTP 400).")
	e.see("invalid_grant")
	e.see("invalid assertion")
	e.see("Salesforce could not verify the signed assertion with the app's certificate")
	e.see("Checklist step: External Client App settings → Upload the certificate")
	p, _ := e.store.Get("acme")
	if p.LastTest == nil || p.LastTest.OK || p.LastTest.Error != "invalid_grant" ||
		p.LastTest.DiagnosisStep != "eca-cert-upload" || p.Checklist[wizard.IDLiveTest].Done {
		t.Errorf("recorded %+v", p.LastTest)
	}
	e.see("Last test failed on")
	if r.goStep == nil {
		t.Fatal("no Go to that step button")
	}
	e.tap(r.goStep)
	if e.at() != wizard.StepECA {
		t.Fatalf("Go to that step opened %s, want the ECA settings screen", e.at())
	}
	if e.s.modal() {
		t.Error("the result dialog stays open over the ECA screen")
	}
	e.see("Upload the certificate")
	if e.s.wiz.State().Profile.LastTest == nil {
		t.Error("the profile opened without its last test: its next save would drop it")
	}

	// A cause no screen covers: the diagnosis, and no button.
	if err := org.e.UploadCertificate(emuApp, testBundle(t).CertPEM); err != nil {
		t.Fatal(err)
	}
	if err := org.e.SetUserActive(testUser, false); err != nil {
		t.Fatal(err)
	}
	e.jump(wizard.StepWelcome)
	r = e.retest("acme")
	e.see("The run-as user is inactive")
	e.see("Checklist step: The JWT subject user")
	if r.goStep != nil {
		t.Error("Go to that step offered for jwt-user, which no screen covers")
	}
}

// slowPropagation makes the practice org answer invalid_client_id for an
// hour, and the client's pause between attempts wait only for Cancel.
func slowPropagation(t *testing.T, e *env, org *practiceOrg) (entered chan struct{}, returned chan error) {
	t.Helper()
	if err := org.e.SetPropagation(emuApp, time.Hour); err != nil {
		t.Fatal(err)
	}
	entered, returned = make(chan struct{}, 10), make(chan error, 10)
	e.s.deps.client = func() *salesforce.Client {
		c := salesforce.NewClient(10 * time.Second)
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			entered <- struct{}{}
			<-ctx.Done()
			returned <- ctx.Err()
			return ctx.Err()
		}
		return c
	}
	return entered, returned
}

func TestRetestCancelStopsThePropagationWait(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.url, true)
	entered, returned := slowPropagation(t, e, org)
	if !e.s.welcome.wait.Checked {
		t.Fatal("the 10-minute propagation wait is not on by default")
	}
	test.Tap(e.row("acme").retest)
	<-entered // attempt 1 got invalid_client_id; the client waits to retry
	e.queue.drain()
	r := e.s.welcome.test
	e.see("Testing… attempt 2")
	e.see("Attempt 1: Salesforce answered invalid_client_id")
	e.see("for up to 10 minutes in all")
	if !e.s.modal() || r.cancel.Disabled() {
		t.Fatal("no progress dialog with Cancel while waiting")
	}
	test.Tap(r.cancel)
	select {
	case err := <-returned:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the wait ended with %v", err)
		}
	case <-time.After(30 * time.Second): // a guard against hanging, not a timing check
		t.Fatal("Cancel did not stop the propagation wait")
	}
	e.settle()
	e.see("The test of acme was cancelled. Nothing was recorded.")
	if e.s.modal() {
		t.Error("a dialog is still open after cancelling")
	}
	if p, _ := e.store.Get("acme"); p.LastTest != nil {
		t.Errorf("a cancelled test was recorded: %+v", p.LastTest)
	}
}

func TestRetestWithoutTheWaitTriesOnce(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.url, true)
	entered, _ := slowPropagation(t, e, org)
	test.Tap(e.s.welcome.wait) // off
	r := e.retest("acme")
	if len(entered) != 0 {
		t.Error("the client waited to retry with the wait turned off")
	}
	e.see("invalid_client_id")
	e.see("Salesforce does not recognise the consumer key")
	e.tap(r.goStep)
	if e.at() != wizard.StepConsumerKey {
		t.Errorf("Go to that step opened %s, want the consumer key screen", e.at())
	}
}

func TestRetestTransportFailureSaysTheSetupMayBeFine(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	e.savedOrg("acme", closed, true)
	r := e.retest("acme")
	e.see("The test could not finish.")
	e.see("doesn't necessarily mean anything is wrong with your setup")
	if r.goStep != nil || r.again == nil {
		t.Error("a transport failure should offer Test again and no step")
	}
	p, _ := e.store.Get("acme")
	if p.LastTest == nil || p.LastTest.OK || p.LastTest.Error != salesforce.KindConnect {
		t.Errorf("recorded %+v", p.LastTest)
	}
}

func TestRetestWithoutSecretsOffersToContinueSetup(t *testing.T) {
	e := newEnv(t)
	e.savedOrg("acme", "https://login.salesforce.com", false)
	r := e.retest("acme")
	e.see("acme isn't ready to test")
	e.see("aren't in your " + secrets.Location() + " yet")
	if r.continueSetup == nil {
		t.Fatal("no Continue setup button")
	}
	if p, _ := e.store.Get("acme"); p.LastTest != nil {
		t.Error("a test that never ran was recorded")
	}
	e.tap(r.continueSetup)
	if e.at() != wizard.StepConsumerKey || e.s.modal() {
		t.Errorf("Continue setup went to %s (dialog open %v), want the consumer key screen", e.at(), e.s.modal())
	}
}

func TestRetestKeychainErrorShowsTheRemedy(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.url, true)
	e.mem.SetHook(func(op, _, _ string) error {
		return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	})
	r := e.retest("acme")
	var se *secrets.Error
	if _, err := e.vault.Get(context.Background(), "acme", secrets.ConsumerKey); !errors.As(err, &se) || se.Kind != secrets.Locked {
		t.Fatalf("the fake didn't act locked: %v", err)
	}
	e.see("Couldn't read the secrets of acme")
	e.see(se.Message)
	e.see(se.Remedy)
	e.mem.SetHook(nil)
	e.tap(r.again)
	e.see("The JWT bearer flow works for acme.")
}

func TestRetestIsReachableByKeyboard(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.url, true)
	c := e.s.win.Canvas()
	c.Focus(e.s.welcome.start)
	retest := e.row("acme").retest
	for i := 0; i < 10 && c.Focused() != retest; i++ {
		c.FocusNext()
	}
	if c.Focused() != retest {
		t.Fatal("Tab never reaches Re-test")
	}
	retest.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	e.settle()
	e.see("The JWT bearer flow works for acme.")
	if r := e.s.welcome.test; c.Focused() != r.reveal {
		t.Errorf("the result dialog focuses %T, want Reveal", c.Focused())
	}
}
