package wizard

import (
	"context"
	"errors"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// Vault is the part of secrets.Vault the wizard uses.
type Vault interface {
	Put(ctx context.Context, profile string, p secrets.Purpose, secret []byte) error
	Get(ctx context.Context, profile string, p secrets.Purpose) ([]byte, error)
	Delete(ctx context.Context, profile string, p secrets.Purpose) error
}

// ErrKeyLost means the private key that belongs to the profile's certificate
// is neither in this session nor waiting in the keychain.
var ErrKeyLost = errors.New("the private key for this certificate is no longer available: " +
	"it was not kept in the keychain before tnjwt closed. On the Key and certificate step, " +
	"make a new key and certificate, then upload the new certificate to the External Client App")

// ErrKeyMismatch means the key waiting in the keychain belongs to another
// certificate than the profile's (an older attempt).
var ErrKeyMismatch = errors.New("the private key waiting in the keychain does not match this profile's certificate. " +
	"On the Key and certificate step, make a new key and certificate, then upload the new certificate to the External Client App")

// KeepPending puts a freshly made or imported private key in the keychain
// as pending, so closing tnjwt before the Keychain step loses nothing.
func KeepPending(ctx context.Context, v Vault, profile string, keyPEM []byte) error {
	return v.Put(ctx, profile, secrets.PendingPrivateKey, keyPEM)
}

// FindPending reads the private key waiting in the keychain and checks that
// it belongs to certPEM. When nothing is pending, the key already stored for
// good counts too: a profile finished earlier, or saved with `tnjwt profile
// import`, still has its key. ErrKeyLost and ErrKeyMismatch say what is wrong
// with it; other errors are the keychain's.
func FindPending(ctx context.Context, v Vault, profile string, certPEM []byte) ([]byte, error) {
	key, err := v.Get(ctx, profile, secrets.PendingPrivateKey)
	if notFound(err) {
		key, err = v.Get(ctx, profile, secrets.PrivateKey)
	}
	if notFound(err) {
		return nil, ErrKeyLost
	}
	if err != nil {
		return nil, err
	}
	if _, err := certs.Load(key, certPEM); err != nil {
		return nil, ErrKeyMismatch
	}
	return key, nil
}

// StoreSecrets stores the consumer key and the private key under their final
// names, then drops the pending copy. keyPEM may be nil when this session has
// no key: the pending one is used, checked against certPEM first. An empty
// consumerKey leaves the one stored earlier in place.
func StoreSecrets(ctx context.Context, v Vault, profile, consumerKey string, keyPEM, certPEM []byte) error {
	if keyPEM == nil {
		pending, err := FindPending(ctx, v, profile, certPEM)
		if err != nil {
			return err
		}
		keyPEM = pending
	}
	if consumerKey != "" {
		if err := v.Put(ctx, profile, secrets.ConsumerKey, []byte(consumerKey)); err != nil {
			return err
		}
	}
	if err := v.Put(ctx, profile, secrets.PrivateKey, keyPEM); err != nil {
		return err
	}
	if err := v.Delete(ctx, profile, secrets.PendingPrivateKey); err != nil && !notFound(err) {
		return err
	}
	return nil
}

func notFound(err error) bool {
	return err != nil && (errors.Is(err, secrets.ErrNotFound) || secrets.KindOf(err) == secrets.NotFound)
}

// KeyGone reports the errors that mean the certificate's private key is
// lost: ErrKeyLost and ErrKeyMismatch. The Key step then needs a new pair.
func KeyGone(err error) bool {
	return errors.Is(err, ErrKeyLost) || errors.Is(err, ErrKeyMismatch)
}

// KeychainJob is keychain work for a screen. The keychain may wait for an
// unlock prompt, so Run goes off the UI goroutine: it only uses what was
// copied from the state when the job was made. Record takes the outcome
// back into the wizard and runs where the wizard's other methods run.
type KeychainJob struct {
	Run    func(ctx context.Context) error
	Record func(err error)
}

// StoreSecrets is the Keychain step's job: it stores the consumer key (or
// keeps the stored one when none was pasted in this session) and the
// private key (this session's, or the one waiting in the keychain), and
// Record ticks key-store, or marks the key lost (KeyGone).
func (w *Wizard) StoreSecrets(v Vault) KeychainJob {
	name, consumerKey, certPEM := w.st.Profile.Name, w.st.ConsumerKey, w.st.Profile.CertificatePEM
	var keyPEM []byte
	if w.st.Bundle != nil {
		keyPEM = w.st.Bundle.KeyPEM
	}
	return KeychainJob{
		Run: func(ctx context.Context) error {
			return StoreSecrets(ctx, v, name, consumerKey, keyPEM, []byte(certPEM))
		},
		Record: func(err error) {
			// A new pair or consumer key taken while the keychain worked
			// was not stored: it still needs its own Store.
			if w.st.Profile.CertificatePEM != certPEM || w.st.ConsumerKey != consumerKey {
				return
			}
			switch {
			case err == nil:
				w.markStored()
			case KeyGone(err):
				w.setKeyLost(true)
			}
		},
	}
}

// FindKey is the Key screen's check that a reopened profile's private key
// still waits in the keychain (FindPending); Record marks it lost or found.
func (w *Wizard) FindKey(v Vault) KeychainJob {
	name, certPEM := w.st.Profile.Name, w.st.Profile.CertificatePEM
	return KeychainJob{
		Run: func(ctx context.Context) error {
			_, err := FindPending(ctx, v, name, []byte(certPEM))
			return err
		},
		Record: func(err error) {
			if w.st.Profile.CertificatePEM != certPEM {
				return // a new pair came meanwhile; the answer is about the old one
			}
			switch {
			case err == nil:
				w.setKeyLost(false)
			case KeyGone(err):
				w.setKeyLost(true)
			}
		},
	}
}

// setKeyLost records whether the certificate's private key is gone: the Key
// step is unfinished again until a new pair is made. A key made in this
// session is never lost.
func (w *Wizard) setKeyLost(lost bool) {
	w.st.KeyLost = lost && w.st.Bundle == nil
}

// markStored records that both secrets are in the keychain.
func (w *Wizard) markStored() {
	w.st.KeyKept = false
	w.st.KeyLost = false
	w.st.ConsumerKeyStored = true
	w.tick(IDKeyStore)
	w.save()
}
