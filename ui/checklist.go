package ui

import (
	"image/color"
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
	checks map[string]*focusCheck
	items  map[string]*itemView
	// practiceNotes say, in practice mode, which items the live test can't notice.
	practiceNotes []*widget.Label
	values        []boundValue   // values filled from the profile, refreshed on show
	copies        []*focusButton // their Copy buttons, in the same order
	reveal        *focusButton
	saveCert      *focusButton // the current certificate, when it isn't saved yet
	noFile        *widget.Label
	setup         map[string]*focusButton // Open in Setup, by item
	setupHost     string                  // the org's Setup address; "" when it can't be told
	noSetup       *widget.Label           // why there is no Open in Setup
	root          fyne.CanvasObject
}

// itemView is one item's block, with the highlight a failed live test puts
// on the item it blames.
type itemView struct {
	box  fyne.CanvasObject
	mark *canvas.Rectangle
	note *message
}

type boundValue struct {
	v     wizard.Value
	label *widget.Label
}

func newChecklistScreen(s *shell, st wizard.Step) *checklistScreen {
	c := &checklistScreen{s: s, step: st, checks: map[string]*focusCheck{}, items: map[string]*itemView{},
		setup: map[string]*focusButton{}, noSetup: subtle("")}
	box := container.NewVBox()
	if st.Where != "" {
		box.Add(bold("Where in Salesforce Setup"))
		box.Add(wrapped(st.Where))
	}
	box.Add(c.noSetup)
	if st.Where != "" {
		box.Add(widget.NewSeparator())
	}
	if st.ID == wizard.StepECA {
		box.Add(newDeployPanel(c).view()) // deploy.go: the same items as metadata
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
	check := newFocusCheck(c.s, it.Label, func(on bool) {
		c.s.wiz.Tick(id, on)
		c.s.practiceApply(id, on)
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
	if wizard.HasSetupPage(id) {
		b := newFocusButton(c.s, "Open in Setup", theme.ComputerIcon(), func() { c.openSetup(id) })
		c.setup[id] = b
		details.Add(container.NewHBox(b))
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
	if note, ok := wizard.NoEffect[id]; ok {
		v := subtle(note)
		v.Hide()
		c.practiceNotes = append(c.practiceNotes, v)
		details.Add(v)
	}
	v := &itemView{mark: canvas.NewRectangle(color.Transparent), note: newMessage()}
	v.mark.CornerRadius = theme.InputRadiusSize()
	v.box = container.NewStack(v.mark, container.NewVBox(v.note, check, indent(details)))
	c.items[id] = v
	return v.box
}

// blamed is the item the last live test failed on, if this screen has it.
func (c *checklistScreen) blamed() string {
	t := c.s.wiz.State().Profile.LastTest
	if t == nil || t.OK {
		return ""
	}
	if _, ok := c.items[t.DiagnosisStep]; ok {
		return t.DiagnosisStep
	}
	return ""
}

// highlight marks the item the last failed test blames, and only that one.
func (c *checklistScreen) highlight() {
	blamed := c.blamed()
	for id, v := range c.items {
		if id == blamed {
			v.mark.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x30)
			v.mark.StrokeColor = theme.Color(theme.ColorNameWarning)
			v.mark.StrokeWidth = 2
			v.note.set("", "The last live test failed here: check this item in Setup, then test again.")
		} else {
			v.mark.FillColor, v.mark.StrokeColor, v.mark.StrokeWidth = color.Transparent, color.Transparent, 0
			v.note.set("", "")
		}
		v.mark.Refresh()
	}
}

// highlighted reports whether item id carries the failed-test mark.
func (c *checklistScreen) highlighted(id string) bool {
	v := c.items[id]
	return v != nil && v.mark.StrokeWidth > 0 && v.note.Visible()
}

// scrollTo brings item id to the top of the screen's scroll view.
func (c *checklistScreen) scrollTo(id string, scroll *container.Scroll) {
	v := c.items[id]
	if v == nil || scroll == nil {
		return
	}
	scroll.Refresh() // lay the content out, so the item's position is known
	y := v.box.Position().Y
	for o := fyne.CanvasObject(v.box); ; {
		parent := parentOf(c.root, o)
		if parent == nil || parent == c.root {
			break
		}
		y += parent.Position().Y
		o = parent
	}
	scroll.ScrollToOffset(fyne.NewPos(0, y))
	c.s.win.Canvas().Focus(c.checks[id])
}

// parentOf finds the container directly holding o inside root.
func parentOf(root, o fyne.CanvasObject) fyne.CanvasObject {
	box, ok := root.(*fyne.Container)
	if !ok {
		return nil
	}
	for _, child := range box.Objects {
		if child == o {
			return box
		}
		if p := parentOf(child, o); p != nil {
			return p
		}
	}
	return nil
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// valueRow is one exact value with a button that copies it.
func (c *checklistScreen) valueRow(v wizard.Value) (name, value fyne.CanvasObject) {
	text := monoWrapped(v.Text)
	text.Wrapping = fyne.TextWrapWord
	if v.From == wizard.FromFingerprint {
		text.Wrapping = fyne.TextWrapOff // fingerprintLines breaks it between bytes, as Setup shows it
	}
	if v.From != wizard.Fixed {
		c.values = append(c.values, boundValue{v, text})
	}
	copyBtn := newFocusButton(c.s, "Copy", theme.ContentCopyIcon(), func() {
		val := v.Resolve(c.s.wiz.State())
		c.s.copy("“"+val+"”", val)
	})
	if v.From != wizard.Fixed {
		c.copies = append(c.copies, copyBtn)
	}
	if v.From == wizard.FromFingerprint {
		// Its lines of whole bytes leave no room beside them in a narrow
		// window: the button goes under them.
		return widget.NewLabel(v.Name + ":"), container.NewVBox(text, container.NewHBox(copyBtn))
	}
	return widget.NewLabel(v.Name + ":"), container.NewBorder(nil, nil, nil, copyBtn, text)
}

// revealRow opens the folder holding the saved certificate, to drag it into
// the upload box or pick it there.
func (c *checklistScreen) revealRow() fyne.CanvasObject {
	c.reveal = newFocusButton(c.s, "Show the certificate file", theme.FolderOpenIcon(), c.openCertFolder)
	c.saveCert = newFocusButton(c.s, "Save certificate…", theme.DocumentSaveIcon(), func() {
		c.s.screen(wizard.StepKey).(*keyScreen).askSave()
	})
	c.noFile = subtle("")
	return container.NewVBox(container.NewHBox(c.saveCert, c.reveal), c.noFile)
}

func (c *checklistScreen) openCertFolder() {
	path := c.s.wiz.State().CertPath
	if path == "" {
		return
	}
	u, err := url.Parse(storage.NewFileURI(filepath.Dir(path)).String())
	if err != nil {
		c.s.setStatus(openFailed(err, filepath.Dir(path)) + " The file is " + path)
		return
	}
	c.s.open(u, func(err error) {
		if err != nil {
			c.s.setStatus(openFailed(err, filepath.Dir(path)) + " The file is " + path)
			return
		}
		c.s.setStatus("Opened the folder holding " + filepath.Base(path) + ".")
	})
}

// openSetup opens item id's page of the org's Setup in the browser.
func (c *checklistScreen) openSetup(id string) {
	link := wizard.SetupLink(c.setupHost, id)
	u, err := url.Parse(link)
	if link == "" || err != nil {
		return
	}
	c.s.open(u, func(err error) {
		if err != nil {
			c.s.setStatus(openFailed(err, link))
			return
		}
		c.s.setStatus("Opened " + link + " in your browser: Setup asks you to log in if you aren't.")
	})
}

// showSetup offers Open in Setup when the org's Setup address is known,
// and says why not otherwise.
func (c *checklistScreen) showSetup(st *wizard.State) {
	var why string
	c.setupHost, why = wizard.SetupHost(st.Profile)
	for _, b := range c.setup {
		if c.setupHost == "" {
			b.Hide()
		} else {
			b.Show()
		}
	}
	if c.setupHost != "" || len(c.setup) == 0 {
		c.noSetup.Hide()
		return
	}
	c.noSetup.SetText("Open in Setup isn't offered: " + why)
	c.noSetup.Show()
}

func (c *checklistScreen) view() fyne.CanvasObject { return c.root }

func (c *checklistScreen) show() {
	st := c.s.wiz.State()
	for id, check := range c.checks {
		if check.Checked != st.Ticked(id) {
			check.SetChecked(st.Ticked(id))
		}
	}
	for i, b := range c.values {
		val := b.v.Resolve(st)
		enable(&c.copies[i].Button, val != "")
		switch {
		case val == "" && b.v.From == wizard.FromCertFile:
			val = "not saved as a file yet: use Save certificate below"
		case val == "":
			val = "none given"
		case b.v.From == wizard.FromFingerprint:
			val = fingerprintLines(val)
		}
		b.label.SetText(val)
	}
	c.showSetup(st)
	for _, n := range c.practiceNotes {
		if c.s.practice != nil {
			n.Show()
		} else {
			n.Hide()
		}
	}
	c.highlight()
	if c.reveal != nil {
		if st.CertPath == "" {
			c.reveal.Hide()
			c.saveCert.Show()
			// The profile keeps the certificate, not where its file went, so
			// a file saved before tnjwt was reopened is not known here.
			c.noFile.SetText("The current certificate isn't saved as a file in this window. Save it, then upload that file. " +
				"A file you saved earlier may hold an older certificate: after upload, compare the fingerprint Setup shows with the one above.")
		} else {
			c.reveal.Show()
			c.saveCert.Hide()
			c.noFile.SetText("Saved as " + st.CertPath + ". After upload, Setup shows the certificate's fingerprint: it must match the one above.")
		}
		c.noFile.Show()
	}
}
