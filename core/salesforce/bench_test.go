package salesforce

import (
	"context"
	"testing"
	"time"
)

func BenchmarkSignAssertion(b *testing.B) {
	key := key2048(b)
	now := time.Now()
	for b.Loop() {
		if _, err := SignAssertion(key, testClientID, testUser, ProductionAudience, now); err != nil {
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
