package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// testTarget is what `tnjwt test` needs, whether it came from flags or from a
// saved profile (openTarget). KeyPEM is the private key and must never be
// printed or logged.
type testTarget struct {
	LoginURL string
	ClientID string
	Username string
	Audience string // override; empty: discovered (salesforce.Audiences)
	// Remembered is the audience that last worked for a profile.
	Remembered string
	Sandbox    bool
	KeyPEM     []byte
	// Profile is the saved profile the target came from (--profile), if any.
	Profile *profiles.Profile
	// Pending: KeyPEM is the new key of a rotation in progress.
	Pending bool
}

// errIncomplete marks a saved profile that lacks what a test or an export
// needs (one the wizard has not finished): bad input, not a failure.
var errIncomplete = errors.New("profile is incomplete")

// targetError words a failure to open --profile NAME for cmd (test,
// export). A keychain that is locked or unreachable is a local failure;
// anything else (no such profile, an incomplete one, a missing secret) is
// bad input.
func targetError(cmd, name string, err error) error {
	var se *secrets.Error
	if errors.As(err, &se) && se.Kind != secrets.NotFound {
		return failuref("%s: profile %q: %v", cmd, name, err)
	}
	return usageErrorf("%s: profile %q: %v", cmd, name, err)
}

// openTarget loads a saved profile and its secrets for `tnjwt test
// --profile` and `tnjwt export --profile`. A missing or incomplete profile
// wraps profiles.ErrNotFound or errIncomplete; a keychain failure is a
// *secrets.Error with its own remedy (see targetError). With pending, it
// takes the new key of a rotation in progress (and its certificate) instead
// of the current one: `tnjwt test --profile` always does, `export --pending`
// on request. An interrupted promotion or rollback is finished first
// (rotation.Recover).
func openTarget(env *Env, name string, pending bool) (testTarget, error) {
	store, err := openProfiles(env)
	if err != nil {
		return testTarget{}, err
	}
	return openTargetIn(env, store, name, pending)
}

// openTargetIn is openTarget on an open store, which tests of several
// profiles share: one store's lock keeps their writes in turn.
func openTargetIn(env *Env, store *profiles.Store, name string, pending bool) (testTarget, error) {
	if _, err := newManager(store, env).Recover(env.Ctx, name); err != nil {
		return testTarget{}, err
	}
	p, err := store.Get(name)
	if err != nil {
		return testTarget{}, err
	}
	return targetOf(env, store, p, pending)
}

// targetOf reads a loaded profile's secrets. A profile with no rotation
// under way needs no Recover first: a run over many profiles loads them all
// at once and comes straight here.
func targetOf(env *Env, store *profiles.Store, p profiles.Profile, pending bool) (testTarget, error) {
	var missing []string
	if p.LoginURL == "" {
		missing = append(missing, "login URL")
	}
	if p.Username == "" {
		missing = append(missing, "username")
	}
	if len(missing) > 0 {
		return testTarget{}, fmt.Errorf("%w: profile %q has no %s yet; finish it in the wizard or run `tnjwt profile import --replace`",
			errIncomplete, p.Name, strings.Join(missing, " or "))
	}
	clientID, err := store.Vault().Get(env.Ctx, p.Name, secrets.ConsumerKey)
	if err != nil {
		return testTarget{}, err
	}
	var t testTarget
	t = testTarget{LoginURL: p.LoginURL, ClientID: string(clientID), Username: p.Username,
		Audience: p.Audience, Remembered: p.WorkingAudience, Sandbox: p.Sandbox, Profile: &p}
	if pending && p.Pending != nil {
		t.KeyPEM, err = newManager(store, env).PendingKey(env.Ctx, p)
		t.Pending = err == nil
		return t, err
	}
	if t.KeyPEM, err = store.Vault().Get(env.Ctx, p.Name, secrets.PrivateKey); err != nil {
		return testTarget{}, err
	}
	if p.CertificatePEM != "" {
		// Checked here, before anything is sent: Salesforce would only say
		// "invalid assertion".
		if _, err := certs.Load(t.KeyPEM, []byte(p.CertificatePEM)); err != nil {
			return testTarget{}, fmt.Errorf("%w: the private key in the keychain does not belong to the certificate saved in "+
				"profile %q (%s): store the key that goes with it (tnjwt profile import --replace), or finish the wizard's "+
				"Keychain step", errIncomplete, p.Name, p.Fingerprint)
		}
	}
	return t, nil
}
