package salesforce

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// One RSA-2048 key per test binary: key generation is the slow part.
var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func key2048(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

const (
	testClientID = "3MVG99OxTyEMCQ3gNp2PjkqeZKxnmAiG1xV4oHh9AKL_rSK.BoSVPGZHQukXnVjzRgSuQqGn75NL7yfkQcyy7"
	testUser     = "embed@acme.com"
	testToken    = "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.SECRET.TOKEN.VALUE.39AsX"
	testOrgID    = "00Dxx0000001gPLEAY"
	testUserID   = "005xx000001SwiUAAS"
	jsonCT       = "application/json;charset=UTF-8"
)

// fakeSF is a conforming Salesforce on loopback: it checks the token request
// the way the spec says Salesforce does and answers with the documented
// shapes. Tests replace a handler to answer otherwise.
type fakeSF struct {
	t     testing.TB
	srv   *httptest.Server
	key   *rsa.PublicKey
	token http.HandlerFunc // nil: the conforming answer
	sa    http.HandlerFunc // nil: the conforming answer

	tokenHits, saHits atomic.Int32
	mu                sync.Mutex
	problems          []string
	lastRedirect      string
	stop              chan struct{}
}

func newFake(t testing.TB) *fakeSF {
	t.Helper()
	return newFakeStarted(t, (*httptest.Server).Start)
}

// newFakeStarted lets a test start the server its own way (e.g. StartTLS).
func newFakeStarted(t testing.TB, start func(*httptest.Server)) *fakeSF {
	t.Helper()
	f := &fakeSF{t: t, key: &key2048(t).PublicKey}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		f.tokenHits.Add(1)
		if f.token != nil {
			f.token(w, r)
			return
		}
		f.conformingToken(w, r)
	})
	mux.HandleFunc("/services/oauth2/singleaccess", func(w http.ResponseWriter, r *http.Request) {
		f.saHits.Add(1)
		if f.sa != nil {
			f.sa(w, r)
			return
		}
		f.conformingSingleAccess(w, r)
	})
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests are about
	start(f.srv)
	f.stop = make(chan struct{})
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.stop) }) // runs first: releases hung handlers
	return f
}

// hang is a handler that never answers (until the test ends).
func (f *fakeSF) hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-f.stop:
	}
}

func (f *fakeSF) complain(format string, a ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, a...))
}

// checkClean fails the test if the fake saw a request Salesforce would not.
func (f *fakeSF) checkClean() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problems {
		f.t.Error("server saw: " + p)
	}
}

func (f *fakeSF) hits() int { return int(f.tokenHits.Load() + f.saHits.Load()) }

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", jsonCT)
	w.Header().Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func (f *fakeSF) conformingToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.complain("method %s", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.complain("content type %q", ct)
	}
	if r.URL.RawQuery != "" {
		f.complain("query %q", r.URL.RawQuery)
	}
	if err := r.ParseForm(); err != nil {
		f.complain("form: %v", err)
	}
	var keys []string
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "assertion,grant_type" {
		f.complain("form fields %v", keys)
	}
	if g := r.PostForm.Get("grant_type"); g != JWTBearerGrant {
		writeJSON(w, 400, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`)
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(*jwt.Token) (any, error) { return f.key, nil },
		jwt.WithValidMethods([]string{"RS256"}))
	if err != nil {
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"invalid assertion"}`)
		return
	}
	if claims["iss"] != testClientID {
		writeJSON(w, 400, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
		return
	}
	if aud, ok := claims["aud"].(string); !ok || aud != ProductionAudience && aud != SandboxAudience {
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"audience is invalid"}`)
		return
	}
	base := scheme(r) + "://" + r.Host
	writeJSON(w, 200, fmt.Sprintf(`{"access_token":%q,"scope":"web refresh_token","instance_url":%q,`+
		`"id":"https://login.salesforce.com/id/%s/%s","token_type":"Bearer","api_instance_url":"https://api.example"}`,
		testToken, base, testOrgID, testUserID))
}

func (f *fakeSF) conformingSingleAccess(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(403)
		fmt.Fprint(w, "Bad_OAuth_Token")
		return
	}
	if err := r.ParseForm(); err != nil {
		f.complain("singleaccess form: %v", err)
	}
	f.mu.Lock()
	f.lastRedirect = r.PostForm.Get("redirect_uri")
	f.mu.Unlock()
	fd := scheme(r) + "://" + r.Host + "/secur/frontdoor.jsp?otp=ONE-TIME&cshc=abc"
	if p := r.PostForm.Get("redirect_uri"); p != "" {
		fd += "&startURL=" + url.QueryEscape(p)
	}
	writeJSON(w, 200, fmt.Sprintf(`{"frontdoor_uri":%q}`, fd))
}

// request is a valid request against f.
func (f *fakeSF) request(t testing.TB) Request {
	return Request{LoginURL: f.srv.URL, ClientID: testClientID, Username: testUser, Key: key2048(t)}
}

func testClient() *Client { return NewClient(5 * time.Second) }

// fakeClock is a clock that moves only when Sleep is called.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	delays []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the clock at once, unless ctx has already ended.
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delays = append(c.delays, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.delays...)
}

func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, s)
	}
	return m
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// decodeSegmentT decodes a JWT segment for handlers, which have no *testing.T.
func decodeSegmentT(seg string) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err == nil {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}
