package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
)

// The Key and certificate screen importing a pair the admin already has.

// choose lets the person pick a file for Import.
func (k *keyScreen) choose(title string, target *fyne.URI, shown *widget.Label) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			k.importMsg.set("Couldn't open the file: "+inputText(err), "")
			return
		}
		if r == nil {
			return
		}
		*target = r.URI()
		_ = r.Close()
		shown.SetText(r.URI().Name())
		k.importMsg.set("", "") // an old error is about the file no longer picked
		if k.keyURI != nil && k.certURI != nil {
			k.importBtn.Enable()
		}
	}, k.s.win)
	d.SetTitleText(title)
	d.Resize(dialogSize(k.s.win)) // Fyne's own size shows three rows and cuts names
	d.Show()
}

func (k *keyScreen) askImport() {
	if k.keyURI == nil || k.certURI == nil {
		k.importMsg.set("Choose both the private key file and the certificate file.", "")
		return
	}
	k.importMsg.set("", "")
	k.startImport(k.keyURI, k.certURI)
}

func (k *keyScreen) startImport(keyURI, certURI fyne.URI) {
	k.setBusy("Reading the key and certificate…")
	wiz := k.s.wiz
	type loaded struct {
		b   *certs.Bundle
		err error
	}
	background(k.s.jobs, func() loaded {
		keyPEM, err := readSmall(keyURI)
		if err != nil {
			return loaded{nil, fmt.Errorf("Couldn't read %s: %w", keyURI.Name(), err)}
		}
		certPEM, err := readSmall(certURI)
		if err != nil {
			return loaded{nil, fmt.Errorf("Couldn't read %s: %w", certURI.Name(), err)}
		}
		b, err := certs.Load(keyPEM, certPEM)
		return loaded{b, err}
	}, func(r loaded) {
		k.setBusy("")
		if r.err != nil {
			// Checked before asking to replace anything, and shown where
			// the eye is: right under the Import button.
			k.importMsg.set(inputText(r.err), "")
			k.s.relayout()
			k.s.keepVisible(k.importMsg)
			return
		}
		// Only now, with a valid pair in hand, is there anything to ask.
		k.confirmReplace(func() {
			k.importMsg.success("Imported. Make sure this certificate is the one uploaded to the External Client App.")
			k.adopt(wiz, r.b)
			k.s.relayout()
			k.s.keepVisible(k.importMsg)
		})
	})
}

// readSmall reads a file the person picked, refusing anything too big to be a PEM.
func readSmall(u fyne.URI) ([]byte, error) {
	r, err := storage.Reader(u)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return certs.ReadPEM(r)
}
