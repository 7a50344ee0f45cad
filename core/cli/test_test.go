package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const (
	ttClientID = "3MVG99OxTyEMCQ3gNp2PjkqeZKxnmAiG1xV4oHh9AKL_rSK.BoSVPGZHQukXnVjzRgSuQqGn75NL7yfkQcyy7"
	ttUser     = "embed@acme.com"
	ttToken    = "00Dxx0000001gPL!AR8AQ.TT-SECRET-ACCESS-TOKEN.39AsX"
	ttJSONType = "application/json;charset=UTF-8"
)

// One RSA-2048 key per test binary, written once as PKCS#8 PEM.
var (
	ttKeyOnce sync.Once
	ttKey     *rsa.PrivateKey
	ttKeyPEM  []byte
)

func ttKeyFile(t *testing.T) string {
	t.Helper()
	ttKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		ttKey, ttKeyPEM = k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	return ttWrite(t, "sf_private_key.pem", ttKeyPEM)
}

func ttWrite(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// ttServer is a conforming Salesforce on loopback; token and sa replace its
// answers.
type ttServer struct {
	srv       *httptest.Server
	token, sa http.HandlerFunc
	hits      atomic.Int32
	aud       atomic.Value
	redirect  atomic.Value
	stop      chan struct{}
}

func ttNewServer(t *testing.T) *ttServer {
	t.Helper()
	ttKeyFile(t)
	s := &ttServer{stop: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.token != nil {
			s.token(w, r)
			return
		}
		s.conformingToken(w, r)
	})
	mux.HandleFunc("/services/oauth2/singleaccess", func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.sa != nil {
			s.sa(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+ttToken {
			ttAnswer(403, "text/plain", "Bad_OAuth_Token")(w, r)
			return
		}
		_ = r.ParseForm()
		s.redirect.Store(r.PostForm.Get("redirect_uri"))
		ttAnswer(200, ttJSONType, fmt.Sprintf(`{"frontdoor_uri":"http://%s/secur/frontdoor.jsp?otp=OTP-123&cshc=c"}`, r.Host))(w, r)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.stop) })
	return s
}

func (s *ttServer) conformingToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	var keys []string
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "assertion,grant_type" || r.PostForm.Get("grant_type") != salesforce.JWTBearerGrant {
		ttAnswer(400, ttJSONType, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`)(w, r)
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims,
		func(*jwt.Token) (any, error) { return &ttKey.PublicKey, nil }, jwt.WithValidMethods([]string{"RS256"}))
	if err != nil {
		ttAnswer(400, ttJSONType, `{"error":"invalid_grant","error_description":"invalid assertion"}`)(w, r)
		return
	}
	aud, _ := claims["aud"].(string)
	s.aud.Store(aud)
	if claims["iss"] != ttClientID {
		ttAnswer(400, ttJSONType, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)(w, r)
		return
	}
	if aud != salesforce.ProductionAudience && aud != salesforce.SandboxAudience {
		ttAnswer(400, ttJSONType, `{"error":"invalid_grant","error_description":"audience is invalid"}`)(w, r)
		return
	}
	base := "http://" + r.Host
	ttAnswer(200, ttJSONType, fmt.Sprintf(`{"access_token":%q,"scope":"web refresh_token","instance_url":%q,`+
		`"id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS","token_type":"Bearer"}`, ttToken, base))(w, r)
}

// hang never answers, until the test ends.
func (s *ttServer) hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-s.stop:
	}
}

func ttAnswer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// ttArgs are the flags for a valid direct test against s.
func (s *ttServer) args(t *testing.T, extra ...string) []string {
	return append([]string{"test", "--login-url", s.srv.URL, "--client-id", ttClientID,
		"--username", ttUser, "--key-file", ttKeyFile(t)}, extra...)
}

// ttRun runs a command through Dispatch and checks that no secret reached
// either stream.
func ttRun(t *testing.T, env *Env, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = &Env{Ctx: context.Background(), Now: time.Now}
	}
	env.Stdout, env.Stderr = &out, &errb
	code = Dispatch(args, env)
	for _, stream := range []string{out.String(), errb.String()} {
		ttNoSecrets(t, stream)
	}
	return code, out.String(), errb.String()
}

func ttNoSecrets(t *testing.T, s string) {
	t.Helper()
	secrets := []string{ttToken, "TT-SECRET-ACCESS-TOKEN", ttClientID}
	if ttKeyPEM != nil {
		lines := strings.Split(string(ttKeyPEM), "\n")
		secrets = append(secrets, lines[1], lines[len(lines)/2])
	}
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("output carries a secret (%.12s…):\n%s", secret, s)
		}
	}
}

// ttJSON decodes stdout, which must be exactly one JSON object.
func ttJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	m := map[string]any{}
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, stdout)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("more than one JSON value on stdout:\n%s", stdout)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := "attempts audience diagnosis error error_description frontdoor_uri instance_url lightning_url login_url ok org_id scope timings_ms user_id"
	if strings.Join(keys, " ") != want {
		t.Errorf("JSON keys = %v, want the contract's: %s", keys, want)
	}
	return m
}

func TestTestCommandSuccess(t *testing.T) {
	s := ttNewServer(t)
	code, out, errOut := ttRun(t, nil, s.args(t, "--redirect", "/lightning/page/home")...)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	fd := "http://" + s.srv.Listener.Addr().String() + "/secur/frontdoor.jsp?otp=OTP-123&cshc=c"
	for _, want := range []string{
		"login URL  " + s.srv.URL + " (local emulator)", "✓ sign the assertion", "✓ token request", "✓ singleaccess (frontdoor URL)", " ms\n", "total",
		"Frontdoor URL", fd, "Lightning orgUrl:\n  " + s.srv.URL,
		`initializeAnalyticsSdk({ authCredential: "` + fd + `", orgUrl: "` + s.srv.URL + `" })`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "✗") || errOut != "" {
		t.Errorf("a success shows a failure:\n%s\n%s", out, errOut)
	}
	if got, _ := s.redirect.Load().(string); got != "/lightning/page/home" {
		t.Errorf("redirect_uri = %q", got)
	}
}

func TestTestCommandJSONSuccess(t *testing.T) {
	s := ttNewServer(t)
	code, out, _ := ttRun(t, nil, s.args(t, "--json", "--sandbox")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, out)
	}
	m := ttJSON(t, out)
	want := map[string]any{
		"ok": true, "login_url": s.srv.URL, "audience": salesforce.SandboxAudience, "instance_url": s.srv.URL,
		"lightning_url": s.srv.URL, "org_id": "00Dxx0000001gPLEAY", "user_id": "005xx000001SwiUAAS",
		"scope": "web refresh_token", "attempts": 1.0, "error": nil, "error_description": nil, "diagnosis": nil,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if fd, _ := m["frontdoor_uri"].(string); !strings.HasPrefix(fd, s.srv.URL+"/secur/frontdoor.jsp?otp=") {
		t.Errorf("frontdoor_uri = %v", m["frontdoor_uri"])
	}
	timings, _ := m["timings_ms"].(map[string]any)
	for _, k := range []string{"sign", "token", "singleaccess", "total"} {
		if v, ok := timings[k].(float64); !ok || v < 0 {
			t.Errorf("timings_ms.%s = %v", k, timings[k])
		}
	}
	if aud, _ := s.aud.Load().(string); aud != salesforce.SandboxAudience {
		t.Errorf("--sandbox sent aud %q", aud)
	}
}

// ttRows are the spec's refusal catalogue as a server answers it, and the
// contract's diagnosis step for each ("" = no known cause).
var ttRows = []struct {
	name, phase string
	status      int
	ctype, body string
	code, desc  string
	step        string
}{
	{"not approved", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`, "invalid_grant", "user hasn't approved this consumer", "eca-permitted-users"},
	{"app access", "token", 400, ttJSONType, `{"error":"invalid_app_access","error_description":"user is not admin approved to access this app"}`, "invalid_app_access", "user is not admin approved to access this app", "eca-app-policies"},
	{"audience", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"audience is invalid"}`, "invalid_grant", "audience is invalid", "org-login-url"},
	{"assertion", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"invalid assertion"}`, "invalid_grant", "invalid assertion", "eca-cert-upload"},
	{"expired", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"expired authorization code"}`, "invalid_grant", "expired authorization code", "system-clock"},
	{"client id", "token", 400, ttJSONType, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`, "invalid_client_id", "client identifier invalid", "eca-consumer-key"},
	{"app not found", "token", 400, ttJSONType, `{"error":"app_not_found","error_description":"External client app is not installed in this org"}`, "app_not_found", "External client app is not installed in this org", "org-login-url"},
	{"ip", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"IP restricted or invalid login hours"}`, "invalid_grant", "IP restricted or invalid login hours", "jwt-user"},
	{"inactive", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"inactive user"}`, "invalid_grant", "inactive user", "jwt-user"},
	{"inactive org", "token", 400, ttJSONType, `{"error":"inactive_org","error_description":"Org is locked, closed, or suspended"}`, "inactive_org", "Org is locked, closed, or suspended", "org-login-url"},
	{"rate", "token", 400, ttJSONType, `{"error":"rate_limit_exceeded","error_description":"Number of logins exceeded"}`, "rate_limit_exceeded", "Number of logins exceeded", "live-test"},
	{"locked", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"user is locked"}`, "invalid_grant", "user is locked", "jwt-user"},
	{"grant type", "token", 400, ttJSONType, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`, "unsupported_grant_type", "grant type not supported", "org-login-url"},
	{"bad token", "singleaccess", 403, "text/plain", "Bad_OAuth_Token", "Bad_OAuth_Token", "", "jwt-user"},
	{"scope", "singleaccess", 403, "text/plain", "Invalid_Scope", "Invalid_Scope", "", "eca-scopes"},
	{"unknown", "token", 400, ttJSONType, `{"error":"invalid_grant","error_description":"authentication failure"}`, "invalid_grant", "authentication failure", ""},
}

func TestTestCommandRefusals(t *testing.T) {
	for _, row := range ttRows {
		t.Run(row.name, func(t *testing.T) {
			s := ttNewServer(t)
			h := ttAnswer(row.status, row.ctype, row.body)
			if row.phase == "token" {
				s.token = h
			} else {
				s.sa = h
			}
			code, out, _ := ttRun(t, nil, s.args(t, "--json")...)
			if code != ExitRefused {
				t.Fatalf("exit %d, want 3:\n%s", code, out)
			}
			m := ttJSON(t, out)
			if m["ok"] != false || m["frontdoor_uri"] != nil || m["error"] != row.code {
				t.Errorf("ok/frontdoor/error = %v %v %v", m["ok"], m["frontdoor_uri"], m["error"])
			}
			if want := any(row.desc); row.desc == "" && m["error_description"] != nil || row.desc != "" && m["error_description"] != want {
				t.Errorf("error_description = %#v, want %q", m["error_description"], row.desc)
			}
			if row.step == "" {
				if m["diagnosis"] != nil {
					t.Errorf("unknown refusal got a diagnosis: %v", m["diagnosis"])
				}
				return
			}
			d, _ := m["diagnosis"].(map[string]any)
			if d["step"] != row.step || d["title"] == "" || len(fmt.Sprint(d["fix"])) < 60 {
				t.Errorf("diagnosis = %v, want step %s", d, row.step)
			}
		})
	}
}

func TestTestCommandRefusalReport(t *testing.T) {
	s := ttNewServer(t)
	s.token = ttAnswer(400, ttJSONType, `{"error":"invalid_grant","error_description":"audience is invalid"}`)
	code, out, _ := ttRun(t, nil, s.args(t)...)
	if code != ExitRefused {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"✓ sign the assertion", "✗ token request", "Salesforce refused the token request (HTTP 400)",
		"error:             invalid_grant", "error_description: audience is invalid", `checklist step "org-login-url"`, "Fix: "} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "singleaccess") || strings.Contains(out, "Frontdoor URL") {
		t.Errorf("report goes past the failed phase:\n%s", out)
	}

	s.token = ttAnswer(400, ttJSONType, `{"error":"invalid_grant","error_description":"authentication failure"}`)
	code, out, _ = ttRun(t, nil, s.args(t)...)
	if code != ExitRefused || !strings.Contains(out, "authentication failure") || !strings.Contains(out, "no diagnosis") ||
		strings.Contains(out, "checklist step") {
		t.Errorf("unknown refusal report (exit %d):\n%s", code, out)
	}
}

// The diagnosis says how far off the clock is, using the command's clock.
func TestTestCommandClockSkew(t *testing.T) {
	s := ttNewServer(t)
	serverNow := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s.token = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", serverNow.Format(http.TimeFormat))
		ttAnswer(400, ttJSONType, `{"error":"invalid_grant","error_description":"expired authorization code"}`)(w, r)
	}
	env := &Env{Ctx: context.Background(), Now: func() time.Time { return serverNow.Add(-7 * time.Minute) }}
	code, out, _ := ttRun(t, env, s.args(t, "--json")...)
	d, _ := ttJSON(t, out)["diagnosis"].(map[string]any)
	if code != ExitRefused || d["step"] != "system-clock" || !strings.Contains(fmt.Sprint(d["fix"]), "7 minutes behind Salesforce's") {
		t.Errorf("exit %d diagnosis %v", code, d)
	}
}

func TestTestCommandTransportFaults(t *testing.T) {
	huge := strings.Repeat("x", salesforce.MaxReplyBytes+1)
	cases := []struct {
		name, kind, mention string
		token, sa           func(s *ttServer) http.HandlerFunc
	}{
		{"never answers", "timeout", "no answer from", func(s *ttServer) http.HandlerFunc { return s.hang }, nil},
		{"HTML 500", "server", "HTTP 500", func(*ttServer) http.HandlerFunc {
			return ttAnswer(500, "text/html", "<html><h1>Internal Server Error</h1></html>")
		}, nil},
		{"malformed JSON", "bad_reply", "not valid JSON", func(*ttServer) http.HandlerFunc {
			return ttAnswer(200, ttJSONType, `{"access_token":"x",`)
		}, nil},
		{"redirect", "redirect", "use that login URL (https://acme.my.salesforce.com)", func(*ttServer) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://acme.my.salesforce.com/services/oauth2/token", http.StatusMovedPermanently)
			}
		}, nil},
		{"huge body", "too_large", "reply too large", func(*ttServer) http.HandlerFunc { return ttAnswer(200, ttJSONType, huge) }, nil},
		{"non-https instance", "unsafe_host", "not https", func(*ttServer) http.HandlerFunc {
			return ttAnswer(200, ttJSONType, `{"access_token":"`+ttToken+`","scope":"web","instance_url":"http://acme.my.salesforce.com",`+
				`"id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer"}`)
		}, nil},
		{"wrong frontdoor host", "unsafe_host", "evil.example.com", nil, func(*ttServer) http.HandlerFunc {
			return ttAnswer(200, ttJSONType, `{"frontdoor_uri":"https://evil.example.com/secur/frontdoor.jsp?otp=x"}`)
		}},
		{"singleaccess hangs", "timeout", "no answer from", nil, func(s *ttServer) http.HandlerFunc { return s.hang }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ttNewServer(t)
			if c.token != nil {
				s.token = c.token(s)
			}
			if c.sa != nil {
				s.sa = c.sa(s)
			}
			timeout := "10s"
			if c.kind == "timeout" {
				timeout = "300ms" // the server never answers: exit 4 once this runs out
			}
			code, out, _ := ttRun(t, nil, s.args(t, "--json", "--timeout", timeout)...)
			if code != ExitTransport {
				t.Fatalf("exit %d, want 4:\n%s", code, out)
			}
			m := ttJSON(t, out)
			if m["ok"] != false || m["error"] != c.kind || !strings.Contains(fmt.Sprint(m["error_description"]), c.mention) {
				t.Errorf("error = %v / %v, want %s mentioning %q", m["error"], m["error_description"], c.kind, c.mention)
			}
			if m["frontdoor_uri"] != nil {
				t.Error("frontdoor_uri set on failure")
			}
		})
	}
	// Nothing listens: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	code, out, _ := ttRun(t, nil, "test", "--login-url", "http://"+addr, "--client-id", ttClientID,
		"--username", ttUser, "--key-file", ttKeyFile(t))
	if code != ExitTransport || !strings.Contains(out, "cannot connect to "+addr) || !strings.Contains(out, "✗ token request") {
		t.Errorf("refused connection: exit %d\n%s", code, out)
	}
}

func TestTestCommandBadInputSendsNothing(t *testing.T) {
	t.Setenv(profiles.EnvDir, t.TempDir()) // "unknown profile" must not read the real profiles
	s := ttNewServer(t)
	key := ttKeyFile(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	smallKey := ttWrite(t, "small.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: smallDER}))
	garbage := ttWrite(t, "garbage.pem", []byte("this is not a key\n"))
	certLike := ttWrite(t, "cert.pem", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	huge := ttWrite(t, "huge.pem", bytes.Repeat([]byte("A"), 100<<10))
	base := func(drop string, extra ...string) []string {
		args := []string{"test"}
		for _, f := range [][2]string{{"--login-url", s.srv.URL}, {"--client-id", ttClientID}, {"--username", ttUser}, {"--key-file", key}} {
			if f[0] != drop {
				args = append(args, f[0], f[1])
			}
		}
		return append(args, extra...)
	}
	set := func(flag, value string) []string { return append(base(flag), flag, value) }
	cases := map[string]struct {
		args    []string
		mention string
	}{
		"no login url":      {base("--login-url"), "missing --login-url"},
		"no client id":      {base("--client-id"), "missing --client-id"},
		"no username":       {base("--username"), "missing --username"},
		"no key file":       {base("--key-file"), "missing --key-file"},
		"lightning url":     {set("--login-url", "https://acme.lightning.force.com"), "https://acme.my.salesforce.com"},
		"http non-loopback": {set("--login-url", "http://acme.my.salesforce.com"), "https://acme.my.salesforce.com"},
		"url with query":    {set("--login-url", s.srv.URL+"?x=1"), "query"},
		"not a url":         {set("--login-url", "nonsense"), "not a web address"},
		"key file missing":  {set("--key-file", filepath.Join(t.TempDir(), "nope.pem")), "cannot read --key-file"},
		"key file garbage":  {set("--key-file", garbage), "key"},
		"key file cert":     {set("--key-file", certLike), "certificate"},
		"key file huge":     {set("--key-file", huge), "too large"},
		"weak key":          {set("--key-file", smallKey), "1024"},
		"key with space":    {set("--client-id", ttClientID[:20]+" "+ttClientID[20:]), "space or line break"},
		"bad username":      {set("--username", "embed"), "@"},
		"profile and flags": {base("", "--profile", "acme"), "not both"},
		"unknown profile":   {[]string{"test", "--profile", "no-such-profile-tt"}, "no-such-profile-tt"},
		"negative wait":     {base("", "--wait", "-1s"), "--wait"},
		"zero timeout":      {base("", "--timeout", "0s"), "--timeout"},
		"bad audience":      {base("", "--audience", "login.salesforce.com"), "audience"},
		"absolute redirect": {base("", "--redirect", "https://evil.example.com/"), "relative path"},
		"unknown flag":      {base("", "--frobnicate"), "frobnicate"},
		"positional arg":    {base("", "extra"), "unexpected argument"},
		"bad duration":      {base("", "--wait", "ten minutes"), "wait"},
		"warning then bad input": {[]string{"test", "--login-url", s.srv.URL, "--client-id", "3MVG9short", "--username", "embed",
			"--key-file", key}, "exactly one @"},
		"json still exits 2": {append(set("--login-url", "https://acme.lightning.force.com"), "--json"), "Lightning"},
	}
	for name, c := range cases {
		code, out, errOut := ttRun(t, nil, c.args...)
		if code != ExitUsage {
			t.Errorf("%s: exit %d, want 2\n%s%s", name, code, out, errOut)
			continue
		}
		if out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.mention) {
			t.Errorf("%s: want one stderr line mentioning %q; stdout %q stderr %q", name, c.mention, out, errOut)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

func TestTestCommandWarnsButRuns(t *testing.T) {
	s := ttNewServer(t)
	code, _, errOut := ttRun(t, nil, "test", "--login-url", s.srv.URL, "--client-id", "3MVG9short",
		"--username", "embed@acme.com", "--key-file", ttKeyFile(t), "--sandbox")
	// The fake does not know this key, so it refuses: what matters is the warnings and that it was sent.
	if code != ExitRefused || !strings.Contains(errOut, "warning: the consumer key doesn't look like") ||
		!strings.Contains(errOut, ".sandboxname") || s.hits.Load() != 1 {
		t.Errorf("exit %d, hits %d, stderr:\n%s", code, s.hits.Load(), errOut)
	}
}

// ttFakeClock makes the propagation wait instant: Sleep moves the clock.
type ttFakeClock struct {
	mu     sync.Mutex
	now    time.Time
	delays []time.Duration
}

func (c *ttFakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *ttFakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delays = append(c.delays, d)
	c.now = c.now.Add(d)
	return nil
}

func ttUseFakeSleep(t *testing.T, clock *ttFakeClock) {
	old := newTestClient
	newTestClient = func(timeout time.Duration) *salesforce.Client {
		c := old(timeout)
		c.Sleep = clock.Sleep
		return c
	}
	t.Cleanup(func() { newTestClient = old })
}

func TestTestCommandWaitRetriesAndReports(t *testing.T) {
	s := ttNewServer(t)
	var n atomic.Int32
	s.token = func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			ttAnswer(400, ttJSONType, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)(w, r)
			return
		}
		s.conformingToken(w, r)
	}
	clock := &ttFakeClock{now: time.Now()}
	ttUseFakeSleep(t, clock)
	env := &Env{Ctx: context.Background(), Now: clock.Now}
	code, out, errOut := ttRun(t, env, s.args(t, "--json", "--wait", "10m")...)
	if code != ExitOK || ttJSON(t, out)["attempts"] != 3.0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"attempt 1: Salesforce answered invalid_client_id (client identifier invalid)",
		"trying again in 2s", "attempt 2:", "trying again in 4s"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestTestCommandWaitRunsOut(t *testing.T) {
	s := ttNewServer(t)
	s.token = ttAnswer(400, ttJSONType, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
	clock := &ttFakeClock{now: time.Now()}
	ttUseFakeSleep(t, clock)
	env := &Env{Ctx: context.Background(), Now: clock.Now}
	code, out, errOut := ttRun(t, env, s.args(t, "--json", "--wait", "1m")...)
	m := ttJSON(t, out)
	d, _ := m["diagnosis"].(map[string]any)
	// 2+4+8+16+30 = 60 s: six attempts fit in one minute.
	if code != ExitRefused || m["attempts"] != 6.0 || d["step"] != "eca-consumer-key" ||
		!strings.Contains(fmt.Sprint(d["fix"]), "10 minutes") || strings.Count(errOut, "attempt ") != 5 {
		t.Errorf("exit %d attempts %v diagnosis %v\nstderr:\n%s", code, m["attempts"], d, errOut)
	}
}

func TestTestCommandHelp(t *testing.T) {
	code, out, _ := ttRun(t, nil, "test", "--help")
	if code != ExitOK || !strings.Contains(out, "Usage: tnjwt test") || !strings.Contains(out, "-key-file") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// A saved profile is tested with its keychain secrets, and the outcome is
// written back into it.
func TestTestCommandProfile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	t.Setenv(profiles.EnvDir, dir)
	mem := secrets.NewMemory(0)
	old := newVault
	newVault = func() *secrets.Vault { return secrets.NewVault(mem, time.Second) }
	t.Cleanup(func() { newVault = old })

	s := ttNewServer(t)
	code, out, errOut := ttRun(t, nil, "profile", "import", "--name", "acme", "--login-url", s.srv.URL,
		"--username", ttUser, "--client-id", ttClientID, "--key-file", ttKeyFile(t))
	if code != ExitOK {
		t.Fatalf("profile import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = ttRun(t, nil, "test", "--profile", "acme", "--json")
	if code != ExitOK || ttJSON(t, out)["ok"] != true {
		t.Fatalf("test --profile: exit %d\n%s%s", code, out, errOut)
	}
	store := profiles.Open(dir, secrets.NewVault(mem, time.Second))
	p, err := store.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastTest == nil || !p.LastTest.OK || p.LastTest.TimingsMS["total"] <= 0 || !p.Checklist["live-test"].Done {
		t.Errorf("recorded %+v, checklist %+v", p.LastTest, p.Checklist)
	}

	s.token = ttAnswer(400, ttJSONType, `{"error":"invalid_grant","error_description":"invalid assertion"}`)
	if code, out, _ = ttRun(t, nil, "test", "--profile", "acme"); code != ExitRefused {
		t.Fatalf("refused test --profile: exit %d\n%s", code, out)
	}
	if p, err = store.Get("acme"); err != nil {
		t.Fatal(err)
	}
	if lt := p.LastTest; lt == nil || lt.OK || lt.Error != "invalid_grant" || lt.Description != "invalid assertion" || lt.DiagnosisStep != "eca-cert-upload" {
		t.Errorf("recorded refusal %+v", p.LastTest)
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		files++
		ttNoSecrets(t, string(raw))
		return err
	})
	if err != nil || files == 0 {
		t.Errorf("profile folder: %d files, %v", files, err)
	}
}
