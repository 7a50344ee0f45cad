package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// welcomeScreen starts a new org or picks up a saved one.
type welcomeScreen struct {
	s        *shell
	start    *focusButton
	practice *focusButton
	list     *fyne.Container // one row per saved profile
	empty    *widget.Label
	problem  *message
	rows     map[string]*profileRow
	listed   []profiles.Profile // as last read
	retest   *retestAll
	root     fyne.CanvasObject
}

// profileRow is one saved org on the Welcome screen.
type profileRow struct {
	name, org, cert, test, keys *widget.Label
	open, retest, del           *focusButton
	state                       *message     // Re-test all's word on this org
	goStep                      *focusButton // to the item its last failed test blames
	renew, rotate               *focusButton // a set-up org's certificate and key
	resumeRotation, abandon     *focusButton // a rotation in progress
	rollback, discard           *focusButton // the key a rotation replaced
}

func (r *profileRow) buttons() []*focusButton {
	return []*focusButton{r.open, r.retest, r.del, r.goStep, r.renew, r.rotate, r.resumeRotation, r.abandon, r.rollback, r.discard}
}

// hold keeps the row's actions from changing the org while Re-test all
// tests it (their saves would write over its result); the list filled
// after the run has them back.
func (r *profileRow) hold() {
	for _, b := range r.buttons() {
		b.Disable()
	}
}

func newWelcomeScreen(s *shell) *welcomeScreen {
	w := &welcomeScreen{s: s, rows: map[string]*profileRow{}}
	w.start = newFocusButton(s, "Start a new org", theme.ContentAddIcon(), s.startNew)
	w.start.Importance = widget.HighImportance
	w.practice = newFocusButton(s, "Practice with a built-in org", theme.MediaPlayIcon(), s.enterPractice)
	w.list = container.NewVBox()
	w.empty = subtle("No saved orgs yet. Your progress is saved as you go, so an org you start appears here.")
	w.problem = newMessage()

	intro := wrapped("tnjwt sets up the OAuth 2.0 JWT bearer flow between your web app and Salesforce, so Tableau Next " +
		"dashboards can be embedded without anyone signing in. It makes the key and certificate, shows every value to " +
		"enter in Salesforce Setup ready to copy, and keeps the secrets in this computer's keychain.")
	needs := wrapped("You need a Salesforce user who can view Setup, edit External Client Apps and assign permission " +
		"sets, and the External Client App already created for Tableau Next. Plan on about fifteen minutes.")
	rehearse := subtle("No org at hand, or want to see what each mistake looks like first? Practice walks the whole setup " +
		"against a built-in org on this computer; nothing reaches Salesforce.")
	w.retest = newRetestAll(w)
	w.root = container.NewVBox(intro, needs, container.New(layout.NewRowWrapLayout(), w.start, w.practice), rehearse, widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, w.retest.button, bold("Saved orgs")), w.retest.summary, w.problem, w.empty, w.list)
	return w
}

func (w *welcomeScreen) view() fyne.CanvasObject { return w.root }

func (w *welcomeScreen) show() { w.reload() }

func (w *welcomeScreen) focusFirst() { w.s.win.Canvas().Focus(w.start) }

// reload lists the saved profiles off the UI goroutine.
func (w *welcomeScreen) reload() {
	type listing struct {
		list []profiles.Profile
		err  error
	}
	background(w.s.jobs, func() listing {
		l, err := w.s.deps.Store.List()
		return listing{l, err}
	}, func(r listing) {
		w.s.saver.remember(r.list)
		w.fill(r.list, r.err)
	})
}

func (w *welcomeScreen) fill(list []profiles.Profile, err error) {
	w.listed = list
	w.retest.offer(list)
	w.list.RemoveAll()
	w.rows = map[string]*profileRow{}
	if err != nil {
		w.problem.set("Some saved orgs could not be read: "+err.Error(), "")
	} else {
		w.problem.set("", "")
	}
	for _, p := range list {
		row := w.newRow(p)
		w.rows[p.Name] = row
		w.list.Add(container.NewVBox(
			container.NewBorder(nil, nil, nil, container.NewHBox(row.open, row.retest, row.del), row.name),
			indent(container.NewVBox(row.org, row.cert, row.test, row.state, row.keys,
				container.New(layout.NewRowWrapLayout(), row.goStep, row.renew, row.rotate, row.resumeRotation, row.abandon, row.rollback, row.discard))),
			widget.NewSeparator()))
	}
	w.retest.restate()
	if len(list) == 0 {
		w.empty.Show()
	} else {
		w.empty.Hide()
	}
	w.list.Refresh()
	if w.s.wiz != nil && w.s.wiz.Step().ID == wizard.StepWelcome {
		w.s.relayout() // the lines hidden or shown above the list move it
	}
}

func (w *welcomeScreen) newRow(p profiles.Profile) *profileRow {
	now := w.s.deps.Now()
	title := p.Name
	if p.Practice {
		title += " (practice org)"
	}
	r := &profileRow{
		name: wrappedBold(title),
		org:  wrapped(fmt.Sprintf("%s  ·  %s", p.LoginURL, p.Username)),
		test: wrapped(wizard.LastTestText(p.LastTest)),
	}
	r.org.Truncation = fyne.TextTruncateEllipsis
	cert, urgency := certLine(p, now)
	r.cert = cert
	if urgency != certs.Fine {
		r.name.SetText("⚠ " + title)
	}
	r.keys = wrapped(rotation.Describe(p))
	r.keys.Importance = widget.WarningImportance
	if r.keys.Text == "" {
		r.keys.Hide()
	}
	w.rotationButtons(r, p, urgency)
	r.open = newFocusButton(w.s, "Continue", theme.NavigateNextIcon(), func() { w.s.resume(p) })
	r.retest = newFocusButton(w.s, "Re-test", theme.ViewRefreshIcon(), func() { w.s.liveTest(p) })
	if !p.Checklist[wizard.IDKeyStore].Done {
		r.retest.Hide() // nothing to test with yet: Continue leads to where the setup stopped
	}
	r.del = newFocusButton(w.s, "Delete", theme.DeleteIcon(), func() { w.confirmDelete(p.Name) })
	r.state = newMessage()
	r.goStep = newFocusButton(w.s, "Go to step", theme.NavigateNextIcon(), nil)
	if screen, item, ok := wizard.BlamedItem(w.s.steps, p.LastTest); ok {
		r.goStep.OnTapped = func() { w.s.openAt(p, screen); w.s.goToItem(screen, item) }
	} else {
		r.goStep.Hide()
	}
	return r
}

// rotationButtons offers Renew and Rotate on a set-up org (Renew stands out
// once renewal is due), and Continue and Abandon for a rotation in progress.
func (w *welcomeScreen) rotationButtons(r *profileRow, p profiles.Profile, urgency certs.Urgency) {
	r.renew = newFocusButton(w.s, "Renew certificate", theme.HistoryIcon(), func() { w.s.openRenewal(p, false) })
	r.rotate = newFocusButton(w.s, "Rotate key", theme.MediaReplayIcon(), func() { w.s.openRenewal(p, true) })
	r.resumeRotation = newFocusButton(w.s, "Continue the rotation", theme.MediaSkipNextIcon(), func() { w.s.openRenewal(p, true) })
	r.abandon = newFocusButton(w.s, "Abandon", theme.CancelIcon(), func() { w.abandonRotation(p.Name) })
	if urgency != certs.Fine {
		r.renew.Importance = widget.HighImportance
	}
	// A practice org's row shows only in practice mode, where its renewal
	// and rotation can be rehearsed too.
	setUp := p.Checklist[wizard.IDKeyStore].Done && p.CertificatePEM != ""
	for _, b := range []*focusButton{r.renew, r.rotate} {
		if !setUp || p.Pending != nil {
			b.Hide()
		}
	}
	if p.Pending == nil {
		r.resumeRotation.Hide()
		r.abandon.Hide()
	}
	r.rollback = newFocusButton(w.s, "Roll back", theme.ContentUndoIcon(), func() { w.confirmRollback(p) })
	r.discard = newFocusButton(w.s, "Discard previous key", theme.DeleteIcon(), func() { w.confirmDiscard(p.Name) })
	if p.Previous == nil || p.Pending != nil {
		r.rollback.Hide()
		r.discard.Hide()
	}
}

func (w *welcomeScreen) confirmDelete(name string) {
	w.s.confirm("Delete "+name+"?",
		"This removes the saved profile and its secrets (consumer key and private key) from the "+secrets.Location()+
			". Nothing changes in Salesforce: the External Client App keeps its certificate.",
		"Delete", widget.DangerImportance, func() { w.delete(name) })
}

func (w *welcomeScreen) delete(name string) {
	w.s.saver.forget(name)
	if w.s.wiz.State().Profile.Name == name {
		w.s.setWizard(wizard.New(w.s.steps, w.s.saver, w.s.deps.Now))
		w.s.changed()
	}
	background(w.s.jobs, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*w.s.deps.Vault.Timeout())
		defer cancel()
		return w.s.deps.Store.Delete(ctx, name)
	}, func(err error) {
		if err != nil {
			w.problem.set("Couldn't delete "+name+": "+errorText(err), "")
		} else {
			w.s.setStatus("Deleted " + name + ".")
		}
		w.reload()
	})
}
