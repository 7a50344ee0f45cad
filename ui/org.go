package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"strings"

	"github.com/tnjwt/tnjwt/wizard"
)

// orgScreen asks for the profile name, the kind of org with its login URL,
// and the JWT subject username, checking each as it is typed.
type orgScreen struct {
	s        *shell
	name     *navEntry
	nameMsg  *message
	kind     *focusSelect
	kindHelp *widget.Label
	url      *navEntry
	urlMsg   *message
	user     *navEntry
	userMsg  *message
	revealed bool   // Next was refused: show errors of empty fields too
	typedURL string // what was typed before a fixed-URL type replaced it
	loading  bool   // filling the fields from the model: don't echo back
	root     fyne.CanvasObject
}

func newOrgScreen(s *shell) *orgScreen {
	o := &orgScreen{s: s}
	o.name = s.newEntry(specProfileName)
	o.name.SetPlaceHolder("acme-production")
	o.nameMsg = newMessage()
	var kinds []string
	for _, t := range wizard.OrgTypes() {
		kinds = append(kinds, t.String())
	}
	o.kind = newFocusSelect(s, kinds, func(string) { o.kindChanged() })
	o.kindHelp = subtle("")
	o.url = s.newEntry(specLoginURL)
	o.urlMsg = newMessage()
	o.user = s.newEntry(specUsername)
	o.user.SetPlaceHolder("embed@acme.com")
	o.userMsg = newMessage()

	for _, e := range []*navEntry{o.name, o.url, o.user} {
		e.OnChanged = func(string) { o.update() }
	}
	o.name.OnSubmitted = func(string) { s.win.Canvas().FocusNext() }
	o.url.OnSubmitted = func(string) { s.win.Canvas().FocusNext() }
	o.user.OnSubmitted = func(string) { s.goNext() }

	form := container.New(layout.NewFormLayout(),
		bold("Profile name"), container.NewVBox(o.name, o.nameMsg,
			subtle("A short name for this org in tnjwt. The command line uses it too, as --profile.")),
		bold("Org type"), container.NewVBox(o.kind, o.kindHelp),
		bold("Login URL"), container.NewVBox(o.url, o.urlMsg),
		bold("Username"), container.NewVBox(o.user, o.userMsg,
			subtle("The JWT subject: the Salesforce user the embedded sessions run as. Use the Username from Setup → Users, not the email address.")),
	)
	o.root = form
	return o
}

func (o *orgScreen) view() fyne.CanvasObject { return o.root }

func (o *orgScreen) show() {
	st := o.s.wiz.State()
	o.loading = true
	o.name.SetText(st.Draft.Name)
	o.kind.SetSelected(st.Draft.Type.String())
	o.url.SetText(st.Draft.URL)
	o.user.SetText(st.Draft.Username)
	o.loading = false
	o.kindChanged()
	if st.Saved {
		o.name.Disable()
	} else {
		o.name.Enable()
	}
	o.update()
}

func (o *orgScreen) focusFirst() {
	for _, e := range []*navEntry{o.name, o.url, o.user} {
		if !e.Disabled() {
			o.s.win.Canvas().Focus(e)
			return
		}
	}
}

func (o *orgScreen) selectedType() wizard.OrgType {
	for _, t := range wizard.OrgTypes() {
		if t.String() == o.kind.Selected {
			return t
		}
	}
	return wizard.OrgProduction
}

// kindChanged fills the login URL for Production and Sandbox, and opens the
// field for the types whose URL the admin types.
func (o *orgScreen) kindChanged() {
	if o.loading {
		return
	}
	t := o.selectedType()
	o.kindHelp.SetText(t.Help())
	o.loading = true
	if fixed := t.FixedURL(); fixed != "" {
		if !isFixedURL(o.url.Text) {
			o.typedURL = o.url.Text // kept for a switch back
		}
		o.url.SetText(fixed)
		o.url.Disable()
	} else {
		if isFixedURL(o.url.Text) {
			o.url.SetText(o.typedURL)
		}
		o.url.SetPlaceHolder(t.Placeholder())
		o.url.Enable()
	}
	o.loading = false
	o.update()
}

func isFixedURL(u string) bool {
	for _, t := range wizard.OrgTypes() {
		if f := t.FixedURL(); f != "" && f == u {
			return true
		}
	}
	return false
}

// update hands the fields to the model and shows its verdict under each.
func (o *orgScreen) update() {
	if o.loading {
		return
	}
	c := o.s.wiz.SetOrg(wizard.OrgDraft{
		Name: o.name.Text, Type: o.selectedType(), URL: o.url.Text, Username: o.user.Text,
	})
	o.show1(o.nameMsg, o.name.Text, c.Name)
	o.show1(o.urlMsg, o.url.Text, c.URL)
	o.show1(o.userMsg, o.user.Text, c.Username)
	if st := o.s.wiz.State(); st.Saved {
		o.nameMsg.info("Saved as " + st.Profile.Name + ". The name stays as it is: this org's keychain items are filed under it.")
	}
	o.s.changed()
}

// show1 shows a field's error once something was typed (or Next was
// refused), and its warning at once.
func (o *orgScreen) show1(m *message, text string, f wizard.Field) {
	if text == "" && !o.revealed {
		m.set("", f.Warn)
		return
	}
	m.set(f.Err, f.Warn)
}

func (o *orgScreen) revealErrors() {
	o.revealed = true
	o.update()
}

// nameWanted is what the name field lacks: a name at all, or a usable one.
func (o *orgScreen) nameWanted() string {
	if strings.TrimSpace(o.name.Text) == "" {
		return "a profile name"
	}
	return "a different profile name"
}

// pointer names the first field showing an error, for the footer.
func (o *orgScreen) pointer() string {
	for _, f := range []struct {
		m    *message
		name string
	}{{o.nameMsg, o.nameWanted()}, {o.urlMsg, "a valid login URL"}, {o.userMsg, "a valid username"}} {
		if f.m.Visible() && f.m.Importance == widget.DangerImportance {
			return "Next is waiting for " + f.name + ": see the message under the field."
		}
	}
	return ""
}
