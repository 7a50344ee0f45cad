// Package rotation renews a profile's certificate and rotates its key
// without a moment where the working key can be lost.
//
// An External Client App holds one certificate; uploading another replaces
// it once the change propagates (2 to 10 minutes). So:
//
//   - Renew issues a new certificate over the same key. The public key does
//     not change, so JWTs verify before, during and after the upload.
//   - Rotate stages a new key as pending beside the current one. A live test
//     with the pending key (retrying through propagation) promotes it to
//     current and keeps the old key as previous; Rollback swaps them back.
//
// Every step writes the keychain before the profile that points at it, and
// the key in the keychain's current slot is the truth: when an interrupted
// promotion or rollback left it ahead of the profile, Recover finishes the
// change, so the next start always finds a current key that works with the
// profile's certificate.
package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// Profiles is where profiles are read and changed (a *profiles.Store).
type Profiles interface {
	Get(name string) (profiles.Profile, error)
	Update(name string, fn func(*profiles.Profile) error) error
}

// Keys is the keychain (a *secrets.Vault).
type Keys interface {
	Get(ctx context.Context, profile string, p secrets.Purpose) ([]byte, error)
	Put(ctx context.Context, profile string, p secrets.Purpose, secret []byte) error
	Delete(ctx context.Context, profile string, p secrets.Purpose) error
}

// Manager renews, rotates, promotes and rolls back one profile at a time.
type Manager struct {
	Profiles Profiles
	Keys     Keys
	Now      func() time.Time // nil: time.Now
}

// StateError says an operation does not fit where the profile stands (a
// rotation already in progress, nothing to roll back to). Nothing changed.
type StateError struct{ Problem, Hint string }

func (e *StateError) Error() string { return e.Problem + ": " + e.Hint }

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// keyCert is the public half of b, set aside at now.
func keyCert(b *certs.Bundle, now time.Time) profiles.KeyCert {
	return profiles.KeyCert{CertificatePEM: string(b.CertPEM), Fingerprint: certs.Fingerprint(b.Cert),
		NotAfter: b.Cert.NotAfter, Since: now}
}

// current is the profile's own certificate as a KeyCert.
func current(p profiles.Profile, now time.Time) profiles.KeyCert {
	return profiles.KeyCert{CertificatePEM: p.CertificatePEM, Fingerprint: p.Fingerprint, NotAfter: p.CertNotAfter, Since: now}
}

func setCurrent(p *profiles.Profile, k profiles.KeyCert) {
	p.CertificatePEM, p.Fingerprint, p.CertNotAfter = k.CertificatePEM, k.Fingerprint, k.NotAfter
}

// fits reports whether keyPEM is the key of certPEM.
func fits(keyPEM []byte, certPEM string) bool {
	if len(keyPEM) == 0 || certPEM == "" {
		return false
	}
	_, err := certs.Load(keyPEM, []byte(certPEM))
	return err == nil
}

// load reads the profile after finishing any interrupted change, and its
// current key, which must fit its certificate.
func (m *Manager) load(ctx context.Context, name string) (profiles.Profile, []byte, error) {
	if _, err := m.Recover(ctx, name); err != nil {
		return profiles.Profile{}, nil, err
	}
	p, err := m.Profiles.Get(name)
	if err != nil {
		return p, nil, err
	}
	if p.CertificatePEM == "" {
		return p, nil, &StateError{Problem: p.Name + " has no certificate yet",
			Hint: "finish the setup (Key and certificate, then Keychain) before renewing or rotating"}
	}
	key, err := m.Keys.Get(ctx, p.Name, secrets.PrivateKey)
	if err != nil {
		return p, nil, err
	}
	if !fits(key, p.CertificatePEM) {
		return p, nil, &StateError{Problem: "the private key in the " + secrets.Location() + " does not belong to " + p.Name + "'s certificate",
			Hint: "finish the setup's Keychain step, or import the matching key (tnjwt profile import --replace)"}
	}
	return p, key, nil
}

func noPending(p profiles.Profile) error {
	if p.Pending == nil {
		return nil
	}
	return &StateError{Problem: "a rotation of " + p.Name + " is in progress: its new key is not confirmed yet",
		Hint: "test it (tnjwt test --profile " + p.Name + ") or abandon it (tnjwt profile abandon " + p.Name + ") first"}
}

// subject is the common name to reuse: the current certificate's.
func subject(p profiles.Profile) string {
	if c, err := certs.ParseCertificate([]byte(p.CertificatePEM)); err == nil && c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return certs.DefaultCN
}

// Save writes a new certificate where the admin asked (nil: nowhere yet).
// It runs before anything changes, so a failed write changes nothing.
type Save func(certPEM []byte) error

func (s Save) run(certPEM []byte) error {
	if s == nil {
		return nil
	}
	return s(certPEM)
}

// DeadlineNote is how tnjwt speaks of a certificate's end, on screen and
// in the terminal alike.
const DeadlineNote = "Treat the expiry date as the deadline: Salesforce has been reported to keep accepting JWTs " +
	"after the uploaded certificate expires, but it does not promise to, and many security policies forbid relying on it."

// Renew issues a new certificate for the profile's key, valid for days (0:
// the default), and makes it the profile's certificate. The key never leaves
// the keychain and does not change, so both certificates verify the same
// JWTs: servers keep working before, during and after the upload.
func (m *Manager) Renew(ctx context.Context, name string, days int, save Save) (profiles.KeyCert, error) {
	p, keyPEM, err := m.load(ctx, name)
	if err != nil {
		return profiles.KeyCert{}, err
	}
	if err := noPending(p); err != nil {
		return profiles.KeyCert{}, err
	}
	key, err := certs.ParsePrivateKey(keyPEM)
	if err != nil {
		return profiles.KeyCert{}, err
	}
	b, err := certs.Renew(key, certs.Options{CN: subject(p), Days: days, Now: m.now()})
	if err != nil {
		return profiles.KeyCert{}, err
	}
	if err := save.run(b.CertPEM); err != nil {
		return profiles.KeyCert{}, err
	}
	kc := keyCert(b, m.now())
	err = m.Profiles.Update(p.Name, func(q *profiles.Profile) error {
		if q.Fingerprint != p.Fingerprint {
			return errors.New("the profile changed while the certificate was made; try again")
		}
		setCurrent(q, kc)
		return nil
	})
	return kc, err
}

// Rotate makes a new key pair (bits 0: the current key's size; days 0: the
// default) and stages it as pending beside the current key, which stays in
// use until a test passes with the new one.
func (m *Manager) Rotate(ctx context.Context, name string, days, bits int, save Save) (profiles.KeyCert, error) {
	p, cur, err := m.load(ctx, name)
	if err != nil {
		return profiles.KeyCert{}, err
	}
	if err := noPending(p); err != nil {
		return profiles.KeyCert{}, err
	}
	if bits == 0 {
		if k, perr := certs.ParsePrivateKey(cur); perr == nil {
			bits = k.N.BitLen()
		}
	}
	b, err := certs.Generate(certs.Options{CN: subject(p), Days: days, Bits: bits, Now: m.now()})
	if err != nil {
		return profiles.KeyCert{}, err
	}
	if err := save.run(b.CertPEM); err != nil {
		return profiles.KeyCert{}, err
	}
	if err := m.Keys.Put(ctx, p.Name, secrets.PendingPrivateKey, b.KeyPEM); err != nil {
		return profiles.KeyCert{}, err
	}
	kc := keyCert(b, m.now())
	err = m.Profiles.Update(p.Name, func(q *profiles.Profile) error {
		if err := noPending(*q); err != nil {
			return err
		}
		q.Pending = &kc
		return nil
	})
	if err != nil {
		// Nothing points at the staged key: take it away again.
		_ = m.Keys.Delete(ctx, p.Name, secrets.PendingPrivateKey)
		return profiles.KeyCert{}, err
	}
	return kc, nil
}

// PendingKey is the staged key of a rotation in progress, checked against
// its certificate.
func (m *Manager) PendingKey(ctx context.Context, p profiles.Profile) ([]byte, error) {
	if p.Pending == nil {
		return nil, &StateError{Problem: p.Name + " has no rotation in progress", Hint: "start one with Rotate"}
	}
	key, err := m.Keys.Get(ctx, p.Name, secrets.PendingPrivateKey)
	if err != nil {
		return nil, err
	}
	if !fits(key, p.Pending.CertificatePEM) {
		return nil, &StateError{Problem: "the new (pending) key in the " + secrets.Location() + " does not belong to the new certificate",
			Hint: "abandon this rotation (tnjwt profile abandon " + p.Name + ") and rotate again"}
	}
	return key, nil
}

// Promote makes the pending key current after a test passed with it; the
// key it replaces becomes previous (an older previous key goes).
func (m *Manager) Promote(ctx context.Context, name string) error {
	p, cur, err := m.load(ctx, name)
	if err != nil {
		return err
	}
	pend, err := m.PendingKey(ctx, p)
	if err != nil {
		return err
	}
	if p.Previous != nil {
		// The previous slot is about to hold another key: let nothing point
		// at it while it changes.
		if err := m.Profiles.Update(p.Name, func(q *profiles.Profile) error { q.Previous = nil; return nil }); err != nil {
			return err
		}
	}
	if err := m.Keys.Put(ctx, p.Name, secrets.PreviousPrivateKey, cur); err != nil {
		return err
	}
	if err := m.Keys.Put(ctx, p.Name, secrets.PrivateKey, pend); err != nil {
		return err
	}
	// From here the keychain's current key is the new one; if what follows
	// is interrupted, Recover finishes it.
	return m.finishPromote(ctx, p.Name)
}

func (m *Manager) finishPromote(ctx context.Context, name string) error {
	prev, _ := m.Keys.Get(ctx, name, secrets.PreviousPrivateKey)
	err := m.Profiles.Update(name, func(q *profiles.Profile) error {
		if q.Pending == nil {
			return nil
		}
		old := current(*q, m.now())
		q.Previous = nil
		if fits(prev, old.CertificatePEM) {
			q.Previous = &old
		}
		setCurrent(q, *q.Pending)
		q.Pending = nil
		return nil
	})
	if err != nil {
		return err
	}
	_ = m.Keys.Delete(ctx, name, secrets.PendingPrivateKey) // unreferenced now; the next rotation replaces it anyway
	return nil
}

// Rollback makes the previous key current again and keeps the one it
// replaces as previous, so a rollback can itself be undone. The previous
// certificate has to be uploaded again: the app holds only one.
func (m *Manager) Rollback(ctx context.Context, name string) error {
	p, cur, err := m.load(ctx, name)
	if err != nil {
		return err
	}
	if p.Pending != nil {
		return &StateError{Problem: "a rotation of " + p.Name + " is in progress",
			Hint: "abandon it first (tnjwt profile abandon " + p.Name + "); the current key stays in use"}
	}
	if p.Previous == nil {
		return &StateError{Problem: p.Name + " has no previous key to go back to",
			Hint: "a previous key is kept after a rotation until it is discarded"}
	}
	prev, err := m.Keys.Get(ctx, p.Name, secrets.PreviousPrivateKey)
	if err != nil {
		return err
	}
	if !fits(prev, p.Previous.CertificatePEM) {
		return &StateError{Problem: "the previous key in the " + secrets.Location() + " does not belong to the previous certificate",
			Hint: "discard it (tnjwt profile discard-previous " + p.Name + ")"}
	}
	// The pending slot holds the current key while the two swap places.
	if err := m.Keys.Put(ctx, p.Name, secrets.PendingPrivateKey, cur); err != nil {
		return err
	}
	if err := m.Keys.Put(ctx, p.Name, secrets.PrivateKey, prev); err != nil {
		return err
	}
	return m.finishRollback(ctx, p.Name)
}

// finishRollback completes a rollback once the keychain's current key is the
// previous one: the replaced key moves to the previous slot (from the
// pending slot, where Rollback kept it), then the profile swaps certificates.
func (m *Manager) finishRollback(ctx context.Context, name string) error {
	p, err := m.Profiles.Get(name)
	if err != nil {
		return err
	}
	replaced, _ := m.Keys.Get(ctx, name, secrets.PreviousPrivateKey)
	if !fits(replaced, p.CertificatePEM) {
		replaced, _ = m.Keys.Get(ctx, name, secrets.PendingPrivateKey)
		if fits(replaced, p.CertificatePEM) {
			if err := m.Keys.Put(ctx, name, secrets.PreviousPrivateKey, replaced); err != nil {
				return err
			}
		}
	}
	keep := fits(replaced, p.CertificatePEM)
	err = m.Profiles.Update(name, func(q *profiles.Profile) error {
		if q.Previous == nil {
			return nil
		}
		old := current(*q, m.now())
		setCurrent(q, *q.Previous)
		q.Previous = nil
		if keep {
			q.Previous = &old
		}
		return nil
	})
	if err != nil {
		return err
	}
	_ = m.Keys.Delete(ctx, name, secrets.PendingPrivateKey)
	return nil
}

// Abandon drops a staged rotation: the current key was never touched.
func (m *Manager) Abandon(ctx context.Context, name string) error {
	if _, err := m.Recover(ctx, name); err != nil {
		return err
	}
	err := m.Profiles.Update(name, func(q *profiles.Profile) error {
		if q.Pending == nil {
			return &StateError{Problem: q.Name + " has no rotation in progress", Hint: "nothing to abandon"}
		}
		q.Pending = nil
		return nil
	})
	if err != nil {
		return err
	}
	return m.Keys.Delete(ctx, name, secrets.PendingPrivateKey)
}

// DiscardPrevious removes the previous key and its certificate.
func (m *Manager) DiscardPrevious(ctx context.Context, name string) error {
	if _, err := m.Recover(ctx, name); err != nil {
		return err
	}
	err := m.Profiles.Update(name, func(q *profiles.Profile) error {
		if q.Previous == nil {
			return &StateError{Problem: q.Name + " has no previous key", Hint: "nothing to discard"}
		}
		q.Previous = nil
		return nil
	})
	if err != nil {
		return err
	}
	return m.Keys.Delete(ctx, name, secrets.PreviousPrivateKey)
}

// Recovered says what Recover finished.
type Recovered string

// What Recover can find and finish.
const (
	NothingToRecover Recovered = ""
	FinishedPromote  Recovered = "finished confirming the new key, which an interruption had left half done"
	FinishedRollback Recovered = "finished going back to the previous key, which an interruption had left half done"
)

// Recover finishes a promotion or rollback that was interrupted after the
// keychain's current key changed but before the profile followed. Profiles
// with neither a pending nor a previous key are left alone without a
// keychain read.
func (m *Manager) Recover(ctx context.Context, name string) (Recovered, error) {
	p, err := m.Profiles.Get(name)
	if err != nil || (p.Pending == nil && p.Previous == nil) {
		return NothingToRecover, err
	}
	key, err := m.Keys.Get(ctx, p.Name, secrets.PrivateKey)
	if err != nil || fits(key, p.CertificatePEM) {
		return NothingToRecover, nil // the usual case; a keychain error shows where the key is used
	}
	switch {
	case p.Pending != nil && fits(key, p.Pending.CertificatePEM):
		return FinishedPromote, m.finishPromote(ctx, p.Name)
	case p.Previous != nil && fits(key, p.Previous.CertificatePEM):
		return FinishedRollback, m.finishRollback(ctx, p.Name)
	}
	return NothingToRecover, nil
}

// Describe is where a profile's keys stand, in words for the Welcome row and
// `profile show`; "" when there is only a current key.
func Describe(p profiles.Profile) string {
	switch {
	case p.Pending != nil:
		return fmt.Sprintf("Rotation in progress: pending key not yet confirmed (new certificate %s, staged %s).",
			short(p.Pending.Fingerprint), p.Pending.Since.Local().Format("2 Jan 2006 15:04"))
	case p.Previous != nil:
		return fmt.Sprintf("The previous key (certificate %s) is kept until you discard it.", short(p.Previous.Fingerprint))
	}
	return ""
}

// short is a fingerprint's first four bytes, enough to compare at a glance.
func short(fp string) string {
	if len(fp) > 11 {
		return fp[:11] + "…"
	}
	return fp
}
