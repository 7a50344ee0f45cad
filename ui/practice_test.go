package ui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/wizard"
)

// practiceWalk starts practice mode from Welcome and walks to the Live test
// with every item ticked but skip; the practice app's changes are made live
// at once unless wait is set.
func (e *env) practiceWalk(skip string, wait bool) {
	e.t.Helper()
	e.tap(e.s.welcome.practice)
	if e.s.practice == nil || e.at() != wizard.StepOrg {
		e.t.Fatalf("practice mode did not start at the Org screen (at %s)", e.at())
	}
	e.t.Cleanup(e.s.leavePractice)
	e.see(practiceBanner)
	o := e.org()
	if o.url.Text != e.s.practice.org.URL() || o.user.Text != wizard.PracticeUser {
		e.t.Fatalf("the Org screen is not filled in for the practice org: %q %q", o.url.Text, o.user.Text)
	}
	e.next()
	e.key().adopt(e.s.wiz, testBundle(e.t))
	e.settle()
	e.s.changed()
	e.next()
	for _, step := range []wizard.StepID{wizard.StepECA, wizard.StepPermset, wizard.StepEmbed} {
		c := e.checklist(step)
		for _, it := range e.s.wiz.Step().Items {
			if check, ok := c.checks[it.ID]; ok && it.ID != skip {
				test.Tap(check)
			}
		}
		e.settle()
		e.next()
		if len(e.s.win.Canvas().Overlays().List()) > 0 { // "some items aren't ticked": move on
			e.tap(findButton(e.s.win.Canvas().Overlays().Top(), "Move on"))
		}
	}
	e.see("Practice org: the app's Consumer Key, as Setup shows it")
	e.pasteKey(e.s.practice.org.ConsumerKey)
	e.next()
	e.tap(e.keychain().store)
	e.next()
	if e.at() != wizard.StepLiveTest {
		e.t.Fatalf("at %s, want the live test", e.at())
	}
	if !wait {
		e.s.practice.org.SkipPropagation()
	}
}

// The whole rehearsal: Welcome → every step → the live test waits while the
// practice app "propagates", Skip the wait, a frontdoor URL; the exports
// say they are for the practice org; leaving practice forgets it all.
func TestPracticeModeWalksToAFrontdoorURL(t *testing.T) {
	e := newEnv(t)
	released := make(chan struct{})
	entered := make(chan struct{}, 10)
	e.s.deps.client = func() *salesforce.Client {
		c := salesforce.NewClient(10 * time.Second)
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			entered <- struct{}{}
			select {
			case <-released:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return c
	}
	e.practiceWalk("", true)
	dir := e.s.practice.dir
	r := e.liveTest()
	test.Tap(r.run)
	<-entered // the app's settings are still "propagating": invalid_client_id
	e.queue.drain()
	e.see("Waiting for the app to go live: 10:00 left, 1 try so far.")
	if !r.skip.Visible() {
		t.Fatal("no Skip the wait in practice mode")
	}
	test.Tap(r.skip)
	close(released)
	e.settle()
	e.see("The JWT bearer flow works for practice.")
	if !strings.HasPrefix(r.frontdoor, e.s.practice.org.URL()+"/secur/frontdoor.jsp?otp=") {
		t.Fatalf("frontdoor URL %q", r.frontdoor)
	}
	e.next()
	org, err := wizard.ExportOrg(context.Background(), e.s.deps.Vault, e.s.wiz.State().Profile, testNow)
	if err != nil || !org.Practice {
		t.Fatalf("exports of a practice profile are not marked: %v", err)
	}
	e.jump(wizard.StepWelcome)
	e.see("practice (practice org)")

	// Leaving asks first, and Return keeps the walk: Stay is the default.
	e.tap(e.s.leave)
	e.see("Practice ends: the practice org and everything entered for it")
	e.typeKey(fyne.KeyReturn)
	if e.s.practice == nil || e.topDialog() != nil {
		t.Fatal("Return left practice, or left the question open")
	}
	e.tap(e.s.leave)
	e.press("Leave practice")
	if e.s.practice != nil || e.s.bannerBox.Visible() {
		t.Fatal("still in practice mode")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the practice folder is still there: %v", err)
	}
	e.notSee("practice (practice org)")
	if list, _ := e.store.List(); len(list) != 0 {
		t.Errorf("practice profiles reached the real store: %v", list)
	}
	if _, err := e.vault.Get(context.Background(), wizard.PracticeProfile, "consumer-key"); err == nil {
		t.Error("practice secrets reached the real keychain")
	}
}

// Each checklist item Salesforce enforces, skipped alone, makes the live
// test refuse, and the diagnosis leads back to that very item.
func TestPracticeEachSkippedItemLeadsBackToIt(t *testing.T) {
	for _, c := range []struct {
		skip string
		step wizard.StepID
		says string
	}{
		{wizard.IDECAScopes, wizard.StepECA, "Invalid_Scope"},
		{wizard.IDECAJWTEnable, wizard.StepECA, "invalid assertion"},
		{wizard.IDECACertUpload, wizard.StepECA, "invalid assertion"},
		{wizard.IDPermsetCreate, wizard.StepPermset, "user hasn't approved this consumer"},
		{wizard.IDPermsetAssign, wizard.StepPermset, "user hasn't approved this consumer"},
		{wizard.IDECAPermittedUsers, wizard.StepPermset, "user hasn't approved this consumer"},
		{wizard.IDECAAppPolicies, wizard.StepPermset, "user hasn't approved this consumer"},
	} {
		t.Run(c.skip, func(t *testing.T) {
			e := newEnv(t)
			e.practiceWalk(c.skip, false)
			r := e.liveTest()
			e.tap(r.run)
			e.see(c.says)
			e.see("Checklist step: " + wizard.ChecklistName(e.s.steps, c.skip))
			if r.goStep == nil {
				t.Fatal("no Go to step")
			}
			e.tap(r.goStep)
			if e.at() != c.step || !e.checklist(c.step).highlighted(c.skip) {
				t.Fatalf("Go to step opened %s without %s highlighted", e.at(), c.skip)
			}
			// Ticking it there fixes the practice org, as fixing Setup would.
			test.Tap(e.checklist(c.step).checks[c.skip])
			e.s.practice.org.SkipPropagation()
			e.jump(wizard.StepLiveTest)
			e.tap(r.run)
			e.see("The JWT bearer flow works for practice.")
		})
	}
}

// The items Salesforce does not check when it issues the token say so in
// practice mode, and skipping them leaves the live test passing.
func TestPracticeItemsTheTestCannotNotice(t *testing.T) {
	e := newEnv(t)
	e.practiceWalk(wizard.IDViewerAssign, false)
	e.jump(wizard.StepECA)
	e.see(wizard.NoEffect[wizard.IDECARefreshSecret])
	e.jump(wizard.StepLiveTest)
	e.tap(e.liveTest().run)
	e.see("The JWT bearer flow works for practice.")
}
