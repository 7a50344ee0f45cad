package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/profiles"
)

// Keyboard shortcuts for Back and Next.
var (
	shortcutBack = &desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}
	shortcutNext = &desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt}
)

// navEntry is an Entry that lets Alt+Left / Alt+Right through to the
// window: a focused Entry otherwise swallows every shortcut it doesn't know.
// It also bounds what it holds: Fyne measures the whole line on every
// click, and a paste of tens of thousands of characters froze the window
// for good. What goes over the bound never reaches the widget, and cut
// says so.
type navEntry struct {
	widget.Entry
	nav    func(fyne.Shortcut) bool
	escape func() // in a dialog: Escape cancels it
	// pasted, when set, rewrites clipboard text before it is pasted: a
	// one-line field would otherwise turn line breaks into spaces.
	pasted func(string) string
	limit  int          // the most characters the field holds
	what   string       // the field's name, for the cut message: "Consumer key"
	cut    func(string) // shows what was left out; nil: nothing is said
	s      *shell       // brings the field into view when it takes the focus
}

// entrySpec is what a field takes: at most limit characters, named what
// when some are left out.
type entrySpec struct {
	limit int
	what  string
}

// The fields of the window and how much each holds: the longest valid
// value where a check sets one, a few hundred characters for an address,
// and room for a consumer key pasted twice, which its check then flags.
var (
	specProfileName = entrySpec{profiles.MaxNameLen, "Profile name"}
	specLoginURL    = entrySpec{300, "Login URL"}
	specUsername    = entrySpec{120, "Username"}
	specCN          = entrySpec{64, "Common name"}
	specDays        = entrySpec{5, "Valid for (days)"}
	specConsumerKey = entrySpec{255, "Consumer key"}
	specOrigin      = entrySpec{300, "Web address"}
	specDashboard   = entrySpec{80, "Dashboard API name"}
	specFileName    = entrySpec{255, "File name"}
)

func (e *navEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.escape != nil {
		e.escape()
		return
	}
	e.Entry.TypedKey(ev)
}

// newEntry is a field on s's screens: Alt+←/→ move between steps, and a
// cut paste is said in the footer.
func (s *shell) newEntry(spec entrySpec) *navEntry {
	e := newNavEntry(s.nav, spec)
	e.s = s
	e.cut = s.setStatus
	return e
}

func newNavEntry(nav func(fyne.Shortcut) bool, spec entrySpec) *navEntry {
	e := &navEntry{nav: nav, limit: spec.limit, what: spec.what}
	e.ExtendBaseWidget(e)
	return e
}

func (e *navEntry) TypedShortcut(s fyne.Shortcut) {
	if e.nav != nil && e.nav(s) {
		return
	}
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		text := p.Clipboard.Content()
		if e.pasted != nil {
			text = e.pasted(text)
		}
		text, cut := e.fit(text)
		e.Entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: fixedClipboard{p.Clipboard, text}})
		if cut != "" {
			e.say(cut) // after the paste: the field's own check has spoken by now
		}
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedRune refuses a character past the bound.
func (e *navEntry) TypedRune(r rune) {
	if e.limit > 0 && !e.Disabled() && e.room() < 1 {
		e.say(fmt.Sprintf("%s takes at most %d characters.", e.what, e.limit))
		return
	}
	e.Entry.TypedRune(r)
}

// SetText shows at most the bound of text.
func (e *navEntry) SetText(text string) {
	if e.limit > 0 && utf8.RuneCountInString(text) > e.limit {
		text = string([]rune(text)[:e.limit])
	}
	e.Entry.SetText(text)
}

// room is how many characters may still go in, counting the selection,
// which what is typed or pasted replaces.
func (e *navEntry) room() int {
	return e.limit - utf8.RuneCountInString(e.Text) + utf8.RuneCountInString(e.SelectedText())
}

// fit cuts pasted text to the room left, with what to say about the cut
// ("" when nothing was cut).
func (e *navEntry) fit(text string) (string, string) {
	if e.limit <= 0 {
		return text, ""
	}
	room := max(e.room(), 0)
	n := utf8.RuneCountInString(text)
	if n <= room {
		return text, ""
	}
	return string([]rune(text)[:room]), fmt.Sprintf("The paste was %s characters long, but %s takes at most %d: "+
		"only the first %d were kept. Check what you copied.", thousands(n), e.what, e.limit, room)
}

func (e *navEntry) say(msg string) {
	if e.cut != nil {
		e.cut(msg)
	}
}

// FocusGained brings the field into view.
func (e *navEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.s != nil {
		e.s.keepVisible(e)
	}
}

// thousands writes n with thousands separators: 50,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// wrapped is a label that wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// subtle is a wrapped label in the quieter italic style used for "why" lines.
func subtle(text string) *widget.Label {
	l := wrapped(text)
	l.TextStyle = fyne.TextStyle{Italic: true}
	return l
}

// bold is a label in bold.
func bold(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// wrappedBold is a bold label that wraps, for names that can be long.
func wrappedBold(text string) *widget.Label {
	l := bold(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// message is the line under a field: an error, a warning or nothing.
type message struct {
	widget.Label
}

func newMessage() *message {
	m := &message{}
	m.Wrapping = fyne.TextWrapWord
	m.ExtendBaseWidget(m)
	m.Hide()
	return m
}

func (m *message) set(err, warn string) {
	switch {
	case err != "":
		m.apply(widget.DangerImportance, err)
	case warn != "":
		m.apply(widget.WarningImportance, warn)
	default:
		m.apply(widget.MediumImportance, "")
	}
}

func (m *message) info(text string)    { m.apply(widget.MediumImportance, text) }
func (m *message) success(text string) { m.apply(widget.SuccessImportance, text) }

// apply shows text in the style of imp, or hides the line when text is
// empty; it leaves an unchanged line alone.
func (m *message) apply(imp widget.Importance, text string) {
	if text == "" {
		m.Hide()
		return
	}
	if m.Text != text || m.Importance != imp {
		m.Importance = imp
		m.SetText(text)
	}
	m.Show()
}

// indent shifts content right by about one tick box, so an item's details
// line up under its label.
func indent(o fyne.CanvasObject) fyne.CanvasObject {
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(theme.IconInlineSize()+theme.Padding()*2, 0))
	return container.NewBorder(nil, nil, gap, nil, o)
}

// heading is a label in the sub-heading size.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// readableWidth keeps a screen's lines at a comfortable length in a
// maximised window; narrower windows get the full width.
type readableWidth struct{ max float32 }

func (r readableWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	// Leave room on the right for the scroll bar.
	w := min(size.Width-2*theme.Padding(), r.max)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (r readableWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m.AddWidthHeight(2*theme.Padding(), 0)
}

// setText changes a label only when the text differs: a refresh means
// measuring text again.
func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// enable enables or disables a button.
func enable(b *widget.Button, on bool) {
	if on && b.Disabled() {
		b.Enable()
	} else if !on && !b.Disabled() {
		b.Disable()
	}
}

// Tab moves the focus, but Fyne's scroll view does not follow it: a stop
// below the fold would take Space unseen. These widgets bring themselves
// into view when they gain the focus. A button also answers Return (Fyne's
// answers only Space) and, in a dialog, Escape.

// focusCheck is a tick box that scrolls into view on focus.
type focusCheck struct {
	widget.Check
	s *shell
}

func newFocusCheck(s *shell, label string, changed func(bool)) *focusCheck {
	c := &focusCheck{s: s}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *focusCheck) FocusGained() {
	c.Check.FocusGained()
	c.s.keepVisible(c)
}

// focusButton is a button that scrolls into view on focus.
type focusButton struct {
	widget.Button
	s *shell
}

func newFocusButton(s *shell, label string, icon fyne.Resource, tapped func()) *focusButton {
	b := &focusButton{s: s}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *focusButton) FocusGained() {
	b.Button.FocusGained()
	b.s.keepVisible(b)
}

// TypedKey presses the button on Return as on Space, and cancels the
// dialog it is in on Escape.
func (b *focusButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	case fyne.KeyEscape:
		b.s.escape()
	default:
		b.Button.TypedKey(ev)
	}
}

// focusSelect is a drop-down that scrolls into view on focus.
type focusSelect struct {
	widget.Select
	s *shell
}

func newFocusSelect(s *shell, options []string, changed func(string)) *focusSelect {
	sel := &focusSelect{s: s}
	sel.Options, sel.OnChanged = options, changed
	sel.ExtendBaseWidget(sel)
	return sel
}

func (sel *focusSelect) FocusGained() {
	sel.Select.FocusGained()
	sel.s.keepVisible(sel)
}

// section is a part of a screen that opens and closes under a heading
// button: Fyne's Accordion draws its headers with buttons of its own,
// which Tab reaches without bringing them into view.
type section struct {
	head   *focusButton
	detail fyne.CanvasObject
	root   *fyne.Container
}

func newSection(s *shell, title string, detail fyne.CanvasObject) *section {
	sc := &section{detail: detail}
	sc.head = newFocusButton(s, title, theme.MenuExpandIcon(), sc.toggle)
	sc.head.Alignment = widget.ButtonAlignLeading
	sc.head.Importance = widget.LowImportance
	detail.Hide()
	sc.root = container.NewVBox(sc.head, indent(detail))
	return sc
}

// open shows or hides the section's content.
func (sc *section) open(on bool) {
	if on == sc.detail.Visible() {
		return
	}
	if on {
		sc.detail.Show()
		sc.head.SetIcon(theme.MenuDropDownIcon())
	} else {
		sc.detail.Hide()
		sc.head.SetIcon(theme.MenuExpandIcon())
	}
	sc.root.Refresh()
	sc.head.s.relayout()
}

func (sc *section) toggle() { sc.open(!sc.detail.Visible()) }

// fixedClipboard is a clipboard whose content reads as text.
type fixedClipboard struct {
	fyne.Clipboard
	text string
}

func (c fixedClipboard) Content() string { return c.text }

// widthWatch lays out its content over the whole area, and calls changed
// when the width it is given changes (not on the first layout).
type widthWatch struct {
	last    float32
	changed func()
}

func (w *widthWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if size.Width != w.last {
		first := w.last == 0
		w.last = size.Width
		if !first {
			w.changed()
		}
	}
}

func (w *widthWatch) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
