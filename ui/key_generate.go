package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/wizard"
)

// The Key and certificate screen making a pair: the options, checked as
// they are typed, generation off the UI goroutine, and adopting the pair.

// hasKey reports a key pair made or imported before, which a new one replaces.
func (k *keyScreen) hasKey() bool {
	st := k.s.wiz.State()
	return st.Bundle != nil || st.Profile.CertificatePEM != ""
}

// confirmReplace asks before a new key pair replaces the current one.
func (k *keyScreen) confirmReplace(then func()) {
	if !k.hasKey() {
		then()
		return
	}
	text := "The current certificate stops being used. Upload the new " + certs.CertFileName +
		" to the External Client App again"
	if k.s.wiz.State().Ticked(wizard.IDKeyStore) {
		// A set-up org: its servers sign with this key.
		text += ", store the new key in the keychain again, and give it to your servers (SF_PRIVATE_KEY). " +
			"To renew the certificate only, keep the key: use Renew certificate on the Welcome screen instead"
	}
	k.s.confirm("Replace the key and certificate?", text+".", "Replace", widget.WarningImportance, then)
}

func (k *keyScreen) askGenerate() {
	o, err := k.options()
	if err != nil {
		k.optsMsg.set(err.Error(), "")
		return
	}
	k.optsMsg.set("", "")
	k.confirmReplace(func() { k.startGenerate(o) })
}

// options reads the Options fields.
func (k *keyScreen) options() (certs.Options, error) {
	o, cnErr, daysErr := k.readOptions()
	if cnErr != nil {
		return o, cnErr
	}
	return o, daysErr
}

// readOptions reads the fields, with what is wrong with each.
func (k *keyScreen) readOptions() (o certs.Options, cnErr, daysErr error) {
	o = certs.Options{CN: strings.TrimSpace(k.cn.Text), Now: k.s.deps.Now()}
	if err := certs.CheckCN(o.CN); err != nil {
		cnErr = errors.New(inputText(err))
	}
	if n, err := strconv.Atoi(strings.TrimSpace(k.days.Text)); err != nil {
		daysErr = fmt.Errorf("Valid for (days) must be a whole number of days, like %d.", certs.DefaultDays)
	} else if err := certs.CheckDays(n); err != nil {
		daysErr = errors.New(inputText(err))
	} else {
		o.Days = n
	}
	for _, b := range certs.AllowedBits {
		if k.bits.Selected == bitsLabel(b) {
			o.Bits = b
		}
	}
	return o, cnErr, daysErr
}

// checkOptions shows what is wrong under each field as it is typed, and
// keeps the intro saying what Generate will make.
func (k *keyScreen) checkOptions() {
	if k.cnMsg == nil || k.bits == nil {
		return // still being built
	}
	o, cnErr, daysErr := k.readOptions()
	k.cnMsg.set(errText(cnErr), "")
	k.daysMsg.set(errText(daysErr), "")
	if cnErr == nil && daysErr == nil {
		k.optsMsg.set("", "")
	}
	if k.intro != nil {
		k.intro.SetText(keyIntro(o))
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// keyIntro says what Generate makes with the options as they stand.
func keyIntro(o certs.Options) string {
	bits, days := o.Bits, o.Days
	if bits == 0 {
		bits = certs.DefaultBits
	}
	valid := "for one year"
	switch {
	case days == 0:
		valid = "for the number of days you choose below"
	case days%365 == 0 && days > 365:
		valid = fmt.Sprintf("for %d years", days/365)
	case days != 365:
		valid = fmt.Sprintf("for %d days", days)
	}
	text := fmt.Sprintf("tnjwt makes a %d-bit RSA key and a self-signed certificate valid %s.", bits, valid)
	if bits == certs.DefaultBits && days == certs.DefaultDays {
		text += " These are the defaults, as Salesforce documents; they suit most orgs."
	}
	return text
}

func (k *keyScreen) setBusy(text string) {
	on := text != ""
	for _, b := range []*focusButton{k.generate, k.importBtn, k.chooseKey, k.chooseCert, k.saveCert} {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if !on && (k.keyURI == nil || k.certURI == nil) {
		k.importBtn.Disable()
	}
	k.busyText.SetText(text)
	if on {
		k.busyText.Show()
		k.busy.Show()
		k.busy.Start()
	} else {
		k.busy.Stop()
		k.busy.Hide()
		k.busyText.Hide()
	}
}

func (k *keyScreen) startGenerate(o certs.Options) {
	bits := o.Bits
	if bits == 0 {
		bits = certs.DefaultBits
	}
	k.setBusy(fmt.Sprintf("Making a %d-bit RSA key and its certificate…", bits))
	wiz := k.s.wiz
	type made struct {
		b   *certs.Bundle
		err error
	}
	background(k.s.jobs, func() made {
		b, err := certs.Generate(o)
		return made{b, err}
	}, func(r made) {
		k.setBusy("")
		if r.err != nil {
			k.optsMsg.set(inputText(r.err), "")
			return
		}
		k.adopt(wiz, r.b)
	})
}

// adopt makes b the profile's key pair and keeps its private key in the
// keychain as pending until the Keychain step.
func (k *keyScreen) adopt(wiz *wizard.Wizard, b *certs.Bundle) {
	wiz.SetKey(b)
	k.s.practiceSync() // the practice org's app still holds the old certificate
	k.refresh()
	k.s.changed()
	name := wiz.State().Profile.Name
	k.keyNote.info("Keeping the private key in your " + k.s.keychainName() + " until the Keychain step…")
	background(k.s.jobs, func() error {
		return wizard.KeepPending(context.Background(), k.s.deps.Vault, name, b.KeyPEM)
	}, func(err error) {
		k.keepErr = err
		if err == nil {
			wiz.KeyKept(b)
		}
		if k.s.wiz == wiz {
			k.refreshKeyNote()
		}
	})
}
