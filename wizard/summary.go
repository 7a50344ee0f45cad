package wizard

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// CertWarnDays is how close to expiry a certificate gets a warning badge.
const CertWarnDays = 30

// DaysLeft counts calendar days from now's date to notAfter's date, in now's
// time zone: 0 on the last day, 1 the day before, negative after it. (Counting
// hours instead would call a certificate made a moment ago "364 days".)
func DaysLeft(notAfter, now time.Time) int {
	y, m, d := now.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	y, m, d = notAfter.In(now.Location()).Date()
	to := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return int(math.Round(to.Sub(from).Hours() / 24))
}

// CertUrgency is how soon the profile's certificate needs renewing
// (certs.ExpiryOf); Fine when it has none.
func CertUrgency(p profiles.Profile, now time.Time) certs.Urgency {
	if p.CertificatePEM == "" || p.CertNotAfter.IsZero() {
		return certs.Fine
	}
	return certs.ExpiryOf(certNotBefore(p), p.CertNotAfter, now).Urgency
}

// certNotBefore is the start of the certificate's validity, zero when it
// cannot be read (the expiry rules then use the 30-day rule alone).
func certNotBefore(p profiles.Profile) time.Time {
	if c, err := certs.ParseCertificate([]byte(p.CertificatePEM)); err == nil {
		return c.NotBefore
	}
	return time.Time{}
}

// CertText describes a profile's certificate expiry for the Welcome screen;
// warn is true once renewal is due (certs.ExpiryOf: 30 days before the end,
// or past two thirds of the validity) or the certificate has expired.
func CertText(p profiles.Profile, now time.Time) (text string, warn bool) {
	if p.CertificatePEM == "" || p.CertNotAfter.IsZero() {
		return "No certificate yet.", false
	}
	warn = CertUrgency(p, now) != certs.Fine
	date := p.CertNotAfter.In(now.Location()).Format("2 Jan 2006")
	switch days := DaysLeft(p.CertNotAfter, now); {
	case !p.CertNotAfter.After(now):
		return "Certificate expired on " + date + ": renew it and upload the new one to the External Client App.", true
	case days == 0:
		return "Certificate expires today (" + date + "): renew it now.", true
	case days == 1:
		return "Certificate expires tomorrow (" + date + "): renew it now.", true
	case warn:
		return fmt.Sprintf("Certificate expires in %d days (%s): time to renew it.", days, date), true
	default:
		return fmt.Sprintf("Certificate valid for %d more days (until %s).", days, date), false
	}
}

// LastTestText sums up a profile's last live test.
func LastTestText(t *profiles.TestResult) string {
	if t == nil {
		return "Not tested yet."
	}
	when := t.When.Local().Format("2 Jan 2006 15:04")
	if t.OK {
		return "Last test passed on " + when + "."
	}
	msg := "Last test failed on " + when
	if why := failureText(t); why != "" {
		msg += ": " + strings.TrimRight(why, ".")
	}
	return msg + "."
}

// failureText is a failed test's cause in words. Salesforce's own error
// codes (invalid_grant…) stay: admins search for them. The kinds tnjwt
// records for a fault on the way (bad_reply, unsafe_host…) are codes for
// scripts, so people get what they mean instead.
func failureText(t *profiles.TestResult) string {
	switch {
	case t.Error == salesforce.OtherError:
		return t.Description
	case transportKinds[t.Error] && t.Description != "":
		return "network or server problem: " + t.Description
	case transportKinds[t.Error]:
		return "network or server problem"
	case t.Error != "" && t.Description != "":
		return t.Error + " (" + t.Description + ")"
	}
	return t.Error
}

// transportKinds are the Error values profiles.TestResultOf records for a
// salesforce.TransportError.
var transportKinds = map[string]bool{
	salesforce.KindTimeout: true, salesforce.KindCancelled: true, salesforce.KindConnect: true,
	salesforce.KindTLS: true, salesforce.KindServer: true, salesforce.KindBadReply: true,
	salesforce.KindTooLarge: true, salesforce.KindRedirect: true, salesforce.KindUnsafeHost: true,
}

// SummaryLine is one labelled fact of the Done screen.
type SummaryLine struct {
	Label, Value string
	Fingerprint  bool // Value is a SHA-256 fingerprint, best shown in lines of whole bytes
}

// Summary is what the Done screen lists about a set-up org.
func Summary(p profiles.Profile, now time.Time) []SummaryLine {
	audience := p.Audience
	if login, err := salesforce.ParseLoginURL(p.LoginURL); err == nil {
		audience = salesforce.PreferredAudience(login, p.Sandbox || login.Sandbox, p.Audience, p.WorkingAudience)
	}
	lines := []SummaryLine{
		{Label: "Org", Value: p.Name},
		{Label: "Login URL", Value: p.LoginURL},
		{Label: "Run-as user", Value: p.Username},
		{Label: "Audience (aud)", Value: audience},
		{Label: "Certificate (SHA-256)", Value: p.Fingerprint, Fingerprint: true},
	}
	if !p.CertNotAfter.IsZero() {
		cert, _ := CertText(p, now)
		renew := certs.RenewFrom(certNotBefore(p), p.CertNotAfter).In(now.Location()).Format("2 Jan 2006")
		lines = append(lines, SummaryLine{Label: "Expiry", Value: cert}, SummaryLine{Label: "Renew from", Value: renew +
			": Renew certificate on the Welcome screen makes a new certificate over the same key; upload it and " +
			"nothing on your servers changes"})
	}
	lines = append(lines,
		SummaryLine{Label: "Secrets", Value: "The consumer key and private key are in your " + secrets.Location() + "."},
		SummaryLine{Label: "Last test", Value: LastTestText(p.LastTest)},
		SummaryLine{Label: "Web addresses", Value: originsText(p)})
	return lines
}

// originsText is the app's web origins and what the org is set to allow
// them, in words.
func originsText(p profiles.Profile) string {
	origins := p.Embedding.Origins()
	if len(origins) == 0 {
		return "None given yet: the Embedding settings step asks for them."
	}
	var missing []string
	for _, it := range embedItems {
		if !it.Optional && !it.Auto && !p.Checklist[it.ID].Done {
			missing = append(missing, it.Label)
		}
	}
	text := strings.Join(origins, ", ")
	if len(missing) > 0 {
		return text + ". Not ticked yet on the Embedding settings step: " + strings.Join(missing, "; ") + "."
	}
	return text + ": trusted for embedding (CORS, inline frames) as the Embedding settings step says."
}
