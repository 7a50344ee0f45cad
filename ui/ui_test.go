package ui

import (
	"context"
	"errors"
	"image/color"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	_ "github.com/tnjwt/tnjwt/core/cleanlocale" // quiet Fyne under LANG=C.UTF-8
	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// The practice org's user and consumer key, as every test package uses.
const (
	testUser = emulatortest.Username
	testKey  = emulatortest.ConsumerKey
)

// uiQueue stands in for the UI goroutine's queue: background results wait
// here until the test goroutine runs them, as the real driver's fyne.Do would.
type uiQueue struct {
	mu     sync.Mutex
	fns    []func()
	pushed chan struct{} // a token whenever something was queued
}

func (q *uiQueue) push(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
	select {
	case q.pushed <- struct{}{}:
	default: // a token is already waiting
	}
}

// drain runs what is queued and reports whether there was anything.
func (q *uiQueue) drain() bool {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, f := range fns {
		f()
	}
	return len(fns) > 0
}

// env is a window on a temporary profile folder and an in-memory keychain.
type env struct {
	queue  uiQueue
	t      *testing.T
	s      *shell
	store  *profiles.Store
	mem    *secrets.Memory
	vault  *secrets.Vault
	dir    string
	wins   []fyne.Window
	shells []*shell
	appRef fyne.App
}

func newEnv(t *testing.T) *env {
	t.Helper()
	mem := secrets.NewMemory(0)
	e := newEnvWith(t, mem)
	e.mem = mem
	return e
}

// newEnvWith uses backend as the keychain.
func newEnvWith(t *testing.T, backend secrets.Backend) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	e.queue.pushed = make(chan struct{}, 1)
	e.vault = secrets.NewVault(backend, 5*time.Second)
	e.store = profiles.Open(e.dir, e.vault)
	e.appRef = test.NewTempApp(t)
	e.open()
	// Runs before the temporary folder goes: no write may still be under way.
	t.Cleanup(func() {
		for _, s := range e.shells {
			s.jobs.wait()
			s.close()
		}
	})
	return e
}

// open shows a new window on the same folder and keychain, as reopening
// tnjwt would.
func (e *env) open() {
	w := test.NewTempWindow(e.t, nil)
	w.Resize(fyne.NewSize(900, 600))
	// No test starts the desktop's real opener unless it asks for it.
	noOpener := func(*url.URL) error { return nil }
	// Nor fetches the SDK: nothing listens at port 1, and no copy is kept.
	noSDK := preview.SDKStore{Dir: filepath.Join(e.dir, "sdk"), URL: "http://127.0.0.1:1/sdk-bundle.module.js", Integrity: embedding.SDKIntegrity}
	e.s = newShell(e.appRef, w, Deps{Store: e.store, Vault: e.vault, Now: func() time.Time { return testNow }, onUI: e.queue.push,
		openURL: noOpener, sdk: &noSDK})
	e.wins = append(e.wins, w)
	e.shells = append(e.shells, e.s)
	e.settle()
}

// settle waits for background work and runs its results, until all is quiet.
// settleUntil runs background results as they arrive, while a run is
// still under way, until done says the window shows what the test waits for.
func (e *env) settleUntil(done func() bool) {
	for !done() {
		<-e.queue.pushed
		e.queue.drain()
	}
}

func (e *env) settle() {
	for {
		e.s.jobs.wait()
		e.s.saves.wait()
		if !e.queue.drain() {
			return
		}
	}
}

func (e *env) at() wizard.StepID { return e.s.wiz.Step().ID }

func (e *env) org() *orgScreen { return e.s.screen(wizard.StepOrg).(*orgScreen) }
func (e *env) key() *keyScreen { return e.s.screen(wizard.StepKey).(*keyScreen) }
func (e *env) checklist(id wizard.StepID) *checklistScreen {
	if es, ok := e.s.screen(id).(*embedScreen); ok {
		return es.list
	}
	return e.s.screen(id).(*checklistScreen)
}
func (e *env) consumer() *consumerKeyScreen {
	return e.s.screen(wizard.StepConsumerKey).(*consumerKeyScreen)
}
func (e *env) keychain() *keychainScreen { return e.s.screen(wizard.StepKeychain).(*keychainScreen) }

// texts lists the label texts a person can see in the window, dialogs included.
func (e *env) texts() string {
	var out []string
	c := e.s.win.Canvas()
	collect(c.Content(), &out)
	for _, o := range c.Overlays().List() {
		collect(o, &out)
	}
	return strings.Join(out, "\n")
}

func collect(o fyne.CanvasObject, out *[]string) {
	if o == nil || !o.Visible() {
		return
	}
	switch x := o.(type) {
	case *widget.Label:
		if x.Text != "" {
			*out = append(*out, x.Text)
		}
		return
	case *message:
		if x.Text != "" {
			*out = append(*out, x.Text)
		}
		return
	case *widget.Check:
		*out = append(*out, "[check] "+x.Text)
		return
	case *widget.Button:
		*out = append(*out, "["+x.Text+"]")
		return
	case *dialogButton:
		*out = append(*out, "["+x.Text+"]")
		return
	case *focusButton:
		*out = append(*out, "["+x.Text+"]")
		return
	case *focusCheck:
		*out = append(*out, "[check] "+x.Text)
		return
	case *fyne.Container:
		for _, c := range x.Objects {
			collect(c, out)
		}
		return
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			collect(c, out)
		}
	}
}

// jump taps the step list entry of a step.
func (e *env) jump(id wizard.StepID) {
	e.t.Helper()
	e.tap(e.s.stepButtons[e.s.wiz.Index(id)])
	if e.at() != id {
		e.t.Fatalf("jumped to %s, want %s", e.at(), id)
	}
}

func (e *env) see(want string) {
	e.t.Helper()
	if got := e.texts(); !strings.Contains(got, want) {
		e.t.Errorf("the window doesn't show %q; it shows:\n%s", want, got)
	}
}

func (e *env) notSee(want string) {
	e.t.Helper()
	if got := e.texts(); strings.Contains(got, want) {
		e.t.Errorf("the window shows %q but shouldn't:\n%s", want, got)
	}
}

// tap presses a button (a *widget.Button, or one of tnjwt's own) and
// waits for what it started.
func (e *env) tap(o fyne.CanvasObject) {
	e.t.Helper()
	var b *widget.Button
	switch x := o.(type) {
	case *widget.Button:
		b = x
	case *focusButton:
		b = &x.Button
	case *dialogButton:
		b = &x.Button
	default:
		e.t.Fatalf("tap: %T is no button", o)
	}
	if b == nil || b.Disabled() || !o.Visible() {
		e.t.Fatalf("button %q can't be pressed (disabled %v, visible %v)", b.Text, b.Disabled(), o.Visible())
	}
	test.Tap(b)
	e.settle()
}

func (e *env) next() {
	e.t.Helper()
	e.tap(e.s.next)
}

// fillOrg starts a new org and fills the Org screen with valid values.
func (e *env) fillOrg(name string) {
	e.t.Helper()
	e.tap(e.s.welcome.start)
	if e.at() != wizard.StepOrg {
		e.t.Fatalf("Start a new org went to %s", e.at())
	}
	o := e.org()
	if o.kind.Selected != "My Domain" {
		e.t.Errorf("a new org starts as %q, want My Domain", o.kind.Selected)
	}
	test.Type(o.name, name)
	test.Type(o.url, "https://acme.my.salesforce.com")
	test.Type(o.user, testUser)
}

// testBundle is the window tests' key pair, dated testNow.
func testBundle(t *testing.T) *certs.Bundle { return emulatortest.KeysFrom(testNow) }

// toECA gets a new org to the ECA screen with a key made outside the UI.
func (e *env) toECA(name string) {
	e.t.Helper()
	e.fillOrg(name)
	e.next()
	e.key().adopt(e.s.wiz, testBundle(e.t))
	e.settle()
	e.s.changed()
	e.next()
	if e.at() != wizard.StepECA {
		e.t.Fatalf("at %s, want the ECA screen", e.at())
	}
}

func (e *env) tickAll(id wizard.StepID) {
	for _, it := range e.s.wiz.Step().Items {
		if c, ok := e.checklist(id).checks[it.ID]; ok && !c.Checked {
			test.Tap(c)
		}
	}
	e.settle()
}

func TestOrgScreenValidatesAsYouType(t *testing.T) {
	e := newEnv(t)
	e.see("No saved orgs yet")
	e.fillOrg("acme")
	o := e.org()
	if e.s.next.Disabled() {
		t.Fatalf("Next disabled with valid values: %s", e.s.hint.Text)
	}
	e.see("Recommended. Your org's own address")
	o.kind.SetSelected("Production")
	if o.url.Text != "https://login.salesforce.com" || !o.url.Disabled() {
		t.Errorf("Production: URL %q, disabled %v; want login.salesforce.com, fixed", o.url.Text, o.url.Disabled())
	}
	e.see("only for orgs whose app still answers there")
	if e.s.next.Disabled() {
		t.Fatalf("Next disabled with valid Production values: %s", e.s.hint.Text)
	}

	o.kind.SetSelected("My Domain")
	o.url.SetText("")
	if o.url.Disabled() {
		t.Error("My Domain: the URL field is fixed")
	}
	if !e.s.next.Disabled() {
		t.Error("Next enabled with no login URL")
	}
	test.Type(o.url, "https://acme.lightning.force.com")
	e.see("acme.lightning.force.com is a Lightning Experience address, not a login host")
	if !o.urlMsg.Visible() || o.urlMsg.Importance != widget.DangerImportance {
		t.Error("the login URL error isn't shown as an error under the field")
	}
	e.see("Use https://acme.my.salesforce.com")
	if !e.s.next.Disabled() {
		t.Error("Next enabled with a Lightning URL")
	}
	// The footer keeps saying why Next is disabled, pointing at the field.
	if !e.s.hint.Visible() || !strings.Contains(e.s.hint.Text, "login URL") {
		t.Errorf("footer with a Lightning URL: visible %v, %q", e.s.hint.Visible(), e.s.hint.Text)
	}
	// Alt+Right and Enter are refused too, and nothing is saved.
	e.s.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNext)
	o.user.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.settle()
	if e.at() != wizard.StepOrg {
		t.Fatalf("moved on to %s with a Lightning URL", e.at())
	}
	if list, _ := e.store.List(); len(list) != 0 {
		t.Errorf("saved %d profiles from an invalid org", len(list))
	}

	o.url.SetText("")
	test.Type(o.url, "https://acme.my.salesforce.com")
	e.notSee("Lightning Experience")
	o.kind.SetSelected("Sandbox")
	if o.url.Text != "https://test.salesforce.com" {
		t.Errorf("Sandbox fills %q", o.url.Text)
	}
	e.see("Sandbox usernames usually end with .sandboxname")
	if o.userMsg.Importance != widget.WarningImportance {
		t.Error("the sandbox hint isn't shown as a warning")
	}
	if e.s.next.Disabled() {
		t.Error("the sandbox hint blocks Next; it is only a warning")
	}

	// Enter in the last field moves on and saves the profile.
	o.user.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.settle()
	if e.at() != wizard.StepKey {
		t.Fatalf("Enter in Username went to %s", e.at())
	}
	p, err := e.store.Get("acme")
	if err != nil || p.LoginURL != "https://test.salesforce.com" || !p.Sandbox || p.Username != testUser {
		t.Errorf("saved profile %+v, %v", p, err)
	}
}

func TestOrgScreenRevealsEmptyFieldErrorsOnNext(t *testing.T) {
	e := newEnv(t)
	e.tap(e.s.welcome.start)
	o := e.org()
	if o.nameMsg.Visible() || o.userMsg.Visible() {
		t.Error("errors shown under untouched fields")
	}
	// The footer says what Next waits for.
	if !e.s.hint.Visible() || !strings.HasPrefix(e.s.hint.Text, "The profile needs a name") {
		t.Errorf("hint = %q", e.s.hint.Text)
	}
	e.s.goNext()
	if o.nameMsg.Text != "The profile needs a name, for example the org's My Domain name." || !o.nameMsg.Visible() {
		t.Errorf("name message = %q", o.nameMsg.Text)
	}
	if !strings.HasPrefix(o.userMsg.Text, "The username is empty.") {
		t.Errorf("username message = %q", o.userMsg.Text)
	}
}

func TestGenerateKeyOffTheUIThread(t *testing.T) {
	e := newEnv(t)
	e.fillOrg("acme")
	e.next()
	k := e.key()
	if !e.s.next.Disabled() {
		t.Error("Next enabled before a key exists")
	}
	e.see("Generate a key and certificate, or import")
	if k.result.Visible() {
		t.Error("certificate details shown before there is one")
	}
	k.days.SetText("ninety")
	e.tap(k.generate)
	e.see("Valid for (days) must be a whole number")
	k.days.SetText("90")
	// The tap returns at once: the key is made on another goroutine, and
	// until its result comes back the screen shows it is busy.
	test.Tap(k.generate)
	if !k.busy.Visible() || !k.generate.Disabled() || k.result.Visible() || e.s.wiz.State().Profile.CertificatePEM != "" {
		t.Fatalf("while generating: busy %v, Generate disabled %v, result %v: the work ran on the UI goroutine",
			k.busy.Visible(), k.generate.Disabled(), k.result.Visible())
	}
	e.settle()

	if !k.result.Visible() || k.busy.Visible() {
		t.Fatalf("after generating: result %v, busy %v", k.result.Visible(), k.busy.Visible())
	}
	p, _ := e.store.Get("acme")
	// Four lines of 8 bytes, broken between bytes, never inside one.
	lines := strings.Split(k.fingerprint.Text, "\n")
	if strings.Join(lines, "") != p.Fingerprint || len(p.Fingerprint) != 95 || len(lines) != 4 ||
		len(lines[0]) != 8*3 || !strings.HasSuffix(lines[0], ":") || k.fingerprint.Wrapping != fyne.TextWrapOff {
		t.Errorf("fingerprint shown %q, saved %q", k.fingerprint.Text, p.Fingerprint)
	}
	e.see("CN=" + certs.DefaultCN)
	e.see("2048 bits RSA")
	e.see("(in 90 days)")
	if k.expiry.Importance == widget.WarningImportance {
		t.Error("90 days left is flagged")
	}
	e.see("The private key waits in your " + secrets.Location())
	pending, err := e.vault.Get(context.Background(), "acme", secrets.PendingPrivateKey)
	if err != nil || !strings.Contains(string(pending), "PRIVATE KEY") {
		t.Errorf("no pending key in the keychain: %v", err)
	}
	if strings.Contains(p.CertificatePEM, "PRIVATE") {
		t.Fatal("private key in the profile")
	}
	if e.s.next.Disabled() {
		t.Errorf("Next disabled after generating: %s", e.s.hint.Text)
	}

	e.tap(k.copyPEM)
	if got := e.appRef.Clipboard().Content(); got != p.CertificatePEM {
		t.Errorf("clipboard holds %q", got)
	}
	e.see("Copied the certificate (PEM) to the clipboard.")

	// Saving writes the file; the ECA screen can then reveal it.
	path := filepath.Join(t.TempDir(), certs.CertFileName)
	k.saveTo(path)
	e.settle()
	e.see("Saved to " + path)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("certificate file: %v %v", fi, err)
	}
	if data, _ := os.ReadFile(path); string(data) != p.CertificatePEM {
		t.Error("saved file is not the certificate")
	}

	e.next()
	c := e.checklist(wizard.StepECA)
	if c.reveal.Disabled() {
		t.Error("reveal button disabled after saving")
	}
	e.tap(c.reveal)
	e.see("Opened the folder holding " + certs.CertFileName)

	// Generating again asks first, and unticks the upload.
	test.Tap(c.checks[wizard.IDECACertUpload])
	e.s.goBack()
	e.tap(k.generate)
	if e.topDialog() == nil {
		t.Fatal("no confirmation before replacing the key")
	}
	e.see("Upload the new sf_public_cert.crt to the External Client App again")
	e.press("Replace")
	p2, _ := e.store.Get("acme")
	if p2.Fingerprint == p.Fingerprint || p2.Checklist[wizard.IDECACertUpload].Done {
		t.Errorf("after replacing: same fingerprint %v, upload still ticked %v", p2.Fingerprint == p.Fingerprint, p2.Checklist[wizard.IDECACertUpload].Done)
	}
}

func TestImportShowsWhatIsWrongWithTheFiles(t *testing.T) {
	e := newEnv(t)
	e.fillOrg("acme")
	e.next()
	k := e.key()
	b := testBundle(t)
	dir := t.TempDir()
	write := func(name string, data []byte) fyne.URI {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return storage.NewFileURI(p)
	}
	if !k.importBtn.Disabled() {
		t.Error("Import enabled before files are chosen")
	}
	// The certificate picked as the key: certs explains, nothing changes.
	k.keyURI, k.certURI = write("cert-as-key.pem", b.CertPEM), write("c.crt", b.CertPEM)
	k.importBtn.Enable()
	e.tap(k.importBtn)
	e.see("certificate")
	if k.importMsg.Importance != widget.DangerImportance || !k.importMsg.Visible() {
		t.Errorf("import error not shown as an error: %q", k.importMsg.Text)
	}
	var ie *certs.InputError
	_, err := certs.Load(b.CertPEM, b.CertPEM)
	if !errors.As(err, &ie) || !strings.Contains(k.importMsg.Text, wizard.Sentence(ie.Problem)) || !strings.Contains(k.importMsg.Text, ie.Hint) {
		t.Errorf("import message %q lacks the problem and the hint of %v", k.importMsg.Text, err)
	}
	if p, _ := e.store.Get("acme"); p.CertificatePEM != "" {
		t.Error("a failed import changed the profile")
	}

	k.importSec.open(true)
	k.keyURI = write("key.pem", b.KeyPEM)
	e.tap(k.importBtn)
	e.see("Imported.")
	p, _ := e.store.Get("acme")
	if p.CertificatePEM != string(b.CertPEM) {
		t.Error("imported certificate not saved")
	}
	if e.s.next.Disabled() {
		t.Error("Next disabled after import")
	}

	// With a key in place: a bad pair is refused without asking to replace
	// anything, a valid one asks first; a new pick clears the old error.
	k.keyURI = write("cert-as-key-again.pem", b.CertPEM)
	e.tap(k.importBtn)
	if e.topDialog() != nil {
		t.Fatal("asked to replace the key before the files were checked")
	}
	if k.importMsg.Importance != widget.DangerImportance {
		t.Fatalf("no error for the bad pair: %q", k.importMsg.Text)
	}
	k.keyURI = write("key-again.pem", otherBundle(t).KeyPEM)
	k.certURI = write("c2.crt", otherBundle(t).CertPEM)
	e.tap(k.importBtn)
	if e.topDialog() == nil {
		t.Fatal("a valid pair replaced the key without asking")
	}
	e.press("Replace")
	if p, _ := e.store.Get("acme"); p.CertificatePEM != string(otherBundle(t).CertPEM) {
		t.Error("the second import was not saved")
	}
}

func TestChecklistTicksAndAsksOnceAboutUntickedItems(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	c := e.checklist(wizard.StepECA)
	e.see("Manage user data via Web browsers (web)")
	e.see("Perform requests at any time (refresh_token, offline_access)")
	e.see("External Client App Manager")
	e.see("Then click Save")
	if c.reveal.Visible() || !c.saveCert.Visible() {
		t.Error("the folder button shown, or no Save certificate, though the certificate was never saved")
	}
	e.see("The current certificate isn't saved as a file in this window.")

	test.Tap(c.checks[wizard.IDECAScopes])
	e.settle()
	if p, _ := e.store.Get("acme"); !p.Checklist[wizard.IDECAScopes].Done {
		t.Error("tick not saved")
	}
	e.next()
	if e.topDialog() == nil || e.at() != wizard.StepECA {
		t.Fatalf("no question before leaving unticked items (at %s)", e.at())
	}
	e.see("JWT Bearer Flow")
	e.see("Upload the certificate")
	if strings.Contains(e.texts(), "•  Require secret") {
		t.Error("the optional item is named as unticked")
	}
	// Alt+Right while the question is open does nothing.
	e.s.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNext)
	if e.at() != wizard.StepECA {
		t.Fatal("the shortcut moved on behind the dialog")
	}
	e.typeKey(fyne.KeyReturn) // Return presses Move on, the default
	if e.at() != wizard.StepPermset {
		t.Fatalf("confirming went to %s", e.at())
	}
	ecaButton := e.s.stepButtons[e.s.wiz.Index(wizard.StepECA)]
	if ecaButton.Icon != e.s.icons.problem {
		t.Error("the skipped step isn't marked in the step list")
	}
	e.s.goBack()
	e.next()
	if e.topDialog() != nil || e.at() != wizard.StepPermset {
		t.Errorf("asked twice on the same screen (at %s)", e.at())
	}
	// Ticking the rest turns the step's icon to done.
	e.jump(wizard.StepECA)
	e.tickAll(wizard.StepECA)
	e.jump(wizard.StepPermset)
	if ecaButton.Icon != e.s.icons.done {
		t.Error("finished step not shown as done")
	}
}

func TestPermsetScreenCopiesExactValues(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	e.tickAll(wizard.StepECA)
	e.next()
	if e.at() != wizard.StepPermset {
		t.Fatalf("at %s", e.at())
	}
	e.see("Tableau Next Embedding JWT")
	e.see("TableauNextEmbeddingJWT")
	e.see("Admin approved users are pre-authorized")
	e.see(testUser) // the JWT subject from the Org screen
	copied := map[string]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *focusButton:
			if x.Text == "Copy" {
				test.Tap(x)
				copied[e.appRef.Clipboard().Content()] = true
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(e.checklist(wizard.StepPermset).root)
	for _, want := range []string{"Tableau Next Embedding JWT", "TableauNextEmbeddingJWT", "None", testUser, "Admin approved users are pre-authorized"} {
		if !copied[want] {
			t.Errorf("no copy button put %q on the clipboard (got %v)", want, copied)
		}
	}
}

// pasteKey pastes text into the consumer key field the way Ctrl+V does.
func (e *env) pasteKey(text string) {
	c := e.consumer()
	e.appRef.Clipboard().SetContent(text)
	c.entry.SetText("")
	e.s.win.Canvas().Focus(c.entry)
	c.entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: e.appRef.Clipboard()})
	e.settle()
}

// toConsumerKey gets a new org to the Consumer key screen.
func (e *env) toConsumerKey(name string) {
	e.t.Helper()
	e.toECA(name)
	e.tickAll(wizard.StepECA)
	e.next()
	e.tickAll(wizard.StepPermset)
	e.next()
	e.tickAll(wizard.StepEmbed)
	e.next()
	if e.at() != wizard.StepConsumerKey {
		e.t.Fatalf("at %s", e.at())
	}
}

func TestConsumerKeyPasteIsTrimmed(t *testing.T) {
	e := newEnv(t)
	e.toConsumerKey("acme")
	e.see("doesn't ask for the secret")
	e.see("holds the consumer key in this window's memory")
	if !e.s.next.Disabled() {
		t.Error("Next enabled with no consumer key")
	}
	e.pasteKey("\n  " + testKey + " \r\n")
	c := e.consumer()
	if c.entry.Text != testKey {
		t.Errorf("field shows %q, want the trimmed key", c.entry.Text)
	}
	e.see("Looks like a Salesforce consumer key (85 characters).")
	if e.s.next.Disabled() {
		t.Error("Next disabled with a good key")
	}
	e.pasteKey("my-custom-key-1234")
	e.see("doesn't look like one Salesforce generates")
	if e.s.next.Disabled() {
		t.Error("an unusual key blocks Next; it should only warn")
	}
	e.pasteKey("3MVG9abc def")
	e.see("has a space or line break inside it")
	if !e.s.next.Disabled() {
		t.Error("Next enabled with a broken key")
	}
	// A key broken over lines by the page it came from is put together.
	e.pasteKey(testKey[:40] + "\n" + testKey[40:])
	if c.entry.Text != testKey {
		t.Errorf("a key broken over two lines shows as %q", c.entry.Text)
	}
	// The consumer secret pasted by mistake is named as such.
	e.pasteKey("D4A5E1C0F3B2A1908D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2918F7E6D5C4B3A2")
	e.see("looks like the consumer secret")
	// Where Setup shows the key reads the same above the field and in its messages.
	e.pasteKey("")
	e.pasteKey("my-custom-key-1234")
	if !strings.Contains(e.texts(), salesforce.ConsumerKeyPath) || strings.Count(e.texts(), salesforce.ConsumerKeyPath) < 2 {
		t.Error("the Setup path above the field and in the message differ")
	}
	if p, _ := e.store.Get("acme"); strings.Contains(p.CertificatePEM+p.Username, "3MVG") {
		t.Fatal("consumer key in the profile")
	}
}

func (e *env) toKeychain(name string) {
	e.t.Helper()
	e.toConsumerKey(name)
	e.pasteKey(testKey)
	e.next()
	if e.at() != wizard.StepKeychain {
		e.t.Fatalf("at %s", e.at())
	}
}

func TestKeychainStoresAndSaysWhere(t *testing.T) {
	e := newEnv(t)
	e.toKeychain("acme")
	k := e.keychain()
	if !e.s.next.Disabled() || e.s.next.Text != "Next" {
		t.Errorf("before storing: Next %q disabled %v", e.s.next.Text, e.s.next.Disabled())
	}
	e.tap(k.store)
	e.see("Stored in your " + secrets.Location() + ": the consumer key and the private key of acme.")
	ctx := context.Background()
	if got, err := e.vault.Get(ctx, "acme", secrets.ConsumerKey); err != nil || string(got) != testKey {
		t.Errorf("consumer key in keychain: %v", err)
	}
	if got, err := e.vault.Get(ctx, "acme", secrets.PrivateKey); err != nil || string(got) != string(testBundle(t).KeyPEM) {
		t.Errorf("private key in keychain: %v", err)
	}
	if _, err := e.vault.Get(ctx, "acme", secrets.PendingPrivateKey); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("pending key left: %v", err)
	}
	if k.store.Visible() || e.s.next.Disabled() {
		t.Error("after storing, the Store button stays or Next is disabled")
	}
	for i, b := range e.s.stepButtons[1:e.s.wiz.Index(wizard.StepKeychain)] {
		if b.Icon != e.s.icons.done {
			t.Errorf("step %d not shown done", i+1)
		}
	}
	e.next()
	if e.at() != wizard.StepLiveTest {
		t.Fatalf("Next after storing went to %s, want the live test", e.at())
	}
	e.jump(wizard.StepWelcome)
	e.see("Certificate valid until 10 Mar 2027: 365 days left.")
	e.see("Not tested yet.")
}

func TestKeychainLockedShowsRemedyAndRetry(t *testing.T) {
	e := newEnv(t)
	e.toKeychain("acme")
	k := e.keychain()
	e.mem.SetHook(func(op, _, _ string) error {
		return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	})
	e.tap(k.store)
	var se *secrets.Error
	err := e.vault.Put(context.Background(), "x", secrets.ConsumerKey, []byte("x"))
	if !errors.As(err, &se) || se.Kind != secrets.Locked {
		t.Fatalf("the fake didn't act locked: %v", err)
	}
	e.see(se.Remedy)
	if !strings.Contains(k.result.Text, "locked") || k.result.Importance != widget.DangerImportance {
		t.Errorf("result %q", k.result.Text)
	}
	if !k.retry.Visible() || !e.s.next.Disabled() {
		t.Errorf("retry visible %v, next disabled %v", k.retry.Visible(), e.s.next.Disabled())
	}
	e.mem.SetHook(nil)
	e.tap(k.retry)
	e.see("Stored in your " + secrets.Location())
	if k.retry.Visible() || k.remedy.Visible() {
		t.Error("retry or remedy still shown after success")
	}
}

func TestKeychainWaitCanBeCancelled(t *testing.T) {
	e := newEnv(t)
	e.toKeychain("acme")
	k := e.keychain()
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	e.mem.SetHook(func(op, _, _ string) error {
		entered <- struct{}{}
		<-release
		return nil
	})
	test.Tap(k.store)
	<-entered // the keychain call is under way, and stuck
	e.see("Waiting for your keychain…")
	if !k.cancel.Visible() || !k.store.Disabled() {
		t.Errorf("while waiting: cancel visible %v, store disabled %v", k.cancel.Visible(), k.store.Disabled())
	}
	test.Tap(k.cancel)
	e.settle()
	e.see("Cancelled: nothing was stored.")
	if !k.retry.Visible() || k.busy.Visible() {
		t.Errorf("after cancel: retry %v, busy %v", k.retry.Visible(), k.busy.Visible())
	}
	e.mem.SetHook(nil)
	close(release)
	e.tap(k.retry)
	e.see("Stored in your " + secrets.Location())
}

func TestReopenResumesWithValuesFilled(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	test.Tap(e.checklist(wizard.StepECA).checks[wizard.IDECAScopes])
	e.settle()
	e.s.close()

	e.open() // a new window on the same folder and keychain
	e.see("acme")
	e.see(testUser)
	e.see("Certificate valid until 10 Mar 2027: 365 days left.")
	row := e.s.welcome.rows["acme"]
	if row == nil {
		t.Fatal("no row for the saved org")
	}
	e.tap(row.open)
	if e.at() != wizard.StepECA {
		t.Fatalf("resumed at %s, want the ECA screen", e.at())
	}
	if !e.checklist(wizard.StepECA).checks[wizard.IDECAScopes].Checked {
		t.Error("tick lost on reopening")
	}
	e.jump(wizard.StepOrg)
	o := e.org()
	if o.name.Text != "acme" || !o.name.Disabled() || o.user.Text != testUser || o.kind.Selected != "My Domain" ||
		o.url.Text != "https://acme.my.salesforce.com" {
		t.Errorf("org screen after reopening: %q (disabled %v) %q %q", o.name.Text, o.name.Disabled(), o.user.Text, o.kind.Selected)
	}
	e.see("Saved as acme.")
	e.jump(wizard.StepKey)
	e.see("The private key waits in your " + secrets.Location())
	// Where the certificate file went is not in the profile: say so plainly.
	e.see("Not saved as a file in this session.")
	e.jump(wizard.StepECA)
	e.see("The current certificate isn't saved as a file in this window.")
}

// The upload item names the file the current certificate was saved as, and
// its fingerprint; after a new pair it says the new one isn't saved yet,
// never the old file's name.
func TestUploadItemNamesTheSavedFileAndFingerprint(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	k := e.key()
	path := filepath.Join(t.TempDir(), "uat_cert.crt")
	k.saveTo(path)
	e.settle()
	e.jump(wizard.StepECA)
	c := e.checklist(wizard.StepECA)
	e.see("uat_cert.crt")
	e.see("Saved as " + path)
	first := certs.Describe(testBundle(t).Cert, testNow).Fingerprint
	e.see(fingerprintLines(first)) // in lines of whole bytes, as Setup shows it
	for _, v := range c.values {
		if v.v.From == wizard.FromFingerprint && (v.label.Text != fingerprintLines(first) || v.label.Wrapping != fyne.TextWrapOff) {
			t.Errorf("the fingerprint shows as %q (wrapping %v): Fyne would break it inside a byte", v.label.Text, v.label.Wrapping)
		}
	}
	if !c.reveal.Visible() || c.saveCert.Visible() {
		t.Error("a saved certificate still offers Save, or not its folder")
	}

	e.jump(wizard.StepKey)
	b2 := otherBundle(t)
	k.adopt(e.s.wiz, b2)
	e.settle()
	e.jump(wizard.StepECA)
	e.notSee("uat_cert.crt")
	e.notSee(fingerprintLines(first))
	e.see(fingerprintLines(certs.Describe(b2.Cert, testNow).Fingerprint))
	e.see("not saved as a file yet: use Save certificate below")
	if !c.saveCert.Visible() || c.reveal.Visible() {
		t.Error("no Save certificate for the new, unsaved certificate")
	}
}

func TestReopenWithoutTheKeyAsksForANewOne(t *testing.T) {
	e := newEnv(t)
	b := testBundle(t)
	p := profiles.Profile{Name: "acme", LoginURL: "https://login.salesforce.com", Username: testUser,
		CertificatePEM: string(b.CertPEM), Fingerprint: certs.Describe(b.Cert, testNow).Fingerprint, CertNotAfter: b.Cert.NotAfter,
		Checklist: map[string]profiles.StepState{wizard.IDOrgLoginURL: {Done: true}, wizard.IDKeyGenerate: {Done: true}}}
	if err := e.store.Save(p); err != nil {
		t.Fatal(err)
	}
	e.s.welcome.reload()
	e.settle()
	e.tap(e.s.welcome.rows["acme"].open)
	e.jump(wizard.StepKey)
	e.see("The private key for this certificate is no longer available")
	if !e.s.next.Disabled() {
		t.Error("Next enabled though the key is lost")
	}
	if e.s.stepButtons[e.s.wiz.Index(wizard.StepKey)].Icon != e.s.icons.current {
		t.Error("key step not current")
	}
}

// A profile saved with `tnjwt profile import` has its secrets stored for
// good and the steps the import proves ticked: the wizard must carry on at
// the Setup checklists and find the stored key, not call it lost.
func TestImportedProfileResumesAtTheChecklists(t *testing.T) {
	e := newEnv(t)
	b := testBundle(t)
	ctx := context.Background()
	done := map[string]profiles.StepState{}
	for _, id := range []string{wizard.IDOrgLoginURL, wizard.IDKeyGenerate, wizard.IDECAConsumerKey, wizard.IDKeyStore} {
		done[id] = profiles.StepState{Done: true}
	}
	p := profiles.Profile{Name: "acme", LoginURL: "https://login.salesforce.com", Username: testUser,
		CertificatePEM: string(b.CertPEM), Fingerprint: certs.Describe(b.Cert, testNow).Fingerprint,
		CertNotAfter: b.Cert.NotAfter, Checklist: done}
	items := map[secrets.Purpose][]byte{secrets.PrivateKey: b.KeyPEM, secrets.ConsumerKey: []byte(testKey)}
	if err := e.store.Import(ctx, p, items, false); err != nil {
		t.Fatal(err)
	}
	e.s.welcome.reload()
	e.settle()
	e.tap(e.s.welcome.rows["acme"].open)
	if e.at() != wizard.StepECA {
		t.Fatalf("resumed at %s, want the ECA screen", e.at())
	}
	e.jump(wizard.StepKey)
	e.see("The private key is stored in your " + secrets.Location())
	if e.s.next.Disabled() {
		t.Error("Next disabled on the Key screen of an imported profile")
	}
	e.jump(wizard.StepConsumerKey)
	if e.s.next.Disabled() {
		t.Error("the Consumer key screen asks again for a key that is in the keychain")
	}
}

func TestKeyboardNavigation(t *testing.T) {
	e := newEnv(t)
	alt := func(sc fyne.Shortcut) {
		e.s.win.Canvas().(fyne.Shortcutable).TypedShortcut(sc)
		e.settle()
	}
	alt(shortcutNext) // Welcome → Org
	if e.at() != wizard.StepOrg {
		t.Fatalf("Alt+Right on Welcome went to %s", e.at())
	}
	o := e.org()
	if e.s.win.Canvas().Focused() != o.name {
		t.Error("the Org screen doesn't focus its first field")
	}
	test.Type(o.name, "acme")
	test.Type(o.url, "https://acme.my.salesforce.com")
	test.Type(o.user, testUser)
	// A focused entry hands Alt+Right to the window.
	e.s.win.Canvas().Focus(o.user)
	o.user.TypedShortcut(shortcutNext)
	e.settle()
	if e.at() != wizard.StepKey {
		t.Fatalf("Alt+Right in an entry went to %s", e.at())
	}
	alt(shortcutBack)
	if e.at() != wizard.StepOrg {
		t.Fatalf("Alt+Left went to %s", e.at())
	}
	// Tab order follows the screen, then the footer: the saved name is
	// skipped.
	c := e.s.win.Canvas()
	c.Focus(o.kind)
	for _, want := range []fyne.Focusable{o.url, o.user, e.s.back, e.s.next} {
		c.FocusNext()
		if c.Focused() != want {
			t.Errorf("Tab went to %T, want %T", c.Focused(), want)
		}
	}
	// Other shortcuts still reach the entry.
	e.appRef.Clipboard().SetContent("x")
	o.user.TypedShortcut(&fyne.ShortcutPaste{Clipboard: e.appRef.Clipboard()})
	if !strings.Contains(o.user.Text, "x") {
		t.Error("paste in an entry no longer works")
	}
}

func TestStepListShowsProgressAndReach(t *testing.T) {
	e := newEnv(t)
	btn := func(id wizard.StepID) *widget.Button { return e.s.stepButtons[e.s.wiz.Index(id)] }
	if !btn(wizard.StepOrg).Disabled() {
		t.Error("a step never reached can be opened")
	}
	if btn(wizard.StepWelcome).Icon != e.s.icons.current || btn(wizard.StepKey).Icon != e.s.icons.todo {
		t.Error("icons at the start are wrong")
	}
	e.see("Step 1 of 10")
	e.toECA("acme")
	e.see("Step 4 of 10")
	if btn(wizard.StepOrg).Icon != e.s.icons.done || btn(wizard.StepKey).Icon != e.s.icons.done || btn(wizard.StepECA).Icon != e.s.icons.current {
		t.Error("done and current steps are not shown")
	}
	if btn(wizard.StepOrg).Disabled() || !btn(wizard.StepPermset).Disabled() {
		t.Error("reach is wrong: reached steps must open, later ones not")
	}
	e.tap(btn(wizard.StepOrg))
	if e.at() != wizard.StepOrg {
		t.Errorf("tapping a reached step went to %s", e.at())
	}
}

func TestDeleteAsksFirst(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	e.jump(wizard.StepWelcome)
	row := e.s.welcome.rows["acme"]
	e.tap(row.del)
	if e.topDialog() == nil {
		t.Fatal("no confirmation before deleting")
	}
	e.see("Delete acme?")
	e.typeKey(fyne.KeyEscape) // Escape cancels, from the focused button
	if e.topDialog() != nil || len(e.s.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("Escape left the dialog open")
	}
	if _, err := e.store.Get("acme"); err != nil {
		t.Fatal("dismissing deleted the profile")
	}
	e.tap(row.del)
	e.s.win.Canvas().Unfocus()
	e.typeKey(fyne.KeyEscape) // and with nothing focused
	if e.topDialog() != nil {
		t.Fatal("Escape with nothing focused left the dialog open")
	}
	e.tap(row.del)
	e.press("Delete")
	if _, err := e.store.Get("acme"); !errors.Is(err, profiles.ErrNotFound) {
		t.Errorf("profile still there: %v", err)
	}
	if _, err := e.vault.Get(context.Background(), "acme", secrets.PendingPrivateKey); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keychain item still there: %v", err)
	}
	e.see("Deleted acme.")
	e.see("No saved orgs yet")
}

func TestExpiringCertificateGetsABadge(t *testing.T) {
	e := newEnv(t)
	b := testBundle(t)
	for _, p := range []profiles.Profile{
		{Name: "soon", LoginURL: "https://login.salesforce.com", Username: testUser, CertificatePEM: string(b.CertPEM), CertNotAfter: testNow.Add(10*24*time.Hour + time.Hour)},
		{Name: "fine", LoginURL: "https://login.salesforce.com", Username: testUser, CertificatePEM: string(b.CertPEM), CertNotAfter: testNow.Add(200*24*time.Hour + time.Hour),
			LastTest: &profiles.TestResult{When: testNow, OK: false, Error: "invalid_grant", Description: "audience is invalid"}},
	} {
		if err := e.store.Save(p); err != nil {
			t.Fatal(err)
		}
	}
	e.s.welcome.reload()
	e.settle()
	soon, fine := e.s.welcome.rows["soon"], e.s.welcome.rows["fine"]
	if soon.cert.Importance != widget.WarningImportance || !strings.HasPrefix(soon.name.Text, "⚠") {
		t.Errorf("expiring certificate without a warning: %q %q", soon.name.Text, soon.cert.Text)
	}
	e.see("Certificate expires in 10 days")
	if fine.cert.Importance == widget.WarningImportance || strings.HasPrefix(fine.name.Text, "⚠") {
		t.Error("a certificate with 200 days left is flagged")
	}
	e.see("invalid_grant (audience is invalid)")
}

// Every screen fits a 700×500 window (so the window never widens by itself
// when the step changes, and nothing is cut off at the right): its content
// wraps or scrolls.
func TestEveryScreenFits700x500(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme-prod", org.URL, true)
	e.savedOrg("a-saved-org-with-a-rather-long-name-to-see-it-wrap", "https://acme--uat.sandbox.my.salesforce.com", true)
	e.s.welcome.reload()
	e.settle()
	e.toKeychain("acme")
	for i := range e.s.steps {
		e.s.jump(i)
		e.settle()
		min := e.s.win.Canvas().Content().MinSize()
		if min.Width > 700 || min.Height > 500 {
			t.Errorf("%s needs %v, more than 700×500", e.s.steps[i].ID, min)
		}
		if _, ok := e.s.body.Objects[0].(*container.Scroll); !ok {
			t.Errorf("%s isn't in a scroll container", e.s.steps[i].ID)
		}
	}
}

// otherBundle is a second key pair, for replacing testBundle's.
func otherBundle(t *testing.T) *certs.Bundle { return emulatortest.OtherFrom(testNow) }

// A new key for a finished org: the consumer key is still in the keychain,
// so the Consumer key step lets the person through and the Keychain step
// stores the new private key beside it.
func TestNewKeyAfterFinishingKeepsTheStoredConsumerKey(t *testing.T) {
	e := newEnv(t)
	e.toKeychain("acme")
	e.tap(e.keychain().store)
	e.next() // to the live test
	e.s.close()

	e.open()
	e.tap(e.row("acme").open)
	e.jump(wizard.StepKey)
	b2 := otherBundle(t)
	e.key().adopt(e.s.wiz, b2)
	e.settle()
	e.s.changed()
	e.jump(wizard.StepConsumerKey)
	if e.s.next.Disabled() {
		t.Fatalf("the Consumer key step asks again for a stored key: %s", e.s.hint.Text)
	}
	e.see("The consumer key is stored in your " + secrets.Location())
	e.jump(wizard.StepKeychain)
	e.tap(e.keychain().store)
	e.see("Stored in your " + secrets.Location())
	ctx := context.Background()
	if got, err := e.vault.Get(ctx, "acme", secrets.PrivateKey); err != nil || string(got) != string(b2.KeyPEM) {
		t.Errorf("the new private key isn't stored: %v", err)
	}
	if got, err := e.vault.Get(ctx, "acme", secrets.ConsumerKey); err != nil || string(got) != testKey {
		t.Errorf("the stored consumer key was lost: %q, %v", got, err)
	}
	if e.s.next.Disabled() {
		t.Errorf("Next disabled after storing: %s", e.s.hint.Text)
	}
}

// flakyStore fails every write while err is set.
type flakyStore struct {
	wizard.Store
	mu  sync.Mutex
	err error
}

func (f *flakyStore) Save(p profiles.Profile) error {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.Store.Save(p)
}

func (f *flakyStore) fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func TestSaveFailureStaysOnShowUntilASaveWorks(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	flaky := &flakyStore{Store: e.s.saver.store}
	e.s.saver.store = flaky // no write is under way: settle waited for them
	flaky.fail(errors.New("no space left on device"))
	c := e.checklist(wizard.StepECA)
	test.Tap(c.checks[wizard.IDECAScopes])
	e.settle()
	const warning = "Couldn't save the progress of acme: No space left on device."
	e.see(warning)
	e.see("Your changes are kept in this window")
	e.jump(wizard.StepKey) // a new screen clears the status line, not the warning
	e.see(warning)

	flaky.fail(nil)
	e.jump(wizard.StepECA)
	test.Tap(c.checks[wizard.IDECAJWTEnable])
	e.settle()
	e.notSee("Couldn't save")
	e.see("Progress saved.")
	p, _ := e.store.Get("acme")
	if !p.Checklist[wizard.IDECAScopes].Done || !p.Checklist[wizard.IDECAJWTEnable].Done {
		t.Errorf("after the store recovered, the ticks on disk are %v", p.Checklist)
	}
}

// findEntry finds the first entry under o.
func findEntry(o fyne.CanvasObject) *navEntry {
	switch v := o.(type) {
	case *navEntry:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if n := findEntry(c); n != nil {
				return n
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if n := findEntry(c); n != nil {
				return n
			}
		}
	}
	return nil
}

// Save certificate chooses a path and writes through tnjwt's atomic writer:
// the file chosen is never opened for writing (Fyne's save dialog truncates
// it, through a symlink too), a bad name is refused in the dialog, and
// Return saves.
func TestSaveCertificateNeverTruncatesTheChosenFile(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	k := e.key()
	dir := t.TempDir()
	target := filepath.Join(dir, "someone-elses.crt")
	if err := os.WriteFile(target, []byte("KEEP"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "uat.crt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	e.s.wiz.SetCertPath(filepath.Join(dir, "earlier.crt")) // the dialog opens in this folder
	e.jump(wizard.StepKey)
	e.tap(k.saveCert)
	top := e.s.win.Canvas().Overlays().Top()
	name := findEntry(top)
	if name == nil || name.Text != certs.CertFileName {
		t.Fatalf("no file name entry holding %s", certs.CertFileName)
	}
	e.see(dir)

	name.SetText("../elsewhere.crt")
	e.tap(findButton(top, "Save"))
	e.see("is not a file name")
	if e.s.win.Canvas().Overlays().Top() != top {
		t.Fatal("a refused name closed the dialog")
	}

	name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // Escape in the field cancels
	e.settle()
	if e.topDialog() != nil {
		t.Fatal("Escape in the file name left the dialog open")
	}
	e.tap(k.saveCert)
	name = findEntry(e.s.win.Canvas().Overlays().Top())
	name.SetText("uat.crt")
	name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.settle()
	e.tap(findButton(e.s.win.Canvas().Overlays().Top(), "Replace"))
	if data, _ := os.ReadFile(target); string(data) != "KEEP" {
		t.Errorf("the symlink's target was written: %q", data)
	}
	data, err := os.ReadFile(link)
	if err != nil || string(data) != e.s.wiz.State().Profile.CertificatePEM {
		t.Fatalf("uat.crt does not hold the certificate: %v", err)
	}
	e.see("Saved to " + link)
}

// topDialog is tnjwt's dialog on top, or nil.
func (e *env) topDialog() *keyDialog {
	if len(e.s.dialogs) == 0 {
		return nil
	}
	return e.s.dialogs[len(e.s.dialogs)-1]
}

// typeKey types a key as the window would: to the focused widget, else to
// the canvas.
func (e *env) typeKey(name fyne.KeyName) {
	e.t.Helper()
	ev := &fyne.KeyEvent{Name: name}
	if f := e.s.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := e.s.win.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
	e.settle()
}

// Tab on a checklist screen keeps the focused stop in view: the scroll
// follows the focus down the page and back up.
func TestTabKeepsTheFocusedStopInView(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.jump(wizard.StepECA)
	scroll := e.s.scrolls[wizard.StepECA]
	c := e.s.win.Canvas()
	d := fyne.CurrentApp().Driver()
	inView := func(o fyne.CanvasObject) bool {
		top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(scroll).Y
		return top >= 0 && top+o.Size().Height <= scroll.Size().Height+1
	}
	c.Focus(e.checklist(wizard.StepECA).checks[wizard.IDECAScopes])
	moved, seen := false, 0
	for range 40 {
		c.FocusNext()
		f, ok := c.Focused().(fyne.CanvasObject)
		if !ok || f == e.s.back || f == e.s.next {
			break
		}
		if _, inScreen := f.(*focusCheck); !inScreen {
			if _, inScreen = f.(*focusButton); !inScreen {
				continue
			}
		}
		seen++
		if !inView(f) {
			t.Fatalf("Tab stop %d (%T) is outside the view (offset %v)", seen, f, scroll.Offset)
		}
		moved = moved || scroll.Offset.Y > 0
	}
	if seen < 5 || !moved {
		t.Fatalf("walked %d stops, scrolled %v: the screen should need scrolling at 700×500", seen, moved)
	}
	c.Focus(e.checklist(wizard.StepECA).checks[wizard.IDECAScopes])
	if !inView(e.checklist(wizard.StepECA).checks[wizard.IDECAScopes]) {
		t.Error("going back to the first stop did not scroll back up")
	}
}

// A focused primary button looks different from an unfocused one, and an
// unticked box stands out from the background, in both variants.
func TestThemeShowsFocusAndUntickedBoxes(t *testing.T) {
	th := newTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		primary := th.Color(theme.ColorNamePrimary, v)
		focus := th.Color(theme.ColorNameFocus, v)
		if d := contrast(blend(primary, focus), primary); d < 0x18 {
			t.Errorf("variant %d: a focused primary button differs from an unfocused one by only %d", v, d)
		}
		if d := contrast(th.Color(theme.ColorNameInputBorder, v), th.Color(theme.ColorNameBackground, v)); d < 0x50 {
			t.Errorf("variant %d: an unticked box differs from the background by only %d", v, d)
		}
	}
}

func toNRGBA(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }

// blend draws over on top of under, as Fyne tints a focused button.
func blend(under, over color.Color) color.NRGBA {
	u, o := toNRGBA(under), toNRGBA(over)
	a := float64(o.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-a) + float64(y)*a) }
	return color.NRGBA{R: mix(u.R, o.R), G: mix(u.G, o.G), B: mix(u.B, o.B), A: 0xff}
}

func contrast(a, b color.Color) int {
	x, y := toNRGBA(a), toNRGBA(b)
	abs := func(n int) int {
		if n < 0 {
			return -n
		}
		return n
	}
	return (abs(int(x.R)-int(y.R)) + abs(int(x.G)-int(y.G)) + abs(int(x.B)-int(y.B))) / 3
}

// With a name given, every screen's title says which org it is for.
func TestTitleNamesTheOrg(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme-prod")
	for _, id := range []wizard.StepID{wizard.StepKey, wizard.StepECA} {
		e.jump(id)
		if !strings.HasSuffix(e.s.title.Text, " · acme-prod") {
			t.Errorf("%s: title %q does not name the org", id, e.s.title.Text)
		}
	}
	e.jump(wizard.StepWelcome)
	if e.s.title.Text != "Welcome" {
		t.Errorf("Welcome's title: %q", e.s.title.Text)
	}
}

// A status message wraps instead of being cut off, expires after a while,
// and a newer one is not cleared by the older one's expiry.
func TestStatusMessagesWrapAndExpire(t *testing.T) {
	e := newEnv(t)
	var expiries []func()
	e.s.deps.after = func(d time.Duration, f func()) {
		if d == statusFor {
			expiries = append(expiries, f)
		}
	}
	long := strings.Repeat("a long status message that must wrap ", 6)
	e.s.setStatus(long)
	if e.s.status.Wrapping != fyne.TextWrapWord || e.s.status.Truncation != fyne.TextTruncateOff {
		t.Error("the status line cuts long messages off")
	}
	e.s.setStatus("newer")
	expiries[0]() // the first message's time is up: the newer one stays
	e.settle()
	if e.s.status.Text != "newer" {
		t.Fatalf("an old message's expiry cleared the newer one: %q", e.s.status.Text)
	}
	expiries[1]()
	e.settle()
	if e.s.status.Text != "" {
		t.Errorf("the message outlived its time: %q", e.s.status.Text)
	}
}

// Without xdg-open the message says what to install and to open by hand.
func TestOpenFailedSaysWhatToInstall(t *testing.T) {
	err := &exec.Error{Name: "xdg-open", Err: exec.ErrNotFound}
	got := openFailed(err, "/home/me/certs")
	if !strings.Contains(got, "xdg-utils") || !strings.Contains(got, "/home/me/certs") || !strings.Contains(got, "by hand") {
		t.Errorf("openFailed: %q", got)
	}
}

// The key options are checked as they are typed, under their own field,
// and the intro says what Generate will make; an empty name is refused,
// never silently replaced.
func TestKeyOptionsCheckedAsTyped(t *testing.T) {
	e := newEnv(t)
	e.fillOrg("acme")
	e.next()
	k := e.key()
	k.days.SetText("abc")
	if !k.daysMsg.Visible() || !strings.Contains(k.daysMsg.Text, "whole number of days") {
		t.Fatalf("a bad number of days is not flagged at its field: %q", k.daysMsg.Text)
	}
	k.days.SetText("730")
	if k.daysMsg.Visible() {
		t.Errorf("the error stays after a valid value: %q", k.daysMsg.Text)
	}
	k.bits.SetSelected(bitsLabel(4096))
	if !strings.Contains(k.intro.Text, "4096-bit") || !strings.Contains(k.intro.Text, "valid for 2 years") {
		t.Errorf("the intro does not follow the options: %q", k.intro.Text)
	}
	k.cn.SetText("  ")
	if !k.cnMsg.Visible() || !strings.Contains(k.cnMsg.Text, "empty") {
		t.Fatalf("an empty CN is not flagged: %q", k.cnMsg.Text)
	}
	e.tap(k.generate)
	if e.s.wiz.State().Profile.CertificatePEM != "" {
		t.Fatal("a key was made with an empty CN")
	}
}

// Switching org type and back keeps what was typed, and an empty My Domain
// field asks for a My Domain address, not one the field would refuse.
func TestOrgTypeSwitchKeepsTheTypedURL(t *testing.T) {
	e := newEnv(t)
	e.tap(e.s.welcome.start)
	o := e.org()
	o.kind.SetSelected(wizard.OrgMyDomain.String())
	o.url.SetText("")
	o.revealErrors()
	if strings.Contains(o.urlMsg.Text+e.s.hint.Text, "login.salesforce.com") || !strings.Contains(o.urlMsg.Text, "my.salesforce.com") {
		t.Errorf("an empty My Domain field says %q (footer %q)", o.urlMsg.Text, e.s.hint.Text)
	}
	o.url.SetText("https://acme.my.salesforce.com")
	o.kind.SetSelected(wizard.OrgProduction.String())
	if o.url.Text != "https://login.salesforce.com" {
		t.Fatalf("Production shows %q", o.url.Text)
	}
	o.kind.SetSelected(wizard.OrgMyDomain.String())
	if o.url.Text != "https://acme.my.salesforce.com" {
		t.Errorf("back on My Domain the field shows %q, not what was typed", o.url.Text)
	}
}

// Closing before the Keychain step stores the pasted consumer key asks
// first; reopening, Continue goes back to the step the admin was on, even
// past a screen left with unticked items.
func TestClosingMidWalkWarnsAndResumesWhereLeft(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	e.next()
	e.press("Move on") // the ECA screen's items stay unticked
	e.tickAll(wizard.StepPermset)
	e.next()
	e.tickAll(wizard.StepEmbed)
	e.next()
	e.pasteKey(testKey)
	e.next()
	if e.at() != wizard.StepKeychain {
		t.Fatalf("at %s", e.at())
	}
	e.s.askClose()
	if e.topDialog() == nil {
		t.Fatal("closing with an unstored consumer key did not ask")
	}
	e.see("closing now loses it")
	e.press("Stay")
	if !slices.Contains(e.appRef.Driver().AllWindows(), e.s.win) {
		t.Fatal("Stay closed the window")
	}
	e.s.close() // closed anyway: the key is lost

	// Reopening: the pasted key is gone, so Continue goes to the Consumer
	// key step, not back to the ECA screen's unticked items.
	e.open()
	e.tap(e.row("acme").open)
	if e.at() != wizard.StepConsumerKey {
		t.Fatalf("Continue went to %s, not to the consumer key the window lost", e.at())
	}
	e.pasteKey(testKey)
	e.next()
	e.tap(e.keychain().store)
	e.next()
	if lost := e.s.wiz.Unstored(); lost != "" { // askClose would close at once
		t.Fatalf("with the key stored, closing still loses: %s", lost)
	}
	e.s.close()
	e.open()
	e.tap(e.row("acme").open)
	if e.at() != wizard.StepLiveTest {
		t.Errorf("Continue went to %s, not the Live test step where the admin stopped", e.at())
	}
}

// Control characters typed or pasted into the username or the consumer key
// are refused with the character and its position, Next stays disabled,
// and nothing is saved.
func TestControlCharactersTypedInTheWindowAreRefused(t *testing.T) {
	e := newEnv(t)
	e.tap(e.s.welcome.start)
	o := e.org()
	o.name.SetText("acme")
	o.kind.SetSelected(wizard.OrgMyDomain.String())
	o.url.SetText("https://acme.my.salesforce.com")
	o.user.SetText("embed\x1b[31m@acme.com")
	if !strings.Contains(o.userMsg.Text, "U+001B") || !strings.Contains(o.userMsg.Text, "position") || !e.s.next.Disabled() {
		t.Fatalf("username with ESC: message %q, Next disabled %v", o.userMsg.Text, e.s.next.Disabled())
	}
	e.s.goNext() // Alt+Right, as the disabled button can't be pressed
	e.settle()
	if e.at() != wizard.StepOrg {
		t.Fatal("moved on with a control character in the username")
	}
	if _, err := e.store.Get("acme"); err == nil {
		t.Fatal("the profile was saved with a bad username")
	}

	e.toConsumerKey("globex")
	e.pasteKey(testKey[:20] + "\u202e" + testKey[20:])
	c := e.consumer()
	if !strings.Contains(c.msg.Text, "U+202E") || !e.s.next.Disabled() {
		t.Errorf("consumer key with U+202E: message %q, Next disabled %v", c.msg.Text, e.s.next.Disabled())
	}
	if strings.ContainsRune(c.msg.Text, '\u202e') {
		t.Error("the message carries the character itself")
	}
}

// After the window narrows, a step's why that now wraps onto two lines
// still sits above the screen's content, not under it.
func TestNarrowingTheWindowKeepsTheHeaderAboveTheContent(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	d := fyne.CurrentApp().Driver()
	for _, size := range []fyne.Size{{Width: 700, Height: 500}, {Width: 1280, Height: 900}, {Width: 700, Height: 500}} {
		e.s.win.Resize(size)
		e.settle()
		whyBottom := d.AbsolutePositionForObject(e.s.why).Y + e.s.why.MinSize().Height
		if top := d.AbsolutePositionForObject(e.s.body).Y; top < whyBottom {
			t.Errorf("at %v the content starts at %.0f, inside the why line ending at %.0f", size, top, whyBottom)
		}
	}
}

// Next with an empty consumer key says so under the field on every visit.
func TestEmptyConsumerKeyIsFlaggedOnEveryVisit(t *testing.T) {
	e := newEnv(t)
	e.toConsumerKey("acme")
	c := e.consumer()
	for visit := 1; visit <= 2; visit++ {
		e.s.goNext()
		e.settle()
		if !c.msg.Visible() || !strings.Contains(c.msg.Text, "consumer key is empty") {
			t.Errorf("visit %d: under the field %q", visit, c.msg.Text)
		}
		e.s.goBack()
		e.settle()
		e.jump(wizard.StepConsumerKey)
	}
}
