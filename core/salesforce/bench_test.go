package salesforce

import (
	"context"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

func BenchmarkSignAssertion(b *testing.B) {
	key := emulatortest.Keys().Key
	now := time.Now()
	for b.Loop() {
		if _, err := SignAssertion(key, emulatortest.ConsumerKey, emulatortest.Username, ProductionAudience, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExchange is one full token + singleaccess exchange (with signing)
// against a conforming server on loopback, reusing connections as one
// process would.
func BenchmarkExchange(b *testing.B) {
	f := newFake(b)
	c := NewClient(10 * time.Second)
	req := f.request(b)
	for b.Loop() {
		if _, err := c.Exchange(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
