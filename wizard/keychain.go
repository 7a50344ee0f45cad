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
