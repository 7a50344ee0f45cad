package salesforce

import (
	"fmt"
	"time"
)

// PlainDuration writes a duration for people, not as Go's "10m0s": "10
// minutes", "1 minute 30 seconds", "2 hours 5 minutes", "30 seconds",
// "150 milliseconds". It keeps the two largest units, so a wait or a time
// limit reads back as the admin gave it; round first for a coarser figure.
func PlainDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= time.Second {
		d = d.Round(time.Second) // before choosing units: 59.6 s is "1 minute"
	}
	if d >= time.Hour {
		d = d.Round(time.Minute)
	}
	switch {
	case d == 0:
		return "0 seconds"
	case d < time.Second:
		return plural(int(d.Round(time.Millisecond)/time.Millisecond), "millisecond")
	case d < time.Minute:
		return plural(int(d/time.Second), "second")
	case d < time.Hour:
		return twoUnits(d, time.Minute, "minute", time.Second, "second")
	}
	return twoUnits(d, time.Hour, "hour", time.Minute, "minute")
}

// twoUnits writes d as whole big units and, when not zero, the small ones.
func twoUnits(d, big time.Duration, bigName string, small time.Duration, smallName string) string {
	s := plural(int(d/big), bigName)
	if rest := int(d % big / small); rest > 0 {
		s += " " + plural(rest, smallName)
	}
	return s
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
