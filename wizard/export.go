package wizard

import (
	"context"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// ExportOrg gathers what the exports need: the profile's settings and its
// secrets from the keychain. Run it off the UI goroutine.
func ExportOrg(ctx context.Context, v Vault, p profiles.Profile, now time.Time) (export.Org, error) {
	ck, err := readSecret(ctx, v, p.Name, secrets.ConsumerKey)
	if err != nil {
		return export.Org{}, err
	}
	key, err := readSecret(ctx, v, p.Name, secrets.PrivateKey)
	if err != nil {
		return export.Org{}, err
	}
	if err := keyFitsCertificate(key, p); err != nil {
		return export.Org{}, err
	}
	return export.FromProfile(p, string(ck), key, now)
}

// ExportPendingOrg is ExportOrg with the new key of a rotation in progress,
// which the servers need before, or right after, its certificate is
// uploaded (`tnjwt export --pending`). Run it off the UI goroutine.
func ExportPendingOrg(ctx context.Context, v Vault, p profiles.Profile, now time.Time) (export.Org, error) {
	if p.Pending == nil {
		return export.Org{}, notReady(p.Name+" has no rotation in progress: ", "the exports on the Done screen hold its current key.")
	}
	ck, err := readSecret(ctx, v, p.Name, secrets.ConsumerKey)
	if err != nil {
		return export.Org{}, err
	}
	key, err := v.Get(ctx, p.Name, secrets.PendingPrivateKey)
	if notFound(err) {
		return export.Org{}, secretsMissing("The new key of "+p.Name+"'s rotation isn't in your "+secrets.Location()+": ", rotateAgain)
	}
	if err != nil {
		return export.Org{}, err
	}
	if _, err := certs.Load(key, []byte(p.Pending.CertificatePEM)); err != nil {
		return export.Org{}, notReady("The new key of "+p.Name+"'s rotation doesn't match its certificate: ", rotateAgain)
	}
	return export.FromProfile(p, string(ck), key, now)
}
