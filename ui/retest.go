package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// liveTestTimeout bounds one attempt of the live test (sign, token,
// singleaccess), as `tnjwt test` does by default.
const liveTestTimeout = 30 * time.Second

// maskKeep is how much of the frontdoor URL shows before Reveal: the org's
// address, never the one-time code.
const maskKeep = 30

// placeholderOrgURL stands in the SDK snippet when the Lightning address
// can't be told from the instance URL, as `tnjwt test` prints it.
const placeholderOrgURL = "https://YOUR-ORG.lightning.force.com"

// mask hides a credential but its start.
func mask(s string) string {
	r := []rune(s)
	return string(r[:min(maskKeep, len(r)/2)]) + "••••••"
}

// sdkSnippet is the call that starts the Tableau Next Embedding SDK.
func sdkSnippet(authCredential, orgURL string) string {
	return fmt.Sprintf("initializeAnalyticsSdk({ authCredential: %q, orgUrl: %q })", authCredential, orgURL)
}

// testClient is the JWT bearer client of the live test.
func (s *shell) testClient() *salesforce.Client {
	if s.deps.client != nil {
		return s.deps.client()
	}
	return salesforce.NewClient(liveTestTimeout)
}

// retest is one live test of a saved profile, started from the Welcome
// screen: it reads the secrets from the keychain, runs the exchange off the
// UI goroutine with a Cancel button, then shows and records the outcome.
type retest struct {
	s    *shell
	p    profiles.Profile // the profile tested; gets the result once recorded
	wait time.Duration
	stop context.CancelFunc // cancels the keychain read or the exchange

	progress dialog.Dialog
	bar      *widget.ProgressBarInfinite
	status   *widget.Label // "Testing… attempt N"
	detail   *widget.Label // why it waits between attempts
	cancel   *widget.Button

	// The outcome, once the test is over (tests read these).
	result              dialog.Dialog
	frontdoor           string
	url                 *widget.Label // the frontdoor URL, masked until Reveal
	revealed            bool
	reveal              *widget.Button
	copyURL, copyOrg    *widget.Button
	copySnippet         *widget.Button
	copied              *widget.Label
	diagnosis           *salesforce.Diagnosis
	goStep              *widget.Button // opens the screen that covers the diagnosis
	continueSetup       *widget.Button
	again               *widget.Button
	saveProblem         *message
	running, cancelling bool
}

// startTest tests p with the propagation wait the Welcome screen offers.
func (w *welcomeScreen) startTest(p profiles.Profile) {
	if w.test != nil && w.test.running {
		return
	}
	var wait time.Duration
	if w.wait.Checked {
		wait = wizard.RetestWait
	}
	w.test = &retest{s: w.s, p: p, wait: wait}
	w.test.start()
}

type testOutcome struct {
	res  *salesforce.Result
	err  error
	sent bool // the exchange ran: the outcome is worth recording
}

func (t *retest) start() {
	ctx, stop := context.WithCancel(context.Background())
	t.stop, t.running, t.cancelling = stop, true, false
	t.showProgress()
	j, vault, p, wait, client := t.s.jobs, t.s.deps.Vault, t.p, t.wait, t.s.testClient()
	background(j, func() testOutcome {
		req, err := wizard.TestRequest(ctx, vault, p, wait)
		if err != nil {
			return testOutcome{err: err}
		}
		j.post(func() { t.attempting(1, "") })
		req.OnAttempt = func(a salesforce.Attempt) {
			if a.Err != nil && a.Next > 0 {
				j.post(func() { t.attempting(a.N+1, retryText(a, wait)) })
			}
		}
		res, err := client.Exchange(ctx, req)
		return testOutcome{res, err, true}
	}, func(o testOutcome) {
		cancelled := ctx.Err() != nil
		stop()
		t.running = false
		t.hideProgress()
		t.finish(o, cancelled)
	})
}

func (t *retest) showProgress() {
	t.status = bold("Reading the secrets from your " + secrets.Location() + "…")
	t.detail = wrapped("If your keychain asks for your password or for permission, answer there.")
	t.bar = widget.NewProgressBarInfinite()
	t.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), t.abort)
	content := container.NewVBox(t.status, t.detail, t.bar, container.NewHBox(layout.NewSpacer(), t.cancel))
	d := dialog.NewCustomWithoutButtons("Testing "+t.p.Name, content, t.s.win)
	d.Resize(fyne.NewSize(520, 0))
	t.progress = d
	t.s.show(d)
	t.s.win.Canvas().Focus(t.cancel)
}

func (t *retest) hideProgress() {
	if t.progress != nil {
		t.bar.Stop() // an animation left running would redraw forever
		t.progress.Hide()
		if t.s.dialog == t.progress {
			t.s.dialog = nil
		}
	}
}

// attempting shows which attempt is under way and, after the first, why
// tnjwt tries again.
func (t *retest) attempting(n int, why string) {
	if !t.running || t.cancelling {
		return
	}
	t.status.SetText(fmt.Sprintf("Testing… attempt %d", n))
	if why == "" {
		why = "Signing the JWT and asking Salesforce for an access token, then for a frontdoor URL."
	}
	t.detail.SetText(why)
}

// retryText explains a failed attempt that will be tried again.
func retryText(a salesforce.Attempt, budget time.Duration) string {
	words := a.Err.Error()
	var re *salesforce.RefusalError
	if errors.As(a.Err, &re) {
		words = "Salesforce answered " + re.Code
		if re.Description != "" {
			words += " (" + re.Description + ")"
		}
	}
	return fmt.Sprintf("Attempt %d: %s. A new or edited External Client App can take up to 10 minutes to reach "+
		"every Salesforce server, so tnjwt tries again in %s (for up to %s in all). Cancel stops waiting.",
		a.N, words, roundWait(a.Next), roundWait(budget))
}

func roundWait(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.Round(time.Second).String()
}

func (t *retest) abort() {
	if t.stop == nil || !t.running {
		return
	}
	t.cancelling = true
	t.stop()
	t.status.SetText("Cancelling…")
	t.cancel.Disable()
}

// finish shows the outcome and records a test that reached the server.
func (t *retest) finish(o testOutcome, cancelled bool) {
	var ie *salesforce.InputError
	switch {
	case o.err != nil && (cancelled || wizard.Cancelled(o.err)):
		t.s.setStatus("The test of " + t.p.Name + " was cancelled. Nothing was recorded.")
		return
	case !o.sent:
		t.showNotReady(o.err)
		return
	case errors.As(o.err, &ie):
		// The profile holds something the client refuses to send: nothing went out.
		t.showNotReady(&wizard.NotReadyError{Problem: "This profile can't be tested as it is: " + inputText(o.err)})
		return
	}
	t.diagnosis = salesforce.Diagnose(o.err)
	rec := profiles.TestResultOf(t.s.deps.Now(), o.res, o.err, t.diagnosis)
	t.p.RecordTest(rec)
	t.showResult(o.res, o.err)
	t.record(rec)
}

// record saves the result in the profile file (never the URL) and refreshes
// the Welcome list so its last-test line shows it.
func (t *retest) record(r profiles.TestResult) {
	s, name := t.s, t.p.Name
	if st := s.wiz.State(); st.Saved && st.Profile.Name == name {
		s.wiz.NoteTest(r) // the wizard's next save must not drop it
	}
	type saved struct {
		list         []profiles.Profile
		listErr, err error
	}
	background(s.jobs, func() saved {
		err := s.deps.Store.Update(name, func(p *profiles.Profile) error {
			p.RecordTest(r)
			return nil
		})
		list, listErr := s.deps.Store.List()
		return saved{list, listErr, err}
	}, func(v saved) {
		s.saver.remember(v.list)
		s.welcome.fill(v.list, v.listErr)
		if v.err != nil {
			t.saveProblem.set("", "The result couldn't be saved in the profile: "+errorText(v.err))
		}
	})
}

// showResult is the outcome dialog: the credential and the SDK values on
// success; the server's words, the diagnosis and the way to the fix on a
// refusal; what failed on a transport fault.
func (t *retest) showResult(res *salesforce.Result, err error) {
	t.copied = subtle("")
	t.copied.Hide()
	t.saveProblem = newMessage()
	var (
		box   *fyne.Container
		title string
	)
	if err == nil {
		title = "Live test passed: " + t.p.Name
		box = t.successView(res)
	} else {
		title = "Live test failed: " + t.p.Name
		box = t.failureView(res, err)
	}
	box.Add(t.saveProblem)
	// The actions stay in sight below the scrolling text.
	actions := container.NewHBox(layout.NewSpacer())
	for _, b := range []*widget.Button{t.goStep, t.again} {
		if b != nil {
			actions.Add(b)
		}
	}
	closer := widget.NewButtonWithIcon("Close", theme.CancelIcon(), t.closeResult)
	actions.Add(closer)
	content := container.NewBorder(nil, container.NewVBox(t.copied, actions), nil, nil, container.NewVScroll(box))
	t.showDialog(title, content, fyne.NewSize(700, 520))
	if t.reveal != nil {
		t.s.win.Canvas().Focus(t.reveal)
	} else if t.goStep != nil {
		t.s.win.Canvas().Focus(t.goStep)
	}
}

func (t *retest) successView(res *salesforce.Result) *fyne.Container {
	t.frontdoor = res.FrontdoorURI
	ok := bold("✓ The JWT bearer flow works for " + t.p.Name + ".")
	ok.Importance = widget.SuccessImportance
	box := container.NewVBox(ok, subtle(timingText(res)),
		wrapped("Salesforce issued an access token for "+t.p.Username+" and turned it into a frontdoor URL: "+
			"the credential the Tableau Next Embedding SDK signs in with."))

	t.url = monoWrapped(mask(t.frontdoor))
	t.url.Selectable = false // nothing to select until revealed
	t.reveal = widget.NewButtonWithIcon("Reveal", theme.VisibilityIcon(), t.toggleReveal)
	t.copyURL = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		t.copy("the frontdoor URL", t.frontdoor)
	})
	box.Add(bold("Frontdoor URL"))
	box.Add(subtle("Single use and short-lived: treat it like a password. tnjwt never saves or logs it."))
	box.Add(t.url)
	box.Add(container.NewHBox(t.reveal, t.copyURL))

	orgURL := res.LightningURL
	box.Add(bold("Lightning orgUrl"))
	if orgURL == "" {
		orgURL = placeholderOrgURL
		box.Add(wrapped("It can't be told from the instance URL " + res.InstanceURL + ": open the org in a browser " +
			"and use its https://….lightning.force.com address."))
	} else {
		t.copyOrg = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
			t.copy("the Lightning orgUrl", orgURL)
		})
		box.Add(monoWrapped(orgURL))
		box.Add(container.NewHBox(t.copyOrg))
	}

	box.Add(bold("Tableau Next Embedding SDK"))
	snippet := monoWrapped(sdkSnippet(mask(t.frontdoor), orgURL))
	snippet.Selectable = false // the masked text is not what to paste
	t.copySnippet = widget.NewButtonWithIcon("Copy snippet", theme.ContentCopyIcon(), func() {
		t.copy("the SDK snippet (it holds the frontdoor URL)", sdkSnippet(t.frontdoor, orgURL))
	})
	box.Add(snippet)
	box.Add(container.NewHBox(t.copySnippet))
	return box
}

func (t *retest) toggleReveal() {
	t.revealed = !t.revealed
	t.url.Selectable = t.revealed
	if t.revealed {
		t.url.SetText(t.frontdoor)
		t.reveal.SetText("Hide")
		t.reveal.SetIcon(theme.VisibilityOffIcon())
		return
	}
	t.url.SetText(mask(t.frontdoor))
	t.reveal.SetText("Reveal")
	t.reveal.SetIcon(theme.VisibilityIcon())
}

func (t *retest) copy(what, text string) {
	t.s.copy(what, text)
	t.copied.SetText("Copied " + what + " to the clipboard.")
	t.copied.Show()
}

func (t *retest) failureView(res *salesforce.Result, err error) *fyne.Container {
	box := container.NewVBox()
	var (
		re *salesforce.RefusalError
		te *salesforce.TransportError
	)
	switch {
	case errors.As(err, &re):
		head := bold("✗ " + re.Summary() + ".")
		head.Importance = widget.DangerImportance
		box.Add(head)
		box.Add(container.New(layout.NewFormLayout(),
			widget.NewLabel("error"), selectable(orDash(re.Code)),
			widget.NewLabel("error_description"), selectable(orDash(re.Description))))
		if re.Attempts > 1 {
			box.Add(subtle(fmt.Sprintf("Tried %d times over %s while the app's settings propagated.",
				re.Attempts, re.Waited.Round(time.Second))))
		}
	case errors.As(err, &te):
		head := bold("✗ The test could not finish.")
		head.Importance = widget.DangerImportance
		box.Add(head)
		box.Add(wrapped(phaseName(te.Phase) + ": " + wizard.Sentence(te.Problem)))
		box.Add(wrapped("The request didn't get a usable answer, so this doesn't necessarily mean anything is " +
			"wrong with your setup. Check this computer's network connection (and HTTPS_PROXY, if you go " +
			"through a proxy), then test again."))
	default:
		head := bold("✗ " + inputText(err))
		head.Wrapping = fyne.TextWrapWord
		head.Importance = widget.DangerImportance
		box.Add(head)
	}
	box.Add(subtle(timingText(res)))
	box.Add(widget.NewSeparator())
	t.addDiagnosis(box, re != nil)
	t.again = widget.NewButtonWithIcon("Test again", theme.ViewRefreshIcon(), t.testAgain)
	return box
}

// addDiagnosis names the cause, the fix and the checklist step; when a
// screen covers that step, a button opens the profile there.
func (t *retest) addDiagnosis(box *fyne.Container, refused bool) {
	d := t.diagnosis
	if d == nil {
		if refused {
			box.Add(wrapped("tnjwt doesn't know this answer, so there is no diagnosis: the server's words above are all there is."))
		}
		return
	}
	title := bold(d.Title)
	title.Wrapping = fyne.TextWrapWord
	box.Add(title)
	box.Add(wrapped(d.Fix))
	box.Add(subtle("Checklist step: " + wizard.ChecklistName(t.s.steps, d.Step)))
	if id, ok := wizard.ScreenFor(t.s.steps, d.Step); ok {
		title := t.s.steps[t.s.wiz.Index(id)].Title
		t.goStep = widget.NewButtonWithIcon("Go to that step: "+title, theme.NavigateNextIcon(), func() {
			t.closeResult()
			t.s.openAt(t.p, id)
		})
		t.goStep.Importance = widget.HighImportance
	}
}

// showNotReady explains why the test couldn't start: the setup isn't
// finished (offer to continue it) or the keychain failed (its remedy).
func (t *retest) showNotReady(err error) {
	var (
		nr *wizard.NotReadyError
		se *secrets.Error
	)
	box := container.NewVBox()
	title := "Can't test " + t.p.Name
	switch {
	case errors.As(err, &nr):
		title = t.p.Name + " isn't ready to test"
		box.Add(wrapped(nr.Problem))
		box.Add(wrapped("Continue the setup to finish it, then test again."))
		t.continueSetup = widget.NewButtonWithIcon("Continue setup", theme.NavigateNextIcon(), func() {
			t.closeResult()
			t.s.resume(t.p)
		})
		t.continueSetup.Importance = widget.HighImportance
	case errors.As(err, &se):
		title = "Couldn't read the secrets of " + t.p.Name
		m := newMessage()
		m.set(se.Message, "")
		box.Add(m)
		if se.Remedy != "" {
			box.Add(wrapped(se.Remedy))
		}
		t.again = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), t.testAgain)
	default:
		box.Add(wrapped(errorText(err)))
		t.again = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), t.testAgain)
	}
	actions := container.NewHBox(layout.NewSpacer())
	for _, b := range []*widget.Button{t.continueSetup, t.again} {
		if b != nil {
			actions.Add(b)
		}
	}
	actions.Add(widget.NewButtonWithIcon("Close", theme.CancelIcon(), t.closeResult))
	box.Add(actions)
	t.showDialog(title, box, fyne.NewSize(560, 0))
	if t.continueSetup != nil {
		t.s.win.Canvas().Focus(t.continueSetup)
	} else if t.again != nil {
		t.s.win.Canvas().Focus(t.again)
	}
}

// showDialog shows an outcome; its own buttons close it.
func (t *retest) showDialog(title string, content fyne.CanvasObject, size fyne.Size) {
	d := dialog.NewCustomWithoutButtons(title, content, t.s.win)
	d.SetOnClosed(func() {
		if t.s.dialog == d {
			t.s.dialog = nil
		}
	})
	d.Resize(size)
	t.result = d
	t.s.show(d)
}

// testAgain runs a new test of the same profile.
func (t *retest) testAgain() {
	t.closeResult()
	t.s.welcome.startTest(t.p)
}

func (t *retest) closeResult() {
	if t.result != nil {
		t.result.Hide()
	}
}

// openAt opens a saved profile in the wizard at a given screen.
func (s *shell) openAt(p profiles.Profile, id wizard.StepID) {
	s.setWizard(wizard.OpenAt(s.steps, s.saver, p, s.deps.Now, id))
	s.render()
}

// timingText is the phases' times in one line.
func timingText(res *salesforce.Result) string {
	if res == nil {
		return ""
	}
	ms := res.Timings.MS()
	var parts []string
	for _, p := range []struct{ key, name string }{
		{salesforce.PhaseSign, "signing"}, {salesforce.PhaseToken, "token"}, {salesforce.PhaseSingleAccess, "frontdoor"},
	} {
		if v, ok := ms[p.key]; ok {
			parts = append(parts, fmt.Sprintf("%s %.1f ms", p.name, v))
		}
	}
	parts = append(parts, fmt.Sprintf("total %.1f ms", ms["total"]))
	text := strings.Join(parts, " · ")
	if res.Attempts > 1 {
		text += fmt.Sprintf(" (%d attempts)", res.Attempts)
	}
	return text
}

func phaseName(phase string) string {
	if phase == salesforce.PhaseSingleAccess {
		return "The frontdoor (singleaccess) request"
	}
	return "The token request"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// selectable is a wrapped label whose text can be selected and copied.
func selectable(text string) *widget.Label {
	l := wrapped(text)
	l.Selectable = true
	return l
}
