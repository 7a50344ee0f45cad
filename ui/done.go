package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/wizard"
)

// doneScreen sums up a working setup and hands the app's servers what they
// need: the .env, the Heroku config, a small server in the stack picked, the SDK
// snippet. Each export is made only when asked for.
type doneScreen struct {
	s        *shell
	summary  *fyne.Container
	env      *focusButton
	express  *focusButton
	stack    *focusSelect // which server "Save server…" writes
	heroku   *focusButton
	sdk      *focusButton
	key      *focusButton
	exported *message // what the last export wrote, or why it failed
	exports  *exporter
	renewal  *widget.Label // when and how to renew, for this org
	preview  *previewPanel
	root     fyne.CanvasObject
}

func newDoneScreen(s *shell) *doneScreen {
	d := &doneScreen{s: s, summary: container.New(layout.NewFormLayout()), exported: newMessage(), preview: newPreviewPanel(s),
		renewal: wrapped("")}
	d.exports = &exporter{s: s, msg: d.exported, profile: func() profiles.Profile { return d.s.wiz.State().Profile }}
	d.env = newFocusButton(s, "Save .env…", theme.DocumentSaveIcon(), func() { d.exports.pickFolder(export.FormatEnv) })
	d.stack = newFocusSelect(s, stackNames(), nil)
	d.stack.SetSelectedIndex(0)
	d.express = newFocusButton(s, "Save server…", theme.FolderNewIcon(), func() {
		d.exports.pickFolder(export.Stacks[d.stack.SelectedIndex()].Format)
	})
	d.heroku = newFocusButton(s, "Heroku config…", theme.ContentCopyIcon(), d.showHeroku)
	d.sdk = newFocusButton(s, "Copy SDK snippet", theme.ContentCopyIcon(), d.copySDK)
	d.key = newFocusButton(s, "Save private key file…", theme.DocumentSaveIcon(), func() { d.exports.pickFolder(export.FormatKey) })
	d.root = container.NewVBox(
		bold("Summary"), d.summary, widget.NewSeparator(),
		d.preview.root, widget.NewSeparator(),
		bold("For your app's servers"),
		wrapped("Your app's server signs in exactly as the live test did. Export what it needs: "+
			"a .env file, the Heroku config, or a small server (Node.js, Python, Go, Java or Ruby: pick one) that serves "+
			"GET /auth-credential → { authCredential, orgUrl } and a page that embeds Tableau Next with it."),
		warningLabel("Each export holds the private key or the consumer key. "+export.Warning+
			" Files are written readable only by you ("+fsutil.AccessWords(0o600)+") and never replace a file without asking."),
		container.NewGridWithColumns(2, d.env, d.key, d.heroku, d.sdk),
		container.NewBorder(nil, nil, nil, d.express, d.stack), // the picker takes the width its names need
		d.exported,
		widget.NewSeparator(),
		bold("At the next renewal"),
		d.renewal,
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
	p := d.s.wiz.State().Profile
	for _, l := range wizard.Summary(p, d.s.deps.Now()) {
		d.summary.Add(widget.NewLabel(l.Label))
		value := valueLabel(report.OrDash(l.Value))
		if l.Fingerprint {
			// Broken between bytes, as Setup shows it, never inside one.
			value = widget.NewLabel(fingerprintLines(l.Value))
			value.TextStyle = fyne.TextStyle{Monospace: true}
		}
		d.summary.Add(value)
	}
	setText(d.renewal, wizard.RenewalAdvice(p, d.s.deps.Now()))
	d.preview.show()
}

// The Done screen takes no focus on arrival: its summary, at the top, is
// what to read first, and every stop is further down. Tab goes to the
// first one, and brings it into view.

// leave stops the preview: it signs in as the JWT user, and runs only
// while its screen is on show.
func (d *doneScreen) leave() { d.preview.stop() }

// showHeroku offers the two ways to give Heroku the settings: the config
// file for its Platform API first (no secret on a command line), then the
// `heroku config:set` command with what it exposes.
func (d *doneScreen) showHeroku() {
	d.exports.withOrg(func(org export.Org) {
		var dlg *keyDialog
		save := newFocusButton(d.s, "Save Heroku config file…", theme.DocumentSaveIcon(), func() {
			dlg.dismiss()
			d.exports.pickFolder(export.FormatHeroku)
		})
		save.Importance = widget.HighImportance
		cmd := export.Heroku(org, "sf_private_key.pem")
		copyBtn := newFocusButton(d.s, "Copy command", theme.ContentCopyIcon(), func() {
			d.s.copySecret("the Heroku command (it holds the consumer key)", cmd)
		})
		safe := container.NewVBox(bold("Safest: a file for Heroku's Platform API"),
			wrapped("tnjwt writes "+export.HerokuConfigFileName+" ("+fsutil.AccessWords(0o600)+") and shows the curl command "+
				"that sends it: curl reads the file, so no secret is on a command line. Delete the file afterwards."),
			container.NewHBox(save), widget.NewSeparator(), bold("Or: the heroku config:set command"),
			warningLabel(export.HerokuWarning),
			wrapped("It reads the private key from sf_private_key.pem (Save private key file… writes it); delete the file afterwards."))
		box := container.NewBorder(safe, container.NewHBox(layout.NewSpacer(), copyBtn), nil, nil,
			container.NewVScroll(monoWrapped(cmd)))
		dlg = d.s.ask(ask{Title: "Heroku config for " + org.Profile, Body: box})
		dlg.dlg.Resize(dialogSize(d.s.win))
		d.s.win.Canvas().Focus(save)
	})
}

// showHerokuAPI shows how to send the config file just written, ready to
// copy: the commands hold no secret.
func (s *shell) showHerokuAPI(org export.Org, body string) {
	cmds := export.HerokuAPI(org, body)
	copyBtn := newFocusButton(s, "Copy commands", theme.ContentCopyIcon(), func() { s.copy("the commands", cmds) })
	box := container.NewBorder(
		wrapped("Wrote "+body+". Run these where the Heroku CLI is logged in (heroku login), after putting your app's name in "+
			"the place of "+export.HerokuApp+", in the commands and in the file's ALLOWED_HOSTS."),
		container.NewHBox(layout.NewSpacer(), copyBtn), nil, nil, container.NewVScroll(monoWrapped(cmds)))
	dlg := s.ask(ask{Title: "Send the config to Heroku", Body: box})
	dlg.dlg.Resize(dialogSize(s.win))
	s.win.Canvas().Focus(copyBtn)
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
