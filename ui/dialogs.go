package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's dialogs leave the keyboard out: Escape does not close them and
// Return does not press their default button. tnjwt's dialogs are built
// here, with buttons of its own that hear those keys, and the window hears
// them too when nothing has the focus: Escape is the dialog's Cancel,
// Return its default action (or the focused button). The default is the
// safe choice: OK, unless OK destroys or replaces something (its button is
// in the danger or warning colour), where it is Cancel.

// ask describes one dialog. An empty OK makes a dialog with Cancel alone
// (labelled Close); OnOK returning false keeps the dialog open (a refused
// input, say).
type ask struct {
	Title      string
	Body       fyne.CanvasObject
	Cancel, OK string
	OKImp      widget.Importance
	OnOK       func() bool
	OnCancel   func()
	Width      float32 // 0: fit the content
}

// keyDialog is a dialog on show that the keyboard can answer.
type keyDialog struct {
	s          *shell
	dlg        *dialog.CustomDialog
	spec       ask
	cancel, ok *dialogButton
	closed     bool
}

// dialogButton is a button that passes Escape and Return to its dialog.
type dialogButton struct {
	widget.Button
	d *keyDialog
}

func (d *keyDialog) newButton(text string, icon fyne.Resource, tapped func()) *dialogButton {
	b := &dialogButton{d: d}
	b.Text, b.Icon, b.OnTapped = text, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *dialogButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		b.d.dismiss()
	case fyne.KeyReturn, fyne.KeyEnter:
		b.OnTapped() // the focused button is the one Return means
	default:
		b.Button.TypedKey(ev)
	}
}

// risky reports an OK that destroys or replaces something: Return must not
// press it by default.
func (a ask) risky() bool {
	return a.OK != "" && (a.OKImp == widget.DangerImportance || a.OKImp == widget.WarningImportance)
}

// ask shows a dialog and returns it; the default button has the focus.
func (s *shell) ask(a ask) *keyDialog {
	d := &keyDialog{s: s, spec: a}
	cancel := a.Cancel
	if cancel == "" {
		cancel = "Cancel"
		if a.OK == "" {
			cancel = "Close"
		}
	}
	d.cancel = d.newButton(cancel, theme.CancelIcon(), d.dismiss)
	buttons := []fyne.CanvasObject{d.cancel}
	if a.OK != "" {
		d.ok = d.newButton(a.OK, theme.ConfirmIcon(), d.confirm)
		d.ok.Importance = a.OKImp
		if d.ok.Importance == widget.MediumImportance {
			d.ok.Importance = widget.HighImportance
		}
		buttons = append(buttons, d.ok)
	}
	d.dlg = dialog.NewCustomWithoutButtons(a.Title, a.Body, s.win)
	d.dlg.SetButtons(buttons)
	if a.Width > 0 {
		d.dlg.Resize(fyne.NewSize(a.Width, 0))
	}
	s.dialogs = append(s.dialogs, d)
	d.dlg.Show()
	if d.ok != nil && !a.risky() {
		s.win.Canvas().Focus(d.ok)
	} else {
		s.win.Canvas().Focus(d.cancel)
	}
	return d
}

// confirm is ask for a sentence or two and one action.
func (s *shell) confirm(title, message, ok string, imp widget.Importance, then func()) *keyDialog {
	return s.ask(ask{Title: title, Body: wrapped(message), OK: ok, OKImp: imp, Width: 520,
		OnOK: func() bool { then(); return true }})
}

func (d *keyDialog) confirm() {
	if d.closed {
		return
	}
	if d.spec.OnOK != nil && !d.spec.OnOK() {
		return
	}
	d.close()
}

func (d *keyDialog) dismiss() {
	if d.closed {
		return
	}
	d.close()
	if d.spec.OnCancel != nil {
		d.spec.OnCancel()
	}
}

func (d *keyDialog) close() {
	d.closed = true
	d.dlg.Hide()
	s := d.s
	for i, x := range s.dialogs {
		if x == d {
			s.dialogs = append(s.dialogs[:i], s.dialogs[i+1:]...)
			break
		}
	}
}

// typedKey answers Escape and Return for the dialog on top when nothing in
// the window has the focus.
func (s *shell) typedKey(ev *fyne.KeyEvent) {
	if len(s.dialogs) == 0 {
		return
	}
	top := s.dialogs[len(s.dialogs)-1]
	switch ev.Name {
	case fyne.KeyEscape:
		top.dismiss()
	case fyne.KeyReturn, fyne.KeyEnter:
		switch {
		case top.ok == nil: // a dialog with only Close: Return does nothing
		case top.spec.risky():
			top.dismiss()
		default:
			top.confirm()
		}
	}
}
