package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/wizard"
)

// embedScreen asks once for the app's web origins, checks them as they are
// typed, and lists what the org must allow a page on them, every value
// filled from the origins.
type embedScreen struct {
	s        *shell
	prod     *navEntry
	prodMsg  *message
	dev      *navEntry
	devMsg   *message
	list     *checklistScreen
	revealed bool // Next was refused: show errors of empty fields too
	loading  bool // filling the fields from the model: don't echo back
	root     fyne.CanvasObject
}

func newEmbedScreen(s *shell, st wizard.Step) *embedScreen {
	// The fields above are the origins item: the list holds the others.
	rest := st
	rest.Items = slices.DeleteFunc(slices.Clone(st.Items), func(it wizard.Item) bool { return it.ID == wizard.IDEmbedOrigins })
	e := &embedScreen{s: s, prodMsg: newMessage(), devMsg: newMessage(), list: newChecklistScreen(s, rest)}
	e.prod = s.newEntry(entrySpec{specOrigin.limit, "Production"})
	e.prod.SetPlaceHolder("https://app.acme.com")
	e.dev = s.newEntry(entrySpec{specOrigin.limit, "Development"})
	e.dev.SetPlaceHolder(embedding.DevelopmentOrigin)
	for _, f := range []*navEntry{e.prod, e.dev} {
		f.OnChanged = func(string) { e.update() }
	}
	e.prod.OnSubmitted = func(string) { s.win.Canvas().FocusNext() }
	e.dev.OnSubmitted = func(string) { s.goNext() }
	form := container.New(layout.NewFormLayout(),
		bold("Production"), container.NewVBox(e.prod, e.prodMsg,
			subtle("The address your users open, such as https://app.acme.com: scheme, host and port, no path.")),
		bold("Development"), container.NewVBox(e.dev, e.devMsg,
			subtle("Where developers run the app, and where tnjwt's preview runs: "+embedding.DevelopmentOrigin+" unless yours differs. Leave a field empty if you have no such address yet.")),
	)
	e.root = container.NewVBox(bold("Your app's web addresses"), form, widget.NewSeparator(), e.list.view())
	return e
}

func (e *embedScreen) view() fyne.CanvasObject { return e.root }

func (e *embedScreen) show() {
	o := e.s.wiz.State().Origins
	e.loading = true
	e.prod.SetText(o.Production)
	e.dev.SetText(o.Development)
	e.loading = false
	e.update()
}

func (e *embedScreen) focusFirst() { e.s.win.Canvas().Focus(e.prod) }

// update hands the addresses to the model, shows its verdict under each,
// and brings the practice org and the values below in line.
func (e *embedScreen) update() {
	if e.loading {
		return
	}
	o := e.s.wiz.SetOrigins(e.prod.Text, e.dev.Text)
	e.prodMsg.set(fieldError(o.Production, o.ProductionErr, e.revealed), "")
	e.devMsg.set(fieldError(o.Development, o.DevelopmentErr, e.revealed), "")
	if o.OK() {
		e.s.practiceSyncEmbedding()
	}
	e.list.show()
	e.s.changed()
}

func fieldError(text string, err error, revealed bool) string {
	if err == nil || (text == "" && !revealed) {
		return ""
	}
	return inputText(err)
}

func (e *embedScreen) revealErrors() {
	e.revealed = true
	e.update()
}

// pointer names the field showing an error, for the footer.
func (e *embedScreen) pointer() string {
	for _, m := range []*message{e.prodMsg, e.devMsg} {
		if m.Visible() && m.Importance == widget.DangerImportance {
			return "Next is waiting for a valid web address: see the message under the field."
		}
	}
	return ""
}

func (e *embedScreen) scrollTo(id string, scroll *container.Scroll) { e.list.scrollTo(id, scroll) }
