package ui

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/wizard"
)

// screen is one step's body. The shell builds them per profile and calls
// show each time the step comes on screen, so it can refresh from the model.
type screen interface {
	view() fyne.CanvasObject
	show()
}

// focuser is a screen with a field that should take the keyboard on arrival.
type focuser interface {
	focusFirst()
}

// explainer is a screen that may already show why Next is blocked, next to
// the field at fault: the footer then points at that field instead of
// repeating its message. "" means the screen shows no such message.
type explainer interface {
	pointer() string
}

// itemScroller is a screen holding checklist items, which Go to step
// brings into view.
type itemScroller interface {
	scrollTo(item string, scroll *container.Scroll)
}

// leaver is a screen with work that must end when it goes off screen.
type leaver interface {
	leave()
}

// revealer is a screen that shows all its field errors when Next is refused,
// including those of fields not touched yet.
type revealer interface {
	revealErrors()
}

// stepIcons are the step list's icons, made once the app (and its theme)
// exists.
type stepIcons struct {
	done, current, todo, problem fyne.Resource
}

func newStepIcons() stepIcons {
	return stepIcons{
		done:    theme.NewSuccessThemedResource(theme.ConfirmIcon()),
		current: theme.NavigateNextIcon(),
		todo:    theme.RadioButtonIcon(),
		problem: theme.NewWarningThemedResource(theme.WarningIcon()),
	}
}

func (i stepIcons) of(s wizard.Status) fyne.Resource {
	switch s {
	case wizard.Done:
		return i.done
	case wizard.Current:
		return i.current
	case wizard.Problem:
		return i.problem
	}
	return i.todo
}

// shell is the window: the step list down the side, the step's title and
// why at the top, its screen in the middle, Back / Next at the bottom.
type shell struct {
	app   fyne.App
	win   fyne.Window
	deps  Deps
	jobs  *jobs // keygen, keychain, files
	saves *jobs // profile writes, waited for at exit
	saver *saver
	steps []wizard.Step

	wiz     *wizard.Wizard
	shown   wizard.StepID // the step whose screen is on show
	screens map[wizard.StepID]screen
	scrolls map[wizard.StepID]*container.Scroll
	welcome *welcomeScreen

	icons        stepIcons
	stepButtons  []*widget.Button
	title        *widget.Label
	why          *widget.Label
	body         *fyne.Container
	hint         *widget.Label // what Next is waiting for
	saveProblem  *widget.Label // a failed profile write, until a write succeeds
	status       *widget.Label // copies, saves
	back, next   *widget.Button
	counter      *widget.Label
	statusGen    int          // counts status messages, so only the latest one expires
	copiedSecret string       // the last secret copied, until its minute is up
	flow         *renewalFlow // the renewal flow on show, if any
	dialogs      []*keyDialog // tnjwt's own dialogs on show, the top one last

	frame     *fyne.Container // header, body and footer: laid out again when the header or footer grows
	practice  *practiceMode   // nil unless rehearsing against the practice org
	banner    *widget.Label
	leave     *widget.Button
	bannerBox *fyne.Container
}

func newShell(a fyne.App, w fyne.Window, d Deps) *shell {
	s := &shell{app: a, win: w, deps: d, jobs: &jobs{onUI: d.onUI}, saves: &jobs{onUI: d.onUI}, steps: wizard.Steps()}
	s.saver = newSaver(d.Store, s.saves, s.saveReport)
	s.welcome = newWelcomeScreen(s)
	s.build()
	s.setWizard(wizard.New(s.steps, s.saver, d.Now))
	s.render()
	w.Canvas().AddShortcut(shortcutBack, func(fyne.Shortcut) { s.goBack() })
	w.Canvas().AddShortcut(shortcutNext, func(fyne.Shortcut) { s.goNext() })
	w.Canvas().SetOnTypedKey(s.typedKey)
	w.SetCloseIntercept(s.askClose)
	return s
}

func (s *shell) build() {
	s.icons = newStepIcons()
	list := container.NewVBox()
	for i, st := range s.steps {
		b := widget.NewButtonWithIcon(st.Title, s.icons.todo, func() { s.jump(i) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		s.stepButtons = append(s.stepButtons, b)
		list.Add(b)
	}
	side := container.NewBorder(nil, nil, nil, widget.NewSeparator(), container.NewVScroll(list))

	s.title = heading("")
	s.why = subtle("")
	header := container.NewVBox(s.title, s.why, widget.NewSeparator())

	s.hint = wrapped("")
	s.hint.Importance = widget.WarningImportance
	s.hint.Hide()
	s.saveProblem = wrapped("")
	s.saveProblem.Importance = widget.DangerImportance
	s.saveProblem.Hide()
	s.status = wrapped("") // a long message wraps rather than being cut off
	s.back = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), s.goBack)
	s.next = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), s.goNext)
	s.next.IconPlacement = widget.ButtonIconTrailingText
	s.next.Importance = widget.HighImportance
	s.counter = widget.NewLabel("")
	// A long status wraps onto several lines: the buttons beside it keep
	// their own height, in the middle, rather than stretch into blocks.
	buttons := container.NewBorder(nil, nil, middle(s.back), middle(container.NewHBox(s.counter, s.next)), s.status)
	footer := container.NewVBox(widget.NewSeparator(), s.saveProblem, s.hint, buttons)

	s.body = container.NewStack()
	header = container.NewVBox(s.buildBanner(), header)
	main := container.NewBorder(header, footer, nil, nil, s.body)
	s.frame = main
	// A wrapped header line knows its height only once laid out at the new
	// width: when the window's width changes, lay the frame out once more,
	// or the second line of a step's why runs under the content below.
	watch := &widthWatch{changed: func() { s.jobs.post(s.frame.Refresh) }}
	s.win.SetContent(container.New(watch, container.NewBorder(nil, nil, side, nil, container.NewPadded(main))))
}

// setWizard makes w the profile on show; its screens are built as they
// are first shown.
func (s *shell) setWizard(w *wizard.Wizard) {
	s.leaveScreens()
	s.wiz = w
	s.screens = map[wizard.StepID]screen{}
	s.scrolls = map[wizard.StepID]*container.Scroll{}
}

// screen returns the screen of step id, building it the first time.
func (s *shell) screen(id wizard.StepID) screen {
	if scr, ok := s.screens[id]; ok {
		return scr
	}
	scr := s.newScreen(s.steps[s.wiz.Index(id)])
	s.screens[id] = scr
	return scr
}

func (s *shell) newScreen(st wizard.Step) screen {
	switch st.ID {
	case wizard.StepWelcome:
		return s.welcome
	case wizard.StepOrg:
		return newOrgScreen(s)
	case wizard.StepKey:
		return newKeyScreen(s)
	case wizard.StepConsumerKey:
		return newConsumerKeyScreen(s)
	case wizard.StepKeychain:
		return newKeychainScreen(s)
	case wizard.StepLiveTest:
		return newLiveTestScreen(s)
	case wizard.StepDone:
		return newDoneScreen(s)
	case wizard.StepEmbed:
		return newEmbedScreen(s, st)
	}
	return newChecklistScreen(s, st)
}

// leaveScreens ends the work of every screen built so far.
func (s *shell) leaveScreens() {
	for _, scr := range s.screens {
		if l, ok := scr.(leaver); ok {
			l.leave()
		}
	}
}

// render puts the current step on screen.
func (s *shell) render() {
	st := s.wiz.Step()
	if l, ok := s.screens[s.shown].(leaver); ok && s.shown != st.ID {
		l.leave()
	}
	s.shown = st.ID
	s.title.SetText(s.titleOf(st))
	s.why.SetText(st.Why)
	scr := s.screen(st.ID)
	scroll, ok := s.scrolls[st.ID]
	if !ok {
		scroll = container.NewVScroll(container.New(readableWidth{820}, scr.view()))
		s.scrolls[st.ID] = scroll
	}
	scr.show()
	s.body.Objects = []fyne.CanvasObject{scroll}
	s.body.Refresh()
	// The header's wrapped lines (the step's why, the practice banner) know
	// their height only once laid out at the window's width: lay out again.
	s.frame.Refresh()
	scroll.ScrollToTop()
	s.win.Canvas().Unfocus()
	if f, ok := scr.(focuser); ok {
		f.focusFirst()
	}
	s.setStatus("")
	s.changed()
}

// titleOf is a step's title, with the org being set up once it has a name:
// with several saved orgs, every screen says which one it is.
func (s *shell) titleOf(st wizard.Step) string {
	if name := s.wiz.State().Profile.Name; name != "" && st.ID != wizard.StepWelcome {
		return st.Title + " · " + name
	}
	return st.Title
}

// changed brings the step list and the footer up to date with the model;
// screens call it after every change they make (every keystroke, so it
// only touches what differs).
func (s *shell) changed() {
	cur := s.wiz.Current()
	for i, b := range s.stepButtons {
		st := s.wiz.Status(i)
		icon, imp := s.icons.of(st), widget.LowImportance
		if st == wizard.Current {
			imp = widget.HighImportance
		}
		if b.Icon != icon || b.Importance != imp {
			b.Icon, b.Importance = icon, imp
			b.Refresh()
		}
		enable(b, s.wiz.Reachable(i))
	}
	setText(s.counter, fmt.Sprintf("Step %d of %d", cur+1, len(s.steps)))
	enable(s.back, cur > 0)
	next := "Next"
	if cur == len(s.steps)-1 {
		next = "Finish"
	}
	if s.next.Text != next {
		s.next.SetText(next)
	}
	// Whenever Next is disabled, the footer says why.
	reason := s.wiz.Needs(cur)
	enable(s.next, reason == "")
	if reason == "" {
		s.setHint("")
		return
	}
	if x, ok := s.screens[s.wiz.Step().ID].(explainer); ok {
		if p := x.pointer(); p != "" {
			reason = p
		}
	}
	s.setHint(reason)
}

// setHint shows what Next is waiting for ("" hides it). The footer changes
// height with it, so the window is laid out again when it comes or goes.
func (s *shell) setHint(text string) {
	was := s.hint.Visible()
	setText(s.hint, text)
	if text == "" {
		s.hint.Hide()
	} else {
		s.hint.Show()
	}
	if was != s.hint.Visible() {
		s.frame.Refresh()
	}
}

// modal reports a dialog on show: the keyboard shortcuts leave it alone.
func (s *shell) modal() bool {
	return s.win.Canvas().Overlays().Top() != nil
}

func (s *shell) goNext() {
	if s.modal() {
		return
	}
	s.handle(s.wiz.Next())
}

func (s *shell) goBack() {
	if s.modal() {
		return
	}
	if s.wiz.Back() {
		s.render()
	}
}

func (s *shell) jump(i int) {
	if err := s.wiz.GoTo(i); err != nil {
		s.setHint(err.Error())
		return
	}
	s.render()
}

func (s *shell) handle(m wizard.Move) {
	switch {
	case m.Blocked != nil:
		s.setHint(m.Blocked.Error())
		if r, ok := s.screen(s.wiz.Step().ID).(revealer); ok {
			r.revealErrors()
		}
	case len(m.Unticked) > 0:
		s.confirmUnticked(m.Unticked)
	case m.Finished:
		s.finish()
	case m.Moved:
		s.render()
	}
}

// confirmUnticked names the items left unticked and moves on only if the
// person says so. The wizard asks once per screen.
func (s *shell) confirmUnticked(items []wizard.Item) {
	box := container.NewVBox(wrapped("These items on this screen aren't ticked yet:"))
	for _, it := range items {
		box.Add(bold("•  " + it.Label))
	}
	box.Add(wrapped("Move on anyway? They stay on the checklist, the step list marks this step, and you can come back to it at any time."))
	s.ask(ask{Title: "Some items aren't ticked", Body: box, Cancel: "Stay here", OK: "Move on", Width: 480,
		OnOK: func() bool { s.handle(s.wiz.SkipUnticked()); return true }})
}

func (s *shell) finish() {
	name := s.wiz.State().Profile.Name
	if err := s.wiz.GoTo(0); err == nil {
		s.render()
	}
	s.setStatus(name + " is set up: its secrets are in the " + s.keychainName() + ".")
}

// keychainName is where this window keeps secrets: the system's keychain,
// or in practice mode the practice keychain in its memory.
func (s *shell) keychainName() string { return wizard.KeychainName(s.practice != nil) }

// middle centres o vertically at its own height, in a row that may be
// taller.
func middle(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(layout.NewSpacer(), o, layout.NewSpacer())
}

// statusFor is how long a status message stays: long enough to read,
// short enough not to outlive what it was about.
const statusFor = 12 * time.Second

// setStatus shows text in the footer until statusFor passes or another
// message replaces it.
func (s *shell) setStatus(text string) {
	s.status.Importance = widget.MediumImportance
	was := s.status.Text
	s.status.SetText(text)
	if was != text {
		s.frame.Refresh() // a wrapped message may change the footer's height
	}
	if text == "" {
		return
	}
	s.statusGen++
	gen := s.statusGen
	s.after(statusFor, func() {
		s.jobs.post(func() {
			if s.statusGen == gen {
				s.setStatus("")
			}
		})
	})
}

// saveReport hears how the background profile writes went. A failure
// stays on show, whatever screen comes next, until a write succeeds: the
// status line is cleared on every screen change and would hide it.
func (s *shell) saveReport(name string, err error) {
	if err != nil {
		s.saveProblem.SetText("Couldn't save the progress of " + name + ": " + wizard.Sentence(err.Error()) +
			" Your changes are kept in this window; fix the problem and they will be saved with your next change.")
		s.saveProblem.Show()
		return
	}
	if s.saveProblem.Visible() {
		s.saveProblem.Hide()
		s.setStatus("Progress saved.")
	}
}

// copy puts text on the clipboard and says what was copied.
func (s *shell) copy(what, text string) {
	s.app.Clipboard().SetContent(text)
	s.setStatus("Copied " + what + " to the clipboard.")
}

// clipboardClearAfter is how long a copied secret stays on the clipboard.
const clipboardClearAfter = 60 * time.Second

// copySecret copies a credential and takes it off the clipboard again after
// a minute, or when the window closes first, unless something else was
// copied since.
func (s *shell) copySecret(what, text string) {
	s.app.Clipboard().SetContent(text)
	s.copiedSecret = text
	s.setStatus("Copied " + what + " to the clipboard. tnjwt clears it in " + salesforce.PlainDuration(clipboardClearAfter) + ".")
	s.after(clipboardClearAfter, func() {
		s.jobs.post(func() {
			if s.app.Clipboard().Content() == text {
				s.app.Clipboard().SetContent("")
				s.setStatus("Cleared " + what + " from the clipboard.")
			}
			if s.copiedSecret == text {
				s.copiedSecret = ""
			}
		})
	})
}

// clearSecretCopy takes a copied secret off the clipboard before the window
// closes, if the clipboard still holds it: its minute may not be up.
func (s *shell) clearSecretCopy() {
	if s.copiedSecret != "" && s.app.Clipboard().Content() == s.copiedSecret {
		s.app.Clipboard().SetContent("")
	}
	s.copiedSecret = ""
}

// after runs f once d has passed, on a timer goroutine.
func (s *shell) after(d time.Duration, f func()) {
	if s.deps.after != nil {
		s.deps.after(d, f)
		return
	}
	time.AfterFunc(d, f)
}

// relayout lays the current screen out again after it grew or shrank:
// a container lays out its own children, not its parents.
func (s *shell) relayout() {
	if sc := s.scrolls[s.wiz.Step().ID]; sc != nil {
		if c, ok := sc.Content.(*fyne.Container); ok {
			for _, view := range c.Objects {
				view.Refresh() // a line shown or hidden at the top of the screen
			}
		}
		sc.Content.Refresh()
		sc.Refresh()
	}
}

// keepVisible scrolls the view that holds o (the current screen, or a
// dialog's own scroll view) just enough to show o whole: Tab moves the
// focus, but a scroll view does not follow it by itself.
func (s *shell) keepVisible(o fyne.CanvasObject) {
	var roots []fyne.CanvasObject
	for i := len(s.dialogs) - 1; i >= 0; i-- {
		roots = append(roots, s.dialogs[i].spec.Body)
	}
	if s.wiz != nil {
		if sc := s.scrolls[s.wiz.Step().ID]; sc != nil {
			roots = append(roots, sc)
		}
	}
	for _, r := range roots {
		if sc, found := scrollHolding(r, o); found {
			if sc != nil {
				scrollInto(sc, o)
			}
			return
		}
	}
}

// scrollHolding finds o under root, and the innermost scroll view on the
// way (nil when there is none).
func scrollHolding(root, o fyne.CanvasObject) (*container.Scroll, bool) {
	if root == nil {
		return nil, false
	}
	if root == o {
		return nil, true
	}
	var children []fyne.CanvasObject
	switch x := root.(type) {
	case *fyne.Container:
		children = x.Objects
	case *container.Scroll:
		if sc, found := scrollHolding(x.Content, o); found {
			if sc == nil {
				sc = x
			}
			return sc, true
		}
		return nil, false
	case *widget.Form:
		for _, it := range x.Items {
			children = append(children, it.Widget)
		}
	}
	for _, c := range children {
		if sc, found := scrollHolding(c, o); found {
			return sc, true
		}
	}
	return nil, false
}

// scrollInto scrolls sc just enough to show o whole.
func scrollInto(sc *container.Scroll, o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc).Y + sc.Offset.Y
	bottom, view := top+o.Size().Height, sc.Size().Height
	pad := theme.Padding() * 2
	switch {
	case top < sc.Offset.Y:
		sc.ScrollToOffset(fyne.NewPos(0, max(top-pad, 0)))
	case bottom > sc.Offset.Y+view:
		sc.ScrollToOffset(fyne.NewPos(0, min(bottom-view+pad, top)))
	}
}

// escape cancels the dialog on top, as its Cancel button would.
func (s *shell) escape() {
	if len(s.dialogs) > 0 {
		s.dialogs[len(s.dialogs)-1].dismiss()
	}
}

// liveTest opens a saved profile on the Live test screen and runs the test.
func (s *shell) liveTest(p profiles.Profile) {
	s.openAt(p, wizard.StepLiveTest)
	s.screen(wizard.StepLiveTest).(*liveTestScreen).start()
}

// openAt opens a saved profile in the wizard at a given screen.
func (s *shell) openAt(p profiles.Profile, id wizard.StepID) {
	s.setWizard(wizard.OpenAt(s.steps, s.saver, p, s.deps.Now, id))
	s.render()
}

// goToItem opens the screen that covers a checklist item, scrolled to it;
// the item stays highlighted until a later test passes.
func (s *shell) goToItem(id wizard.StepID, item string) {
	if err := s.wiz.GoTo(s.wiz.Index(id)); err != nil {
		s.openAt(s.wiz.State().Profile, id)
	} else {
		s.render()
	}
	if c, ok := s.screen(id).(itemScroller); ok {
		c.scrollTo(item, s.scrolls[id])
	}
}

// startNew begins a new org profile at the Org screen; in practice mode it
// is filled in for the practice org.
func (s *shell) startNew() {
	s.setWizard(wizard.New(s.steps, s.saver, s.deps.Now))
	if s.practice != nil {
		s.wiz.SetPractice()
		s.wiz.SetOrg(s.practice.org.Draft())
	}
	s.handle(s.wiz.Next())
}

// resume continues a saved profile where it was left.
func (s *shell) resume(p profiles.Profile) {
	s.setWizard(wizard.Open(s.steps, s.saver, p, s.deps.Now))
	s.render()
}

// nav lets entries hand Alt+Left / Alt+Right to the window.
func (s *shell) nav(sc fyne.Shortcut) bool {
	cs, ok := sc.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	switch {
	case cs.KeyName == shortcutNext.KeyName && cs.Modifier == shortcutNext.Modifier:
		s.goNext()
	case cs.KeyName == shortcutBack.KeyName && cs.Modifier == shortcutBack.Modifier:
		s.goBack()
	default:
		return false
	}
	return true
}

// askClose closes the window, first asking when something typed would be
// lost (Stay is the default); a copied secret leaves the clipboard with it.
func (s *shell) askClose() {
	lost := s.wiz.Unstored()
	if s.practice != nil {
		lost = s.practiceLoss()
	}
	if lost == "" {
		s.closeWindow()
		return
	}
	s.ask(ask{Title: "Close tnjwt?", Body: wrapped(lost), Cancel: "Stay", OK: "Close anyway", Width: 480,
		OKImp: widget.DangerImportance, OnOK: func() bool { s.closeWindow(); return true }})
}

// closeWindow closes the window; the clipboard is read and cleared while
// the window still exists.
func (s *shell) closeWindow() {
	s.clearSecretCopy()
	s.win.Close()
}

// close waits for profile writes before exit. A keychain call still waiting
// for an unlock prompt is left behind: nothing of it needs saving.
func (s *shell) close() {
	s.leaveScreens()
	if d, ok := s.screens[wizard.StepDone].(*doneScreen); ok {
		d.preview.closing.Wait()
	}
	s.saves.wait()
	if s.practice != nil {
		_ = s.practice.org.Close()
		_ = os.RemoveAll(s.practice.dir)
	}
}
