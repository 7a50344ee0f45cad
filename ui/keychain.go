package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// keychainScreen stores the consumer key and private key in the OS keychain,
// which may ask for a password: it waits without freezing, and can be
// cancelled.
type keychainScreen struct {
	s       *shell
	intro   *widget.Label
	store   *focusButton
	cancel  *focusButton
	retry   *focusButton
	toKey   *focusButton
	busy    *widget.ProgressBarInfinite
	waiting *widget.Label
	result  *message
	remedy  *widget.Label
	stop    context.CancelFunc // cancels the keychain call under way
	root    fyne.CanvasObject
}

func newKeychainScreen(s *shell) *keychainScreen {
	k := &keychainScreen{s: s}
	k.intro = wrapped("")
	k.store = newFocusButton(s, "Store in "+s.keychainName(), theme.DocumentSaveIcon(), k.start)
	k.store.Importance = widget.HighImportance
	k.cancel = newFocusButton(s, "Cancel", theme.CancelIcon(), k.abort)
	k.cancel.Hide()
	k.retry = newFocusButton(s, "Retry", theme.ViewRefreshIcon(), k.start)
	k.retry.Hide()
	k.toKey = newFocusButton(s, "Go to Key and certificate", theme.NavigateBackIcon(), func() {
		s.jump(s.wiz.Index(wizard.StepKey))
	})
	k.toKey.Hide()
	k.busy = widget.NewProgressBarInfinite()
	k.busy.Stop()
	k.busy.Hide()
	k.waiting = wrapped("Waiting for your keychain… If it asks for your password or for permission, answer there.")
	k.waiting.Hide()
	k.result = newMessage()
	k.remedy = wrapped("")
	k.remedy.Hide()
	k.root = container.NewVBox(
		k.intro,
		container.NewHBox(k.store),
		k.waiting, k.busy, container.NewHBox(k.cancel),
		k.result, k.remedy,
		container.NewHBox(k.retry, k.toKey),
	)
	return k
}

func (k *keychainScreen) view() fyne.CanvasObject { return k.root }

func (k *keychainScreen) show() {
	st := k.s.wiz.State()
	k.intro.SetText("tnjwt stores two secrets in your " + k.s.keychainName() + ", filed under the profile name " +
		st.Profile.Name + ": the consumer key and the private key. The profile file itself holds no secret.")
	if k.s.practice != nil {
		k.intro.SetText(k.intro.Text + " In practice mode that keychain is in this window's memory: it is forgotten when practice ends.")
	}
	if k.stop != nil {
		return // a call is under way; its result will show
	}
	if st.Ticked(wizard.IDKeyStore) {
		k.stored()
		return
	}
	// A new key or consumer key came since the secrets were stored: what
	// the screen said then is no longer true.
	if k.result.Importance == widget.SuccessImportance {
		k.result.set("", "")
	}
	k.store.Show()
	k.store.Enable()
}

// focusFirst gives Store the keyboard, so Return stores (or Retry, after a
// failure).
func (k *keychainScreen) focusFirst() {
	for _, b := range []*focusButton{k.store, k.retry, k.toKey} {
		if b.Visible() && !b.Disabled() {
			k.s.win.Canvas().Focus(b)
			return
		}
	}
}

// start runs the wizard's keychain job off the UI goroutine; the wizard
// records the outcome, the screen shows it.
func (k *keychainScreen) start() {
	wiz := k.s.wiz
	job := wiz.StoreSecrets(k.s.deps.Vault)
	ctx, stop := context.WithCancel(context.Background())
	k.stop = stop
	k.setWaiting(true)
	background(k.s.jobs, func() error { return job.Run(ctx) }, func(err error) {
		stop()
		k.stop = nil
		k.setWaiting(false)
		job.Record(err)
		if k.s.wiz != wiz {
			return
		}
		switch {
		case err != nil:
			k.failed(err)
		case wiz.State().Ticked(wizard.IDKeyStore):
			k.stored()
		default:
			k.result.info("The key and certificate or the consumer key changed while tnjwt was storing them. Store again to keep the new ones.")
		}
		k.s.changed()
	})
}

func (k *keychainScreen) abort() {
	if k.stop != nil {
		k.stop()
	}
}

func (k *keychainScreen) setWaiting(on bool) {
	k.result.set("", "")
	k.remedy.Hide()
	k.retry.Hide()
	k.toKey.Hide()
	if on {
		k.store.Disable()
		k.waiting.Show()
		k.busy.Show()
		k.busy.Start()
		k.cancel.Show()
		return
	}
	k.store.Enable()
	k.waiting.Hide()
	k.busy.Stop()
	k.busy.Hide()
	k.cancel.Hide()
}

func (k *keychainScreen) stored() {
	k.store.Hide()
	k.result.success("Stored in your " + k.s.keychainName() + ": the consumer key and the private key of " +
		k.s.wiz.State().Profile.Name + ".")
}

// failed shows what went wrong and what to do, with the way out that fits.
func (k *keychainScreen) failed(err error) {
	var se *secrets.Error
	switch {
	case wizard.KeyGone(err):
		k.result.set(wizard.Sentence(err.Error()), "")
		k.toKey.Show()
	case errors.As(err, &se) && se.Kind == secrets.Canceled:
		k.result.info("Cancelled: nothing was stored. Retry when you are ready.")
		k.retry.Show()
	case errors.As(err, &se):
		k.result.set(se.Message, "")
		if se.Remedy != "" {
			k.remedy.SetText(se.Remedy)
			k.remedy.Show()
		}
		k.retry.Show()
	default:
		k.result.set(errorText(err), "")
		k.retry.Show()
	}
}
