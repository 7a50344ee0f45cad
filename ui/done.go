package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/wizard"
)

// doneScreen sums up a working setup and hands the app's servers what they
// need: the .env, the Heroku command, a small Express server, the SDK
// snippet. Each export is made only when asked for.
type doneScreen struct {
	s        *shell
	summary  *fyne.Container
	env      *widget.Button
	express  *widget.Button
	stack    *widget.Select // which server "Save … server…" writes
	heroku   *widget.Button
	sdk      *widget.Button
	key      *widget.Button
	exported *message // what the last export wrote, or why it failed
	preview  *previewPanel
	root     fyne.CanvasObject
}

func newDoneScreen(s *shell) *doneScreen {
	d := &doneScreen{s: s, summary: container.New(layout.NewFormLayout()), exported: newMessage(), preview: newPreviewPanel(s)}
	d.env = widget.NewButtonWithIcon("Save .env…", theme.DocumentSaveIcon(), func() { d.pickFolder(export.FormatEnv) })
	d.stack = widget.NewSelect(stackNames(), nil)
	d.stack.SetSelectedIndex(0)
	d.express = widget.NewButtonWithIcon("Save server…", theme.FolderNewIcon(), func() { d.pickFolder(export.Stacks[d.stack.SelectedIndex()].Format) })
	d.heroku = widget.NewButtonWithIcon("Heroku command…", theme.ContentCopyIcon(), d.showHeroku)
	d.sdk = widget.NewButtonWithIcon("Copy SDK snippet", theme.ContentCopyIcon(), d.copySDK)
	d.key = widget.NewButtonWithIcon("Save private key file…", theme.DocumentSaveIcon(), func() { d.pickFolder(export.FormatKey) })
	d.root = container.NewVBox(
		bold("Summary"), d.summary, widget.NewSeparator(),
		d.preview.root, widget.NewSeparator(),
		bold("For your app's servers"),
		wrapped("Your app's server signs in exactly as the live test did. Export what it needs: "+
			"a .env file, the Heroku config command, or a small server (Node.js, Python, Go, Java or Ruby) that serves "+
			"GET /auth-credential → { authCredential, orgUrl } and a page that embeds Tableau Next with it."),
		warningLabel("Each export holds the private key or the consumer key. "+export.Warning+
			" Files are written readable only by you (mode 0600) and never replace a file without asking."),
		container.NewGridWithColumns(2, d.env, container.NewBorder(nil, nil, d.stack, nil, d.express), d.heroku, d.key),
		container.NewHBox(d.sdk),
		d.exported,
		widget.NewSeparator(),
		bold("At the next renewal"),
		wrapped("Before the certificate expires, make a new one on the Key and certificate step, upload it to the "+
			"External Client App, test again here, then update SF_PRIVATE_KEY on your servers."),
	)
	return d
}

func warningLabel(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.WarningImportance
	return l
}

func (d *doneScreen) view() fyne.CanvasObject { return d.root }

func (d *doneScreen) show() {
	d.summary.RemoveAll()
	for _, l := range wizard.Summary(d.s.wiz.State().Profile, d.s.deps.Now()) {
		d.summary.Add(widget.NewLabel(l.Label))
		value := selectable(report.OrDash(l.Value))
		if l.Fingerprint {
			// Broken between bytes, as Setup shows it, never inside one.
			value = selectable(fingerprintLines(l.Value))
			value.Wrapping = fyne.TextWrapOff
			value.TextStyle = fyne.TextStyle{Monospace: true}
		}
		d.summary.Add(value)
	}
	d.preview.show()
}

// leave stops the preview: it signs in as the JWT user, and runs only
// while its screen is on show.
func (d *doneScreen) leave() { d.preview.stop() }

func (d *doneScreen) focusFirst() { d.s.win.Canvas().Focus(d.env) }

// withOrg reads the secrets off the UI goroutine, then runs use with them.
func (d *doneScreen) withOrg(use func(export.Org)) {
	p, vault, now := d.s.wiz.State().Profile, d.s.deps.Vault, d.s.deps.Now()
	d.exported.info("Reading the secrets from the keychain…")
	type got struct {
		org export.Org
		err error
	}
	background(d.s.jobs, func() got {
		ctx, cancel := context.WithTimeout(context.Background(), 2*vault.Timeout())
		defer cancel()
		org, err := wizard.ExportOrg(ctx, vault, p, now)
		return got{org, err}
	}, func(g got) {
		if g.err != nil {
			d.exported.set("Couldn't export: "+exportErrorText(g.err), "")
			return
		}
		d.exported.set("", "")
		use(g.org)
	})
}

func exportErrorText(err error) string {
	var nr *wizard.NotReadyError
	if errors.As(err, &nr) {
		return nr.Problem
	}
	return errorText(err)
}

// pickFolder asks where to write an export.
func (d *doneScreen) pickFolder(format string) {
	dlg := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			d.exported.set("Couldn't open the folder: "+inputText(err), "")
			return
		}
		if dir != nil {
			d.exportTo(format, dir.Path())
		}
	}, d.s.win)
	dlg.SetTitleText(exportTitle(format))
	dlg.Resize(dialogSize(d.s.win))
	dlg.Show()
}

func exportTitle(format string) string {
	switch format {
	case export.FormatKey:
		return "Choose the folder for sf_private_key.pem"
	}
	if st, ok := export.StackFor(format); ok {
		return "Choose an empty folder for the " + st.Name + " server"
	}
	return "Choose the folder for the .env file"
}

// stackNames are the servers the picker offers, in export.Stacks' order.
func stackNames() []string {
	names := make([]string, len(export.Stacks))
	for i, st := range export.Stacks {
		names[i] = st.Name
	}
	return names
}

// dialogSize is a file dialog that uses most of the window.
func dialogSize(w fyne.Window) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(max(s.Width-80, 400), max(s.Height-60, 300))
}

// exportTo writes an export into dir; files already there are replaced
// only once the admin says so.
func (d *doneScreen) exportTo(format, dir string) {
	d.withOrg(func(org export.Org) {
		files, err := exportFiles(format, org)
		if err != nil {
			d.exported.set("Couldn't export: "+inputText(err), "")
			return
		}
		d.write(dir, files, false)
	})
}

func exportFiles(format string, org export.Org) ([]export.File, error) {
	if _, ok := export.StackFor(format); ok {
		return export.Server(format, org)
	}
	switch format {
	case export.FormatKey:
		return []export.File{export.KeyFile(org)}, nil
	}
	return []export.File{{Name: export.EnvFileName, Data: export.Env(org)}}, nil
}

func (d *doneScreen) write(dir string, files []export.File, replace bool) {
	d.exported.info("Writing…")
	type wrote struct {
		paths []string
		err   error
	}
	background(d.s.jobs, func() wrote {
		paths, err := export.Write(dir, files, replace)
		return wrote{paths, err}
	}, func(w wrote) {
		var ee *export.ExistsError
		switch {
		case errors.As(w.err, &ee):
			d.exported.set("", "")
			d.confirmReplace(dir, files, ee.Paths)
		case w.err != nil:
			d.exported.set("Couldn't write the export: "+inputText(w.err), "")
		default:
			d.exported.success("Wrote " + strings.Join(w.paths, ", ") + ". " + export.Warning)
		}
	})
}

func (d *doneScreen) confirmReplace(dir string, files []export.File, paths []string) {
	msg := wrapped("These files are already there:\n" + strings.Join(paths, "\n") + "\n\nReplace them?")
	d.s.ask(ask{Title: "Replace files?", Body: msg, Cancel: "Keep them", OK: "Replace", Width: 560,
		OnOK:     func() bool { d.write(dir, files, true); return true },
		OnCancel: func() { d.exported.info("Nothing was written: " + fsutil.ErrExists.Error() + ".") }})
}

// showHeroku shows the `heroku config:set` command, ready to copy.
func (d *doneScreen) showHeroku() {
	d.withOrg(func(org export.Org) {
		cmd := export.Heroku(org, "sf_private_key.pem")
		text := monoWrapped(cmd)
		copyBtn := widget.NewButtonWithIcon("Copy command", theme.ContentCopyIcon(), func() {
			d.s.copySecret("the Heroku command (it holds the consumer key)", cmd)
		})
		box := container.NewBorder(
			wrapped("Run this where the Heroku CLI is logged in. It reads the private key from sf_private_key.pem "+
				"(Save private key file… writes it), so the key never enters your shell history; delete the file afterwards."),
			container.NewHBox(layout.NewSpacer(), copyBtn), nil, nil, container.NewVScroll(text))
		dlg := d.s.ask(ask{Title: "Heroku config for " + org.Profile, Body: box})
		dlg.dlg.Resize(dialogSize(d.s.win))
		d.s.win.Canvas().Focus(copyBtn)
	})
}

// copySDK copies the SDK snippet: it holds the org's address, no secret,
// so the keychain is not asked.
func (d *doneScreen) copySDK() {
	org, err := export.Settings(d.s.wiz.State().Profile, d.s.deps.Now())
	if err != nil {
		d.exported.set("Couldn't make the snippet: "+inputText(err), "")
		return
	}
	d.s.copy("the SDK snippet", export.SDK(org))
	d.exported.info("Copied the SDK snippet: it starts the SDK with a frontdoor URL from your server's /auth-credential.")
}
