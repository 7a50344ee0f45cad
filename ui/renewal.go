package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/wizard"
)

// flowKind is what a renewal flow does to a saved org's keys.
type flowKind int

const (
	renewing    flowKind = iota // a new certificate over the same key
	rotating                    // a new key, staged as pending until a test passes
	rollingBack                 // the previous key is current again: its certificate goes back up
)

// renewalFlow walks one saved org through a renewal (new certificate, same
// key), a rotation (new key, staged as pending) or what follows a rollback
// (the previous certificate uploaded again): make or show the certificate,
// save it, give the servers their key where it changed, upload, test; a
// passing test of a rotation makes the new key current. core/rotation does
// the work and keeps the working key safe; this only shows it.
type renewalFlow struct {
	s    *shell
	name string
	kind flowKind
	cert *profiles.KeyCert // the certificate to upload, once made (or, after a rollback, the previous one)

	dlg                   *keyDialog
	days                  *navEntry
	bits                  *focusSelect
	makeCert              *focusButton
	made, saved, result   *message
	saveCert, test, stopT *focusButton
	upload                *focusButton // practice mode: the upload to the practice app
	uploaded              *message
	servers               *exporter // rotation and rollback: the key the servers need now
	serverButtons         []*focusButton
	stack                 *focusSelect // which server "Save server with…" writes
	bar                   *widget.ProgressBarInfinite
	after                 *fyne.Container // what a passed rotation offers
	content               *fyne.Container
	scroll                *container.Scroll
	stop                  context.CancelFunc
}

// relayout lays the flow out again after a line appeared or changed (a
// hidden label has no place until then), and brings its end into view,
// where the next step is.
func (f *renewalFlow) relayout() {
	f.content.Refresh()
	f.scroll.ScrollToBottom()
}

// turnTo lays the flow out again and gives o, the next thing to do, the
// keyboard, scrolled into view.
func (f *renewalFlow) turnTo(o fyne.Focusable) {
	// Twice: a wrapped line knows its height only once laid out at its width.
	f.content.Refresh()
	f.content.Refresh()
	f.s.win.Canvas().Focus(o) // brings it into view
}

func (s *shell) manager() *rotation.Manager {
	return &rotation.Manager{Profiles: s.deps.Store, Keys: s.deps.Vault, Now: s.deps.Now}
}

// release lets go of the profile before a rotation changes it on disk: the
// wizard must not hold a copy it would write back over those changes, and
// no write of it may still be on its way.
func (s *shell) release(name string) {
	if s.wiz.State().Profile.Name == name {
		s.setWizard(wizard.New(s.steps, s.saver, s.deps.Now))
		s.render()
	}
	s.saves.wait()
}

// openRenewal starts the flow for p; a rotation in progress continues at
// its upload.
func (s *shell) openRenewal(p profiles.Profile, rotate bool) {
	s.release(p.Name)
	kind := renewing
	if rotate || p.Pending != nil {
		kind = rotating
	}
	f := &renewalFlow{s: s, name: p.Name, kind: kind}
	f.build()
	if p.Pending != nil {
		f.adopt(*p.Pending)
	} else {
		s.win.Canvas().Focus(f.days)
	}
}

// openRollback continues a rollback that core/rotation has done: the
// previous certificate, current again, goes back up to the app.
func (s *shell) openRollback(name string) {
	p, err := s.deps.Store.Get(name)
	if err != nil {
		s.welcome.problem.set("Couldn't read "+name+" after the rollback: "+errorText(err), "")
		return
	}
	f := &renewalFlow{s: s, name: name, kind: rollingBack}
	f.build()
	f.showPrevious(p)
}

func (f *renewalFlow) build() {
	s := f.s
	title, intro := "Renew the certificate of "+f.name, rotation.RenewExplained
	switch f.kind {
	case rotating:
		title, intro = "Rotate the key of "+f.name, rotation.RotateExplained
	case rollingBack:
		title, intro = "Roll back the key of "+f.name, rotation.RolledBack
	}
	f.days = s.newEntry(specDays)
	f.days.nav = nil // in a dialog, Alt+←/→ are no steps
	f.days.SetText(strconv.Itoa(certs.DefaultDays))
	f.days.OnSubmitted = func(string) { f.start() }
	f.bits = newFocusSelect(s, []string{"2048 bits", "3072 bits", "4096 bits"}, nil)
	f.bits.SetSelected("2048 bits")
	label := "Make the new certificate"
	if f.kind == rotating {
		label = "Make the new key and certificate"
	}
	f.makeCert = newFocusButton(s, label, theme.ContentAddIcon(), f.start)
	f.makeCert.Importance = widget.HighImportance
	f.made, f.saved, f.result, f.uploaded = newMessage(), newMessage(), newMessage(), newMessage()
	f.days.cut = func(msg string) { f.made.set("", msg) }
	f.saveCert = newFocusButton(s, "Save certificate…", theme.DocumentSaveIcon(), f.askSave)
	f.saveCert.Disable()
	f.upload = newFocusButton(s, "Upload to the practice app", theme.UploadIcon(), f.practiceUpload)
	f.upload.Disable()
	f.test = newFocusButton(s, "Test now", theme.MediaPlayIcon(), f.runTest)
	f.test.Disable()
	f.stopT = newFocusButton(s, "Cancel", theme.CancelIcon(), f.cancel)
	f.stopT.Hide()
	f.bar = widget.NewProgressBarInfinite()
	f.bar.Stop()
	f.bar.Hide()
	f.after = container.NewVBox()

	body := container.NewVBox(wrapped(intro))
	step := 0
	heading := func(text string) {
		step++
		body.Add(bold(fmt.Sprintf("%d. %s", step, text)))
	}
	if f.kind == rollingBack {
		heading("The previous certificate")
		body.Add(f.made)
	} else {
		options := widget.NewForm(widget.NewFormItem("Valid for (days)", f.days))
		if f.kind == rotating {
			options.Append("Key size", f.bits)
		}
		heading("New certificate")
		body.Add(options)
		body.Add(container.NewHBox(f.makeCert))
		body.Add(f.made)
	}
	heading("Save it")
	body.Add(container.NewHBox(f.saveCert))
	body.Add(f.saved)
	if f.kind != renewing {
		f.addServers(body, heading)
	}
	heading("Upload it")
	body.Add(wrapped(rotation.UploadStep))
	if s.practice != nil {
		body.Add(subtle("Practice org: there is no Setup page to upload to; this button does the upload."))
		body.Add(container.NewHBox(f.upload))
		body.Add(f.uploaded)
	}
	heading("Test")
	body.Add(wrapped(f.testWhat()))
	body.Add(container.NewHBox(f.test, f.stopT))
	body.Add(f.bar)
	body.Add(f.result)
	body.Add(f.after)

	f.content = container.New(readableWidth{760}, body)
	f.scroll = container.NewVScroll(f.content)
	f.dlg = f.s.ask(ask{Title: title, Body: f.scroll, OnCancel: f.closed})
	f.s.flow = f
	f.days.escape = f.close
	f.dlg.dlg.Resize(dialogSize(f.s.win))
}

// testWhat says what the test does, for this kind of flow.
func (f *renewalFlow) testWhat() string {
	switch f.kind {
	case rotating:
		return "The test signs in with the new key and keeps trying for up to 10 minutes while the upload propagates. " +
			"When it passes, the new key becomes current."
	case rollingBack:
		return "The test signs in with the previous key, current again, and keeps trying for up to 10 minutes while the upload propagates."
	}
	return "The test signs in with the key in your " + f.s.keychainName() + ", exactly as your servers do."
}

// addServers is the step that gives the servers the key they need: a
// rotation's new key (before the upload, or right after it), or after a
// rollback the previous key again, for any server that already took the
// new one.
func (f *renewalFlow) addServers(body *fyne.Container, heading func(string)) {
	msg := newMessage()
	f.servers = &exporter{s: f.s, msg: msg, pending: f.kind == rotating, changed: f.relayout, stored: f.name}
	what, explain := "the previous key", "Servers that already took the new key fail once the previous certificate "+
		"is back up: give them the previous key again (the current one now)."
	if f.kind == rotating {
		heading("Give your servers the new key")
		what, explain = "the new key", "Servers still signing with the current key fail once the new certificate "+
			"has propagated: give them the new key now, or right after the test passes."
	} else {
		heading("Give your servers the previous key")
	}
	body.Add(wrapped(explain))
	env := newFocusButton(f.s, "Save .env with "+what+"…", theme.DocumentSaveIcon(), func() { f.servers.pickFolder(export.FormatEnv) })
	key := newFocusButton(f.s, "Save "+what+" file…", theme.DocumentSaveIcon(), func() { f.servers.pickFolder(export.FormatKey) })
	// A server project too, for a team that starts from one now; a server
	// already running needs only its .env.
	f.stack = newFocusSelect(f.s, stackNames(), nil)
	f.stack.SetSelectedIndex(0)
	server := newFocusButton(f.s, "Save server with "+what+"…", theme.FolderNewIcon(), func() {
		f.servers.pickFolder(export.Stacks[f.stack.SelectedIndex()].Format)
	})
	f.serverButtons = []*focusButton{env, key, server}
	if f.kind == rotating {
		for _, b := range f.serverButtons { // until the new key is made
			b.Disable()
		}
		f.stack.Disable()
	}
	body.Add(container.New(layout.NewRowWrapLayout(), env, key))
	body.Add(container.NewBorder(nil, nil, nil, server, f.stack)) // the picker takes the width its names need
	body.Add(msg)
}

// close closes the flow, as its Close button and Escape do.
func (f *renewalFlow) close() { f.dlg.dismiss() }

func (f *renewalFlow) closed() {
	f.cancel()
	if f.s.flow == f {
		f.s.flow = nil
	}
	f.s.welcome.reload()
}

// start makes the new certificate (and key) off the UI goroutine.
func (f *renewalFlow) start() {
	if f.cert != nil || f.kind == rollingBack {
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.days.Text))
	if err == nil {
		err = certs.CheckDays(days)
	} else {
		err = fmt.Errorf("the validity must be a whole number of days, such as %d", certs.DefaultDays)
	}
	if err != nil {
		f.made.set(inputText(err), "")
		f.content.Refresh()
		return
	}
	bits, _ := strconv.Atoi(strings.Fields(f.bits.Selected)[0])
	f.makeCert.Disable()
	f.made.info("Making the certificate…")
	f.content.Refresh()
	m, name, rotate := f.s.manager(), f.name, f.kind == rotating
	type made struct {
		kc  profiles.KeyCert
		err error
	}
	background(f.s.jobs, func() made {
		ctx, cancel := context.WithTimeout(context.Background(), 4*f.s.deps.Vault.Timeout())
		defer cancel()
		if rotate {
			kc, err := m.Rotate(ctx, name, days, bits, nil)
			return made{kc, err}
		}
		kc, err := m.Renew(ctx, name, days, nil)
		return made{kc, err}
	}, func(r made) {
		if r.err != nil {
			f.makeCert.Enable()
			f.made.set("Couldn't make it: "+errorText(r.err), "")
			f.relayout()
			return
		}
		f.adopt(r.kc)
	})
}

// adopt shows the new certificate and opens the next steps.
func (f *renewalFlow) adopt(kc profiles.KeyCert) {
	f.cert = &kc
	f.makeCert.Disable()
	f.days.Disable()
	f.bits.Disable()
	what := "New certificate"
	if f.kind == rotating {
		what = "New key staged as pending beside the current key, which stays in use. New certificate"
	}
	f.made.success(fmt.Sprintf("%s, valid until %s. Its SHA-256 fingerprint, as Setup shows it after the upload:\n%s",
		what, kc.NotAfter.In(f.s.deps.Now().Location()).Format("2 Jan 2006"), fingerprintLines(kc.Fingerprint)))
	f.readyToSave("Not saved as a file yet: save it, then upload it.")
}

// showPrevious shows the previous certificate, current again after a
// rollback, ready to save and upload again.
func (f *renewalFlow) showPrevious(p profiles.Profile) {
	f.cert = &profiles.KeyCert{CertificatePEM: p.CertificatePEM, Fingerprint: p.Fingerprint, NotAfter: p.CertNotAfter}
	f.made.success(fmt.Sprintf("The previous certificate, current again, valid until %s. Its SHA-256 fingerprint, "+
		"as Setup shows it after the upload:\n%s", p.CertNotAfter.In(f.s.deps.Now().Location()).Format("2 Jan 2006"),
		fingerprintLines(p.Fingerprint)))
	f.readyToSave("Save the previous certificate again, then upload it: the app still holds the one it replaced.")
}

// readyToSave opens Save, the servers' exports, the practice upload and
// the test, once there is a certificate.
func (f *renewalFlow) readyToSave(note string) {
	f.saved.set("", note)
	f.saveCert.Enable()
	f.saveCert.Importance = widget.HighImportance
	f.saveCert.Refresh()
	for _, b := range f.serverButtons {
		b.Enable()
	}
	if f.stack != nil {
		f.stack.Enable()
	}
	f.upload.Enable()
	f.test.Enable()
	f.turnTo(f.saveCert)
}

func (f *renewalFlow) askSave() {
	f.s.askSaveCert(folderOf(""), func(path string) { f.saveTo(path, fsutil.Allow{Replace: true}) })
}

func (f *renewalFlow) saveTo(path string, allow fsutil.Allow) {
	pem := []byte(f.cert.CertificatePEM)
	f.saved.info("Saving…")
	background(f.s.jobs, func() error { return certs.SaveCertificate(path, pem, allow) }, func(err error) {
		anyway := func() { allow.SharedFolder = true; f.saveTo(path, allow) }
		if f.s.askSharedFolder(err, anyway, func() { f.saved.set("Not saved: "+inputText(err), ""); f.relayout() }) {
			f.saved.info("")
			return
		}
		if err != nil {
			f.saved.set("Couldn't save the certificate: "+inputText(err), "")
			f.relayout()
			return
		}
		f.saved.success("Saved to " + path + ". Upload this file; Setup then shows the fingerprint above.")
		f.saveCert.Importance = widget.MediumImportance
		f.saveCert.Refresh()
		next := f.test
		if f.s.practice != nil {
			next = f.upload
		}
		f.turnTo(next)
	})
}

// practiceUpload uploads the certificate to the practice app, as the
// upload in Setup would.
func (f *renewalFlow) practiceUpload() {
	if f.s.practice == nil || f.cert == nil {
		return
	}
	if err := f.s.practice.org.Upload(f.cert.CertificatePEM); err != nil {
		f.uploaded.set("The practice app refused the certificate: "+wizard.Sentence(err.Error()), "")
	} else {
		f.uploaded.success(fmt.Sprintf("Uploaded to the practice app. Like Salesforce, it takes a while to use it "+
			"everywhere (%s here): the test keeps trying meanwhile.", salesforce.PlainDuration(wizard.PracticeDelay)))
		f.turnTo(f.test)
		return
	}
	f.relayout()
}

// testOutcome is a finished test and what became of the keys.
type testOutcome struct {
	err      error
	sent     bool
	promoted error // a passed rotation's promotion; nil when it worked
}

func (f *renewalFlow) runTest() {
	ctx, stop := context.WithCancel(context.Background())
	f.stop = stop
	f.test.Disable()
	f.stopT.Show()
	f.bar.Show()
	f.bar.Start()
	f.after.RemoveAll()
	f.result.info("Testing…")
	f.relayout()
	j, s, name, client := f.s.jobs, f.s, f.name, f.s.testClient()
	// After a rollback the app holds the certificate it replaced until the
	// upload propagates: "invalid assertion" is retried too, as for a
	// rotation's new key.
	reupload := f.kind == rollingBack
	background(j, func() testOutcome {
		return testAndPromote(ctx, s, name, client, reupload, func(a salesforce.Attempt) {
			if a.Err != nil && a.Next > 0 {
				j.post(func() {
					f.result.info(report.Retrying(a, wizard.RetestWait) + " Cancel stops waiting.")
					f.content.Refresh()
				})
			}
		})
	}, f.tested)
}

// testAndPromote tests the profile as stored (its pending key, if a
// rotation is in progress), records the outcome and, for a pending key
// that passed, makes it current. reupload says a certificate was just
// uploaded again for the current key, whose propagation the test waits for.
func testAndPromote(ctx context.Context, s *shell, name string, client *salesforce.Client, reupload bool,
	onAttempt func(salesforce.Attempt)) testOutcome {
	p, err := s.deps.Store.Get(name)
	if err != nil {
		return testOutcome{err: err}
	}
	req, err := wizard.TestRequest(ctx, s.deps.Vault, p, wizard.RetestWait)
	if err != nil {
		return testOutcome{err: err}
	}
	req.NewCertificate = req.NewCertificate || reupload
	req.OnAttempt = onAttempt
	res, err := client.Exchange(ctx, req)
	if wizard.Cancelled(err) {
		return testOutcome{err: err}
	}
	rec := profiles.TestResultOf(s.deps.Now(), res, err, salesforce.Diagnose(err))
	out := testOutcome{err: err, sent: true}
	if err == nil && p.Pending != nil {
		out.promoted = s.manager().Promote(ctx, name)
	}
	_ = s.deps.Store.Update(name, func(q *profiles.Profile) error {
		if err != nil && q.Pending != nil {
			q.Pending.RecordFailure(rec)
		} else {
			q.RecordTest(rec)
		}
		return nil
	})
	return out
}

func (f *renewalFlow) cancel() {
	if f.stop != nil {
		f.stop()
	}
}

func (f *renewalFlow) tested(o testOutcome) {
	defer f.relayout()
	f.stop = nil
	f.bar.Stop()
	f.bar.Hide()
	f.stopT.Hide()
	f.test.Enable()
	f.test.SetText("Test again")
	switch {
	case o.err != nil && wizard.Cancelled(o.err):
		f.result.info("The test was cancelled.")
	case o.err != nil && !o.sent:
		f.result.set(errorText(o.err), "")
	case o.err != nil:
		msg := report.ServerWords(o.err)
		if d := salesforce.Diagnose(o.err); d != nil {
			msg = d.Title + ": " + d.Fix
		}
		switch f.kind {
		case rotating:
			msg = rotation.PendingFailed + " " + rotation.StillPropagating + " " + msg
		case rollingBack:
			msg = "The previous key did not pass. If its certificate was uploaded again in the last 10 minutes, " +
				"it may still be propagating: test again in a minute. " + msg
		}
		f.result.set(msg, "")
	case o.promoted != nil:
		f.result.set("The new key passed, but couldn't be made current: "+errorText(o.promoted)+" Test again to finish.", "")
	case f.kind == rotating:
		f.result.success(rotation.Promoted)
		f.offerAfterPromotion()
	case f.kind == rollingBack:
		f.result.success("The test passed: the previous key works again with the certificate you uploaded. " +
			"The key it replaced is kept as previous until you discard it on the Welcome screen.")
	default:
		f.result.success("The test passed. The renewed certificate is in the profile; the key is unchanged.")
	}
}

// offerAfterPromotion offers what comes after a rotation: exports with the
// new key, discarding the previous key, or going back to it.
func (f *renewalFlow) offerAfterPromotion() {
	exports := newFocusButton(f.s, "Exports for your servers…", theme.DocumentIcon(), func() {
		f.close()
		if p, err := f.s.deps.Store.Get(f.name); err == nil {
			f.s.openAt(p, wizard.StepDone)
		}
	})
	exports.Importance = widget.HighImportance
	discard := newFocusButton(f.s, "Discard the previous key", theme.DeleteIcon(), func() { f.keyChange("discard") })
	back := newFocusButton(f.s, "Roll back", theme.ContentUndoIcon(), func() { f.keyChange("rollback") })
	f.after.Objects = []fyne.CanvasObject{container.NewHBox(exports, discard, back)}
	f.after.Refresh()
}

// keyChange discards the previous key or rolls back to it.
func (f *renewalFlow) keyChange(what string) {
	m, name := f.s.manager(), f.name
	background(f.s.jobs, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 6*f.s.deps.Vault.Timeout())
		defer cancel()
		if what == "rollback" {
			return m.Rollback(ctx, name)
		}
		return m.DiscardPrevious(ctx, name)
	}, func(err error) {
		defer f.relayout()
		switch {
		case err != nil:
			f.result.set("Couldn't do it: "+errorText(err), "")
		case what == "rollback":
			// The flow goes on as a rollback, under its own title.
			f.dlg.close()
			f.s.flow = nil
			f.s.welcome.reload()
			f.s.openRollback(name)
		default:
			f.after.RemoveAll()
			f.result.success("The previous key is discarded. Only the new key is kept.")
		}
	})
}
