package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/wizard"
)

// consumerKeyScreen takes the consumer key pasted from Setup.
type consumerKeyScreen struct {
	s        *shell
	practice *fyne.Container // the practice app's key, as Setup would show it
	entry    *navEntry
	msg      *message
	root     fyne.CanvasObject
}

func newConsumerKeyScreen(s *shell) *consumerKeyScreen {
	c := &consumerKeyScreen{s: s}
	c.entry = s.newEntry(specConsumerKey)
	c.entry.SetPlaceHolder("3MVG9…")
	c.entry.pasted = func(s string) string { return strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(s) }
	c.entry.OnChanged = c.changed
	c.entry.OnSubmitted = func(string) { s.goNext() }
	c.msg = newMessage()
	st := s.steps[s.wiz.Index(wizard.StepConsumerKey)]
	c.practice = container.NewVBox()
	if p := s.practice; p != nil {
		key := p.org.ConsumerKey
		copyKey := newFocusButton(s, "Copy", theme.ContentCopyIcon(), func() { s.copySecret("the consumer key", key) })
		c.practice.Add(bold("Practice org: the app's Consumer Key, as Setup shows it"))
		c.practice.Add(container.NewBorder(nil, nil, nil, copyKey, monoWrapped(key)))
		c.practice.Add(widget.NewSeparator())
	}
	c.root = container.NewVBox(
		c.practice,
		bold("Where in Salesforce Setup"),
		wrapped(st.Where),
		wrapped("Click Consumer Key and Secret (Salesforce may ask you to verify your identity), copy the consumer key, and paste it here."),
		bold("Consumer key"),
		c.entry,
		c.msg,
		widget.NewSeparator(),
		wrapped("The JWT bearer flow doesn't use the consumer secret: Salesforce trusts the JWT signed with your private key instead. "+
			"So tnjwt doesn't ask for the secret; keep it wherever your security policy says."),
		subtle(c.memoryNote()),
	)
	return c
}

func (c *consumerKeyScreen) view() fyne.CanvasObject { return c.root }

// memoryNote says where the pasted key is until the Keychain step.
func (c *consumerKeyScreen) memoryNote() string {
	note := "tnjwt holds the consumer key in this window's memory until the next step stores it in your " +
		c.s.keychainName() + ". It is never written to the profile file."
	if c.s.practice != nil {
		note += " " + wizard.InMemory
	}
	return note
}

func (c *consumerKeyScreen) focusFirst() { c.s.win.Canvas().Focus(c.entry) }

func (c *consumerKeyScreen) show() {
	st := c.s.wiz.State()
	if c.entry.Text != st.ConsumerKey {
		c.entry.SetText(st.ConsumerKey)
	}
	c.report()
}

// changed trims what was pasted (spaces, line breaks) so the field shows
// exactly what will be stored.
func (c *consumerKeyScreen) changed(text string) {
	key, _, err := c.s.wiz.SetConsumerKey(text)
	if err == nil && key != text {
		c.entry.SetText(key) // calls changed again with the trimmed key
		return
	}
	c.report()
	c.s.changed()
}

func (c *consumerKeyScreen) report() {
	text := c.entry.Text
	st := c.s.wiz.State()
	if text == "" {
		if st.ConsumerKeyStored || st.Ticked(wizard.IDKeyStore) {
			c.msg.success("The consumer key is stored in your " + c.s.keychainName() + ". Paste it again only if it changed.")
		} else {
			c.msg.set("", "")
		}
		return
	}
	key, warn, err := c.s.wiz.SetConsumerKey(text)
	switch {
	case err != nil:
		c.msg.set(err.Error(), "")
	case warn != "":
		c.msg.set("", warn)
	default:
		c.msg.success(fmt.Sprintf("Looks like a Salesforce consumer key (%d characters).", len(key)))
	}
}

// revealErrors says, under the field, that it is empty when Next was
// pressed with nothing in it, on every visit, not only the first.
func (c *consumerKeyScreen) revealErrors() {
	st := c.s.wiz.State()
	if strings.TrimSpace(c.entry.Text) == "" && !st.ConsumerKeyStored && !st.Ticked(wizard.IDKeyStore) {
		_, _, err := c.s.wiz.SetConsumerKey("")
		c.msg.set(inputText(err), "")
	}
}

// pointer points the footer at the error shown under the field.
func (c *consumerKeyScreen) pointer() string {
	if c.msg.Visible() && c.msg.Importance == widget.DangerImportance {
		return "Next is waiting for a valid consumer key: see the message under the field."
	}
	return ""
}
