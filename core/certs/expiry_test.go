package certs

import (
	"testing"
	"time"
)

// The renewal warning starts 30 days before the end, or once two thirds of
// the validity have passed, whichever is earlier; expiry is at NotAfter.
func TestExpiryOf(t *testing.T) {
	day := 24 * time.Hour
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	year, month := start.Add(365*day), start.Add(30*day)
	for _, tc := range []struct {
		name              string
		notBefore, expiry time.Time
		at                time.Time
		want              Urgency
		daysLeft          int
	}{
		{"a year, 130 days left", start, year, year.Add(-130 * day), Fine, 130},
		{"a year, two thirds through", start, year, start.Add(244 * day), RenewSoon, 121},
		{"a year, 30 days left", start, year, year.Add(-30 * day), RenewSoon, 30},
		{"a year, 29 days left", start, year, year.Add(-29*day - time.Hour), RenewSoon, 29},
		{"a year, the last second", start, year, year.Add(-time.Second), RenewSoon, 0},
		{"a year, at the end", start, year, year, Expired, 0},
		{"a year, a day after", start, year, year.Add(day), Expired, -1},
		{"30 days: within 30 days from the start", start, month, start.Add(time.Hour), RenewSoon, 29},
		{"unknown start, 31 days left", time.Time{}, year, year.Add(-31 * day), Fine, 31},
		{"unknown start, 30 days left", time.Time{}, year, year.Add(-30 * day), RenewSoon, 30},
	} {
		got := ExpiryOf(tc.notBefore, tc.expiry, tc.at)
		if got.Urgency != tc.want || got.DaysLeft != tc.daysLeft {
			t.Errorf("%s: urgency %d, %d days left; want %d, %d", tc.name, got.Urgency, got.DaysLeft, tc.want, tc.daysLeft)
		}
	}
}
