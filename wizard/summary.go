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

// DaysLeft is the number of whole days left until notAfter, as the command
// line counts them (certs.DaysLeft: 24-hour days, rounded down), so the
// window and `tnjwt profile list` say the same number at the same moment.
func DaysLeft(notAfter, now time.Time) int { return certs.DaysLeft(notAfter, now) }

// calendarDays counts calendar days from now's date to notAfter's date, in
// now's time zone: 0 for today, 1 for tomorrow. It picks those words;
// counts of days are DaysLeft's.
func calendarDays(notAfter, now time.Time) int {
	y, m, d := now.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	y, m, d = notAfter.In(now.Location()).Date()
	to := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return int(math.Round(to.Sub(from).Hours() / 24))
}

// DaysText is the time left until notAfter in words: "today", "tomorrow",
// or "in N days" (DaysLeft, with "day" for one).
func DaysText(notAfter, now time.Time) string {
	switch cal, days := calendarDays(notAfter, now), DaysLeft(notAfter, now); {
	case cal <= 0:
		return "today"
	case cal == 1:
		return "tomorrow"
	case days == 1:
		return "in 1 day"
	default:
		return fmt.Sprintf("in %d days", days)
	}
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
	switch cal, days := calendarDays(p.CertNotAfter, now), DaysLeft(p.CertNotAfter, now); {
	case !p.CertNotAfter.After(now):
		return "Certificate expired on " + date + ": renew it and upload the new one to the External Client App.", true
	case cal <= 1:
		return "Certificate expires " + DaysText(p.CertNotAfter, now) + " (" + date + "): renew it now.", true
	case warn:
		return "Certificate expires " + DaysText(p.CertNotAfter, now) + " (" + date + "): time to renew it.", true
	default:
		return fmt.Sprintf("Certificate valid until %s: %s left.", date, plural(days, "day")), false
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

// plural is n and noun, with an s unless n is 1: "1 day", "399 days".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// renewFrom is the date renewal becomes due (certs.RenewFrom), in now's
// time zone.
func renewFrom(p profiles.Profile, now time.Time) string {
	return certs.RenewFrom(certNotBefore(p), p.CertNotAfter).In(now.Location()).Format("2 Jan 2006")
}

// RenewalAdvice says when and how to renew p's certificate. Renew
// certificate keeps the key, so the servers change nothing; only Rotate key
// gives them a new SF_PRIVATE_KEY. The Done screen, the README and the
// renewal flow tell this one story.
func RenewalAdvice(p profiles.Profile, now time.Time) string {
	when := "Before the certificate expires"
	if !p.CertNotAfter.IsZero() {
		when = "From " + renewFrom(p, now) + " (the certificate expires on " +
			p.CertNotAfter.In(now.Location()).Format("2 Jan 2006") + ")"
	}
	return when + ", press Renew certificate on this org's row of the Welcome screen. It makes a new certificate " +
		"over the same key: upload it to the External Client App and test it there, and nothing changes on your servers. " +
		"Rotate key, beside it, makes a new key instead: only then do your servers need a new SF_PRIVATE_KEY."
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
		lines = append(lines, SummaryLine{Label: "Expiry", Value: cert}, SummaryLine{Label: "Renew from", Value: renewFrom(p, now) +
			", with Renew certificate on the Welcome screen (see At the next renewal below)"})
	}
	lines = append(lines,
		SummaryLine{Label: "Secrets", Value: secretsWhere(p)},
		SummaryLine{Label: "Last test", Value: LastTestText(p.LastTest)},
		SummaryLine{Label: "Web addresses", Value: originsText(p)})
	return lines
}

// KeychainName is where the window keeps secrets: the system's keychain,
// or in practice mode a stand-in in the window's memory.
func KeychainName(practice bool) string {
	if practice {
		return "practice keychain"
	}
	return secrets.Location()
}

// InMemory says where a practice session's secrets really are.
const InMemory = "The practice keychain is in this window's memory: it is forgotten when you leave practice or close tnjwt."

func secretsWhere(p profiles.Profile) string {
	if p.Practice {
		return "The consumer key and private key are in the practice keychain. " + InMemory
	}
	return "The consumer key and private key are in your " + secrets.Location() + "."
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
