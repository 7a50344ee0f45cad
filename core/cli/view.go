package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// What `profile list` and `profile show` print of a profile, and the small
// text helpers the reports share.

// profileView is a profile as `list` and `show` print it (JSON and text).
// It carries no secret.
type profileView struct {
	Name        string                        `json:"name"`
	LoginURL    string                        `json:"login_url"`
	Sandbox     bool                          `json:"sandbox"`
	Audience    string                        `json:"audience"`
	AudienceSet bool                          `json:"audience_override"`
	Username    string                        `json:"username"`
	Practice    bool                          `json:"practice,omitempty"` // set up against tnjwt's practice org
	Certificate *certView                     `json:"certificate"`
	LastTest    *lastTestView                 `json:"last_test"`
	Checklist   map[string]profiles.StepState `json:"checklist,omitempty"`
	Keychain    *keychainView                 `json:"keychain,omitempty"`
	Pending     *keyView                      `json:"pending,omitempty"`  // a rotation's new key, not confirmed yet
	Previous    *keyView                      `json:"previous,omitempty"` // the key the last rotation replaced
	Rotation    string                        `json:"rotation,omitempty"` // the two above in words
	Embedding   *profiles.Embedding           `json:"embedding,omitempty"`
	Setup       *setupView                    `json:"setup,omitempty"` // show only
	Created     time.Time                     `json:"created"`
	Updated     time.Time                     `json:"updated"`
}

// setupView is where each checklist item is done in the org's Setup.
type setupView struct {
	Host        *string           `json:"host"`                   // null when the login URL cannot tell the org
	Links       map[string]string `json:"links"`                  // checklist id → Setup page address
	NoneBecause string            `json:"none_because,omitempty"` // why there are none
}

// setupPageOrder is the order `profile show` lists Setup pages in: the
// order of the walk.
var setupPageOrder = []salesforce.SetupPage{salesforce.SetupECAManager, salesforce.SetupPermissionSets,
	salesforce.SetupUsers, salesforce.SetupCORS, salesforce.SetupSessionSettings, salesforce.SetupMyDomain}

func setupViewOf(p profiles.Profile) *setupView {
	v := &setupView{Links: map[string]string{}}
	host, err := salesforce.SetupHost(p.LoginURL, p.InstanceURL)
	if err != nil {
		v.NoneBecause = oneLine(err)
		return v
	}
	v.Host = &host
	for id := range salesforce.SetupPages {
		v.Links[id] = salesforce.SetupLink(host, id)
	}
	return v
}

type certView struct {
	Fingerprint string    `json:"fingerprint"`
	Subject     string    `json:"subject,omitempty"`
	NotAfter    time.Time `json:"not_after"`
	DaysLeft    int       `json:"days_left"`
	Renew       bool      `json:"renew"` // within 30 days of expiry (or past two thirds of its validity), or expired
}

type keyView struct {
	Fingerprint string    `json:"fingerprint"`
	NotAfter    time.Time `json:"not_after"`
	Since       time.Time `json:"since"`
}

func keyViewOf(k *profiles.KeyCert) *keyView {
	if k == nil {
		return nil
	}
	return &keyView{Fingerprint: k.Fingerprint, NotAfter: k.NotAfter, Since: k.Since}
}

type lastTestView struct {
	When          time.Time          `json:"when"`
	OK            bool               `json:"ok"`
	Error         *string            `json:"error"`
	Description   *string            `json:"error_description"`
	DiagnosisStep *string            `json:"diagnosis_step"`
	TimingsMS     map[string]float64 `json:"timings_ms,omitempty"`
}

type keychainView struct {
	Location string            `json:"location"`
	Items    map[string]string `json:"items"` // purpose → stored | missing | damaged | unknown
	Problem  *string           `json:"problem"`
}

func profileViewOf(p profiles.Profile, at time.Time) profileView {
	v := profileView{
		Name: p.Name, LoginURL: p.LoginURL, Sandbox: p.Sandbox, Username: p.Username, Practice: p.Practice,
		Audience: p.Audience, AudienceSet: p.Audience != "",
		Created: p.Created, Updated: p.Updated,
		Pending: keyViewOf(p.Pending), Previous: keyViewOf(p.Previous), Rotation: rotation.Describe(p),
		Embedding: p.Embedding,
	}
	if l, err := salesforce.ParseLoginURL(p.LoginURL); err == nil {
		v.Audience = salesforce.PreferredAudience(l, p.Sandbox, p.Audience, p.WorkingAudience)
	}
	if p.CertificatePEM != "" || !p.CertNotAfter.IsZero() {
		c := &certView{Fingerprint: p.Fingerprint, NotAfter: p.CertNotAfter}
		if cert, err := certs.ParseCertificate([]byte(p.CertificatePEM)); err == nil {
			info := certs.Describe(cert, at)
			c.Fingerprint, c.Subject, c.NotAfter, c.DaysLeft = info.Fingerprint, info.Subject, info.NotAfter, info.DaysLeft
			c.Renew = certs.ExpiryOf(cert.NotBefore, cert.NotAfter, at).Urgency != certs.Fine
		} else {
			c.DaysLeft = certs.DaysLeft(p.CertNotAfter, at)
			c.Renew = certs.ExpiryOf(time.Time{}, p.CertNotAfter, at).Urgency != certs.Fine
		}
		v.Certificate = c
	}
	if t := p.LastTest; t != nil {
		v.LastTest = &lastTestView{When: t.When, OK: t.OK, Error: orNull(t.Error), Description: orNull(t.Description),
			DiagnosisStep: orNull(t.DiagnosisStep), TimingsMS: t.TimingsMS}
	}
	return v
}

// orNull is s, or JSON's null when it is empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// writeJSON prints v indented, leaving & < > as they are: the output is for
// people and scripts, never for a web page.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func dateTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func (c *certView) summary() string {
	day := c.NotAfter.UTC().Format("2006-01-02")
	switch {
	case c.DaysLeft < 0:
		// DaysLeft is rounded down, so -1 means "expired less than a day ago".
		switch ago := -c.DaysLeft - 1; ago {
		case 0:
			return fmt.Sprintf("EXPIRED %s (today)", day)
		case 1:
			return fmt.Sprintf("EXPIRED %s (1 day ago)", day)
		default:
			return fmt.Sprintf("EXPIRED %s (%d days ago)", day, ago)
		}
	case c.DaysLeft == 1:
		return fmt.Sprintf("expires %s (1 day left)", day)
	}
	return fmt.Sprintf("expires %s (%d days left)", day, c.DaysLeft)
}

func (t *lastTestView) summary() string {
	if t == nil {
		return "never"
	}
	if t.OK {
		return "ok, " + dateTime(t.When)
	}
	s := "failed, " + dateTime(t.When)
	if t.Error != nil {
		s += ": " + *t.Error
	}
	if t.Description != nil {
		s += ": " + *t.Description
	}
	if t.DiagnosisStep != nil {
		s += " (fix checklist step " + *t.DiagnosisStep + ")"
	}
	return s
}

// orDash is s, or "-" when it is empty, for a text report.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// shellWord quotes a profile name for a command line a person can paste.
func shellWord(s string) string {
	if strings.ContainsAny(s, " ") {
		return "'" + s + "'"
	}
	return s
}
