package certs

import "time"

// WarnDays is how long before expiry a certificate is flagged for renewal.
const WarnDays = 30

// Urgency says how soon a certificate needs renewing.
type Urgency int

// Urgencies, from calm to past due.
const (
	Fine      Urgency = iota
	RenewSoon         // within WarnDays of the end, or past two thirds of its validity
	Expired           // NotAfter has passed
)

// Expiry is where a certificate stands at a moment.
type Expiry struct {
	NotAfter time.Time
	DaysLeft int // whole days, rounded down; negative once expired
	Urgency  Urgency
}

// RenewFrom is when the renewal warning starts for a certificate valid from
// notBefore to notAfter (see ExpiryOf).
func RenewFrom(notBefore, notAfter time.Time) time.Time {
	warnAt := notAfter.Add(-WarnDays * 24 * time.Hour)
	if !notBefore.IsZero() && notBefore.Before(notAfter) {
		if twoThirds := notBefore.Add(notAfter.Sub(notBefore) * 2 / 3); twoThirds.Before(warnAt) {
			warnAt = twoThirds
		}
	}
	return warnAt
}

// ExpiryOf judges a certificate valid from notBefore to notAfter at now. The
// warning starts WarnDays before the end, or once two thirds of the
// validity have passed, whichever comes first: a long-lived certificate is
// flagged early enough for a change window to be planned. A zero notBefore
// (not known) leaves only the WarnDays rule.
func ExpiryOf(notBefore, notAfter, now time.Time) Expiry {
	e := Expiry{NotAfter: notAfter, DaysLeft: DaysLeft(notAfter, now)}
	warnAt := RenewFrom(notBefore, notAfter)
	switch {
	case !now.Before(notAfter):
		e.Urgency = Expired
	case !now.Before(warnAt):
		e.Urgency = RenewSoon
	}
	return e
}

// Within reports whether the certificate expires within days days of now
// (or has expired): DaysLeft <= days.
func (e Expiry) Within(days int) bool { return e.DaysLeft <= days }
