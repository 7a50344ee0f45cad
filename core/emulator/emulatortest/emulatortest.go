// Package emulatortest is what tests that talk to the practice org share,
// as net/http/httptest is for servers: an org set up right, served on
// loopback for the length of a test, its key pairs (made once per test
// binary, since RSA key generation is the slow part) and a clock the test
// moves by hand. Only tests import it.
package emulatortest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
)

// The practice org's names, as in the example config of docs/cli.md.
const (
	ConsumerKey = "3MVG99OxTyEMCQ3gNp2PjkqeZKxnmAiG1xV4oHh9AKL_rSK.BoSVPGZHQukXnVjzRgSuQqGn75NL7yfkQcyy7"
	Username    = "embed@acme.com"
	AppName     = "Tableau Next Embedding"
	PermSet     = "TableauNextEmbeddingJWT"
)

// Keys is the key pair the org's app trusts; Other is a second pair, for
// rotations and wrong-key cases. Both RSA-2048 with certificates from the
// real time, made once per test binary.
func Keys() *certs.Bundle  { return pair(time.Time{}, "keys") }
func Other() *certs.Bundle { return pair(time.Time{}, "other") }

// KeysFrom and OtherFrom are pairs like Keys and Other whose certificates
// start at now, for tests on a fixed clock: a window dated at a fixed time
// shows the same days left whenever the test runs. Each (time, pair) is
// made once per test binary.
func KeysFrom(now time.Time) *certs.Bundle  { return pair(now, "keys") }
func OtherFrom(now time.Time) *certs.Bundle { return pair(now, "other") }

type pairKey struct {
	now   time.Time
	which string
}

var (
	pairsMu sync.Mutex
	pairs   = map[pairKey]*certs.Bundle{}
)

// pair makes an RSA-2048 pair the first time it is asked for; a zero now
// dates its certificate from the real time.
func pair(now time.Time, which string) *certs.Bundle {
	pairsMu.Lock()
	defer pairsMu.Unlock()
	k := pairKey{now.UTC().Round(0), which} // Round(0): no monotonic reading in the key
	if b, ok := pairs[k]; ok {
		return b
	}
	b, err := certs.Generate(certs.Options{Now: now})
	if err != nil {
		panic(err)
	}
	pairs[k] = b
	return b
}

// Config is an org set up right for b's certificate: the JWT flow on, the
// user pre-authorised through the permission set, a Spring '26 org (its own
// URL is the audience). Tests change what they need.
func Config(b *certs.Bundle) *emulator.Config {
	active, legacy := true, false
	return &emulator.Config{
		LegacyLoginHosts: &legacy,
		Apps: []emulator.AppConfig{{
			Name: AppName, ConsumerKey: ConsumerKey, Certificate: string(b.CertPEM),
			JWTBearerEnabled: true, Scopes: []string{"web", "refresh_token"},
			PermittedUsers: emulator.AdminApproved, PermissionSets: []string{PermSet},
		}},
		Users: []emulator.UserConfig{{Username: Username, Active: &active, PermissionSets: []string{PermSet}}},
	}
}

// Org is an emulator serving on a free loopback port.
type Org struct {
	E   *emulator.Emulator
	URL string
	// Route, for an org started by StartMyDomain, points a client's
	// transport at it; nil for a loopback org, which needs none.
	Route func(*http.Transport)
}

// Start serves cfg until the test ends; a config the emulator would refuse
// fails the test.
func Start(t testing.TB, cfg *emulator.Config, opts emulator.Options) *Org {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the test's org config is invalid: %v", err)
	}
	e := emulator.New(cfg, opts)
	srv, err := emulator.Start("127.0.0.1:0", e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &Org{E: e, URL: srv.URL}
}

// StartMyDomain serves cfg over TLS as the org at https://host (a My Domain
// such as acme.my.salesforce.com) until the test ends, for what a client
// does only for a login URL that is not this computer (audience discovery).
// Nothing is looked up or sent off this machine: the org's Route makes a
// transport dial host:443 to the org's loopback port, and nothing else,
// trusting its test certificate.
func StartMyDomain(t testing.TB, cfg *emulator.Config, opts emulator.Options, host string) *Org {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the test's org config is invalid: %v", err)
	}
	e := emulator.New(cfg, opts)
	srv := httptest.NewUnstartedServer(e)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	route := func(tr *http.Transport) {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.RootCAs = pool
		tr.TLSClientConfig.ServerName = "example.com" // the name httptest's certificate holds
		tr.Proxy = nil
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr != host+":443" {
				return nil, fmt.Errorf("this test reaches only %s, not %s", host, addr)
			}
			return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		}
	}
	return &Org{E: e, URL: "https://" + host, Route: route}
}

// Clock is a time that moves only when the test says, or when the code
// under test sleeps on it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Sleep moves the clock on by d at once, unless ctx has already ended: as a
// salesforce.Client's Sleep, it makes the client's waits instant.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Add(d)
	return nil
}
