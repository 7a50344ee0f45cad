package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/retest"
	"github.com/tnjwt/tnjwt/wizard"
)

// Re-test all on the Welcome screen: every saved org with stored secrets,
// a few at a time (core/retest, as `tnjwt test --all`), each row saying
// how its test goes, with Cancel.

// retestAll is the Welcome screen's run over its orgs.
type retestAll struct {
	w       *welcomeScreen
	button  *widget.Button
	summary *message
	cancel  context.CancelFunc // while a run is under way
	// lines is what the run says of each org, put back on its row when
	// the list is filled again; kept until the list after the run.
	lines    map[string]rowLine
	finished bool
}

// rowLine is one row's word on its test, in the style it is shown.
type rowLine struct {
	text string
	imp  widget.Importance
}

func newRetestAll(w *welcomeScreen) *retestAll {
	r := &retestAll{w: w, summary: newMessage()}
	r.button = widget.NewButtonWithIcon("Re-test all", theme.ViewRefreshIcon(), r.toggle)
	r.button.Hide()
	return r
}

// offer shows Re-test all when there are two orgs or more to test.
func (r *retestAll) offer(list []profiles.Profile) {
	if r.cancel != nil {
		return // a run is under way: its button is Cancel
	}
	if len(wizard.Retestable(list)) >= 2 {
		r.button.Show()
	} else {
		r.button.Hide()
	}
}

func (r *retestAll) toggle() {
	if r.cancel != nil {
		r.cancel()
		r.summary.info("Stopping: the tests under way are cut short, and nothing is recorded for them.")
		r.w.s.relayout()
		return
	}
	r.start()
}

// start lets go of the profile the wizard holds (its next save would write
// over the results) once its last save is on disk, then tests every org in
// the background.
func (r *retestAll) start() {
	s := r.w.s
	names := wizard.Retestable(r.w.listed)
	if len(names) == 0 {
		return
	}
	if s.wiz.State().Profile.Name != "" {
		s.setWizard(wizard.New(s.steps, s.saver, s.deps.Now))
		s.render()
	}
	s.saves.wait()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.button.SetText("Cancel")
	r.button.SetIcon(theme.CancelIcon())
	r.summary.info("Testing " + plural(len(names), "org") + ", a few at a time…")
	r.lines, r.finished = map[string]rowLine{}, false
	for _, n := range names {
		r.rowSays(n, rowLine{"Waiting for its turn…", widget.MediumImportance})
	}
	s.keepVisible(r.summary)
	opts := wizard.RetestOptions(s.deps.Store, s.deps.Vault, s.testClient, s.deps.Now)
	opts.OnStart = func(name string, _ int) {
		s.jobs.post(func() { r.rowSays(name, rowLine{"Testing now…", widget.MediumImportance}) })
	}
	opts.OnResult = func(res retest.Result) { s.jobs.post(func() { r.rowSays(res.Name, lineOf(res)) }) }
	background(s.jobs, func() []retest.Result {
		return retest.Run(ctx, names, opts)
	}, r.done)
}

// lineOf is a finished test's line on its row.
func lineOf(res retest.Result) rowLine {
	imp := widget.DangerImportance
	switch res.Kind {
	case retest.Passed:
		imp = widget.SuccessImportance
	case retest.Stopped:
		imp = widget.MediumImportance
	}
	return rowLine{wizard.RetestText(res), imp}
}

func (r *retestAll) rowSays(name string, l rowLine) {
	r.lines[name] = l
	if row := r.w.rows[name]; row != nil {
		row.state.apply(l.imp, l.text)
		if r.cancel != nil {
			row.hold()
		}
		r.w.s.relayout()
	}
}

// restate puts the run's lines back on the rows just filled; after the
// run, only this once.
func (r *retestAll) restate() {
	for name, l := range r.lines {
		if row := r.w.rows[name]; row != nil {
			row.state.apply(l.imp, l.text)
			if r.cancel != nil {
				row.hold()
			}
		}
	}
	if r.finished {
		r.lines, r.finished = nil, false
	}
}

// done says how the run went, and lists the orgs again: each row's last
// test (and Go to step for a refused one) comes from its profile.
func (r *retestAll) done(results []retest.Result) {
	r.cancel = nil
	r.button.SetText("Re-test all")
	r.button.SetIcon(theme.ViewRefreshIcon())
	passed := 0
	for _, res := range results {
		if res.Kind == retest.Passed {
			passed++
		}
	}
	text := plural(passed, "org") + " of " + strconv.Itoa(len(results)) + " passed."
	if passed < len(results) {
		text += " Each row below says what failed; Go to step opens the item to fix."
		r.summary.set("", text)
	} else {
		r.summary.success(text)
	}
	r.finished = true
	r.w.reload()
	r.w.s.keepVisible(r.summary)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
