package emulator_test

import (
	"crypto/rsa"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

// With two faults at once, the check Salesforce runs first decides the
// answer: grant type, JWS shape, issuer, propagation, signature, audience,
// expiry, user, approval.
func TestTokenCheckOrder(t *testing.T) {
	// attempt is one token request being built with faults.
	type attempt struct {
		cfg        *emulator.Config
		claims     jwt.MapClaims
		key        *rsa.PrivateKey
		grant, raw string
		clock      *emulatortest.Clock
	}
	type fault func(a *attempt)
	wrongGrant := func(a *attempt) { a.grant = "password" }
	notJWS := func(a *attempt) { a.raw = "a.b" }
	unknownIss := func(a *attempt) { a.claims["iss"] = "3MVG9nope" }
	propagating := func(a *attempt) { a.cfg.Apps[0].PropagationSeconds = 60 }
	wrongKey := func(a *attempt) { a.key = badKey }
	wrongAud := func(a *attempt) { a.claims["aud"] = "https://acme.my.salesforce.com" }
	pastExp := func(a *attempt) { a.claims["exp"] = a.clock.Now().Add(-time.Minute).Unix() }
	inactiveUser := func(a *attempt) {
		off := false
		a.cfg.Users[0].Active = &off
	}
	unknownUser := func(a *attempt) { a.claims["sub"] = "x@acme.com" }
	cases := []struct {
		name   string
		faults []fault
		want   string
	}{
		{"grant type before JWS shape", []fault{wrongGrant, notJWS}, badGrant},
		{"JWS shape before issuer", []fault{notJWS, unknownIss}, badAssertion},
		{"issuer before signature", []fault{unknownIss, wrongKey}, badClient},
		{"propagation before signature", []fault{propagating, wrongKey}, badClient},
		{"signature before audience", []fault{wrongKey, wrongAud}, badAssertion},
		{"audience before expiry", []fault{wrongAud, pastExp}, badAudience},
		{"expiry before user", []fault{pastExp, unknownUser}, expired},
		{"expiry before inactive user", []fault{pastExp, inactiveUser}, expired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			a := &attempt{cfg: goodConfig(t), key: rightKey, grant: jwtGrant, clock: c}
			a.claims = (&org{clock: c}).claims()
			for _, f := range tc.faults {
				f(a)
			}
			o := startOrgWith(t, a.cfg, emulator.Options{Now: c.Now}, c)
			assertion := a.raw
			if assertion == "" {
				assertion = sign(t, a.key, a.claims)
			}
			form := "grant_type=" + a.grant + "&assertion=" + assertion
			if r := o.request("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form, nil); r.body != tc.want {
				t.Fatalf("got %s, want %s", r.body, tc.want)
			}
		})
	}
}

// offline_access is the other name of refresh_token ("Perform requests at any
// time (refresh_token, offline_access)").
func TestOfflineAccessCountsAsRefreshToken(t *testing.T) {
	cfg := goodConfig(t)
	cfg.Apps[0].Scopes = []string{"web", "offline_access"}
	o := startOrg(t, cfg)
	if r := o.postToken(sign(t, rightKey, o.claims())); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
