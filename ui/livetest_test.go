package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// startPracticeOrg serves the practice org, set up right for testBundle's
// certificate, testKey and testUser: a Spring '26 org, whose audience is
// its own URL, the one audience tnjwt sends to a login URL on this computer
// by itself.
func startPracticeOrg(t *testing.T) *emulatortest.Org {
	t.Helper()
	return emulatortest.Start(t, emulatortest.Config(testBundle(t)), emulator.Options{})
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
			if it.ID == wizard.IDLiveTest {
				continue // a test passes it
			}
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

// retest taps Re-test on a saved org's Welcome row and waits for the outcome
// on the Live test screen.
func (e *env) retest(name string) *liveTestScreen {
	e.t.Helper()
	e.tap(e.row(name).retest)
	if e.at() != wizard.StepLiveTest {
		e.t.Fatalf("Re-test opened %s, want the Live test screen", e.at())
	}
	r := e.liveTest()
	if r.running || len(r.outcome.Objects) == 0 {
		e.t.Fatal("the live test showed no outcome")
	}
	return r
}

func (e *env) liveTest() *liveTestScreen {
	return e.s.screen(wizard.StepLiveTest).(*liveTestScreen)
}

func (e *env) clipboard() string { return e.appRef.Clipboard().Content() }

func TestRetestShowsTheFrontdoorURLMaskedUntilRevealed(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	e.see("Not tested yet.")
	r := e.retest("acme")

	e.see("The JWT bearer flow works for acme.")
	if !strings.Contains(r.frontdoor, "/secur/frontdoor.jsp?otp=") {
		t.Fatalf("frontdoor URL %q", r.frontdoor)
	}
	otp := r.frontdoor[strings.Index(r.frontdoor, "otp=")+4:][:20]
	e.notSee(otp) // neither the URL nor the snippet shows the one-time code
	e.see(report.MaskFrontdoor(r.frontdoor))
	e.see(report.SDKCall(report.MaskFrontdoor(r.frontdoor), org.URL))
	for _, p := range report.Phases {
		if mark := r.phases[p.ID].mark.Text; mark != "✓" {
			t.Errorf("%s shows %q on the timeline, want ✓", p.Label, mark)
		}
		if !strings.HasSuffix(r.phases[p.ID].took.Text, " ms") {
			t.Errorf("%s took %q", p.Label, r.phases[p.ID].took.Text)
		}
	}
	e.see("What was sent")
	e.see(org.URL + "/services/oauth2/token")
	e.see(testKey[:8] + "••••••")
	e.notSee(testKey)
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
	e.see("Copied the frontdoor URL to the clipboard. tnjwt clears it in 1 minute.")
	e.tap(r.copyOrg)
	if e.clipboard() != org.URL { // a loopback org is its own Lightning address
		t.Errorf("orgUrl copied as %q, want %q", e.clipboard(), org.URL)
	}
	e.tap(r.copySnippet)
	if want := report.SDKCall(r.frontdoor, org.URL); e.clipboard() != want {
		t.Errorf("snippet copied as %q, want %q", e.clipboard(), want)
	}

	p, err := e.store.Get("acme")
	if err != nil || p.LastTest == nil || !p.LastTest.OK || !p.LastTest.When.Equal(testNow) ||
		!p.Checklist[wizard.IDLiveTest].Done || p.LastTest.TimingsMS["total"] <= 0 {
		t.Fatalf("recorded: %+v %v", p.LastTest, err)
	}
	assertNoCredentialOnDisk(t, e.dir, otp)
	if r.goStep != nil {
		t.Error("a passed test offers to fix something")
	}
	if e.s.next.Disabled() {
		t.Errorf("Next stays disabled after a pass: %s", e.s.hint.Text)
	}
	e.jump(wizard.StepWelcome)
	e.see("Last test passed on")
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
	e.savedOrg("acme", org.URL, true)
	if err := org.E.RemoveCertificate(emulatortest.AppName); err != nil {
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
	if r.goStep == nil {
		t.Fatal("no Go to step button")
	}
	eca := e.s.wiz.Index(wizard.StepECA)
	if e.s.wiz.Status(eca) != wizard.Problem {
		t.Error("the step list doesn't mark the ECA step as the problem")
	}
	e.tap(r.goStep)
	if e.at() != wizard.StepECA {
		t.Fatalf("Go to step opened %s, want the ECA settings screen", e.at())
	}
	c := e.checklist(wizard.StepECA)
	if !c.highlighted(wizard.IDECACertUpload) || c.highlighted(wizard.IDECAScopes) {
		t.Error("the certificate item is not the one highlighted")
	}
	e.see("The last live test failed here")
	if off := e.s.scrolls[wizard.StepECA].Offset.Y; off <= 0 || off != c.items[wizard.IDECACertUpload].box.Position().Y {
		t.Errorf("scrolled to %v, want the certificate item at %v", off, c.items[wizard.IDECACertUpload].box.Position().Y)
	}
	if e.s.win.Canvas().Focused() != c.checks[wizard.IDECACertUpload] {
		t.Error("the keyboard is not on the certificate item")
	}
	if e.s.wiz.State().Profile.LastTest == nil {
		t.Error("the profile opened without its last test: its next save would drop it")
	}
	e.jump(wizard.StepWelcome)
	e.see("Last test failed on")

	// A cause no screen covers: the diagnosis, and no button.
	if err := org.E.UploadCertificate(emulatortest.AppName, testBundle(t).CertPEM); err != nil {
		t.Fatal(err)
	}
	if err := org.E.SetUserActive(testUser, false); err != nil {
		t.Fatal(err)
	}
	r = e.retest("acme")
	e.see("The run-as user is inactive")
	e.see("Checklist step: The JWT subject user")
	if r.goStep != nil {
		t.Error("Go to step offered for jwt-user, which no screen covers")
	}
	if e.s.wiz.Status(eca) == wizard.Problem {
		t.Error("the ECA step is still marked after a test that blames something else")
	}
	// A later pass clears the mark.
	if err := org.E.SetUserActive(testUser, true); err != nil {
		t.Fatal(err)
	}
	e.tap(r.run)
	e.see("The JWT bearer flow works for acme.")
	for i := range e.s.steps {
		if i != e.s.wiz.Current() && e.s.wiz.Status(i) == wizard.Problem {
			t.Errorf("step %s still marked after a pass", e.s.steps[i].ID)
		}
	}
}

// slowPropagation makes the practice org answer invalid_client_id for an
// hour, and the client's pause between attempts wait only for Cancel.
func slowPropagation(t *testing.T, e *env, org *emulatortest.Org) (entered chan struct{}, returned chan error) {
	t.Helper()
	if err := org.E.SetPropagation(emulatortest.AppName, time.Hour); err != nil {
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
	e.savedOrg("acme", org.URL, true)
	entered, returned := slowPropagation(t, e, org)
	test.Tap(e.row("acme").retest)
	<-entered // attempt 1 got invalid_client_id; the client waits to retry
	e.queue.drain()
	r := e.liveTest()
	if !r.wait.Checked {
		t.Fatal("the 10-minute propagation wait is not on by default")
	}
	e.see("Waiting for the app to go live: 10:00 left, 1 try so far.")
	e.see("Attempt 1: Salesforce answered invalid_client_id")
	e.see("for up to 10 minutes in all")
	if !r.cancel.Visible() || r.cancel.Disabled() || !r.run.Disabled() {
		t.Fatal("no Cancel while waiting")
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
	if r.cancel.Visible() || r.run.Disabled() {
		t.Error("Cancel still shown, or Test again disabled, after cancelling")
	}
	if p, _ := e.store.Get("acme"); p.LastTest != nil {
		t.Errorf("a cancelled test was recorded: %+v", p.LastTest)
	}
}

func TestRetestWithoutTheWaitTriesOnce(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	entered, _ := slowPropagation(t, e, org)
	e.openLiveTest("acme")
	r := e.liveTest()
	test.Tap(r.wait) // off
	e.tap(r.run)
	if len(entered) != 0 {
		t.Error("the client waited to retry with the wait turned off")
	}
	e.see("invalid_client_id")
	e.see("Salesforce does not recognise the consumer key")
	e.tap(r.goStep)
	if e.at() != wizard.StepConsumerKey {
		t.Errorf("Go to step opened %s, want the consumer key screen", e.at())
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
	if r.goStep != nil || r.run.Text != "Test again" || r.run.Disabled() {
		t.Error("a transport failure should offer Test again and no step")
	}
	p, _ := e.store.Get("acme")
	if p.LastTest == nil || p.LastTest.OK || p.LastTest.Error != salesforce.KindConnect {
		t.Errorf("recorded %+v", p.LastTest)
	}
}

func TestLiveTestWithoutSecretsOffersTheUnfinishedStep(t *testing.T) {
	e := newEnv(t)
	e.savedOrg("acme", "https://login.salesforce.com", false)
	if e.row("acme").retest.Visible() {
		t.Error("Re-test offered for an org whose secrets were never stored")
	}
	e.openLiveTest("acme")
	r := e.liveTest()
	e.tap(r.run)
	e.see("This org isn't ready to test yet.")
	e.see("aren't in your " + secrets.Location() + " yet")
	if r.continueStep == nil {
		t.Fatal("no button to the unfinished step")
	}
	if p, _ := e.store.Get("acme"); p.LastTest != nil {
		t.Error("a test that never ran was recorded")
	}
	e.tap(r.continueStep)
	if e.at() != wizard.StepConsumerKey {
		t.Errorf("the button went to %s, want the consumer key screen", e.at())
	}
}

// openLiveTest opens a saved org on the Live test screen without running it.
func (e *env) openLiveTest(name string) {
	e.t.Helper()
	p, err := e.store.Get(name)
	if err != nil {
		e.t.Fatal(err)
	}
	e.s.openAt(p, wizard.StepLiveTest)
	e.settle()
}

func TestRetestKeychainErrorShowsTheRemedy(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	e.mem.SetHook(func(op, _, _ string) error {
		return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	})
	r := e.retest("acme")
	var se *secrets.Error
	if _, err := e.vault.Get(context.Background(), "acme", secrets.ConsumerKey); !errors.As(err, &se) || se.Kind != secrets.Locked {
		t.Fatalf("the fake didn't act locked: %v", err)
	}
	e.see("Couldn't read the secrets from your " + secrets.Location() + ".")
	e.see(se.Message)
	e.see(se.Remedy)
	e.mem.SetHook(nil)
	e.tap(r.run)
	e.see("The JWT bearer flow works for acme.")
}

func TestRetestIsReachableByKeyboard(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
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
	if r := e.liveTest(); c.Focused() != r.reveal {
		t.Errorf("the result focuses %T, want Reveal", c.Focused())
	}
}

// The walk a new admin makes: Welcome → every setup step → Live test →
// a frontdoor URL → Done, against the emulator on loopback.
// Both kinds of org: a Spring '26 one, whose aud is its own URL, and an older
// one, whose aud is login.salesforce.com, which tnjwt does not send to a
// login URL on this computer by itself: the window says so.
func TestWalkFromWelcomeToAFrontdoorURL(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "Spring '26 org", true: "older org"}[legacy], func(t *testing.T) {
			walkToAFrontdoorURL(t, legacy)
		})
	}
}

func walkToAFrontdoorURL(t *testing.T, legacy bool) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	org.E.SetLegacyLoginHosts(legacy)
	e.fillOrg("acme")
	o := e.org()
	o.url.SetText("")
	test.Type(o.url, org.URL)
	e.settle()
	e.next()
	e.key().adopt(e.s.wiz, testBundle(t))
	e.settle()
	e.s.changed()
	e.next()
	e.tickAll(wizard.StepECA)
	e.next()
	e.tickAll(wizard.StepPermset)
	e.next()
	e.tickAll(wizard.StepEmbed)
	e.next()
	e.pasteKey(testKey)
	e.next()
	e.tap(e.keychain().store)
	e.next()
	if e.at() != wizard.StepLiveTest {
		t.Fatalf("after the Keychain step: %s, want the Live test", e.at())
	}
	if !e.s.next.Disabled() {
		t.Error("Next is open before the live test passed")
	}
	e.see("Next is waiting") // the footer says why
	r := e.liveTest()
	if e.s.win.Canvas().Focused() != r.run {
		t.Error("Run the live test does not have the keyboard on arrival")
	}
	e.tap(r.run)
	if legacy {
		e.see("The org on this computer wants another audience")
		e.see("tnjwt does not try " + salesforce.ProductionAudience + " against a local address on its own")
		for _, req := range org.E.Requests() {
			if req.Claims["aud"] != org.URL {
				t.Errorf("an assertion for %v went to %s", req.Claims["aud"], org.URL)
			}
		}
		return
	}
	e.see("The JWT bearer flow works for acme.")
	if !strings.HasPrefix(r.frontdoor, org.URL+"/secur/frontdoor.jsp?otp=") {
		t.Fatalf("frontdoor URL %q", r.frontdoor)
	}
	if p, _ := e.store.Get("acme"); p.WorkingAudience != org.URL {
		t.Errorf("remembered audience %q, want %q", p.WorkingAudience, org.URL)
	}
	var opened string
	e.s.deps.openURL = func(u *url.URL) error { opened = u.String(); return nil }
	e.tap(r.openURL)
	if opened != r.frontdoor {
		t.Errorf("Open in browser gave the browser %q", opened)
	}
	e.next()
	if e.at() != wizard.StepDone {
		t.Fatalf("Next after the pass went to %s", e.at())
	}
	e.see("Last test passed on")
	e.see(fingerprintLines(certs.Describe(testBundle(t).Cert, testNow).Fingerprint)) // in lines of whole bytes
	e.see("Renew from")
	e.next() // Finish
	if e.at() != wizard.StepWelcome {
		t.Fatalf("Finish went to %s", e.at())
	}
	e.see("acme is set up")
}

// A copied credential leaves the clipboard after a minute, unless something
// else was copied since.
func TestCopiedSecretsLeaveTheClipboard(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	var timers []func()
	e.s.deps.after = func(d time.Duration, f func()) {
		if d == statusFor {
			return // a status message's own expiry
		}
		if d != time.Minute {
			t.Errorf("clipboard cleared after %v, want 1 minute", d)
		}
		timers = append(timers, f)
	}
	e.savedOrg("acme", org.URL, true)
	r := e.retest("acme")
	e.tap(r.copyURL)
	if e.clipboard() != r.frontdoor || len(timers) != 1 {
		t.Fatalf("clipboard %q, timers %d", e.clipboard(), len(timers))
	}
	timers[0]()
	e.settle()
	if e.clipboard() != "" {
		t.Errorf("the frontdoor URL is still on the clipboard: %q", e.clipboard())
	}
	e.see("Cleared the frontdoor URL from the clipboard.")

	e.tap(r.copySnippet)
	e.appRef.Clipboard().SetContent("something the admin copied since")
	timers[1]()
	e.settle()
	if e.clipboard() != "something the admin copied since" {
		t.Errorf("tnjwt cleared what the admin copied later: %q", e.clipboard())
	}
}

// The Done screen sums the setup up and writes the exports; a file already
// there is replaced only once the admin says so.
func TestDoneScreenExports(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	r := e.retest("acme")
	e.see("The JWT bearer flow works for acme.")
	e.tap(r.s.next)
	if e.at() != wizard.StepDone {
		t.Fatalf("at %s", e.at())
	}
	d := e.s.screen(wizard.StepDone).(*doneScreen)
	e.see("Run-as user")
	e.see(testUser)
	e.see("Renew from")

	dir := t.TempDir()
	d.exports.exportTo(export.FormatEnv, dir)
	e.settle()
	env, err := os.ReadFile(filepath.Join(dir, ".env"))
	if err != nil || !strings.Contains(string(env), "SF_CLIENT_ID="+testKey) || !strings.Contains(string(env), "SF_ORG_URL="+org.URL) {
		t.Fatalf(".env: %v\n%s", err, env)
	}
	e.see("Wrote " + filepath.Join(dir, ".env"))

	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.exports.exportTo(export.FormatEnv, dir)
	e.settle()
	e.see("These files are already there")
	if data, _ := os.ReadFile(filepath.Join(dir, ".env")); string(data) != "mine" {
		t.Fatal("replaced before the admin said so")
	}
	confirm := findButton(e.s.win.Canvas().Overlays().Top(), "Replace")
	if confirm == nil {
		t.Fatal("no Replace button")
	}
	e.tap(confirm)
	if data, _ := os.ReadFile(filepath.Join(dir, ".env")); !strings.Contains(string(data), "SF_PRIVATE_KEY=") {
		t.Error("Replace did not write the export")
	}

	// Heroku: the config file for the Platform API comes first, then the
	// commands that send it, which hold no secret.
	e.tap(d.heroku)
	e.see("Safest: a file for Heroku's Platform API")
	e.see("heroku config:set")
	if f, ok := e.s.win.Canvas().Focused().(*focusButton); !ok || f.Text != "Save Heroku config file…" {
		t.Errorf("the focus is on %T, not on the safe way", e.s.win.Canvas().Focused())
	}
	e.typeKey(fyne.KeyEscape)
	herokuDir := t.TempDir()
	d.exports.exportTo(export.FormatHeroku, herokuDir)
	e.settle()
	body := filepath.Join(herokuDir, export.HerokuConfigFileName)
	if fi, err := os.Stat(body); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v", body, err)
	}
	e.see("Send the config to Heroku")
	e.see("--data-binary @'" + body + "'")
	e.tap(findButton(e.s.win.Canvas().Overlays().Top(), "Copy commands"))
	if cmds := e.clipboard(); !strings.Contains(cmds, "curl -n -X PATCH") || strings.Contains(cmds, testKey) {
		t.Errorf("copied %q", cmds)
	}
	e.typeKey(fyne.KeyEscape)
	e.tap(d.sdk)
	if !strings.Contains(e.clipboard(), "initializeAnalyticsSdk({ authCredential, orgUrl })") {
		t.Errorf("SDK snippet copied as %q", e.clipboard())
	}
}

// findButton finds a button by its text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text {
			return v
		}
	case *dialogButton:
		if v.Text == text {
			return &v.Button
		}
	case *focusButton:
		if v.Text == text {
			return &v.Button
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// A profile on login.salesforce.com whose app stopped answering there
// (Spring '26) is offered the My Domain an earlier test learned, and the
// button switches to it and tests again.
func TestLegacyHostIsOfferedTheLearnedMyDomain(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	org.E.SetLegacyLoginHosts(false)
	legacyHost := httptest.NewTLSServer(answerJSON(400, `{"error":"app_not_found","error_description":"External client app is not installed in this org"}`))
	t.Cleanup(legacyHost.Close)
	e.s.deps.client = func() *salesforce.Client {
		c := salesforce.NewClient(10 * time.Second)
		// login.salesforce.com is this test's stand-in; everything else goes where it says.
		tr := c.HTTP.Transport.(*http.Transport)
		tr.TLSClientConfig.RootCAs = certPool(legacyHost.Certificate())
		tr.TLSClientConfig.ServerName = "example.com"
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == "login.salesforce.com:443" {
				addr = legacyHost.Listener.Addr().String()
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		return c
	}
	e.savedOrg("acme", "https://login.salesforce.com", true)
	if err := e.store.Update("acme", func(p *profiles.Profile) error { p.InstanceURL = org.URL; return nil }); err != nil {
		t.Fatal(err)
	}
	e.s.welcome.reload()
	e.settle()
	r := e.retest("acme")
	e.see("External client app is not installed in this org")
	e.see("can't be reached through https://login.salesforce.com")
	e.see("An earlier test of this org learned its My Domain URL: " + org.URL + ".")
	if r.useOwn == nil {
		t.Fatal("no button to use the My Domain")
	}
	e.tap(r.useOwn)
	e.see("The JWT bearer flow works for acme.")
	if p, _ := e.store.Get("acme"); p.LoginURL != org.URL {
		t.Errorf("login URL now %q, want %q", p.LoginURL, org.URL)
	}
}

func answerJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func certPool(c *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}
