// Package secrets keeps tnjwt's secrets (the consumer key and the private
// keys) in the OS keychain: macOS Keychain, Windows Credential Manager, or a
// Secret Service provider on Linux, through github.com/zalando/go-keyring.
//
// The keychain sits behind the small Backend interface so tests can use the
// mutex-guarded Memory fake. A Vault adds what the raw keychains lack:
// chunking (an RSA-4096 PEM is too big for one macOS or Windows item), a
// SHA-256 check on every read, crash-safe replacement, a timeout on every call
// (an unanswered unlock prompt would otherwise block forever) and error
// messages an admin can act on. Secret values never appear in an error.
package secrets

import (
	"runtime"

	keyring "github.com/zalando/go-keyring"
)

// Backend is one keychain: a flat store of string values by (service, user).
// Get returns an error wrapping ErrNotFound for a missing item; Set returns
// ErrSetDataTooBig when the OS refuses the size.
type Backend interface {
	Set(service, user, value string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// ErrNotFound and ErrSetDataTooBig are go-keyring's own values, so errors from
// the real keychain and from Memory compare equal with errors.Is.
var (
	ErrNotFound      = keyring.ErrNotFound
	ErrSetDataTooBig = keyring.ErrSetDataTooBig
)

// Purpose says which secret of a profile an item holds.
type Purpose string

// The secrets a profile can have. The pending and previous keys are for a
// certificate rotation: the new key waits as pending until Salesforce accepts
// it, and the old one stays as previous until the admin removes it.
const (
	ConsumerKey        Purpose = "consumer-key"
	PrivateKey         Purpose = "private-key"
	PendingPrivateKey  Purpose = "pending-private-key"
	PreviousPrivateKey Purpose = "previous-private-key"
)

// Purposes lists every purpose, so a profile's items can all be removed.
func Purposes() []Purpose {
	return []Purpose{ConsumerKey, PrivateKey, PendingPrivateKey, PreviousPrivateKey}
}

// Describe is the purpose in words for messages: "consumer key".
func (p Purpose) Describe() string {
	switch p {
	case ConsumerKey:
		return "consumer key"
	case PrivateKey:
		return "private key"
	case PendingPrivateKey:
		return "new (pending) private key"
	case PreviousPrivateKey:
		return "previous private key"
	}
	return string(p)
}

func (p Purpose) valid() bool {
	for _, q := range Purposes() {
		if p == q {
			return true
		}
	}
	return false
}

// Location names this computer's keychain for messages.
func Location() string { return locationFor(runtime.GOOS) }

func locationFor(goos string) string {
	switch goos {
	case "darwin":
		return "macOS Keychain"
	case "windows":
		return "Windows Credential Manager"
	}
	return "Secret Service (GNOME Keyring, KWallet…)"
}
