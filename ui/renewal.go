package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/wizard"
)

// renewalFlow walks one saved org through a renewal (new certificate, same
// key) or a rotation (new key, staged as pending): make the certificate,
// save it, upload it, test; a passing test of a rotation makes the new key
// current. core/rotation does the work and keeps the working key safe; this
// only shows it.
type renewalFlow struct {
	s      *shell
	name   string
	rotate bool
	cert   *profiles.KeyCert // the new certificate, once made

	dlg                   *keyDialog
	days                  *navEntry
	bits                  *widget.Select
	makeCert              *widget.Button
	made, saved, result   *message
	saveCert, test, stopT *widget.Button
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
	f := &renewalFlow{s: s, name: p.Name, rotate: rotate || p.Pending != nil}
	f.build()
	if p.Pending != nil {
		f.adopt(*p.Pending)
	} else {
		s.win.Canvas().Focus(f.days)
	}
}

func (f *renewalFlow) build() {
	title, intro := "Renew the certificate of "+f.name, rotation.RenewExplained
	if f.rotate {
		title, intro = "Rotate the key of "+f.name, rotation.RotateExplained
	}
	f.days = newNavEntry(nil)
	f.days.SetText(strconv.Itoa(certs.DefaultDays))
	f.days.OnSubmitted = func(string) { f.start() }
	f.bits = widget.NewSelect([]string{"2048 bits", "3072 bits", "4096 bits"}, nil)
	f.bits.SetSelected("2048 bits")
	label := "Make the new certificate"
	if f.rotate {
		label = "Make the new key and certificate"
	}
	f.makeCert = widget.NewButtonWithIcon(label, theme.ContentAddIcon(), f.start)
	f.makeCert.Importance = widget.HighImportance
	f.made, f.saved, f.result = newMessage(), newMessage(), newMessage()
	f.saveCert = widget.NewButtonWithIcon("Save certificate…", theme.DocumentSaveIcon(), f.askSave)
	f.saveCert.Disable()
	f.test = widget.NewButtonWithIcon("Test now", theme.MediaPlayIcon(), f.runTest)
	f.test.Disable()
	f.stopT = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), f.cancel)
	f.stopT.Hide()
	f.bar = widget.NewProgressBarInfinite()
	f.bar.Stop()
	f.bar.Hide()
	f.after = container.NewVBox()

	options := widget.NewForm(widget.NewFormItem("Valid for (days)", f.days))
	if f.rotate {
		options.Append("Key size", f.bits)
	}
	testWhat := "The test signs in with the key in your keychain, exactly as your servers do."
	if f.rotate {
		testWhat = "The test signs in with the new key and keeps trying for up to 10 minutes while the upload propagates. " +
			"When it passes, the new key becomes current."
	}
	body := container.NewVBox(wrapped(intro),
		bold("1. New certificate"), options, container.NewHBox(f.makeCert), f.made,
		bold("2. Save it"), container.NewHBox(f.saveCert), f.saved,
		bold("3. Upload it"), wrapped(rotation.UploadStep),
		bold("4. Test"), wrapped(testWhat), container.NewHBox(f.test, f.stopT), f.bar, f.result, f.after)
	f.content = container.New(readableWidth{760}, body)
	f.scroll = container.NewVScroll(f.content)
	f.dlg = f.s.ask(ask{Title: title, Body: f.scroll, OnCancel: f.closed})
	f.days.escape = f.close
	f.dlg.dlg.Resize(dialogSize(f.s.win))
}

// close closes the flow, as its Close button and Escape do.
func (f *renewalFlow) close() { f.dlg.dismiss() }

func (f *renewalFlow) closed() {
	f.cancel()
	f.s.welcome.reload()
}

// start makes the new certificate (and key) off the UI goroutine.
func (f *renewalFlow) start() {
	if f.cert != nil {
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
	m, name, rotate := f.s.manager(), f.name, f.rotate
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
		} else {
			f.adopt(r.kc)
		}
		f.relayout()
	})
}

// adopt shows the new certificate and opens the next steps.
func (f *renewalFlow) adopt(kc profiles.KeyCert) {
	f.cert = &kc
	f.makeCert.Disable()
	f.days.Disable()
	f.bits.Disable()
	what := "New certificate"
	if f.rotate {
		what = "New key staged as pending beside the current key, which stays in use. New certificate"
	}
	f.made.success(fmt.Sprintf("%s: SHA-256 %s, valid until %s.", what, kc.Fingerprint,
		kc.NotAfter.In(f.s.deps.Now().Location()).Format("2 Jan 2006")))
	f.saved.set("", "Not saved as a file yet: save it, then upload it.")
	f.saveCert.Enable()
	f.saveCert.Importance = widget.HighImportance
	f.saveCert.Refresh()
	f.test.Enable()
	f.s.win.Canvas().Focus(f.saveCert)
}

func (f *renewalFlow) askSave() {
	f.s.askSaveCert(folderOf(""), func(path string) {
		pem := []byte(f.cert.CertificatePEM)
		f.saved.info("Saving…")
		background(f.s.jobs, func() error { return certs.WriteCertificate(path, pem, true) }, func(err error) {
			defer f.relayout()
			if err != nil {
				f.saved.set("Couldn't save the certificate: "+inputText(err), "")
				return
			}
			f.saved.success("Saved to " + path + ". Upload this file; Setup then shows the fingerprint above.")
			f.saveCert.Importance = widget.MediumImportance
			f.saveCert.Refresh()
			f.s.win.Canvas().Focus(f.test)
		})
	})
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
	background(j, func() testOutcome {
		return testAndPromote(ctx, s, name, client, func(a salesforce.Attempt) {
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
// that passed, makes it current.
func testAndPromote(ctx context.Context, s *shell, name string, client *salesforce.Client, onAttempt func(salesforce.Attempt)) testOutcome {
	p, err := s.deps.Store.Get(name)
	if err != nil {
		return testOutcome{err: err}
	}
	req, err := wizard.TestRequest(ctx, s.deps.Vault, p, wizard.RetestWait)
	if err != nil {
		return testOutcome{err: err}
	}
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
		if f.rotate {
			msg = rotation.PendingFailed + " " + rotation.StillPropagating + " " + msg
		}
		f.result.set(msg, "")
	case o.promoted != nil:
		f.result.set("The new key passed, but couldn't be made current: "+errorText(o.promoted)+" Test again to finish.", "")
	case f.rotate:
		f.result.success(rotation.Promoted)
		f.offerAfterPromotion()
	default:
		f.result.success("The test passed. The renewed certificate is in the profile; the key is unchanged.")
	}
}

// offerAfterPromotion offers what comes after a rotation: exports with the
// new key, discarding the previous key, or going back to it.
func (f *renewalFlow) offerAfterPromotion() {
	exports := widget.NewButtonWithIcon("Exports for your servers…", theme.DocumentIcon(), func() {
		f.close()
		if p, err := f.s.deps.Store.Get(f.name); err == nil {
			f.s.openAt(p, wizard.StepDone)
		}
	})
	exports.Importance = widget.HighImportance
	discard := widget.NewButtonWithIcon("Discard the previous key", theme.DeleteIcon(), func() { f.keyChange("discard") })
	back := widget.NewButtonWithIcon("Roll back", theme.ContentUndoIcon(), func() { f.keyChange("rollback") })
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
			f.rolledBack()
		default:
			f.after.RemoveAll()
			f.result.success("The previous key is discarded. Only the new key is kept.")
		}
	})
}

// rolledBack offers the previous certificate, now current again, for its
// new upload.
func (f *renewalFlow) rolledBack() {
	p, err := f.s.deps.Store.Get(f.name)
	if err != nil {
		f.result.set(errorText(err), "")
		return
	}
	f.rotate = false
	f.cert = &profiles.KeyCert{CertificatePEM: p.CertificatePEM, Fingerprint: p.Fingerprint, NotAfter: p.CertNotAfter}
	f.after.RemoveAll()
	f.result.success(rotation.RolledBack)
	f.made.success("Previous certificate: SHA-256 " + p.Fingerprint + ".")
	f.saved.set("", "Save the previous certificate again, then upload it.")
	f.saveCert.Importance = widget.HighImportance
	f.saveCert.Refresh()
	f.s.win.Canvas().Focus(f.saveCert)
}
