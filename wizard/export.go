package wizard

import (
	"context"
	"time"

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
