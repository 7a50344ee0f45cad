package salesforce

import (
	"testing"
	"time"
)

func TestPlainDuration(t *testing.T) {
	cases := map[time.Duration]string{
		0:                           "0 seconds",
		150 * time.Millisecond:      "150 milliseconds",
		time.Second:                 "1 second",
		2 * time.Second:             "2 seconds",
		30 * time.Second:            "30 seconds",
		59600 * time.Millisecond:    "1 minute",
		time.Minute:                 "1 minute",
		90 * time.Second:            "1 minute 30 seconds",
		10 * time.Minute:            "10 minutes",
		-7 * time.Minute:            "7 minutes",
		time.Hour:                   "1 hour",
		2*time.Hour + 5*time.Minute: "2 hours 5 minutes",
		2*time.Hour + 5*time.Minute + 40*time.Second: "2 hours 6 minutes",
	}
	for d, want := range cases {
		if got := PlainDuration(d); got != want {
			t.Errorf("PlainDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
