package salesforce

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

const (
	// testToken is the access token of hand-written token replies.
	testToken = "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.SECRET.TOKEN.VALUE.39AsX"
	jsonCT    = "application/json;charset=UTF-8"
)

// fakeSF is the practice org (core/emulator) on loopback, set up right for
// emulatortest.Keys. token and sa, when set, answer instead of it: for the
// refusals and faults it never gives. Every token request is also checked
// for the exact shape Salesforce expects, which the org does not insist on.
type fakeSF struct {
	t     testing.TB
	srv   *httptest.Server
	org   *emulator.Emulator
	token http.HandlerFunc // nil: the practice org's answer
	sa    http.HandlerFunc // nil: the practice org's answer

	tokenHits, saHits atomic.Int32
	mu                sync.Mutex
	problems          []string
	stop              chan struct{}
}

func newFake(t testing.TB) *fakeSF {
	t.Helper()
	return newFakeStarted(t, (*httptest.Server).Start)
}

// newFakeStarted lets a test start the server its own way (e.g. StartTLS).
func newFakeStarted(t testing.TB, start func(*httptest.Server)) *fakeSF {
	t.Helper()
	cfg := emulatortest.Config(emulatortest.Keys()) // served here, not by emulatortest.Start: the mux below wraps it
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := &fakeSF{t: t, org: emulator.New(cfg, emulator.Options{}), stop: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle("/services/oauth2/token", f.serve(&f.tokenHits, &f.token))
	mux.Handle("/services/oauth2/singleaccess", f.serve(&f.saHits, &f.sa))
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests are about
	start(f.srv)
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.stop) }) // runs first: releases hung handlers
	return f
}

// serve counts a hit and answers with the test's handler when it set one,
// else with the practice org.
func (f *fakeSF) serve(hits *atomic.Int32, override *http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h := *override; h != nil {
			h(w, r)
			return
		}
		if r.URL.Path == "/services/oauth2/token" {
			f.checkTokenRequest(r)
		}
		f.org.ServeHTTP(w, r)
	}
}

// hang is a handler that never answers (until the test ends).
func (f *fakeSF) hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-f.stop:
	}
}

// checkTokenRequest notes what Salesforce would not accept in a token
// request: anything but a POST of exactly grant_type and assertion.
func (f *fakeSF) checkTokenRequest(r *http.Request) {
	var problems []string
	if r.Method != http.MethodPost {
		problems = append(problems, "method "+r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		problems = append(problems, fmt.Sprintf("content type %q", ct))
	}
	if r.URL.RawQuery != "" {
		problems = append(problems, fmt.Sprintf("query %q", r.URL.RawQuery))
	}
	if err := r.ParseForm(); err != nil {
		problems = append(problems, fmt.Sprintf("form: %v", err))
	}
	var keys []string
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "assertion,grant_type" || r.PostForm.Get("grant_type") != JWTBearerGrant {
		problems = append(problems, fmt.Sprintf("form fields %v, grant_type %q", keys, r.PostForm.Get("grant_type")))
	}
	f.mu.Lock()
	f.problems = append(f.problems, problems...)
	f.mu.Unlock()
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

// newMyDomainFake serves the practice org over TLS as the My Domain
// https://host, with a client that reaches host:443 on the fake's loopback
// port (and nothing else), trusting its test certificate. Audience
// discovery runs for a My Domain login URL, never for a loopback one, so
// this is how a test sees it without leaving this machine.
func newMyDomainFake(t testing.TB, host string) (*fakeSF, *Client, Request) {
	t.Helper()
	f := newFakeStarted(t, (*httptest.Server).StartTLS)
	c := testClient()
	tr := c.HTTP.Transport.(*http.Transport)
	pool := x509.NewCertPool()
	pool.AddCert(f.srv.Certificate())
	tr.TLSClientConfig.RootCAs, tr.TLSClientConfig.ServerName = pool, "example.com" // httptest's certificate names example.com
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != host+":443" {
			return nil, fmt.Errorf("this test reaches only %s, not %s", host, addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
	}
	req := f.request(t)
	req.LoginURL = "https://" + host
	return f, c, req
}

// request is a valid request against f.
func (f *fakeSF) request(t testing.TB) Request {
	return Request{LoginURL: f.srv.URL, ClientID: emulatortest.ConsumerKey, Username: emulatortest.Username, Key: emulatortest.Keys().Key}
}

func testClient() *Client { return NewClient(5 * time.Second) }

// fakeClock is emulatortest's clock, which moves only when Sleep is called,
// noting each delay slept.
type fakeClock struct {
	*emulatortest.Clock
	mu     sync.Mutex
	delays []time.Duration
}

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{Clock: emulatortest.NewClock(now)} }

// Sleep moves the clock at once, unless ctx has already ended.
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := c.Clock.Sleep(ctx, d); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delays = append(c.delays, d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.delays...)
}
