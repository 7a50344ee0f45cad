package ui

// The Welcome row's key actions for a set-up org: its certificate line, and
// the confirmations for Roll back, Discard previous key and Abandon. Renew
// and Rotate open the flow in renewal.go.

import (
	"context"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/wizard"
)

// confirmRollback asks, rolls back, then opens the flow at the previous
// certificate's new upload.
func (w *welcomeScreen) confirmRollback(p profiles.Profile) {
	w.s.confirm("Go back to the previous key of "+p.Name+"?",
		"The previous key becomes current again and the current one is kept as previous. "+
			"You then upload the previous certificate again: the External Client App holds only one.",
		"Roll back", widget.MediumImportance, func() {
			w.s.release(p.Name)
			m := w.s.manager()
			background(w.s.jobs, func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 6*w.s.deps.Vault.Timeout())
				defer cancel()
				return m.Rollback(ctx, p.Name)
			}, func(err error) {
				if err != nil {
					w.problem.set("Couldn't roll back "+p.Name+": "+errorText(err), "")
					w.reload()
					return
				}
				w.s.openRollback(p.Name)
				w.reload()
			})
		})
}

// confirmDiscard asks, then removes the previous key.
func (w *welcomeScreen) confirmDiscard(name string) {
	w.s.confirm("Discard the previous key of "+name+"?",
		"Servers still signing with the previous key fail once the current certificate is uploaded and has propagated. "+
			"Discard it when every server uses the current key.",
		"Discard", widget.DangerImportance, func() {
			w.keyChange(name, "discard the previous key of "+name, "Discarded the previous key of "+name+".",
				w.s.manager().DiscardPrevious)
		})
}

// abandonRotation asks, then drops a rotation in progress.
func (w *welcomeScreen) abandonRotation(name string) {
	w.s.confirm("Abandon the rotation of "+name+"?",
		"The new key is removed from the keychain; the current key stays in use. "+
			"If you already uploaded the new certificate, upload the current one again.",
		"Abandon", widget.WarningImportance, func() {
			w.keyChange(name, "abandon the rotation of "+name, name+": "+rotation.Abandoned, w.s.manager().Abandon)
		})
}

// keyChange runs one change of a saved org's keys off the UI goroutine,
// then says how it went and lists the orgs again.
func (w *welcomeScreen) keyChange(name, what, done string, change func(context.Context, string) error) {
	w.s.release(name)
	background(w.s.jobs, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*w.s.deps.Vault.Timeout())
		defer cancel()
		return change(ctx, name)
	}, func(err error) {
		if err != nil {
			w.problem.set("Couldn't "+what+": "+errorText(err), "")
		} else {
			w.s.setStatus(done)
		}
		w.reload()
	})
}

// certLine is a saved org's certificate on the Welcome screen: days left,
// amber once renewal is due, red once expired.
func certLine(p profiles.Profile, now time.Time) (*widget.Label, certs.Urgency) {
	text, _ := wizard.CertText(p, now)
	l := wrapped(text)
	u := wizard.CertUrgency(p, now)
	switch u {
	case certs.Expired:
		l.Importance = widget.DangerImportance
	case certs.RenewSoon:
		l.Importance = widget.WarningImportance
	}
	return l, u
}
