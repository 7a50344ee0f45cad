package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/wizard"
)

// deployPanel is "Set up by deploying instead" on the External Client App
// step: it writes the app, its policies and the permission set as a
// Salesforce DX project (wizard.WriteDeployment), shows the Salesforce CLI
// commands with Copy, and once the admin says the deploy succeeded, ticks
// the items it did (wizard.MarkDeployed).
type deployPanel struct {
	c      *checklistScreen
	button *focusButton
	note   *message
}

func newDeployPanel(c *checklistScreen) *deployPanel {
	p := &deployPanel{c: c, note: newMessage()}
	p.button = newFocusButton(c.s, "Set up by deploying instead…", theme.UploadIcon(), p.start)
	return p
}

func (p *deployPanel) view() fyne.CanvasObject {
	return container.NewVBox(
		subtle("Or deploy the app, its policies and the permission set with the Salesforce CLI: tnjwt writes them as a "+
			"project, and the deploy does this step's items and the next step's but Tableau Next access and the viewers."),
		container.NewHBox(p.button), p.note, widget.NewSeparator())
}

func (p *deployPanel) start() {
	s := p.c.s
	if s.practice != nil {
		s.ask(ask{Title: "Deploying to the practice org", Width: 560, Body: wrapped(
			"The practice org in this window takes no deploy from the Salesforce CLI: tick the items instead. " +
				"To rehearse a deploy, run `tnjwt emulator` with an admin user (docs/cli.md, “Rehearse a deploy”).")})
		return
	}
	dlg := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			p.note.set("Couldn't open the folder: "+inputText(err), "")
			return
		}
		if dir != nil {
			p.write(dir.Path(), fsutil.Allow{})
		}
	}, s.win)
	dlg.SetTitleText("Choose an empty folder for the Salesforce DX project")
	dlg.Resize(dialogSize(s.win))
	dlg.Show()
}

// write runs the job off the UI goroutine; files already there are
// replaced only once the admin says so.
func (p *deployPanel) write(dir string, allow fsutil.Allow) {
	s := p.c.s
	job := s.wiz.WriteDeployment(s.deps.Vault, dir, allow)
	vault := s.deps.Vault
	p.note.info("Writing the project…")
	type done struct {
		d   *wizard.Deployment
		err error
	}
	background(s.jobs, func() done {
		ctx, cancel := context.WithTimeout(context.Background(), 2*vault.Timeout())
		defer cancel()
		d, err := job.Run(ctx)
		return done{d, err}
	}, func(r done) {
		job.Record(r.d, r.err)
		s.changed()
		p.c.show()
		var ee *export.ExistsError
		switch {
		case errors.As(r.err, &ee):
			p.note.set("", "")
			s.ask(ask{Title: "Replace files?", Width: 560, Cancel: "Keep them", OK: "Replace",
				Body:     wrapped("These files are already there:\n" + strings.Join(ee.Paths, "\n") + "\n\nReplace them?"),
				OnOK:     func() bool { allow.Replace = true; p.write(dir, allow); return true },
				OnCancel: func() { p.note.info("Nothing was written: " + fsutil.ErrExists.Error() + ".") }})
		case s.askSharedFolder(r.err, func() { allow.SharedFolder = true; p.write(dir, allow) },
			func() { p.note.info("Nothing was written: " + exportErrorText(r.err)) }):
			p.note.set("", "")
		case r.err != nil:
			p.note.set("Couldn't write the project: "+exportErrorText(r.err), "")
		default:
			p.note.success("Wrote the project to " + dir + ".")
			p.show(r.d)
		}
	})
}

// show gives the commands in order, each with Copy, and what stays manual;
// the admin says when the deploy succeeded.
func (p *deployPanel) show(d *wizard.Deployment) {
	s := p.c.s
	box := container.NewVBox()
	key := "The consumer key tnjwt uses was already in your keychain."
	if d.NewKey {
		key = "tnjwt made the app's consumer key and stored it in your keychain: the Consumer key step is done."
	}
	box.Add(wrapped("Nothing in the project is secret but the consumer key, in " + filepath.FromSlash(d.Secret) +
		" (" + fsutil.AccessWords(0o600) + ", left out by .gitignore). " + key))
	box.Add(bold("Run these in " + d.Dir + ", in order"))
	for _, cmd := range d.Commands {
		copyBtn := newFocusButton(s, "Copy", theme.ContentCopyIcon(), func() { s.copy("the command", cmd) })
		box.Add(container.NewBorder(nil, nil, nil, copyBtn, monoWrapped(cmd)))
	}
	box.Add(bold("What stays manual"))
	for _, m := range wizard.DeployManual {
		box.Add(wrapped("• " + m))
	}
	assigned := widget.NewCheck("I also ran sf org assign permset (the JWT user holds the permission set)", nil)
	box.Add(widget.NewSeparator())
	box.Add(assigned)
	dlg := s.ask(ask{Title: "Deploy with the Salesforce CLI", Body: container.NewVScroll(box), Cancel: "Not yet", OK: "The deploy succeeded",
		OnOK: func() bool {
			s.wiz.MarkDeployed(assigned.Checked)
			s.practiceSync()
			s.changed()
			p.c.show()
			s.setStatus("Ticked what the deploy did. Give the permission set Tableau Next access, then run the live test.")
			return true
		}})
	dlg.dlg.Resize(dialogSize(s.win))
}
