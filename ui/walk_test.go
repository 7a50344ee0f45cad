package ui

// What a new admin's walk through the window found (issue 24): each test
// here failed before the fix it names.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// hugePaste is what froze the window: 50,000 characters on one line.
var hugePaste = strings.Repeat("3MVG9x", 8333) + "AB"

// pasteInto pastes text into f as Ctrl+V does, f having the focus.
func (e *env) pasteInto(f *navEntry, text string) {
	e.appRef.Clipboard().SetContent(text)
	e.s.win.Canvas().Focus(f)
	f.TypedShortcut(&fyne.ShortcutPaste{Clipboard: e.appRef.Clipboard()})
	e.settle()
}

// click presses and releases the mouse in the middle of f: where Fyne
// measured the whole line, over and over, for a long one.
func click(f *navEntry) {
	ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(f.Size().Width/2, f.Size().Height/2)},
		Button: desktop.MouseButtonPrimary}
	f.MouseDown(ev)
	f.MouseUp(ev)
	test.Tap(f)
}

// allEntries lists the entries under o.
func allEntries(o fyne.CanvasObject) []*navEntry {
	var out []*navEntry
	switch v := o.(type) {
	case *navEntry:
		return []*navEntry{v}
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, allEntries(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, allEntries(c)...)
		}
	}
	return out
}

// A huge paste into any field is cut to that field's bound before the
// field holds it, the window says what was cut, and a click in the field
// then returns (it froze the window for good at 50,000 characters). A
// character typed past the bound is refused too.
func TestEveryFieldBoundsAHugePaste(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme-prod", org.URL, true)
	seen := map[*navEntry]string{}
	check := func(where string, f *navEntry) {
		t.Helper()
		if f == nil {
			t.Fatalf("%s: no field", where)
		}
		seen[f] = where
		if f.limit < 1 || f.limit > 300 {
			t.Errorf("%s (%s) takes up to %d characters", where, f.what, f.limit)
		}
		f.SetText("")
		e.pasteInto(f, hugePaste)
		if n := utf8.RuneCountInString(f.Text); n > f.limit || n == 0 {
			t.Fatalf("%s holds %d characters after the paste, bound %d", where, n, f.limit)
		}
		if !strings.Contains(e.texts(), "The paste was 50,000 characters long, but "+f.what+" takes at most") {
			t.Errorf("%s: the window doesn't say what was cut:\n%s", where, e.texts())
		}
		click(f) // returns: the line is short
		f.SetText(strings.Repeat("a", f.limit))
		f.TypedRune('b')
		if utf8.RuneCountInString(f.Text) > f.limit {
			t.Errorf("%s took a character past its bound", where)
		}
		e.settle()
	}

	e.tap(e.s.welcome.start)
	o := e.org()
	check("Profile name", o.name)
	check("Login URL", o.url)
	check("Username", o.user)
	e.s.jump(0)
	e.settle()

	e.toECA("acme")
	e.jump(wizard.StepKey)
	k := e.key()
	k.optionsSec.open(true)
	check("Common name", k.cn)
	check("Valid for (days)", k.days)
	e.tap(k.saveCert)
	check("Save certificate: File name", findEntry(e.s.win.Canvas().Overlays().Top()))
	e.press("Cancel")

	e.jump(wizard.StepECA)
	e.tickAll(wizard.StepECA)
	e.next()
	e.tickAll(wizard.StepPermset)
	e.next()
	es := e.s.screen(wizard.StepEmbed).(*embedScreen)
	check("Production", es.prod)
	check("Development", es.dev)
	e.typeOrigins(es, "", "http://localhost:3000")
	e.tickAll(wizard.StepEmbed)
	e.next()
	check("Consumer key", e.consumer().entry)

	e.jump(wizard.StepWelcome)
	e.retest("acme-prod")
	e.next()
	check("Dashboard API name", e.s.screen(wizard.StepDone).(*doneScreen).preview.dashboard)

	e.jump(wizard.StepWelcome)
	e.tap(e.row("acme-prod").renew)
	check("Renewal: Valid for (days)", e.s.flow.days)
	e.press("Close")

	// No field of any screen or dialog built here is left unbounded.
	for id, scr := range e.s.screens {
		for _, f := range allEntries(scr.view()) {
			if _, ok := seen[f]; !ok && f.limit < 1 {
				t.Errorf("an unbounded field on %s", id)
			}
		}
	}
}

// tabStops walks Tab from first for as long as it stays on the screen,
// and checks each stop on it is in view and shows its focus.
func (e *env) tabStops(first fyne.Focusable) (stops int, scrolled bool) {
	e.t.Helper()
	scroll := e.s.scrolls[e.at()]
	c := e.s.win.Canvas()
	d := fyne.CurrentApp().Driver()
	inView := func(o fyne.CanvasObject) bool {
		top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(scroll).Y
		return top >= -1 && top+o.Size().Height <= scroll.Size().Height+1
	}
	c.Focus(first)
	for range 120 {
		f := c.Focused()
		o, ok := f.(fyne.CanvasObject)
		if !ok || !holds(scroll, o) {
			break
		}
		stops++
		if name := fmt.Sprintf("%T", f); strings.Contains(name, "elect") && !strings.Contains(name, "focusSelect") {
			e.t.Errorf("Tab stop %d is a selectable label (%s), which shows no focus", stops, name)
		}
		if !inView(o) {
			e.t.Fatalf("Tab stop %d (%T %q) is outside the view (offset %v)", stops, f, stopText(f), scroll.Offset)
		}
		scrolled = scrolled || scroll.Offset.Y > 0
		c.FocusNext()
	}
	return stops, scrolled
}

func stopText(f fyne.Focusable) string {
	switch x := f.(type) {
	case *focusButton:
		return x.Text
	case *focusCheck:
		return x.Text
	case *navEntry:
		return x.what
	}
	return ""
}

// holds reports whether o is under root, renderers included.
func holds(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	switch v := root.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			if holds(c, o) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if holds(c, o) {
				return true
			}
		}
	}
	return false
}

// Tab brings every stop into view, wherever it is on the screen: on the
// Live test after a pass (Reveal, Copy, Open in browser, Copy snippet were
// below the fold, and Space copied the frontdoor URL unseen), on Done (the
// preview and the exports) and on the Key step (Options, Use existing…),
// at 900×600 and 700×500. Read-only values are no Tab stops.
func TestTabKeepsEveryStopInView(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 900, Height: 600}, {Width: 700, Height: 500}} {
		t.Run(sizeName(size), func(t *testing.T) {
			e := newEnv(t)
			org := startPracticeOrg(t)
			e.savedOrg("acme", org.URL, true)
			e.s.win.Resize(size)
			r := e.retest("acme")
			stops, scrolled := e.tabStops(r.wait)
			if stops < 7 || !scrolled {
				t.Errorf("Live test: %d stops, scrolled %v; the outcome should need scrolling", stops, scrolled)
			}

			e.next()
			if off := e.s.scrolls[wizard.StepDone].Offset.Y; off != 0 {
				t.Errorf("Done opens scrolled down by %.0f: its summary, at the top, comes first", off)
			}
			d := e.s.screen(wizard.StepDone).(*doneScreen)
			if stops, scrolled = e.tabStops(d.preview.dashboard); stops < 7 || !scrolled {
				t.Errorf("Done: %d stops, scrolled %v", stops, scrolled)
			}

			e.jump(wizard.StepKey)
			k := e.key()
			k.optionsSec.open(true)
			k.importSec.open(true)
			e.settle()
			if stops, scrolled = e.tabStops(k.saveCert); stops < 9 || !scrolled {
				t.Errorf("Key: %d stops, scrolled %v", stops, scrolled)
			}
		})
	}
}

// Roll back from the Welcome row: the flow says what it is, lets the
// previous certificate be saved again, and its test waits while the
// upload propagates, then passes.
func TestRollBackSavesThePreviousCertificateAndWaitsForItsUpload(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // where the save dialog starts
	e := newEnv(t)
	org := clockOrg(t, e)
	e.savedOrg("acme", org.URL, true)
	old := testBundle(t)
	e.tap(e.row("acme").rotate)
	e.press("Make the new key and certificate")
	if err := org.E.UploadCertificate(emulatortest.AppName, []byte(e.stored("acme").Pending.CertificatePEM)); err != nil {
		t.Fatal(err)
	}
	e.press("Test now")
	e.see(rotation.Promoted)
	e.press("Close")

	e.tap(e.row("acme").rollback)
	e.press("Roll back")
	e.see("Roll back the key of acme")
	e.notSee("Renew the certificate of acme")
	e.see(rotation.RolledBack)
	e.see("Save the previous certificate again")
	e.see(fingerprintLines(certs.Describe(old.Cert, testNow).Fingerprint))
	f := e.s.flow
	if f == nil || f.saveCert.Disabled() || f.test.Disabled() {
		t.Fatal("after a rollback, Save certificate or Test is disabled")
	}
	e.press("Save certificate…")
	e.press("Save")
	e.see("Saved to ")
	if data, _ := os.ReadFile(filepath.Join(os.Getenv("HOME"), certs.CertFileName)); string(data) != string(old.CertPEM) {
		t.Fatal("Save wrote something other than the previous certificate")
	}
	// The upload of the previous certificate takes five minutes to reach
	// every server: the test keeps trying through "invalid assertion".
	if err := org.E.UploadCertificate(emulatortest.AppName, old.CertPEM); err != nil {
		t.Fatal(err)
	}
	e.press("Test now")
	e.see("The test passed: the previous key works again")
	if p := e.stored("acme"); p.LastTest == nil || !p.LastTest.OK {
		t.Errorf("the test after the rollback did not retry through propagation: %+v", p.LastTest)
	}
	e.press("Close")
	// The key kept as previous is the rotation's new one: the Discard
	// question speaks of the previous and current keys, not of a new key.
	e.tap(e.row("acme").discard)
	e.notSee("new key")
	e.see("every server uses the current key")
}

// A consumer key flagged on its step (the consumer secret pasted instead)
// is named on the Live test before anything is sent, the wait names a
// wrong key as the other cause of invalid_client_id, and Skip the wait
// ends the wait: one more try, whose refusal is shown with its diagnosis.
func TestAWrongConsumerKeyIsNamedAndSkipEndsTheWait(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	const secret = "D4A5E1C0F3B2A1908D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2918F7E6D5C4B3A2"
	if err := e.vault.Put(context.Background(), "acme", secrets.ConsumerKey, []byte(secret)); err != nil {
		t.Fatal(err)
	}
	entered, _ := slowPropagation(t, e, org)
	e.openLiveTest("acme")
	r := e.liveTest()
	test.Tap(r.run)
	<-entered // the first refusal; the client waits to retry
	e.queue.drain()
	e.see("The consumer key was flagged on its step: This looks like the consumer secret")
	e.see("this key is the likely cause, not an app still propagating")
	e.see(report.WrongKeyToo)
	if !r.skip.Visible() || !r.fixKey.Visible() {
		t.Fatal("no Skip the wait, or no way to the Consumer key step, while waiting")
	}

	test.Tap(r.skip)
	e.settle()
	if r.running || r.skip.Visible() || r.cancel.Visible() {
		t.Fatalf("the wait goes on after Skip the wait: running %v", r.running)
	}
	e.see("You skipped the wait: this is Salesforce's answer to one more try.")
	e.see("invalid_client_id")
	e.see("Salesforce does not recognise the consumer key")
	e.notSee("The test was cancelled")
	if p := e.stored("acme"); p.LastTest == nil || p.LastTest.Error != "invalid_client_id" {
		t.Errorf("the answer was not recorded: %+v", p.LastTest)
	}
	e.tap(r.fixKey)
	if e.at() != wizard.StepConsumerKey {
		t.Errorf("Go to Consumer key opened %s", e.at())
	}
}

// The Done screen tells one story about renewal, the right one: Renew
// certificate on the Welcome screen keeps the key, so nothing changes on
// the servers. It once also said to make a new key on the Key step and
// update SF_PRIVATE_KEY, which breaks them.
func TestDoneScreenTellsOneRenewalStory(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	e.retest("acme")
	e.next()
	e.see("press Renew certificate on this org's row of the Welcome screen")
	e.see("nothing changes on your servers")
	e.see("with Renew certificate on the Welcome screen")
	e.notSee("on the Key and certificate step")
	e.notSee("then update SF_PRIVATE_KEY")
}

// A copied secret leaves the clipboard when the window closes before its
// minute is up; something the admin copied since stays.
func TestClosingTheWindowClearsACopiedSecret(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.s.deps.after = func(time.Duration, func()) {} // the minute never ends here
	e.savedOrg("acme", org.URL, true)
	r := e.retest("acme")
	e.tap(r.copyURL)
	if e.clipboard() != r.frontdoor {
		t.Fatal("Copy did not copy the frontdoor URL")
	}
	w := &closeWatch{Window: e.s.win}
	e.s.win = w
	e.s.askClose()
	if !w.closed {
		t.Fatal("the window did not close")
	}
	if got := e.clipboard(); got != "" {
		t.Errorf("the frontdoor URL stayed on the clipboard after the window closed: %q", got)
	}

	e.open()
	e.s.deps.after = func(time.Duration, func()) {}
	r = e.retest("acme")
	e.tap(r.copySnippet)
	e.appRef.Clipboard().SetContent("the admin's own")
	w = &closeWatch{Window: e.s.win}
	e.s.win = w
	e.s.askClose()
	if got := e.clipboard(); !w.closed || got != "the admin's own" {
		t.Errorf("closing cleared what the admin copied (%q), or did not close (%v)", got, w.closed)
	}
}

// closeWatch is a window whose Close is only noted: Fyne's test window
// can't be closed twice, and the test's cleanup closes it.
type closeWatch struct {
	fyne.Window
	closed bool
}

func (w *closeWatch) Close() { w.closed = true }

// Generate in practice mode applies the checklist to the practice org
// without a complaint ("couldn't apply the checklist: No permission set
// with that name" on every run).
func TestPracticeGenerateAppliesTheChecklistQuietly(t *testing.T) {
	e := newEnv(t)
	e.tap(e.s.welcome.practice)
	t.Cleanup(e.s.leavePractice)
	e.next()
	e.key().adopt(e.s.wiz, testBundle(t))
	e.settle()
	e.notSee("couldn't apply")
}

// The Keychain step gives Store the keyboard on arrival, so Return stores;
// after a new key it no longer says the secrets are stored.
func TestKeychainStepAfterANewKey(t *testing.T) {
	e := newEnv(t)
	e.toKeychain("acme")
	k := e.keychain()
	if e.s.win.Canvas().Focused() != k.store {
		t.Fatalf("on arrival the keyboard is on %T, not Store", e.s.win.Canvas().Focused())
	}
	e.typeKey(fyne.KeyReturn)
	e.see("Stored in your " + secrets.Location())

	e.jump(wizard.StepKey)
	e.key().adopt(e.s.wiz, otherBundle(t))
	e.settle()
	e.jump(wizard.StepKeychain)
	e.notSee("Stored in your")
	e.see("Store the consumer key and private key in the keychain first.")
	if !k.store.Visible() || e.s.win.Canvas().Focused() != k.store {
		t.Fatal("Store is not offered, with the keyboard, after a new key")
	}
	e.typeKey(fyne.KeyReturn)
	e.see("Stored in your " + secrets.Location())
}

// When the desktop's opener fails (no browser for root: xdg-open's "no
// method available"), Open in browser says so, never quoting the URL, and
// keeps the frontdoor URL unused; Show the certificate file says so too.
// The opener is waited for, so none is left behind.
func TestAFailedOpenerIsReportedAndTheURLKept(t *testing.T) {
	if openCommand() != "xdg-open" {
		t.Skip("the desktop's opener here is not xdg-open")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\necho \"xdg-open: no method available for opening '$1'\" >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	r := e.retest("acme")
	e.s.deps.openURL = nil                          // the real opener, found on PATH
	e.s.deps.after = func(time.Duration, func()) {} // its answer decides, not the grace period
	e.tap(r.openURL)
	e.see("Couldn't open the frontdoor URL: xdg-open said “xdg-open: no method available for opening the address”")
	e.see("It is still unused: Copy it")
	e.notSee("used up")
	e.notSee(r.frontdoor)
	if zombies := openerZombies(t); zombies != 0 {
		t.Errorf("%d xdg-open processes were left unreaped", zombies)
	}

	e.jump(wizard.StepKey)
	path := filepath.Join(t.TempDir(), certs.CertFileName)
	e.key().saveTo(path)
	e.settle()
	e.jump(wizard.StepECA)
	e.tap(e.checklist(wizard.StepECA).reveal)
	e.see("Couldn't open " + filepath.Dir(path))
	e.notSee("Opened the folder")
}

// openerZombies counts this process's exited, unreaped xdg-open children.
func openerZombies(t *testing.T) int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	n := 0
	for _, s := range stats {
		data, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …
		line := string(data)
		end := strings.LastIndex(line, ")")
		if end < 0 || !strings.Contains(line[:end], "(xdg-open") {
			continue
		}
		f := strings.Fields(line[end+1:])
		if len(f) >= 2 && f[0] == "Z" && f[1] == fmt.Sprint(os.Getpid()) {
			n++
		}
	}
	return n
}

// A passing live test fits a 700-pixel window: What was sent once widened
// it to 767.
func TestAPassingLiveTestFits700Pixels(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.retest("acme")
	e.see("What was sent")
	if min := e.s.win.Canvas().Content().MinSize(); min.Width > 700 {
		t.Errorf("after a pass the window needs %v, wider than 700", min)
	}
}

// Return picks the safe choice where the other one loses something: Stay
// rather than Close anyway, Keep them rather than Replace.
func TestReturnPicksTheSafeChoice(t *testing.T) {
	e := newEnv(t)
	e.toKeychain("acme") // a pasted consumer key, not stored yet
	w := &closeWatch{Window: e.s.win}
	e.s.win = w
	e.s.askClose()
	e.see("closing now loses it")
	e.typeKey(fyne.KeyReturn) // to the focused button
	if w.closed || e.topDialog() != nil {
		t.Fatalf("Return on Close tnjwt? closed the window (%v) or left the question (%v)", w.closed, e.topDialog() != nil)
	}
	e.s.askClose()
	e.s.win.Canvas().Unfocus()
	e.typeKey(fyne.KeyReturn) // to the window, nothing focused
	if w.closed || e.topDialog() != nil {
		t.Fatal("Return with nothing focused closed the window")
	}

	e2 := newEnv(t)
	org := startPracticeOrg(t)
	e2.savedOrg("acme", org.URL, true)
	e2.retest("acme")
	e2.next()
	d := e2.s.screen(wizard.StepDone).(*doneScreen)
	dir := t.TempDir()
	env := filepath.Join(dir, ".env")
	if err := os.WriteFile(env, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.exports.exportTo("env", dir)
	e2.settle()
	e2.see("These files are already there")
	e2.typeKey(fyne.KeyReturn)
	if data, _ := os.ReadFile(env); string(data) != "mine" {
		t.Fatal("Return replaced the file")
	}
	e2.see("Nothing was written")
}

// Escape closes the Heroku command dialog, as it does every other.
func TestEscapeClosesTheHerokuDialog(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	e.retest("acme")
	e.next()
	e.tap(e.s.screen(wizard.StepDone).(*doneScreen).heroku)
	if e.topDialog() == nil {
		t.Fatal("no Heroku dialog")
	}
	e.typeKey(fyne.KeyEscape)
	if e.topDialog() != nil {
		t.Error("Escape left the Heroku dialog open")
	}
}

// In practice mode the window never says the secrets are in the system's
// keychain, nor that closing loses nothing; closing or leaving asks first.
// Renew and Rotate can be rehearsed, and a rotation exports its new key.
func TestPracticeSaysWhereTheSecretsAreAndRehearsesARotation(t *testing.T) {
	e := newEnv(t)
	e.practiceWalk("", false)
	for _, id := range []wizard.StepID{wizard.StepKey, wizard.StepConsumerKey, wizard.StepKeychain, wizard.StepLiveTest} {
		e.jump(id)
		e.notSee(secrets.Location())
		e.notSee("loses nothing")
	}
	e.see("practice keychain")
	e.tap(e.liveTest().run)
	e.next()
	e.see(wizard.InMemory)
	e.notSee(secrets.Location())

	w := &closeWatch{Window: e.s.win}
	e.s.win = w
	e.s.askClose()
	e.see("Practice ends")
	e.press("Stay")
	if w.closed {
		t.Fatal("closing in practice did not ask")
	}

	e.jump(wizard.StepWelcome)
	row := e.row(wizard.PracticeProfile)
	if !row.renew.Visible() || !row.rotate.Visible() {
		t.Fatal("Renew and Rotate can't be rehearsed in practice")
	}
	e.tap(row.rotate)
	e.press("Make the new key and certificate")
	f := e.s.flow
	dir := t.TempDir()
	f.servers.exportTo("key", dir)
	e.settle()
	pending, err := e.s.deps.Vault.Get(context.Background(), wizard.PracticeProfile, secrets.PendingPrivateKey)
	if data, _ := os.ReadFile(filepath.Join(dir, certs.KeyFileName)); err != nil || string(data) != string(pending) {
		t.Fatalf("the export during the rotation does not hold the new key (%v)", err)
	}
	e.see("They hold the new key of the rotation.")
	// A server project of the stack picked holds the new key too.
	if f.stack.Disabled() || f.serverButtons[2].Disabled() {
		t.Fatal("Save server with the new key… stays off once the new key is made")
	}
	f.stack.SetSelected(export.Stacks[2].Name) // the button opens a folder dialog: write as it would
	serverDir := t.TempDir()
	f.servers.exportTo(export.Stacks[f.stack.SelectedIndex()].Format, serverDir)
	e.settle()
	env, _ := os.ReadFile(filepath.Join(serverDir, export.EnvFileName))
	if lines := strings.Split(string(pending), "\n"); !strings.Contains(string(env), lines[1]) {
		t.Fatal("the server exported during the rotation does not hold the new key")
	}
	e.press("Upload to the practice app")
	e.see("Uploaded to the practice app")
	e.s.practice.org.SkipPropagation()
	e.press("Test now")
	e.see(rotation.Promoted)
}

// A long status message wraps beside Back and Next, which keep their own
// height; two buttons on a Welcome row never read the same, nor share an
// icon.
func TestFooterAndRowButtonsStayTellable(t *testing.T) {
	e := newEnv(t)
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.s.setStatus(strings.Repeat("A status message long enough to wrap onto several lines. ", 6))
	e.settle()
	if h, min := e.s.back.Size().Height, e.s.back.MinSize().Height; h > min+1 {
		t.Errorf("Back is %.0f high beside a long status, not its own %.0f", h, min)
	}
	if h, min := e.s.next.Size().Height, e.s.next.MinSize().Height; h > min+1 {
		t.Errorf("Next is %.0f high beside a long status, not its own %.0f", h, min)
	}

	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	row := e.row("acme")
	if row.rotate.Icon == row.retest.Icon {
		t.Error("Rotate key and Re-test share an icon")
	}
	if _, err := e.s.manager().Rotate(context.Background(), "acme", 0, 0, nil); err != nil {
		t.Fatal(err)
	}
	e.s.welcome.reload()
	e.settle()
	row = e.row("acme")
	if row.open.Text == row.resumeRotation.Text {
		t.Errorf("two %q buttons on one row during a rotation", row.open.Text)
	}
}
