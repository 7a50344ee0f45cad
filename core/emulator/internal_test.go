package emulator

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The spec's success example pairs these 15- and 18-character ids.
func TestID18MatchesSalesforceExample(t *testing.T) {
	for id15, want := range map[string]string{
		"00Dxx0000001gPL": "00Dxx0000001gPLEAY",
		"005xx000001SwiU": "005xx000001SwiUAAS",
	} {
		if got := id18(id15); got != want {
			t.Errorf("id18(%s) = %s, want %s", id15, got, want)
		}
	}
	if got := userID15(63); got != "0055g0000000011" {
		t.Errorf("userID15(63) = %s", got)
	}
}

func TestRingKeepsTheLatestInOrder(t *testing.T) {
	g := ring{size: 3}
	for i := 1; i <= 5; i++ {
		g.add(RequestRecord{Status: i})
	}
	got := g.list()
	if len(got) != 3 || got[0].Status != 3 || got[1].Status != 4 || got[2].Status != 5 {
		t.Fatalf("%+v", got)
	}
}

func TestEvictBoundsAStore(t *testing.T) {
	now := time.Unix(1000, 0)
	m := map[string]time.Time{"old": now.Add(-time.Second), "live1": now.Add(time.Hour), "live2": now.Add(time.Hour)}
	exp := func(v time.Time) time.Time { return v }
	evict(m, 3, now, exp)
	if _, ok := m["old"]; ok || len(m) != 2 {
		t.Fatalf("expired entry kept or live ones dropped: %v", m)
	}
	evict(m, 3, now, exp)
	if len(m) != 2 {
		t.Fatalf("evicted below the limit: %v", m)
	}
	m["live3"] = now.Add(time.Hour)
	evict(m, 3, now, exp)
	if len(m) != 2 {
		t.Fatalf("a full store of live entries must shrink to 90%% of the limit: %v", m)
	}
}

func TestLogViewTrimsHugeClaims(t *testing.T) {
	claims := `{"iss":"3MVG9abcdefghijklmnop","sub":"u@acme.com","junk":"` + strings.Repeat("x", 9000) + `"}`
	a, ok := parseAssertion(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln")
	if !ok {
		t.Fatal("not parsed")
	}
	_, logged := a.logView()
	if _, kept := logged["junk"]; kept || logged["sub"] != "u@acme.com" || logged["iss"] != "3MVG9…nop (21 characters)" {
		t.Fatalf("%v", logged)
	}
}
