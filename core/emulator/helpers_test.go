package emulator_test

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

// The practice org's names (emulatortest's), short for the tables below.
// consumerKey is this package's own: with it the claims o.claims makes
// encode to whole base64 groups, which "padded base64url segments" relies on
// (it pads an assertion after signing it); emulatortest's key is one longer.
const (
	consumerKey = "3MVG9practiceKEYabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._abcd"
	appName     = emulatortest.AppName
	username    = emulatortest.Username
	permSet     = emulatortest.PermSet
	jwtGrant    = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	jsonType    = "application/json;charset=UTF-8"
	noCache     = "no-cache,must-revalidate,max-age=0,no-store,private"
)

// rightKey is the key the org's app trusts (emulatortest.Keys) and badKey
// another (emulatortest.Other); rightCertPEM and otherCertPEM are their
// certificates. keys sets them; the pairs are made on first use, once per
// test binary.
var (
	keysOnce                   sync.Once
	rightKey, badKey           *rsa.PrivateKey
	rightCertPEM, otherCertPEM []byte
)

func keys(testing.TB) {
	keysOnce.Do(func() {
		right, other := emulatortest.Keys(), emulatortest.Other()
		rightKey, rightCertPEM = right.Key, right.CertPEM
		badKey, otherCertPEM = other.Key, other.CertPEM
	})
}

// newClock is the org's clock, moved by hand, at a fixed time.
func newClock() *emulatortest.Clock {
	return emulatortest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
}

// goodConfig is the contract's example org, set up right: emulatortest's
// org for rightKey, with consumerKey, of the older kind whose aud is
// login.salesforce.com.
func goodConfig(t testing.TB) *emulator.Config {
	keys(t)
	cfg := emulatortest.Config(emulatortest.Keys())
	cfg.Apps[0].ConsumerKey = consumerKey
	cfg.LegacyLoginHosts = nil
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the test config is invalid: %v", err)
	}
	return cfg
}

// org is a running practice org on loopback with a hand-moved clock.
type org struct {
	t     testing.TB
	e     *emulator.Emulator
	url   string
	clock *emulatortest.Clock
	http  *http.Client
}

func startOrg(t testing.TB, cfg *emulator.Config) *org {
	t.Helper()
	c := newClock()
	return startOrgWith(t, cfg, emulator.Options{Now: c.Now}, c)
}

// startEdited starts the good org changed by edit (nil: as it is).
func startEdited(t testing.TB, edit func(c *emulator.Config)) *org {
	t.Helper()
	cfg := goodConfig(t)
	if edit != nil {
		edit(cfg)
	}
	return startOrg(t, cfg)
}

// startOrgWith serves cfg (nil: an empty org, as practice mode starts from)
// on c, which opts.Now should read.
func startOrgWith(t testing.TB, cfg *emulator.Config, opts emulator.Options, c *emulatortest.Clock) *org {
	t.Helper()
	if cfg == nil {
		cfg = &emulator.Config{} // loads as emulator.New(nil, …) does: nothing
	}
	srv := emulatortest.Start(t, cfg, opts)
	// A browser's way: redirects followed, cookies kept (the frontdoor link
	// signs in through its session cookie).
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 200},
		Jar:       jar,
	}
	t.Cleanup(client.CloseIdleConnections)
	return &org{t: t, e: srv.E, url: srv.URL, clock: c, http: client}
}

// claims is what a standard client sends: the Salesforce CLI's shape with
// exp in seconds.
func (o *org) claims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": consumerKey, "sub": username, "aud": emulator.LoginAudience,
		"exp": o.clock.Now().Add(3 * time.Minute).Unix(),
	}
}

func sign(t testing.TB, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	keys(t)
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   string
}

func (o *org) do(req *http.Request) reply {
	o.t.Helper()
	resp, err := o.http.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}

func (o *org) request(method, path, contentType, body string, hdr map[string]string) reply {
	o.t.Helper()
	req, err := http.NewRequest(method, o.url+path, strings.NewReader(body))
	if err != nil {
		o.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return o.do(req)
}

func (o *org) postToken(assertion string) reply {
	o.t.Helper()
	form := url.Values{"grant_type": {jwtGrant}, "assertion": {assertion}}
	return o.request("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), nil)
}

type tokenReply struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
}

// login runs a good exchange and returns the access token.
func (o *org) login() string {
	o.t.Helper()
	r := o.postToken(sign(o.t, rightKey, o.claims()))
	if r.status != 200 {
		o.t.Fatalf("login: %d %s", r.status, r.body)
	}
	var tr tokenReply
	if err := json.Unmarshal([]byte(r.body), &tr); err != nil {
		o.t.Fatal(err)
	}
	return tr.AccessToken
}

func (o *org) singleAccess(token, query string) reply {
	o.t.Helper()
	return o.request("GET", "/services/oauth2/singleaccess"+query, "", "", map[string]string{"Authorization": "Bearer " + token})
}

// frontdoorPath returns the path and query of a singleaccess answer's link.
func (o *org) frontdoorPath(r reply) string {
	o.t.Helper()
	var fd struct {
		FrontdoorURI string `json:"frontdoor_uri"`
	}
	if err := json.Unmarshal([]byte(r.body), &fd); err != nil || r.status != 200 {
		o.t.Fatalf("singleaccess: %d %s", r.status, r.body)
	}
	u, err := url.Parse(fd.FrontdoorURI)
	if err != nil {
		o.t.Fatal(err)
	}
	return u.RequestURI()
}
