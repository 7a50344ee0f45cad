package ui

import (
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/wizard"
)

// checklistScreen shows a step's Setup work as tick boxes, each with its
// instruction, the exact values to copy and why it matters.
type checklistScreen struct {
	s      *shell
	step   wizard.Step
	checks map[string]*widget.Check
	values []boundValue // values filled from the profile, refreshed on show
	reveal *widget.Button
	noFile *widget.Label
	root   fyne.CanvasObject
}

type boundValue struct {
	v     wizard.Value
	label *widget.Label
}

func newChecklistScreen(s *shell, st wizard.Step) *checklistScreen {
	c := &checklistScreen{s: s, step: st, checks: map[string]*widget.Check{}}
	box := container.NewVBox()
	if st.Where != "" {
		box.Add(bold("Where in Salesforce Setup"))
		box.Add(wrapped(st.Where))
		box.Add(widget.NewSeparator())
	}
	for _, it := range st.Items {
		box.Add(c.item(it))
		box.Add(widget.NewSeparator())
	}
	if st.Finally != "" {
		box.Add(wrapped(st.Finally))
	}
	c.root = box
	return c
}

func (c *checklistScreen) item(it wizard.Item) fyne.CanvasObject {
	id := it.ID
	check := widget.NewCheck(it.Label, func(on bool) {
		c.s.wiz.Tick(id, on)
		c.s.changed()
	})
	if it.Auto {
		check.Disable() // tnjwt ticks these itself
	}
	c.checks[id] = check

	details := container.NewVBox(wrapped(it.Instruction))
	if it.Path != "" {
		details.Add(subtle("Where: " + it.Path))
	}
	if len(it.Values) > 0 {
		values := container.New(layout.NewFormLayout())
		for _, v := range it.Values {
			name, value := c.valueRow(v)
			values.Add(name)
			values.Add(value)
		}
		details.Add(values)
	}
	if id == wizard.IDECACertUpload {
		details.Add(c.revealRow())
	}
	why := subtle("Why: " + it.Why)
	details.Add(why)
	if it.Optional {
		details.Add(subtle("Optional: leave it unticked if your policy doesn't ask for it."))
	}
	return container.NewVBox(check, indent(details))
}

// valueRow is one exact value with a button that copies it.
func (c *checklistScreen) valueRow(v wizard.Value) (name, value fyne.CanvasObject) {
	text := monoWrapped(v.Text)
	text.Wrapping = fyne.TextWrapWord
	if v.From != wizard.Fixed {
		c.values = append(c.values, boundValue{v, text})
	}
	copyBtn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		val := v.Resolve(c.s.wiz.State().Profile)
		c.s.copy("“"+val+"”", val)
	})
	return widget.NewLabel(v.Name + ":"), container.NewBorder(nil, nil, nil, copyBtn, text)
}

// revealRow opens the folder holding the saved certificate, to drag it into
// the upload box or pick it there.
func (c *checklistScreen) revealRow() fyne.CanvasObject {
	c.reveal = widget.NewButtonWithIcon("Show the certificate file", theme.FolderOpenIcon(), c.openCertFolder)
	c.noFile = subtle("")
	return container.NewVBox(container.NewHBox(c.reveal), c.noFile)
}

func (c *checklistScreen) openCertFolder() {
	path := c.s.wiz.State().CertPath
	if path == "" {
		return
	}
	u, err := url.Parse(storage.NewFileURI(filepath.Dir(path)).String())
	if err == nil {
		err = c.s.app.OpenURL(u)
	}
	if err != nil {
		c.s.setStatus("Couldn't open the folder: " + wizard.Sentence(err.Error()) + " The file is " + path)
		return
	}
	c.s.setStatus("Opened the folder holding " + filepath.Base(path) + ".")
}

func (c *checklistScreen) view() fyne.CanvasObject { return c.root }

func (c *checklistScreen) show() {
	st := c.s.wiz.State()
	for id, check := range c.checks {
		if check.Checked != st.Ticked(id) {
			check.SetChecked(st.Ticked(id))
		}
	}
	for _, b := range c.values {
		b.label.SetText(b.v.Resolve(st.Profile))
	}
	if c.reveal != nil {
		if st.CertPath == "" {
			c.reveal.Disable()
			// The profile keeps the certificate, not where its file went, so
			// a file saved before tnjwt was reopened is not known here.
			c.noFile.SetText("Save the certificate as a file on the Key and certificate step; then this button opens its folder. " +
				"tnjwt remembers the file only while this window stays open: if you saved it before, pick it yourself in Salesforce's upload box, or save it again.")
			c.noFile.Show()
		} else {
			c.reveal.Enable()
			c.noFile.SetText("Saved as " + st.CertPath)
		}
	}
}
