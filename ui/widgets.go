package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Keyboard shortcuts for Back and Next.
var (
	shortcutBack = &desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}
	shortcutNext = &desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt}
)

// navEntry is an Entry that lets Alt+Left / Alt+Right through to the
// window: a focused Entry otherwise swallows every shortcut it doesn't know.
type navEntry struct {
	widget.Entry
	nav    func(fyne.Shortcut) bool
	escape func() // in a dialog: Escape cancels it
	// pasted, when set, rewrites clipboard text before it is pasted: a
	// one-line field would otherwise turn line breaks into spaces.
	pasted func(string) string
}

func (e *navEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.escape != nil {
		e.escape()
		return
	}
	e.Entry.TypedKey(ev)
}

func newNavEntry(nav func(fyne.Shortcut) bool) *navEntry {
	e := &navEntry{nav: nav}
	e.ExtendBaseWidget(e)
	return e
}

func (e *navEntry) TypedShortcut(s fyne.Shortcut) {
	if e.nav != nil && e.nav(s) {
		return
	}
	if p, ok := s.(*fyne.ShortcutPaste); ok && e.pasted != nil && p.Clipboard != nil {
		text := e.pasted(p.Clipboard.Content())
		e.Entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: fixedClipboard{p.Clipboard, text}})
		return
	}
	e.Entry.TypedShortcut(s)
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
// into view when they gain the focus.

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
