package emulator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator"
)

const (
	consumerKey = "3MVG9practiceKEYabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._abcd"
	appName     = "Tableau Next Embedding"
	username    = "embed@acme.com"
	permSet     = "TableauNextEmbeddingJWT"
	jwtGrant    = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	jsonType    = "application/json;charset=UTF-8"
	noCache     = "no-cache,must-revalidate,max-age=0,no-store,private"
)

// Keys are generated once per test binary: RSA keygen is slow on 2 cores.
var (
	keysOnce         sync.Once
	rightKey, badKey *rsa.PrivateKey
	rightCertPEM     []byte
	otherCertPEM     []byte
)

func keys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rightKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if badKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		rightCertPEM = selfSigned(rightKey)
		otherCertPEM = selfSigned(badKey)
	})
}

func selfSigned(key *rsa.PrivateKey) []byte {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "tableau-next-eca"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// clock is the org's clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// goodConfig is the contract's example org, set up right.
func goodConfig(t testing.TB) *emulator.Config {
	keys(t)
	active := true
	cfg := &emulator.Config{
		Apps: []emulator.AppConfig{{
			Name: appName, ConsumerKey: consumerKey, Certificate: string(rightCertPEM),
			JWTBearerEnabled: true, Scopes: []string{"web", "refresh_token"},
			PermittedUsers: emulator.AdminApproved, PermissionSets: []string{permSet},
		}},
		Users: []emulator.UserConfig{{Username: username, Active: &active, PermissionSets: []string{permSet}}},
	}
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
	clock *clock
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

func startOrgWith(t testing.TB, cfg *emulator.Config, opts emulator.Options, c *clock) *org {
	t.Helper()
	e := emulator.New(cfg, opts)
	srv, err := emulator.Start("127.0.0.1:0", e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// A browser's way: redirects followed, cookies kept (the frontdoor link
	// signs in through its session cookie).
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 200},
		Jar:       jar,
	}
	t.Cleanup(client.CloseIdleConnections)
	return &org{t: t, e: e, url: srv.URL, clock: c, http: client}
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
