package export

import (
	"errors"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// Settings are a saved org's export settings without its secrets: enough
// for the SDK snippet, which holds none.
func Settings(p profiles.Profile, now time.Time) (Org, error) {
	login, err := salesforce.ParseLoginURL(p.LoginURL)
	if err != nil {
		return Org{}, err
	}
	if p.Username == "" {
		return Org{}, errors.New("the profile has no username yet")
	}
	return Org{
		Profile:  p.Name,
		LoginURL: login.URL,
		Audience: salesforce.PreferredAudience(login, p.Sandbox || login.Sandbox, p.Audience, p.WorkingAudience),
		Username: p.Username,
		OrgURL:   orgURL(p, login),
		Practice: p.Practice,
		Now:      now,
		// Never tested and no override: the servers find the audience.
		DiscoverAudience: p.Audience == "" && p.WorkingAudience == "",
	}, nil
}

// FromProfile is Settings with the secrets the server exports need; the
// consumer key and the private key come from the keychain, read by the
// caller.
func FromProfile(p profiles.Profile, clientID string, keyPEM []byte, now time.Time) (Org, error) {
	o, err := Settings(p, now)
	if err != nil {
		return Org{}, err
	}
	if o.ClientID, _, err = salesforce.CheckConsumerKey(clientID); err != nil {
		return Org{}, err
	}
	if _, err := certs.ParsePrivateKey(keyPEM); err != nil {
		return Org{}, err
	}
	o.KeyPEM = keyPEM
	return o, nil
}

// orgURL is the Lightning URL a passing test learned, else the one the
// login URL names (a My Domain), else the placeholder.
func orgURL(p profiles.Profile, login salesforce.LoginURL) string {
	if p.LightningURL != "" {
		return p.LightningURL
	}
	if login.Kind == salesforce.MyDomain || login.Kind == salesforce.MyDomainSandbox || login.Kind == salesforce.Loopback {
		if u, err := salesforce.LightningURL(login.URL); err == nil {
			return u
		}
	}
	return report.PlaceholderOrgURL
}
