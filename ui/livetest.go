package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// liveTestTimeout bounds one attempt of the live test (sign, token,
// singleaccess), as `tnjwt test` does by default.
const liveTestTimeout = 30 * time.Second

// testClient is the JWT bearer client of the live test.
func (s *shell) testClient() *salesforce.Client {
	if s.deps.client != nil {
		return s.deps.client()
	}
	return salesforce.NewClient(liveTestTimeout)
}

// liveTestScreen runs the exchange with the keychain's secrets off the UI
// goroutine and shows it as it happens: a timeline of the three phases,
// what was sent, the propagation countdown, then the frontdoor URL or what
// is wrong and the way to the step that fixes it.
type liveTestScreen struct {
	s *shell

	intro       *widget.Label
	run, cancel *focusButton
	skip        *focusButton // stop waiting: one more try now (in practice, with the app's changes live)
	wait        *focusCheck  // keep retrying while a new or edited app propagates
	keyFlag     *message     // the consumer key was flagged on its step
	fixKey      *focusButton // to the Consumer key step
	keyBox      *fyne.Container
	phases      map[string]*phaseRow
	status      *widget.Label // "Testing… attempt N", the countdown
	detail      *widget.Label // why it waits between attempts
	bar         *widget.ProgressBarInfinite
	sentBox     *fyne.Container
	sentForm    *fyne.Container
	outcome     *fyne.Container // rebuilt for each result

	stop                context.CancelFunc
	running, cancelling bool
	skipping, skipped   bool           // Skip the wait was pressed: one more try, without waiting
	waited              time.Duration  // propagation wait so far, from the client's own pauses
	toFocus             fyne.Focusable // what takes the keyboard once the outcome is laid out

	// The outcome (tests read these).
	frontdoor                string
	url                      *widget.Label // the frontdoor URL, masked until Reveal
	revealed                 bool
	reveal, copyURL, openURL *focusButton
	copyOrg, copySnippet     *focusButton
	goStep, continueStep     *focusButton
	useOwn                   *focusButton // switch a legacy login host to the org's own My Domain
	saveProblem              *message

	root fyne.CanvasObject
}

// phaseRow is one line of the timeline: mark, phase, time.
type phaseRow struct {
	mark, label, took *widget.Label
}

func newLiveTestScreen(s *shell) *liveTestScreen {
	t := &liveTestScreen{s: s, phases: map[string]*phaseRow{}}
	t.intro = wrapped("")
	t.run = newFocusButton(s, "Run the live test", theme.MediaPlayIcon(), t.start)
	t.run.Importance = widget.HighImportance
	t.cancel = newFocusButton(s, "Cancel", theme.CancelIcon(), t.abort)
	t.cancel.Hide()
	t.skip = newFocusButton(s, "Skip the wait", theme.MediaFastForwardIcon(), t.skipWait)
	t.skip.Hide()
	t.wait = newFocusCheck(s, "Retry while a new app propagates (up to "+salesforce.PlainDuration(wizard.RetestWait)+")", nil)
	t.wait.SetChecked(true)
	t.keyFlag = newMessage()
	t.fixKey = newFocusButton(s, "Go to Consumer key", theme.NavigateBackIcon(), func() {
		t.abort()
		t.s.goToItem(wizard.StepConsumerKey, wizard.IDECAConsumerKey)
	})
	t.keyBox = container.NewVBox(t.keyFlag, container.NewHBox(t.fixKey))
	t.keyBox.Hide()

	timeline := container.New(layout.NewFormLayout())
	for _, p := range report.Phases {
		row := &phaseRow{mark: widget.NewLabel("·"), label: widget.NewLabel(p.Label), took: widget.NewLabel("")}
		t.phases[p.ID] = row
		timeline.Add(row.mark)
		timeline.Add(container.NewBorder(nil, nil, nil, row.took, row.label))
	}
	t.status = wrappedBold("")
	t.status.Hide()
	t.detail = wrapped("")
	t.detail.Hide()
	t.bar = widget.NewProgressBarInfinite()
	t.bar.Stop()
	t.bar.Hide()

	t.sentForm = container.New(layout.NewFormLayout())
	t.sentBox = container.NewVBox(widget.NewSeparator(), wrappedBold("What was sent"),
		subtle("Compare these with Setup: the consumer key, the run-as user and the login host."), t.sentForm)
	t.sentBox.Hide()
	t.outcome = container.NewVBox()

	t.root = container.NewVBox(t.intro, t.keyBox, t.wait, container.NewHBox(t.run, t.cancel, t.skip),
		timeline, t.status, t.detail, t.bar, t.outcome, t.sentBox)
	return t
}

func (t *liveTestScreen) view() fyne.CanvasObject { return t.root }

func (t *liveTestScreen) show() {
	st := t.s.wiz.State()
	p := st.Profile
	t.intro.SetText(fmt.Sprintf("The test signs a JWT with the private key in your %s, asks %s for an access token "+
		"for %s, then turns it into a single-use frontdoor URL, exactly as your app's server will.",
		t.s.keychainName(), report.OrDash(p.LoginURL), report.OrDash(p.Username)))
	if st.ConsumerKey != "" && !t.running {
		t.flag(wizard.ConsumerKeyDoubt(st.ConsumerKey))
	}
}

// flag says, before any wait, that the consumer key was flagged on its
// step: invalid_client_id then most likely means that key, not an app
// still propagating. "" takes the warning away.
func (t *liveTestScreen) flag(doubt string) {
	if doubt == "" {
		t.keyBox.Hide()
		return
	}
	t.keyFlag.set("", "The consumer key was flagged on its step: "+doubt+
		" If Salesforce answers invalid_client_id, this key is the likely cause, not an app still propagating.")
	t.keyBox.Show()
}

func (t *liveTestScreen) focusFirst() { t.s.win.Canvas().Focus(t.run) }

// liveOutcome is what one run of the test came back with.
type liveOutcome struct {
	res  *salesforce.Result
	err  error
	sent bool // the exchange ran: the outcome is worth recording
}

// start runs the test of the profile on show.
func (t *liveTestScreen) start() {
	var wait time.Duration
	if t.wait.Checked {
		wait = wizard.RetestWait
	}
	t.skipped = false
	t.startWith(wait, "Reading the secrets from your "+t.s.keychainName()+"…",
		"If your keychain asks for your password or for permission, answer there.")
}

// startWith runs the test, retrying while the app propagates for up to wait.
func (t *liveTestScreen) startWith(wait time.Duration, status, detail string) {
	if t.running {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	t.stop, t.running, t.cancelling, t.skipping, t.waited = stop, true, false, false, 0
	t.clearOutcome()
	t.busy(true)
	t.setStatus(status, detail)
	j, vault, p, client := t.s.jobs, t.s.deps.Vault, t.s.wiz.State().Profile, t.s.testClient()
	background(j, func() liveOutcome {
		req, err := wizard.TestRequest(ctx, vault, p, wait)
		if err != nil {
			return liveOutcome{err: err}
		}
		doubt := wizard.ConsumerKeyDoubt(req.ClientID)
		j.post(func() { t.flag(doubt) })
		req.OnPhase = func(e salesforce.PhaseEvent) { j.post(func() { t.phase(e) }) }
		req.OnAttempt = func(a salesforce.Attempt) { j.post(func() { t.attempted(a, wait) }) }
		res, err := client.Exchange(ctx, req)
		return liveOutcome{res, err, true}
	}, func(o liveOutcome) {
		cancelled := ctx.Err() != nil
		stop()
		t.running = false
		if t.skipping && !t.cancelling {
			// Skip the wait ended this run's wait: one more try, at once.
			t.skipped = true
			t.startWith(0, "Skipped the wait: one more try now…", t.skipDetail())
			t.s.relayout()
			return
		}
		t.busy(false)
		t.finish(o, cancelled)
		t.s.relayout()
		if t.toFocus != nil {
			t.s.win.Canvas().Focus(t.toFocus)
			t.toFocus = nil
		}
	})
	t.s.relayout()
}

// skipDetail says what Skip the wait does.
func (t *liveTestScreen) skipDetail() string {
	if t.s.practice != nil {
		return "The practice app's changes are live now. Whatever Salesforce answers this time is shown, without waiting again."
	}
	return "Whatever Salesforce answers this time is shown, without waiting again."
}

// busy switches between the Run and Cancel buttons and the progress bar.
func (t *liveTestScreen) busy(on bool) {
	if on {
		t.run.Disable()
		t.cancel.Enable()
		t.cancel.Show()
		t.bar.Show()
		t.bar.Start()
		t.s.win.Canvas().Focus(t.cancel)
		t.toFocus = nil
		return
	}
	t.bar.Stop() // an animation left running would redraw forever
	t.bar.Hide()
	t.cancel.Hide()
	t.skip.Hide()
	t.run.Enable()
	t.run.SetText("Test again")
}

func (t *liveTestScreen) setStatus(status, detail string) {
	t.status.SetText(status)
	t.status.Show()
	t.detail.SetText(detail)
	t.detail.Show()
}

// phase draws one phase starting or ending; a new attempt starts afresh.
func (t *liveTestScreen) phase(e salesforce.PhaseEvent) {
	if !t.running || t.cancelling || t.skipping {
		return
	}
	row := t.phases[e.Phase]
	if row == nil {
		return
	}
	if e.Phase == salesforce.PhaseSign && !e.Done {
		t.resetPhases()
		if e.Attempt == 1 {
			t.setStatus("Testing…", "Signing the JWT and asking Salesforce for an access token, then for a frontdoor URL.")
		}
	}
	switch {
	case !e.Done:
		row.mark.SetText("…")
		row.took.SetText("running")
	case e.Err != nil:
		row.mark.SetText("✗")
		row.mark.Importance = widget.DangerImportance
		row.took.SetText(report.Took(e.Took))
	default:
		row.mark.SetText("✓")
		row.mark.Importance = widget.SuccessImportance
		row.took.SetText(report.Took(e.Took))
	}
	row.mark.Refresh()
}

func (t *liveTestScreen) resetPhases() {
	for _, r := range t.phases {
		r.mark.Importance = widget.MediumImportance
		r.mark.SetText("·")
		r.took.SetText("")
	}
}

// attempted shows the countdown after a try that will be repeated.
func (t *liveTestScreen) attempted(a salesforce.Attempt, budget time.Duration) {
	if !t.running || t.cancelling || t.skipping || a.Err == nil {
		return
	}
	if a.Audience != "" {
		t.setStatus("Testing…", report.Discovering(a))
		t.s.relayout()
		return
	}
	if a.Next <= 0 {
		return
	}
	left := budget - t.waited // of the budget, when this pause begins
	t.waited += a.Next
	t.setStatus(report.Countdown(left, a.N), report.Retrying(a, budget)+
		" Skip the wait tries once more now and shows the answer; Cancel stops the test.")
	t.skip.Show()
	t.s.relayout()
}

// skipWait ends the wait: the run under way stops, and one more try runs
// at once, whose answer is shown whatever it is. In practice mode the
// practice app's changes are made live first, as if the wait were over.
func (t *liveTestScreen) skipWait() {
	if !t.running || t.cancelling || t.skipping {
		return
	}
	if t.s.practice != nil {
		t.s.practice.org.SkipPropagation()
	}
	t.skipping = true
	t.skip.Hide()
	t.setStatus("Skipping the wait…", t.skipDetail())
	t.stop()
}

func (t *liveTestScreen) abort() {
	if t.stop == nil || !t.running {
		return
	}
	t.cancelling = true
	t.skip.Hide()
	t.stop()
	t.status.SetText("Cancelling…")
	t.cancel.Disable()
}

func (t *liveTestScreen) clearOutcome() {
	t.outcome.RemoveAll()
	t.frontdoor, t.revealed = "", false
	t.url, t.reveal, t.copyURL, t.openURL, t.copyOrg, t.copySnippet = nil, nil, nil, nil, nil, nil
	t.goStep, t.continueStep, t.useOwn = nil, nil, nil
	t.sentBox.Hide()
	t.resetPhases()
}

// finish shows the outcome and records a test that reached the server.
func (t *liveTestScreen) finish(o liveOutcome, cancelled bool) {
	t.status.Hide()
	t.detail.Hide()
	var ie *salesforce.InputError
	switch {
	case o.err != nil && (cancelled || wizard.Cancelled(o.err)):
		t.resetPhases()
		t.outcome.Add(wrapped("The test was cancelled. Nothing was recorded."))
		t.s.setStatus("The test of " + t.s.wiz.State().Profile.Name + " was cancelled. Nothing was recorded.")
		t.toFocus = t.run
		return
	case !o.sent:
		t.showNotReady(o.err)
		return
	case errors.As(o.err, &ie):
		// The profile holds something the client refuses to send: nothing went out.
		t.showNotReady(&wizard.NotReadyError{Problem: "This profile can't be tested as it is: " + inputText(o.err)})
		return
	}
	t.showSent(o.res)
	d := salesforce.Diagnose(o.err)
	if d != nil {
		blamed := *d
		blamed.Step = wizard.Blame(t.s.wiz.State().Profile, d)
		d = &blamed
	}
	rec := profiles.TestResultOf(t.s.deps.Now(), o.res, o.err, d)
	t.s.wiz.RecordTest(rec)
	t.s.changed()
	if t.skipped {
		t.outcome.Add(subtle("You skipped the wait: this is Salesforce's answer to one more try."))
	}
	if o.err == nil {
		t.showSuccess(o.res)
	} else {
		t.showFailure(o.res, o.err, d)
	}
}

// showSent fills "What was sent" from the last assertion signed.
func (t *liveTestScreen) showSent(res *salesforce.Result) {
	t.sentForm.RemoveAll()
	fields := report.WhatWasSent(res.Sent)
	for _, f := range fields {
		t.sentForm.Add(widget.NewLabel(f.Label))
		t.sentForm.Add(valueLabel(f.Value))
	}
	if len(fields) > 0 {
		t.sentBox.Show()
	}
}

func (t *liveTestScreen) showSuccess(res *salesforce.Result) {
	t.frontdoor = res.FrontdoorURI
	name := t.s.wiz.State().Profile.Name
	ok := wrappedBold("✓ The JWT bearer flow works for " + name + ".")
	ok.Importance = widget.SuccessImportance
	box := t.outcome
	box.Add(ok)
	box.Add(subtle(report.Timings(res)))
	if tried := report.AudiencesTried(res); tried != "" {
		box.Add(wrapped(tried + " tnjwt remembers it for this org."))
	}

	t.url = monoWrapped(report.MaskFrontdoor(t.frontdoor))
	t.reveal = newFocusButton(t.s, "Reveal", theme.VisibilityIcon(), t.toggleReveal)
	t.copyURL = newFocusButton(t.s, "Copy", theme.ContentCopyIcon(), func() {
		t.s.copySecret("the frontdoor URL", t.frontdoor)
	})
	t.openURL = newFocusButton(t.s, "Open in browser", theme.ComputerIcon(), t.open)
	box.Add(wrappedBold("Frontdoor URL"))
	box.Add(subtle(report.FrontdoorNote + " Opening it uses it up: test again for a new one."))
	box.Add(t.url)
	box.Add(container.NewHBox(t.reveal, t.copyURL, t.openURL))

	orgURL, known := report.OrgURL(res)
	box.Add(wrappedBold("Lightning orgUrl (the SDK's orgUrl)"))
	if !known {
		box.Add(wrapped(report.NoLightningURL(res.InstanceURL)))
	} else {
		t.copyOrg = newFocusButton(t.s, "Copy", theme.ContentCopyIcon(), func() {
			t.s.copy("the Lightning orgUrl", orgURL)
		})
		box.Add(container.NewBorder(nil, nil, nil, t.copyOrg, monoWrapped(orgURL)))
	}

	box.Add(wrappedBold("Tableau Next Embedding SDK (" + report.SDKPackage + ")"))
	snippet := monoWrapped(report.SDKCall(report.MaskFrontdoor(t.frontdoor), orgURL))
	t.copySnippet = newFocusButton(t.s, "Copy snippet", theme.ContentCopyIcon(), func() {
		t.s.copySecret("the SDK snippet (it holds the frontdoor URL)", report.SDKCall(t.frontdoor, orgURL))
	})
	box.Add(snippet)
	box.Add(container.NewHBox(t.copySnippet))
	box.Add(wrapped("Next: the settings and code your app's servers need to do this themselves."))
	t.toFocus = t.reveal
}

func (t *liveTestScreen) toggleReveal() {
	t.revealed = !t.revealed
	if t.revealed {
		t.url.SetText(t.frontdoor)
		t.reveal.SetText("Hide")
		t.reveal.SetIcon(theme.VisibilityOffIcon())
		return
	}
	t.url.SetText(report.MaskFrontdoor(t.frontdoor))
	t.reveal.SetText("Reveal")
	t.reveal.SetIcon(theme.VisibilityIcon())
}

// open hands the frontdoor URL to the browser, which signs in with it.
// Only an opener that worked uses it up.
func (t *liveTestScreen) open() {
	u, err := url.Parse(t.frontdoor)
	if err != nil {
		t.s.setStatus("The frontdoor URL can't be opened: test again for a new one.")
		return
	}
	t.s.setStatus("Opening the frontdoor URL in your browser…")
	t.s.open(u, func(err error) {
		if err != nil {
			t.s.setStatus(openFailed(err, "the frontdoor URL") + " It is still unused: Copy it, then paste it into a browser.")
			return
		}
		t.s.setStatus("Opened the frontdoor URL in your browser. It is used up now: test again for a new one.")
	})
}

func (t *liveTestScreen) showFailure(res *salesforce.Result, err error, d *salesforce.Diagnosis) {
	box := t.outcome
	var (
		re *salesforce.RefusalError
		te *salesforce.TransportError
	)
	switch {
	case errors.As(err, &re):
		head := wrappedBold("✗ " + re.Summary() + ".")
		head.Importance = widget.DangerImportance
		box.Add(head)
		box.Add(container.New(layout.NewFormLayout(),
			widget.NewLabel("error"), valueLabel(report.OrDash(re.Code)),
			widget.NewLabel("error_description"), valueLabel(report.OrDash(re.Description))))
		if re.Attempts > 1 {
			box.Add(subtle(fmt.Sprintf("Tried %d times over %s while the app's settings propagated.",
				re.Attempts, salesforce.PlainDuration(re.Waited))))
		}
	case errors.As(err, &te):
		head := wrappedBold("✗ The test could not finish.")
		head.Importance = widget.DangerImportance
		box.Add(head)
		box.Add(wrapped(report.Transport(te)))
		box.Add(wrapped(report.TransportAdvice(te)))
	default:
		head := wrappedBold("✗ " + inputText(err))
		head.Wrapping = fyne.TextWrapWord
		head.Importance = widget.DangerImportance
		box.Add(head)
	}
	box.Add(subtle(report.Timings(res)))
	if tried := report.AudiencesTried(res); tried != "" {
		box.Add(wrapped(tried))
	}
	t.addDiagnosis(d, re != nil)
	if own := t.s.wiz.State().Profile.MyDomainOffer(err); own != "" {
		box.Add(wrapped("An earlier test of this org learned its My Domain URL: " + own + "."))
		t.useOwn = newFocusButton(t.s, "Use "+own+" and test again", theme.ViewRefreshIcon(), func() {
			t.s.wiz.UseMyDomain(own)
			t.s.changed()
			t.show()
			t.start()
		})
		t.useOwn.Importance = widget.HighImportance
		box.Add(container.NewHBox(t.useOwn))
	}
	if t.goStep != nil {
		t.toFocus = t.goStep
	} else {
		t.toFocus = t.run
	}
}

// addDiagnosis names the cause, the fix and the checklist step; when a
// screen covers that step, a button opens it at the item.
func (t *liveTestScreen) addDiagnosis(d *salesforce.Diagnosis, refused bool) {
	box := t.outcome
	if d == nil {
		if refused {
			box.Add(wrapped(report.UnknownRefusal))
		}
		return
	}
	box.Add(widget.NewSeparator())
	title := wrappedBold(d.Title)
	box.Add(title)
	box.Add(wrapped(d.Fix))
	box.Add(subtle("Checklist step: " + wizard.ChecklistName(t.s.steps, d.Step)))
	id, ok := wizard.ScreenFor(t.s.steps, d.Step)
	if !ok || id == wizard.StepLiveTest {
		return
	}
	item := d.Step
	t.goStep = newFocusButton(t.s, "Go to step: "+t.s.steps[t.s.wiz.Index(id)].Title, theme.NavigateNextIcon(), func() {
		t.s.goToItem(id, item)
	})
	t.goStep.Importance = widget.HighImportance
	box.Add(container.NewHBox(t.goStep))
}

// showNotReady explains why the test couldn't start: the setup isn't
// finished (offer the step) or the keychain failed (its remedy).
func (t *liveTestScreen) showNotReady(err error) {
	t.resetPhases()
	var (
		nr *wizard.NotReadyError
		se *secrets.Error
	)
	box := t.outcome
	switch {
	case errors.As(err, &nr):
		box.Add(wrappedBold("This org isn't ready to test yet."))
		box.Add(wrapped(nr.Problem))
		t.continueStep = newFocusButton(t.s, "Go to the unfinished step", theme.NavigateNextIcon(), func() {
			t.s.resume(t.s.wiz.State().Profile)
		})
		t.continueStep.Importance = widget.HighImportance
		box.Add(container.NewHBox(t.continueStep))
		t.toFocus = t.continueStep
	case errors.As(err, &se):
		box.Add(wrappedBold("Couldn't read the secrets from your " + t.s.keychainName() + "."))
		m := newMessage()
		m.set(se.Message, "")
		box.Add(m)
		if se.Remedy != "" {
			box.Add(wrapped(se.Remedy))
		}
		box.Add(wrapped("Then press Test again."))
		t.toFocus = t.run
	default:
		box.Add(wrapped(errorText(err)))
		t.toFocus = t.run
	}
}

// valueLabel is a value read from a server or a profile. It wraps at
// spaces, and one with a long unbroken run (a URL, a key) anywhere, so it
// fits a narrow window. It is no Tab stop: a selectable label is one, and
// shows no mark of its focus.
func valueLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	for _, w := range strings.Fields(text) {
		if utf8.RuneCountInString(w) > 24 {
			l.Wrapping = fyne.TextWrapBreak
			break
		}
	}
	return l
}
