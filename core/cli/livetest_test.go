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
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const jsonType = "application/json;charset=UTF-8"

// decodeTestJSON decodes stdout, which must be exactly one JSON object with
// docs/cli.md's keys.
func decodeTestJSON(t *testing.T, stdout string) map[string]any {
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
	// docs/cli.md's keys: the original contract's, plus key and promoted (key rotation, issue 13).
	want := "attempts audience audiences_tried diagnosis error error_description frontdoor_uri instance_url key lightning_url login_url ok org_id promoted scope timings_ms user_id"
	if strings.Join(keys, " ") != want {
		t.Errorf("JSON keys = %v, want: %s", keys, want)
	}
	return m
}

// checkRefusal checks the --json output of a refused test: the server's
// words, no frontdoor URL, and docs/cli.md's diagnosis step ("" = none).
func checkRefusal(t *testing.T, code int, out, wantCode, wantDesc, step string) {
	t.Helper()
	if code != ExitRefused {
		t.Fatalf("exit %d, want 3:\n%s", code, out)
	}
	m := decodeTestJSON(t, out)
	if m["ok"] != false || m["frontdoor_uri"] != nil || m["error"] != wantCode {
		t.Errorf("ok/frontdoor/error = %v %v %v, want false <nil> %s", m["ok"], m["frontdoor_uri"], m["error"], wantCode)
	}
	if wantDesc == "" && m["error_description"] != nil || wantDesc != "" && m["error_description"] != wantDesc {
		t.Errorf("error_description = %#v, want %q", m["error_description"], wantDesc)
	}
	if step == "" {
		if m["diagnosis"] != nil {
			t.Errorf("unknown refusal got a diagnosis: %v", m["diagnosis"])
		}
		return
	}
	d, _ := m["diagnosis"].(map[string]any)
	if d["step"] != step || d["title"] == "" || len(fmt.Sprint(d["fix"])) < 60 {
		t.Errorf("diagnosis = %v, want step %s", d, step)
	}
}

func TestTestCommandSuccess(t *testing.T) {
	org := startOrg(t, nil, emulator.Options{})
	code, out, errOut := runCmd(t, nil, org.testArgs(t, "--redirect", "/lightning/page/home")...)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	fd := regexp.MustCompile(`\n  (` + regexp.QuoteMeta(org.URL) + `/secur/frontdoor\.jsp\?otp=\S+)\n`).FindStringSubmatch(out)
	if fd == nil {
		t.Fatalf("no frontdoor URL of the org in the report:\n%s", out)
	}
	for _, want := range []string{
		"login URL  " + org.URL + " (local emulator)", "✓ Sign the JWT", "✓ Token request", "✓ Frontdoor request (singleaccess)", " ms\n", "total",
		"Frontdoor URL", "Lightning orgUrl:\n  " + org.URL,
		`await initializeAnalyticsSdk({ authCredential: "` + fd[1] + `", orgUrl: "` + org.URL + `" });`,
		"What was sent:", "iss (consumer key)   " + emulatortest.ConsumerKey[:8] + "••••••",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "✗") || errOut != "" {
		t.Errorf("a success shows a failure:\n%s\n%s", out, errOut)
	}
	// The link signs the user in (through its session cookie), where --redirect said.
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(fd[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "<code>/lightning/page/home</code>") {
		t.Errorf("frontdoor: HTTP %d\n%s", resp.StatusCode, page)
	}
}

// An older sandbox on a My Domain refuses its own URL as the audience: the
// test finds test.salesforce.com with one more token request and says so.
func TestTestCommandJSONSuccess(t *testing.T) {
	cfg := orgConfig()
	cfg.Sandbox, cfg.LegacyLoginHosts = true, nil
	org := startMyDomainOrg(t, cfg)
	code, out, errOut := runCmd(t, org.env(), org.testArgs(t, "--json", "--sandbox")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, out)
	}
	m := decodeTestJSON(t, out)
	userID, _ := org.E.UserID(emulatortest.Username)
	want := map[string]any{
		"ok": true, "login_url": org.URL, "audience": salesforce.SandboxAudience, "instance_url": org.URL,
		"lightning_url": "https://acme.lightning.force.com", "org_id": org.E.OrgID(), "user_id": userID,
		"scope": "web refresh_token", "attempts": 2.0, "error": nil, "error_description": nil, "diagnosis": nil,
	}
	if tried := fmt.Sprint(m["audiences_tried"]); tried != "["+org.URL+" "+salesforce.SandboxAudience+"]" {
		t.Errorf("audiences_tried = %s", tried)
	}
	if !strings.Contains(errOut, "tries aud = "+salesforce.SandboxAudience+" at once") {
		t.Errorf("stderr does not say it tried the other audience:\n%s", errOut)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if fd, _ := m["frontdoor_uri"].(string); !strings.HasPrefix(fd, org.URL+"/secur/frontdoor.jsp?otp=") {
		t.Errorf("frontdoor_uri = %v", m["frontdoor_uri"])
	}
	timings, _ := m["timings_ms"].(map[string]any)
	for _, k := range []string{"sign", "token", "singleaccess", "total"} {
		if v, ok := timings[k].(float64); !ok || v < 0 {
			t.Errorf("timings_ms.%s = %v", k, timings[k])
		}
	}
	if reqs := org.E.Requests(); reqs[0].Claims["aud"] != org.URL || reqs[1].Claims["aud"] != salesforce.SandboxAudience || len(reqs) != 3 {
		t.Errorf("token requests: %d, aud %v then %v", len(reqs), reqs[0].Claims["aud"], reqs[1].Claims["aud"])
	}
}

// Each Setup mistake the practice org can be given leads to docs/cli.md's
// checklist step.
func TestTestCommandRefusals(t *testing.T) {
	cases := []struct {
		name      string
		misconfig func(e *emulator.Emulator) error
		args      []string
		code      string
		desc      string
		step      string
	}{
		{"certificate removed", func(e *emulator.Emulator) error { return e.RemoveCertificate(emulatortest.AppName) }, nil,
			"invalid_grant", "invalid assertion", "eca-cert-upload"},
		{"sandbox audience for a production org", func(e *emulator.Emulator) error { e.SetLegacyLoginHosts(true); return nil },
			[]string{"--sandbox", "--audience", salesforce.SandboxAudience},
			"invalid_grant", "audience is invalid", "org-login-url"},
		{"unknown consumer key", nil, []string{"--client-id", "3MVG9" + strings.Repeat("X", 80)},
			"invalid_client_id", "client identifier invalid", "eca-consumer-key"},
		{"inactive user", func(e *emulator.Emulator) error { return e.SetUserActive(emulatortest.Username, false) }, nil,
			"invalid_grant", "inactive user", "jwt-user"},
		{"API-only user", func(e *emulator.Emulator) error { return e.SetAPIOnly(emulatortest.Username, true) }, nil,
			"Bad_OAuth_Token", "", "jwt-user"},
		{"scopes without web", func(e *emulator.Emulator) error {
			return e.SetScopes(emulatortest.AppName, []string{"api", "refresh_token"})
		}, nil, "Invalid_Scope", "", "eca-scopes"},
		{"permission set not assigned", func(e *emulator.Emulator) error {
			return e.UnassignPermissionSet(emulatortest.Username, emulatortest.PermSet)
		}, nil, "invalid_grant", "user hasn't approved this consumer", "eca-permitted-users"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			org := startOrg(t, nil, emulator.Options{})
			if c.misconfig != nil {
				if err := c.misconfig(org.E); err != nil {
					t.Fatal(err)
				}
			}
			code, out, _ := runCmd(t, nil, org.testArgs(t, append(c.args, "--json")...)...)
			checkRefusal(t, code, out, c.code, c.desc, c.step)
			if got := org.last(t).Error; got != c.code {
				t.Errorf("the org answered %q, want %q", got, c.code)
			}
		})
	}
}

// The rest of the spec's refusal catalogue: answers the practice org never
// gives, served as Salesforce words them.
func TestTestCommandRefusalsBeyondTheEmulator(t *testing.T) {
	cases := []struct{ name, code, desc, step string }{
		{"app access", "invalid_app_access", "user is not admin approved to access this app", "eca-app-policies"},
		{"app not found", "app_not_found", "External client app is not installed in this org", "org-login-url"},
		{"ip", "invalid_grant", "IP restricted or invalid login hours", "jwt-user"},
		{"locked", "invalid_grant", "user is locked", "jwt-user"},
		{"inactive org", "inactive_org", "Org is locked, closed, or suspended", "org-login-url"},
		{"rate", "rate_limit_exceeded", "Number of logins exceeded", "live-test"},
		{"grant type", "unsupported_grant_type", "grant type not supported", "org-login-url"},
		{"unknown", "invalid_grant", "authentication failure", ""},
	}
	key := orgKeyFile(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"error":%q,"error_description":%q}`, c.code, c.desc)
			login := faultServer(t, answer(400, jsonType, body))
			code, out, _ := runCmd(t, nil, "test", "--login-url", login, "--client-id", emulatortest.ConsumerKey,
				"--username", emulatortest.Username, "--key-file", key, "--json")
			checkRefusal(t, code, out, c.code, c.desc, c.step)
		})
	}
}

func TestTestCommandRefusalReport(t *testing.T) {
	org := startOrg(t, legacyConfig(), emulator.Options{})
	code, out, _ := runCmd(t, nil, org.testArgs(t, "--sandbox")...)
	if code != ExitRefused {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"✓ Sign the JWT", "✗ Token request", "Salesforce refused the token request (HTTP 400)",
		"error:             invalid_grant", "error_description: audience is invalid", `checklist step "org-login-url"`, "Fix: "} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "singleaccess") || strings.Contains(out, "Frontdoor URL") {
		t.Errorf("report goes past the failed phase:\n%s", out)
	}

	login := faultServer(t, answer(400, jsonType, `{"error":"invalid_grant","error_description":"authentication failure"}`))
	code, out, _ = runCmd(t, nil, "test", "--login-url", login, "--client-id", emulatortest.ConsumerKey,
		"--username", emulatortest.Username, "--key-file", orgKeyFile(t))
	if code != ExitRefused || !strings.Contains(out, "authentication failure") || !strings.Contains(out, "no diagnosis") ||
		strings.Contains(out, "checklist step") {
		t.Errorf("unknown refusal report (exit %d):\n%s", code, out)
	}
}

// An org whose clock is 7 minutes ahead finds the assertion expired; the
// diagnosis says how far off this computer's clock is, from the org's Date.
func TestTestCommandClockSkew(t *testing.T) {
	orgNow := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	org := startOrg(t, nil, emulator.Options{Now: func() time.Time { return orgNow }})
	env := &Env{Ctx: context.Background(), Now: func() time.Time { return orgNow.Add(-7 * time.Minute) }}
	code, out, _ := runCmd(t, env, org.testArgs(t, "--json")...)
	checkRefusal(t, code, out, "invalid_grant", "expired authorization code", "system-clock")
	d, _ := decodeTestJSON(t, out)["diagnosis"].(map[string]any)
	if fix := fmt.Sprint(d["fix"]); !strings.Contains(fix, "7 minutes behind Salesforce's") {
		t.Errorf("fix %q does not tell the skew", fix)
	}
}

// Transport and server faults exit 4 with the fault's kind. The token-phase
// faults are the login URL's answer; for the singleaccess ones the practice
// org issues a real token and names the faulty server as its instance.
func TestTestCommandTransportFaults(t *testing.T) {
	atLogin := func(h http.HandlerFunc) func(*testing.T) string {
		return func(t *testing.T) string { return faultServer(t, h) }
	}
	atInstance := func(h http.HandlerFunc) func(*testing.T) string {
		return func(t *testing.T) string {
			// The org names another server as its instance; an older org's
			// audience does not depend on where it is served from.
			return startOrg(t, legacyConfig(), emulator.Options{BaseURL: faultServer(t, h)}).URL
		}
	}
	huge := strings.Repeat("x", salesforce.MaxReplyBytes+1)
	cases := []struct {
		name, kind, mention string
		loginURL            func(*testing.T) string
	}{
		{"never answers", "timeout", "no answer from", atLogin(hang)},
		{"HTML 500", "server", "HTTP 500", atLogin(answer(500, "text/html", "<html><h1>Internal Server Error</h1></html>"))},
		{"malformed JSON", "bad_reply", "not valid JSON", atLogin(answer(200, jsonType, `{"access_token":"x",`))},
		{"redirect", "redirect", "use that login URL (https://acme.my.salesforce.com)", atLogin(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://acme.my.salesforce.com/services/oauth2/token", http.StatusMovedPermanently)
		})},
		{"huge body", "too_large", "reply too large", atLogin(answer(200, jsonType, huge))},
		{"non-https instance", "unsafe_host", "not https", func(t *testing.T) string {
			return startOrg(t, legacyConfig(), emulator.Options{BaseURL: "http://acme.my.salesforce.com"}).URL
		}},
		{"wrong frontdoor host", "unsafe_host", "evil.example.com",
			atInstance(answer(200, jsonType, `{"frontdoor_uri":"https://evil.example.com/secur/frontdoor.jsp?otp=x"}`))},
		{"singleaccess hangs", "timeout", "no answer from", atInstance(hang)},
	}
	key := orgKeyFile(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			timeout := "10s"
			if c.kind == "timeout" {
				timeout = "300ms" // the server never answers: exit 4 once this runs out
			}
			// The older org's audience, on purpose: on loopback tnjwt sends
			// no Salesforce audience by itself.
			code, out, _ := runCmd(t, nil, "test", "--login-url", c.loginURL(t), "--client-id", emulatortest.ConsumerKey,
				"--username", emulatortest.Username, "--key-file", key, "--json", "--timeout", timeout,
				"--audience", salesforce.ProductionAudience)
			if code != ExitTransport {
				t.Fatalf("exit %d, want 4:\n%s", code, out)
			}
			m := decodeTestJSON(t, out)
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
	code, out, _ := runCmd(t, nil, "test", "--login-url", "http://"+addr, "--client-id", emulatortest.ConsumerKey,
		"--username", emulatortest.Username, "--key-file", key)
	words := strings.Join(strings.Fields(out), " ")
	if code != ExitTransport || !strings.Contains(words, "cannot connect to "+addr) || !strings.Contains(out, "✗ Token request") ||
		!strings.Contains(words, "doesn't necessarily mean anything is wrong with your setup") {
		t.Errorf("refused connection: exit %d\n%s", code, out)
	}
}

func TestTestCommandBadInputSendsNothing(t *testing.T) {
	t.Setenv(profiles.EnvDir, t.TempDir()) // "unknown profile" must not read the real profiles
	org := startOrg(t, nil, emulator.Options{})
	key := orgKeyFile(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	smallKey := writeTemp(t, "small.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: smallDER}))
	garbage := writeTemp(t, "garbage.pem", []byte("this is not a key\n"))
	certLike := writeTemp(t, "cert.pem", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	huge := writeTemp(t, "huge.pem", []byte(strings.Repeat("A", certs.MaxPEMFile+1)))
	base := func(drop string, extra ...string) []string {
		args := []string{"test"}
		for _, f := range [][2]string{{"--login-url", org.URL}, {"--client-id", emulatortest.ConsumerKey}, {"--username", emulatortest.Username}, {"--key-file", key}} {
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
		"no login url":       {base("--login-url"), "missing --login-url"},
		"no client id":       {base("--client-id"), "missing --client-id"},
		"no username":        {base("--username"), "missing --username"},
		"no key file":        {base("--key-file"), "missing --key-file"},
		"lightning url":      {set("--login-url", "https://acme.lightning.force.com"), "https://acme.my.salesforce.com"},
		"http non-loopback":  {set("--login-url", "http://acme.my.salesforce.com"), "https://acme.my.salesforce.com"},
		"url with query":     {set("--login-url", org.URL+"?x=1"), "query"},
		"not a url":          {set("--login-url", "nonsense"), "not a web address"},
		"key file missing":   {set("--key-file", filepath.Join(t.TempDir(), "nope.pem")), "cannot read --key-file"},
		"key file cert":      {set("--key-file", certLike), "certificate"},
		"key file huge":      {set("--key-file", huge), "too large"},
		"weak key":           {set("--key-file", smallKey), "1024"},
		"key with space":     {set("--client-id", emulatortest.ConsumerKey[:20]+" "+emulatortest.ConsumerKey[20:]), "space or line break"},
		"profile and flags":  {base("", "--profile", "acme"), "not both"},
		"unknown profile":    {[]string{"test", "--profile", "no-such-profile-tt"}, "no-such-profile-tt"},
		"negative wait":      {base("", "--wait", "-1s"), "--wait"},
		"zero timeout":       {base("", "--timeout", "0s"), "--timeout"},
		"bad audience":       {base("", "--audience", "login.salesforce.com"), "audience"},
		"absolute redirect":  {base("", "--redirect", "https://evil.example.com/"), "relative path"},
		"backslash redirect": {base("", "--redirect", `/\evil.example/x`), "backslash"},
		"scheme redirect":    {base("", "--redirect", "https:evil.example"), "relative path"},
		"unknown flag":       {base("", "--frobnicate"), "frobnicate"},
		"positional arg":     {base("", "extra"), "unexpected argument"},
		"bad duration":       {base("", "--wait", "ten minutes"), "wait"},
		"warning then bad input": {[]string{"test", "--login-url", org.URL, "--client-id", "3MVG9short", "--username", "embed",
			"--key-file", key}, "exactly one @"},
		"json still exits 2": {append(set("--login-url", "https://acme.lightning.force.com"), "--json"), "Lightning"},
	}
	for name, c := range cases {
		code, out, errOut := runCmd(t, nil, c.args...)
		if code != ExitUsage {
			t.Errorf("%s: exit %d, want 2\n%s%s", name, code, out, errOut)
			continue
		}
		if out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.mention) {
			t.Errorf("%s: want one stderr line mentioning %q; stdout %q stderr %q", name, c.mention, out, errOut)
		}
	}
	// A key file that is no PEM at all, and a username with no @: the whole
	// line, so that another refusal that merely names the key or an @ cannot
	// pass for these.
	for name, c := range map[string]struct {
		args []string
		line string
	}{
		"key file garbage": {set("--key-file", garbage), "tnjwt: test: the key file is not a PEM file: it has no -----BEGIN line. " +
			"Pick the private key: a text file that starts with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- " +
			"(tnjwt names it sf_private_key.pem).\n"},
		"bad username": {set("--username", "embed"), "tnjwt: test: a Salesforce username has exactly one @, like embed@acme.com. " +
			"Use the Username shown in Setup → Quick Find 'Users' → Users (not the email address)\n"},
	} {
		if code, out, errOut := runCmd(t, nil, c.args...); code != ExitUsage || out != "" || errOut != c.line {
			t.Errorf("%s: exit %d, stdout %q\nstderr %q\nwant   %q", name, code, out, errOut, c.line)
		}
	}
	if log := org.E.Requests(); len(log) != 0 {
		t.Errorf("bad input reached the org: %v", log)
	}
}

func TestTestCommandWarnsButRuns(t *testing.T) {
	org := startOrg(t, nil, emulator.Options{})
	code, _, errOut := runCmd(t, nil, "test", "--login-url", org.URL, "--client-id", "3MVG9short",
		"--username", emulatortest.Username, "--key-file", orgKeyFile(t), "--sandbox")
	// The org knows no such key, so it refuses: what matters is the warnings and that it was sent.
	if code != ExitRefused || !strings.Contains(errOut, "warning: the consumer key doesn't look like") ||
		!strings.Contains(errOut, ".sandboxname") || len(org.E.Requests()) != 1 {
		t.Errorf("exit %d, requests %v, stderr:\n%s", code, org.E.Requests(), errOut)
	}
}

// startPropagatingOrg serves an app whose settings take propagation to reach
// the org, on a clock that both the command and the org read and that the
// command's waits move at once.
func startPropagatingOrg(t *testing.T, propagation time.Duration) (*practiceOrg, *Env) {
	clock := emulatortest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	env := newEnv()
	env.Now = clock.Now
	env.NewClient = func(timeout time.Duration) *salesforce.Client {
		c := salesforce.NewClient(timeout)
		c.Sleep = clock.Sleep
		return c
	}
	cfg := orgConfig()
	cfg.Apps[0].PropagationSeconds = int(propagation / time.Second)
	return startOrg(t, cfg, emulator.Options{Now: clock.Now}), env
}

func TestTestCommandWaitRetriesAndReports(t *testing.T) {
	org, env := startPropagatingOrg(t, 5*time.Second) // known from the fourth try, 6 s in: one every 2 s
	code, out, errOut := runCmd(t, env, org.testArgs(t, "--json", "--wait", "10m")...)
	if code != ExitOK || decodeTestJSON(t, out)["attempts"] != 4.0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"tnjwt: Attempt 1: Salesforce answered invalid_client_id (client identifier invalid)",
		"tries again in 2 seconds (for up to 10 minutes in all)", "Attempt 2:", "Attempt 3:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestTestCommandWaitRunsOut(t *testing.T) {
	org, env := startPropagatingOrg(t, time.Hour)
	code, out, errOut := runCmd(t, env, org.testArgs(t, "--json", "--wait", "1m")...)
	m := decodeTestJSON(t, out)
	d, _ := m["diagnosis"].(map[string]any)
	// One try every 2 s from 0 to 60 s: 31 attempts fit in one minute.
	if code != ExitRefused || m["attempts"] != 31.0 || d["step"] != "eca-consumer-key" ||
		!strings.Contains(fmt.Sprint(d["fix"]), "10 minutes") || strings.Count(errOut, "Attempt ") != 30 {
		t.Errorf("exit %d attempts %v diagnosis %v\nstderr:\n%s", code, m["attempts"], d, errOut)
	}
	if n := len(org.E.Requests()); n != 31 {
		t.Errorf("the org saw %d token requests, want 31", n)
	}
}

// The diagnosis's fix names no flag (the GUI shows it too); the CLI adds its
// own hints: --wait for a consumer key still propagating, --sandbox for the
// org type.
func TestTestCommandAddsCLIHints(t *testing.T) {
	local := startOrg(t, legacyConfig(), emulator.Options{})
	myDomain := startMyDomainOrg(t, legacyConfig())
	unknownKey := []string{"--client-id", "3MVG9" + strings.Repeat("X", 80)}
	cases := []struct {
		name       string
		org        *practiceOrg
		args       []string
		want, lack []string
	}{
		{"unknown key, no --wait", local, unknownKey, []string{"On the command line: add --wait 10m"}, nil},
		{"unknown key, --wait already given", local, append(unknownKey, "--wait", "1s"), nil, []string{"--wait 10m"}},
		{"sandbox audience on production", myDomain, []string{"--sandbox"},
			[]string{"the org type matches this org", "On the command line: if this org is production, leave out --sandbox."}, nil},
		{"older org on this computer", local, nil,
			[]string{"tnjwt does not try https://login.salesforce.com against a local address on its own",
				"On the command line: add --audience https://login.salesforce.com."}, []string{"--sandbox"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, out, _ := runCmd(t, c.org.env(), c.org.testArgs(t, c.args...)...)
			_, js, _ := runCmd(t, c.org.env(), c.org.testArgs(t, append(c.args, "--json")...)...)
			d, _ := decodeTestJSON(t, js)["diagnosis"].(map[string]any)
			report := strings.Join(strings.Fields(out), " ") // the report wraps the fix
			for _, w := range c.want {
				if !strings.Contains(report, w) || !strings.Contains(fmt.Sprint(d["fix"]), w) {
					t.Errorf("fix lacks %q:\n%s\n%v", w, out, d["fix"])
				}
			}
			for _, w := range c.lack {
				if strings.Contains(report, w) {
					t.Errorf("fix has %q:\n%s", w, out)
				}
			}
		})
	}
}

// A production-audience refusal asks for --sandbox, not for leaving it out.
func TestTestCLIHintsOrgType(t *testing.T) {
	d := &salesforce.Diagnosis{Fix: "Choose.", OrgType: true}
	addCLIHints(d, salesforce.Request{}, false)
	if !strings.HasSuffix(d.Fix, "if this org is a sandbox, add --sandbox.") {
		t.Errorf("production audience: %q", d.Fix)
	}
	// The sandbox audience came from the login URL or the profile, not the
	// flag: leaving out --sandbox would change nothing, so no flag hint.
	d = &salesforce.Diagnosis{Fix: "Choose.", OrgType: true}
	addCLIHints(d, salesforce.Request{Sandbox: true}, false)
	if d.Fix != "Choose." {
		t.Errorf("sandbox from the URL: %q", d.Fix)
	}
	addCLIHints(nil, salesforce.Request{}, false) // no diagnosis: nothing to add
}

func TestTestCommandHelp(t *testing.T) {
	code, out, _ := runCmd(t, nil, "test", "--help")
	if code != ExitOK || !strings.Contains(out, "Usage: tnjwt test") || !strings.Contains(out, "-key-file") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// A saved profile is tested with its keychain secrets, and the outcome is
// written back into it.
func TestTestCommandProfile(t *testing.T) {
	mem, dir := profSetup(t)
	org := startOrg(t, nil, emulator.Options{})
	code, out, errOut := runCmd(t, nil, "profile", "import", "--name", "acme", "--login-url", org.URL,
		"--username", emulatortest.Username, "--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t))
	if code != ExitOK {
		t.Fatalf("profile import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, nil, "test", "--profile", "acme", "--json")
	if code != ExitOK || decodeTestJSON(t, out)["ok"] != true {
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

	if err := org.E.RemoveCertificate(emulatortest.AppName); err != nil {
		t.Fatal(err)
	}
	if code, out, _ = runCmd(t, nil, "test", "--profile", "acme"); code != ExitRefused {
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
		noSecrets(t, string(raw))
		return err
	})
	if err != nil || files == 0 {
		t.Errorf("profile folder: %d files, %v", files, err)
	}
}

// Either kind of org on a My Domain, no --audience: the first test finds
// the audience with at most two token requests and says which; the profile
// remembers it, so the next test needs one.
func TestTestProfileDiscoversAndRemembersTheAudience(t *testing.T) {
	for _, c := range []struct {
		name      string
		cfg       func() *emulator.Config
		firstReqs int
		want      func(org *practiceOrg) string
	}{
		{"Spring '26 org", orgConfig, 1, func(org *practiceOrg) string { return org.URL }},
		{"older org", legacyConfig, 2, func(*practiceOrg) string { return salesforce.ProductionAudience }},
	} {
		t.Run(c.name, func(t *testing.T) {
			profSetup(t)
			org := startMyDomainOrg(t, c.cfg())
			if r := profRun(t, time.Now(), "profile", "import", "--name", "acme", "--login-url", org.URL,
				"--username", emulatortest.Username, "--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t)); r.code != ExitOK {
				t.Fatalf("import: %s", r.errOut)
			}
			tokenRequests := func() int {
				n := 0
				for _, r := range org.E.Requests() {
					if r.Path == "/services/oauth2/token" {
						n++
					}
				}
				return n
			}
			code, out, errOut := runCmd(t, org.env(), "test", "--profile", "acme", "--json")
			m := decodeTestJSON(t, out)
			if code != ExitOK || m["audience"] != c.want(org) || tokenRequests() != c.firstReqs {
				t.Fatalf("first test: exit %d, audience %v after %v, %d token requests\n%s", code, m["audience"], m["audiences_tried"], tokenRequests(), errOut)
			}
			code, out, _ = runCmd(t, org.env(), "test", "--profile", "acme", "--json")
			m = decodeTestJSON(t, out)
			if code != ExitOK || m["audience"] != c.want(org) || tokenRequests() != c.firstReqs+1 || len(m["audiences_tried"].([]any)) != 1 {
				t.Errorf("second test: exit %d, audience %v after %v, %d token requests in all", code, m["audience"], m["audiences_tried"], tokenRequests())
			}
		})
	}
}

// The consumer key can come from a file or standard input, so it never
// shows in ps or shell history.
func TestTestCommandReadsTheConsumerKeyFromAFileOrStdin(t *testing.T) {
	org := startOrg(t, nil, emulator.Options{})
	keyFile := orgKeyFile(t)
	base := []string{"test", "--login-url", org.URL, "--username", emulatortest.Username, "--key-file", keyFile, "--json"}
	idFile := writeTemp(t, "consumer-key.txt", []byte(emulatortest.ConsumerKey+"\n"))
	if code, out, errOut := runCmd(t, nil, append(base, "--client-id-file", idFile)...); code != ExitOK {
		t.Errorf("--client-id-file: exit %d %s %s", code, out, errOut)
	}
	env := &Env{Ctx: context.Background(), Stdin: strings.NewReader(emulatortest.ConsumerKey + "\n")}
	if code, out, errOut := runCmd(t, env, append(base, "--client-id", "-")...); code != ExitOK {
		t.Errorf("--client-id -: exit %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, nil, append(base, "--client-id", emulatortest.ConsumerKey, "--client-id-file", idFile)...); code != ExitUsage ||
		!strings.Contains(errOut, "not both") {
		t.Errorf("both: exit %d %q", code, errOut)
	}
	_, help, _ := runCmd(t, nil, "test", "--help")
	if !strings.Contains(help, "shows in ps and in shell history") {
		t.Errorf("--help does not say why:\n%s", help)
	}
}

// A stored key that is not the profile certificate's is caught before
// anything is sent.
func TestTestProfileChecksTheKeyAgainstTheCertificate(t *testing.T) {
	mem, _, _ := profImported(t, time.Now())
	other := emulatortest.Other()
	v := secrets.NewVault(mem, time.Second)
	if err := v.Put(context.Background(), "acme", secrets.PrivateKey, other.KeyPEM); err != nil {
		t.Fatal(err)
	}
	r := profRun(t, time.Now(), "test", "--profile", "acme")
	if r.code != ExitUsage || !strings.Contains(r.errOut, "does not belong to the certificate saved in profile") {
		t.Errorf("exit %d %q", r.code, r.errOut)
	}
}

// A test --profile stopped while it waits records nothing: the profile
// keeps its last real result, as the window does.
func TestStoppedProfileTestKeepsTheLastResult(t *testing.T) {
	mem, dir := profSetup(t)
	org := startOrg(t, nil, emulator.Options{})
	if code, out, errOut := runCmd(t, nil, "profile", "import", "--name", "acme", "--login-url", org.URL,
		"--username", emulatortest.Username, "--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t)); code != ExitOK {
		t.Fatalf("profile import: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, nil, "test", "--profile", "acme"); code != ExitOK {
		t.Fatalf("test --profile: exit %d\n%s%s", code, out, errOut)
	}
	store := profiles.Open(dir, secrets.NewVault(mem, time.Second))
	before, err := store.Get("acme")
	if err != nil || before.LastTest == nil || !before.LastTest.OK {
		t.Fatalf("the passing test was not recorded: %+v, %v", before.LastTest, err)
	}

	if err := org.E.SetPropagation(emulatortest.AppName, time.Hour); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	stderr := newLineWatch("tries again in")
	go func() { <-stderr.seen; stop() }() // Ctrl-C while the test waits to retry
	var stdout bytes.Buffer
	env := &Env{Ctx: ctx, Stdout: &stdout, Stderr: stderr, Now: time.Now, NewVault: testVault}
	if code := Dispatch([]string{"test", "--profile", "acme", "--wait", "10m"}, env); code != ExitTransport {
		t.Fatalf("stopped test: exit %d, want %d\n%s%s", code, ExitTransport, stdout.String(), stderr.String())
	}
	after, err := store.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	if after.LastTest == nil || !after.LastTest.OK || !after.LastTest.When.Equal(before.LastTest.When) {
		t.Errorf("the stopped test replaced the last result: %+v, was %+v", after.LastTest, before.LastTest)
	}
}
