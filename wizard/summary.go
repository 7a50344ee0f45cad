package wizard

import (
	"fmt"
	"math"
	"time"

	"github.com/tnjwt/tnjwt/core/profiles"
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

// CertText describes a profile's certificate expiry for the Welcome screen;
// warn is true when it expires within CertWarnDays or already has.
func CertText(p profiles.Profile, now time.Time) (text string, warn bool) {
	if p.CertificatePEM == "" || p.CertNotAfter.IsZero() {
		return "No certificate yet.", false
	}
	date := p.CertNotAfter.In(now.Location()).Format("2 Jan 2006")
	switch days := DaysLeft(p.CertNotAfter, now); {
	case !p.CertNotAfter.After(now):
		return "Certificate expired on " + date + ": make a new one and upload it to the External Client App.", true
	case days == 0:
		return "Certificate expires today (" + date + ").", true
	case days == 1:
		return "Certificate expires tomorrow (" + date + ").", true
	case days < CertWarnDays:
		return fmt.Sprintf("Certificate expires in %d days (%s).", days, date), true
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
	switch {
	case t.Error != "" && t.Description != "":
		msg += ": " + t.Error + " (" + t.Description + ")"
	case t.Error != "":
		msg += ": " + t.Error
	}
	return msg + "."
}
