package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/wizard"
)

// keyScreen makes or imports the key pair and shows the certificate.
type keyScreen struct {
	s *shell

	generate *focusButton
	cn, days *navEntry
	bits     *focusSelect
	optsMsg  *message
	cnMsg    *message // under its field, as it is typed
	daysMsg  *message

	optionsSec, importSec *section // Options; Use an existing key and certificate instead
	intro                 *widget.Label

	keyFile, certFile     *widget.Label
	keyURI, certURI       fyne.URI
	chooseKey, chooseCert *focusButton
	importBtn             *focusButton
	importMsg             *message

	busy     *widget.ProgressBarInfinite
	busyText *widget.Label

	result                               *fyne.Container
	fingerprint, subject, expiry, keyLen *widget.Label
	saveCert, copyPEM                    *focusButton
	savedAt                              *widget.Label
	keyNote                              *message
	keepErr                              error // why the new key couldn't wait in the keychain

	root fyne.CanvasObject
}

func newKeyScreen(s *shell) *keyScreen {
	k := &keyScreen{s: s}
	k.generate = newFocusButton(s, "Generate key and certificate", theme.ContentAddIcon(), k.askGenerate)
	k.generate.Importance = widget.HighImportance
	k.cn = s.newEntry(specCN)
	k.cn.SetText(certs.DefaultCN)
	k.days = s.newEntry(specDays)
	k.days.SetText(strconv.Itoa(certs.DefaultDays))
	k.days.OnSubmitted = func(string) { k.askGenerate() }
	var sizes []string
	for _, b := range certs.AllowedBits {
		sizes = append(sizes, bitsLabel(b))
	}
	k.bits = newFocusSelect(s, sizes, nil)
	k.bits.SetSelected(bitsLabel(certs.DefaultBits))
	k.optsMsg = newMessage()
	k.cnMsg, k.daysMsg = newMessage(), newMessage()
	k.cn.OnChanged = func(string) { k.checkOptions() }
	k.days.OnChanged = func(string) { k.checkOptions() }
	k.bits.OnChanged = func(string) { k.checkOptions() }
	options := container.New(layout.NewFormLayout(),
		widget.NewLabel("Common name (CN)"), container.NewVBox(k.cn, k.cnMsg),
		widget.NewLabel("Valid for (days)"), container.NewVBox(k.days, k.daysMsg),
		widget.NewLabel("Key size"), container.NewVBox(k.bits,
			subtle("2048 bits is Salesforce's default; a 4096-bit key takes several seconds to make.")),
	)

	k.keyFile = widget.NewLabel("No file chosen")
	k.certFile = widget.NewLabel("No file chosen")
	k.chooseKey = newFocusButton(s, "Private key…", theme.FolderOpenIcon(), func() {
		k.choose("Choose the private key (PEM)", &k.keyURI, k.keyFile)
	})
	k.chooseCert = newFocusButton(s, "Certificate…", theme.FolderOpenIcon(), func() {
		k.choose("Choose the certificate (PEM, .crt)", &k.certURI, k.certFile)
	})
	k.importBtn = newFocusButton(s, "Import", theme.DownloadIcon(), k.askImport)
	k.importBtn.Disable()
	k.importMsg = newMessage()
	importer := container.NewVBox(
		wrapped("Use a key pair you already have, such as one made earlier for this External Client App. "+
			"The key must be an unencrypted RSA key in PEM form (PKCS#1 or PKCS#8), and the certificate its match."),
		container.NewBorder(nil, nil, k.chooseKey, nil, k.keyFile),
		container.NewBorder(nil, nil, k.chooseCert, nil, k.certFile),
		container.NewHBox(k.importBtn), k.importMsg)

	k.optionsSec = newSection(s, "Options", options)
	k.importSec = newSection(s, "Use an existing key and certificate instead", importer)

	k.busy = widget.NewProgressBarInfinite()
	k.busy.Stop()
	k.busy.Hide()
	k.busyText = widget.NewLabel("")
	k.busyText.Hide()

	k.fingerprint = monoWrapped("")
	k.fingerprint.Wrapping = fyne.TextWrapOff // fingerprintLines breaks it, only at colons
	k.subject = wrapped("")
	k.expiry = wrapped("")
	k.keyLen = widget.NewLabel("")
	k.saveCert = newFocusButton(s, "Save certificate…", theme.DocumentSaveIcon(), k.askSave)
	k.saveCert.Importance = widget.HighImportance
	k.copyPEM = newFocusButton(s, "Copy PEM", theme.ContentCopyIcon(), func() {
		k.s.copy("the certificate (PEM)", k.s.wiz.State().Profile.CertificatePEM)
	})
	k.savedAt = wrapped("")
	k.keyNote = newMessage()
	k.result = container.NewVBox(
		bold("Your certificate"),
		container.New(layout.NewFormLayout(),
			widget.NewLabel("SHA-256 fingerprint"), k.fingerprint,
			widget.NewLabel("Subject"), k.subject,
			widget.NewLabel("Expires"), k.expiry,
			widget.NewLabel("Key size"), k.keyLen),
		wrapped("Save the certificate as a file: you upload it to the External Client App on the next screen. "+
			"The certificate is public; the private key never leaves this computer."),
		container.NewHBox(k.saveCert, k.copyPEM),
		k.savedAt,
		k.keyNote,
		widget.NewSeparator(),
	)
	k.result.Hide()

	k.intro = wrapped("")
	k.checkOptions()
	// Once there is a certificate it comes first: saving it is the next thing to do.
	k.root = container.NewVBox(
		k.result,
		k.intro,
		container.NewHBox(k.generate),
		k.optsMsg,
		k.optionsSec.root,
		k.importSec.root,
		k.busyText, k.busy,
	)
	return k
}

// fingerprintBytesPerLine splits a SHA-256 fingerprint (32 bytes) into four
// lines, narrow enough for the form in a 700-pixel window.
const fingerprintBytesPerLine = 8

// fingerprintLines breaks a colon-separated fingerprint between bytes, never
// inside one, so it reads as Salesforce and openssl print it.
func fingerprintLines(fp string) string {
	parts := strings.Split(fp, ":")
	var lines []string
	for len(parts) > fingerprintBytesPerLine {
		lines = append(lines, strings.Join(parts[:fingerprintBytesPerLine], ":")+":")
		parts = parts[fingerprintBytesPerLine:]
	}
	return strings.Join(append(lines, strings.Join(parts, ":")), "\n")
}

func bitsLabel(b int) string { return strconv.Itoa(b) + " bits" }

// monoWrapped is a value in monospace, broken anywhere to fit. It is no Tab
// stop (a selectable label is one, with no mark of its focus): a Copy
// button beside it copies the value.
func monoWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Monospace: true}
	l.Wrapping = fyne.TextWrapBreak
	return l
}

func (k *keyScreen) view() fyne.CanvasObject { return k.root }

func (k *keyScreen) show() { k.refresh() }

// saveTo writes the certificate (mode 0644) off the UI goroutine.
func (k *keyScreen) saveTo(path string) { k.save(path, fsutil.Allow{Replace: true}) }

func (k *keyScreen) save(path string, allow fsutil.Allow) {
	pem := []byte(k.s.wiz.State().Profile.CertificatePEM)
	wiz := k.s.wiz
	k.savedAt.SetText("Saving…")
	background(k.s.jobs, func() error {
		return certs.SaveCertificate(path, pem, allow)
	}, func(err error) {
		anyway := func() { allow.SharedFolder = true; k.save(path, allow) }
		if k.s.askSharedFolder(err, anyway, func() { k.savedAt.SetText("Not saved: " + inputText(err)) }) {
			k.savedAt.SetText("")
			return
		}
		if err != nil {
			k.savedAt.SetText("Couldn't save the certificate: " + inputText(err))
			return
		}
		wiz.SetCertPath(path)
		k.savedAt.SetText("Saved to " + path)
	})
}

// refresh shows the profile's certificate, if it has one.
func (k *keyScreen) refresh() {
	st := k.s.wiz.State()
	if st.Profile.CertificatePEM == "" {
		k.result.Hide()
		k.intro.Show()
		k.generate.SetText("Generate key and certificate")
		k.generate.Importance = widget.HighImportance
		return
	}
	k.intro.Hide()
	k.generate.SetText("Generate a new key and certificate")
	k.generate.Importance = widget.MediumImportance
	k.generate.Refresh()
	cert, err := certs.ParseCertificate([]byte(st.Profile.CertificatePEM))
	if err != nil {
		k.result.Show()
		k.fingerprint.SetText(fingerprintLines(st.Profile.Fingerprint))
		k.expiry.SetText("The saved certificate can't be read: " + inputText(err))
		return
	}
	info := certs.Describe(cert, k.s.deps.Now())
	k.fingerprint.SetText(fingerprintLines(info.Fingerprint))
	k.subject.SetText(info.Subject)
	days := wizard.DaysLeft(info.NotAfter, k.s.deps.Now())
	when := info.NotAfter.Local().Format("2 Jan 2006 15:04")
	if !info.NotAfter.After(k.s.deps.Now()) {
		k.expiry.SetText(when + " (expired: make a new key and certificate)")
	} else {
		k.expiry.SetText(when + " (" + wizard.DaysText(info.NotAfter, k.s.deps.Now()) + ")")
	}
	k.expiry.Importance = widget.MediumImportance
	if days < wizard.CertWarnDays {
		k.expiry.Importance = widget.WarningImportance
	}
	k.expiry.Refresh()
	k.keyLen.SetText(bitsLabel(info.KeyBits) + " RSA")
	if st.CertPath != "" {
		k.savedAt.SetText("Saved to " + st.CertPath)
	} else {
		k.savedAt.SetText("Not saved as a file in this session.")
	}
	k.refreshKeyNote()
	k.result.Show()
}

// refreshKeyNote says where the private key is right now.
func (k *keyScreen) refreshKeyNote() {
	st := k.s.wiz.State()
	loc := k.s.keychainName()
	switch {
	case st.Ticked(wizard.IDKeyStore):
		k.keyNote.success("The private key is stored in your " + loc + ".")
	case st.Bundle != nil && st.KeyKept && k.s.practice != nil:
		k.keyNote.info("The private key waits in your " + loc + " until the Keychain step stores it for good. " + wizard.InMemory)
	case st.Bundle != nil && st.KeyKept:
		k.keyNote.info("The private key waits in your " + loc + " until the Keychain step stores it for good, so closing tnjwt loses nothing.")
	case st.Bundle != nil && k.keepErr != nil:
		k.keyNote.set("", "The private key is only in this window's memory: "+errorText(k.keepErr)+
			" If you close tnjwt before the Keychain step, you will need to make a new key.")
	case st.Bundle != nil:
		k.keyNote.info("Keeping the private key in your " + loc + " until the Keychain step…")
	default:
		k.keyNote.info("Looking for this certificate's private key in your " + loc + "…")
		k.probe()
	}
}

// probe checks, for a reopened profile, that the private key made with its
// certificate still waits in the keychain; the wizard records the answer.
func (k *keyScreen) probe() {
	wiz := k.s.wiz
	job := wiz.FindKey(k.s.deps.Vault)
	background(k.s.jobs, func() error { return job.Run(context.Background()) }, func(err error) {
		job.Record(err)
		if k.s.wiz != wiz || wiz.State().Bundle != nil {
			return
		}
		k.s.changed()
		switch {
		case err == nil:
			k.keyNote.info("The private key waits in your " + k.s.keychainName() + " until the Keychain step stores it for good.")
		case wizard.KeyGone(err):
			k.keyNote.set(wizard.Sentence(err.Error()), "")
		default:
			k.keyNote.set("", "Couldn't check your "+k.s.keychainName()+" for the private key: "+errorText(err))
		}
	})
}
