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
		return
	}
	r.start()
}

// start lets go of the profile the wizard holds (its next save would write
// over the results), then tests every org in the background.
func (r *retestAll) start() {
	s := r.w.s
	list := r.w.listed
	names := wizard.Retestable(list)
	if len(names) == 0 {
		return
	}
	s.setWizard(wizard.New(s.steps, s.saver, s.deps.Now))
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.button.SetText("Cancel")
	r.button.SetIcon(theme.CancelIcon())
	r.summary.info("Testing " + plural(len(names), "org") + ", a few at a time…")
	for _, n := range names {
		if row := r.w.rows[n]; row != nil {
			row.state.info("Waiting for its turn…")
		}
	}
	opts := wizard.RetestOptions(s.deps.Store, s.deps.Vault, s.testClient, s.deps.Now)
	opts.OnStart = func(name string, _ int) { s.jobs.post(func() { r.rowSays(name, "Testing now…", false) }) }
	opts.OnResult = func(res retest.Result) { s.jobs.post(func() { r.shown(res) }) }
	background(s.jobs, func() []retest.Result {
		return retest.Run(ctx, names, opts)
	}, r.finished)
}

func (r *retestAll) rowSays(name, text string, failed bool) {
	row := r.w.rows[name]
	if row == nil {
		return
	}
	if failed {
		row.state.set(text, "")
	} else {
		row.state.info(text)
	}
	r.w.s.relayout()
}

// shown puts one org's result on its row as it arrives.
func (r *retestAll) shown(res retest.Result) {
	text := wizard.RetestText(res)
	if res.Kind == retest.Passed {
		if row := r.w.rows[res.Name]; row != nil {
			row.state.success(text)
		}
		return
	}
	r.rowSays(res.Name, text, res.Kind != retest.Stopped)
}

// finished says how the run went, and lists the orgs again: each row's
// last test (and Go to step for a refused one) comes from its profile.
func (r *retestAll) finished(results []retest.Result) {
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
	states := map[string]string{}
	for _, res := range results {
		states[res.Name] = wizard.RetestText(res)
	}
	r.w.afterRetest = states
	r.w.reload()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
