package salesforce

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

func TestExchangeSuccess(t *testing.T) {
	f := newFake(t)
	req := f.request(t)
	req.RedirectPath = "/lightning/page/home"
	var attempts []Attempt
	req.OnAttempt = func(a Attempt) { attempts = append(attempts, a) }
	res, err := testClient().Exchange(context.Background(), req)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	f.checkClean()
	base := f.srv.URL
	if res.LoginURL != base || res.Audience != base || len(res.AudiencesTried) != 1 || res.InstanceURL != base || res.LightningURL != base {
		t.Errorf("result URLs: %+v", res)
	}
	userID, _ := f.org.UserID(emulatortest.Username)
	if res.OrgID != f.org.OrgID() || res.UserID != userID || res.Scope != "web refresh_token" {
		t.Errorf("ids/scope: %+v", res)
	}
	if !strings.HasPrefix(res.FrontdoorURI, base+"/secur/frontdoor.jsp?otp=") || !strings.Contains(res.FrontdoorURI, "startURL=%2Flightning%2Fpage%2Fhome") {
		t.Errorf("frontdoor = %q", res.FrontdoorURI)
	}
	if res.Attempts != 1 || len(attempts) != 1 || attempts[0].Err != nil || attempts[0].Next != 0 {
		t.Errorf("attempts: %d %+v", res.Attempts, attempts)
	}
	ms := res.Timings.MS()
	for _, k := range []string{"sign", "token", "singleaccess", "total"} {
		if ms[k] < 0 {
			t.Errorf("timing %s = %v", k, ms[k])
		}
		if _, ok := ms[k]; !ok && k != "sign" {
			t.Errorf("timing %s missing: %v", k, ms)
		}
	}
	if res.Timings.Total < res.Timings.Token+res.Timings.SingleAccess {
		t.Errorf("total %v shorter than its phases", res.Timings.Total)
	}
}

// An older org (legacy login hosts) on a My Domain refuses its own URL as
// the audience: the test tries the legacy host next, the sandbox one for a
// sandbox, and says which worked.
func TestExchangeDiscoversTheLegacyAudience(t *testing.T) {
	for _, c := range []struct {
		host, want string
	}{
		{"acme.my.salesforce.com", ProductionAudience},
		{"acme--uat.sandbox.my.salesforce.com", SandboxAudience},
	} {
		f, client, req := newMyDomainFake(t, c.host)
		f.org.SetLegacyLoginHosts(true)
		f.org.SetSandbox(c.want == SandboxAudience)
		var attempts []Attempt
		req.OnAttempt = func(a Attempt) { attempts = append(attempts, a) }
		res, err := client.Exchange(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		reqs := f.org.Requests()
		if len(reqs) != 3 || reqs[0].Claims["aud"] != req.LoginURL || reqs[1].Claims["aud"] != c.want || res.Audience != c.want ||
			strings.Join(res.AudiencesTried, " ") != req.LoginURL+" "+c.want {
			t.Errorf("%s: %d requests, result %s after %v", c.host, len(reqs), res.Audience, res.AudiencesTried)
		}
		if len(attempts) != 2 || attempts[0].Audience != c.want || attempts[0].Next != 0 {
			t.Errorf("%s: attempts reported %+v", c.host, attempts)
		}
		// Remembered, the legacy audience goes first: one token request.
		f2, client2, req2 := newMyDomainFake(t, c.host)
		f2.org.SetLegacyLoginHosts(true)
		f2.org.SetSandbox(c.want == SandboxAudience)
		req2.Remembered = res.Audience
		if res2, err := client2.Exchange(context.Background(), req2); err != nil || len(res2.AudiencesTried) != 1 || f2.tokenHits.Load() != 1 {
			t.Errorf("%s, remembered: %v tried %v, %d token requests", c.host, err, res2.AudiencesTried, f2.tokenHits.Load())
		}
	}
}

// A Spring '26 org on a My Domain refuses the legacy host: remembered or
// not, the test tries the org's own URL next, and an override is the only
// one tried.
func TestExchangeDiscoversTheMyDomainAudience(t *testing.T) {
	f, client, req := newMyDomainFake(t, "acme.my.salesforce.com")
	req.Remembered = ProductionAudience
	res, err := client.Exchange(context.Background(), req)
	if err != nil || res.Audience != req.LoginURL || strings.Join(res.AudiencesTried, " ") != ProductionAudience+" "+req.LoginURL {
		t.Fatalf("err %v, audience %s after %v", err, res.Audience, res.AudiencesTried)
	}
	if code := f.org.Requests()[0].Status; code != 400 {
		t.Errorf("the legacy audience got HTTP %d", code)
	}
	req.Audience = ProductionAudience // an override: no discovery
	res, err = client.Exchange(context.Background(), req)
	var re *RefusalError
	if !errors.As(err, &re) || re.Code != "app_not_found" || len(res.AudiencesTried) != 1 {
		t.Errorf("override: %v, tried %v", err, res.AudiencesTried)
	}
}

// A login URL on this computer is sent its own URL as the audience and
// nothing else: never login or test.salesforce.com, which would hand
// whatever holds the port an assertion Salesforce accepts for 3 minutes,
// not even when a profile remembers it. An older org there is refused, and
// the diagnosis says why tnjwt did not try the legacy audience and offers
// it; only an override sends it, on purpose.
func TestLoopbackNeverSendsARealSalesforceAudience(t *testing.T) {
	loop, _ := ParseLoginURL("http://127.0.0.1:8787")
	for _, remembered := range []string{"", ProductionAudience, SandboxAudience} {
		if got := Audiences(loop, remembered == SandboxAudience, "", remembered); len(got) != 1 || got[0] != loop.URL {
			t.Errorf("Audiences(loopback, remembered %q) = %v, want its own URL alone", remembered, got)
		}
	}
	if got := PreferredAudience(loop, false, "", ProductionAudience); got != loop.URL {
		t.Errorf("PreferredAudience(loopback) = %s", got)
	}
	for _, c := range []struct {
		sandbox bool
		legacy  string
	}{{false, ProductionAudience}, {true, SandboxAudience}} {
		f := newFake(t)
		f.org.SetLegacyLoginHosts(true)
		f.org.SetSandbox(c.sandbox)
		req := f.request(t)
		req.Sandbox, req.Remembered = c.sandbox, c.legacy
		res, err := testClient().Exchange(context.Background(), req)
		var re *RefusalError
		if !errors.As(err, &re) || re.Description != "audience is invalid" || f.tokenHits.Load() != 1 ||
			strings.Join(res.AudiencesTried, " ") != f.srv.URL {
			t.Fatalf("sandbox %v: %v after %v, %d token requests", c.sandbox, err, res.AudiencesTried, f.tokenHits.Load())
		}
		for _, r := range f.org.Requests() {
			if r.Claims["aud"] != f.srv.URL {
				t.Errorf("sandbox %v: an assertion for %v went to %s", c.sandbox, r.Claims["aud"], f.srv.URL)
			}
		}
		d := Diagnose(err)
		if d == nil || d.Step != "org-login-url" || d.Audience != c.legacy || d.OrgType ||
			!strings.Contains(d.Fix, "tnjwt does not try "+c.legacy+" against a local address on its own") ||
			!strings.Contains(d.Fix, "send "+c.legacy+" as the audience on purpose") {
			t.Errorf("sandbox %v: diagnosis %+v", c.sandbox, d)
		}
		req.Audience = c.legacy // on purpose
		if res, err := testClient().Exchange(context.Background(), req); err != nil || res.Audience != c.legacy || f.tokenHits.Load() != 2 {
			t.Errorf("sandbox %v, --audience %s: %v, audience %s", c.sandbox, c.legacy, err, res.Audience)
		}
	}
	// app_not_found from a local address is explained the same way.
	f := newFake(t)
	f.token = answer(400, jsonCT, `{"error":"app_not_found","error_description":"External client app is not installed in this org"}`)
	_, err := testClient().Exchange(context.Background(), f.request(t))
	if d := Diagnose(err); d == nil || d.Audience != ProductionAudience || f.tokenHits.Load() != 1 {
		t.Errorf("app_not_found on loopback: %+v after %d token requests", d, f.tokenHits.Load())
	}
	// An audience given on purpose and still refused gets the usual words.
	f = newFake(t)
	f.org.SetLegacyLoginHosts(true)
	f.org.SetSandbox(true)
	req := f.request(t)
	req.Audience = ProductionAudience
	_, err = testClient().Exchange(context.Background(), req)
	if d := Diagnose(err); d == nil || d.Audience != "" || !d.OrgType {
		t.Errorf("refused override on loopback: %+v", d)
	}
}

// A wrong consumer key is never taken for a wrong audience.
func TestWrongConsumerKeyEndsAtTheConsumerKey(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		f := newFake(t)
		f.org.SetLegacyLoginHosts(legacy)
		req := f.request(t)
		req.ClientID = "3MVG9" + strings.Repeat("W", 80)
		res, err := testClient().Exchange(context.Background(), req)
		if d := Diagnose(err); d == nil || d.Step != "eca-consumer-key" || res.Attempts != 1 || f.tokenHits.Load() != 1 {
			t.Errorf("legacy %v: %v after %d requests", legacy, d, f.tokenHits.Load())
		}
	}
}

// answer makes a handler that replies exactly as the spec's catalogue says.
func answer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

type catalogueRow struct {
	name        string
	phase       string
	status      int
	contentType string
	body        string
	code, desc  string // the RefusalError fields expected
	step        string // "" means no diagnosis
}

// catalogueRows is every wire form in spec §3.2 and §4.3, plus answers no
// row explains (which must get no invented diagnosis).
var catalogueRows = []catalogueRow{
	{"1 not approved", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`,
		"invalid_grant", "user hasn't approved this consumer", "eca-permitted-users"},
	{"2 not admin approved", PhaseToken, 400, jsonCT, `{"error":"invalid_app_access","error_description":"user is not admin approved to access this app"}`,
		"invalid_app_access", "user is not admin approved to access this app", "eca-app-policies"},
	{"3 audience", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"audience is invalid"}`,
		"invalid_grant", "audience is invalid", "org-login-url"},
	{"4 bad signature", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"invalid assertion"}`,
		"invalid_grant", "invalid assertion", "eca-cert-upload"},
	{"5 expired", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"expired authorization code"}`,
		"invalid_grant", "expired authorization code", "system-clock"},
	{"6 client id", PhaseToken, 400, jsonCT, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`,
		"invalid_client_id", "client identifier invalid", "eca-consumer-key"},
	{"7 app not found", PhaseToken, 400, jsonCT, `{"error":"app_not_found","error_description":"External client app is not installed in this org"}`,
		"app_not_found", "External client app is not installed in this org", "org-login-url"},
	{"8 ip lower", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"ip restricted or invalid login hours"}`,
		"invalid_grant", "ip restricted or invalid login hours", "jwt-user"},
	{"8 IP upper", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"IP restricted or invalid login hours"}`,
		"invalid_grant", "IP restricted or invalid login hours", "jwt-user"},
	{"9 inactive user observed", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"inactive user"}`,
		"invalid_grant", "inactive user", "jwt-user"},
	{"9 inactive user documented", PhaseToken, 400, jsonCT, `{"error":"inactive_user","error_description":"User is inactive"}`,
		"inactive_user", "User is inactive", "jwt-user"},
	{"10 inactive org", PhaseToken, 400, jsonCT, `{"error":"inactive_org","error_description":"Org is locked, closed, or suspended"}`,
		"inactive_org", "Org is locked, closed, or suspended", "org-login-url"},
	{"11 rate limit", PhaseToken, 400, jsonCT, `{"error":"rate_limit_exceeded","error_description":"Number of logins exceeded"}`,
		"rate_limit_exceeded", "Number of logins exceeded", "live-test"},
	{"12 locked", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"user is locked"}`,
		"invalid_grant", "user is locked", "jwt-user"},
	{"13 grant type", PhaseToken, 400, jsonCT, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`,
		"unsupported_grant_type", "grant type not supported", "org-login-url"},
	{"sa bad token text", PhaseSingleAccess, 403, "text/plain", "Bad_OAuth_Token", "Bad_OAuth_Token", "", "jwt-user"},
	{"sa bad token json", PhaseSingleAccess, 403, jsonCT, `[{"message":"Bad_OAuth_Token","errorCode":"FORBIDDEN"}]`,
		"Bad_OAuth_Token", "", "jwt-user"},
	{"sa invalid scope text", PhaseSingleAccess, 403, "text/plain;charset=UTF-8", "Invalid_Scope", "Invalid_Scope", "", "eca-scopes"},
	{"sa invalid scope sentence", PhaseSingleAccess, 403, "text/plain", "Invalid_Scope: the token lacks the web scope",
		"Invalid_Scope", "Invalid_Scope: the token lacks the web scope", "eca-scopes"},
	{"unknown invalid_grant", PhaseToken, 400, jsonCT, `{"error":"invalid_grant","error_description":"authentication failure"}`,
		"invalid_grant", "authentication failure", ""},
	{"unknown invalid_request", PhaseToken, 400, jsonCT, `{"error":"invalid_request","error_description":"HTTPS required"}`,
		"invalid_request", "HTTPS required", ""},
	{"unknown sa refusal", PhaseSingleAccess, 401, jsonCT, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`,
		"INVALID_SESSION_ID", "Session expired or invalid", ""},
}

func TestExchangeRefusalCatalogue(t *testing.T) {
	for _, row := range catalogueRows {
		t.Run(row.name, func(t *testing.T) {
			f := newFake(t)
			if row.phase == PhaseToken {
				f.token = answer(row.status, row.contentType, row.body)
			} else {
				f.sa = answer(row.status, row.contentType, row.body)
			}
			res, err := testClient().Exchange(context.Background(), f.request(t))
			var re *RefusalError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (%T), want *RefusalError", err, err)
			}
			if re.Phase != row.phase || re.Status != row.status || re.Code != row.code || re.Description != row.desc {
				t.Errorf("refusal = %+v", re)
			}
			// The fake is on this computer, where no other audience is tried,
			// even after a refusal another audience may cure.
			if res.FrontdoorURI != "" || res.Attempts != 1 || len(res.AudiencesTried) != 1 {
				t.Errorf("result = %+v", res)
			}
			if row.phase == PhaseToken && f.saHits.Load() != 0 {
				t.Error("singleaccess called after a token refusal")
			}
			d := Diagnose(err)
			if row.step == "" {
				if d != nil {
					t.Errorf("unknown refusal got an invented diagnosis: %+v", d)
				}
				if !strings.Contains(err.Error(), row.desc) {
					t.Errorf("error %q does not carry the server's words", err)
				}
				return
			}
			if d == nil {
				t.Fatalf("no diagnosis for %s", row.name)
			}
			if d.Step != row.step || d.Title == "" || len(d.Fix) < 60 {
				t.Errorf("diagnosis = %+v, want step %s with a title and a fix", d, row.step)
			}
			if !validStep(d.Step) {
				t.Errorf("step %q is not a checklist id of docs/cli.md", d.Step)
			}
		})
	}
}

func validStep(s string) bool {
	for _, id := range strings.Fields("org-login-url key-generate eca-scopes eca-jwt-enable eca-cert-upload eca-refresh-secret " +
		"eca-consumer-key permset-create permset-access permset-assign eca-permitted-users eca-app-policies viewer-assign " +
		"key-store jwt-user system-clock live-test") {
		if s == id {
			return true
		}
	}
	return false
}

// The fixes name the Setup path and the value to set.
func TestDiagnosisFixesNameSetupPaths(t *testing.T) {
	want := map[string][]string{
		"eca-cert-upload":     {"External Client App Manager", "Enable JWT Bearer Flow", "sf_public_cert.crt"},
		"eca-consumer-key":    {"Consumer Key and Secret", "10 minutes"},
		"eca-permitted-users": {"Permitted Users", "Admin approved users are pre-authorized"},
		"eca-app-policies":    {"App Policies", "permission set"},
		"eca-scopes":          {"OAuth Scopes", "(web)", "refresh_token"},
		"jwt-user":            {"Setup"},
		"org-login-url":       {},
		"system-clock":        {"clock"},
	}
	for _, row := range catalogueRows {
		if row.step == "" {
			continue
		}
		err := &RefusalError{Phase: row.phase, Status: row.status, Code: row.code, Description: row.desc}
		d := Diagnose(err)
		for _, w := range want[row.step] {
			if !strings.Contains(d.Fix, w) {
				t.Errorf("%s: fix %q does not mention %q", row.name, d.Fix, w)
			}
		}
	}
	d := Diagnose(&RefusalError{Phase: PhaseToken, Code: "invalid_grant", Description: "audience is invalid", Audience: SandboxAudience})
	// The fix names the org-type choice; the flag that makes it (--sandbox)
	// is the CLI's to add (OrgType), since the GUI shows Fix word for word.
	for _, w := range []string{"sandbox", "production", "aud = https://test.salesforce.com", "the org type matches this org", "tries both"} {
		if !strings.Contains(d.Fix, w) {
			t.Errorf("audience fix %q does not mention %q", d.Fix, w)
		}
	}
	if !d.OrgType {
		t.Error("audience diagnosis does not ask for the org-type hint")
	}
	d = Diagnose(&RefusalError{Phase: PhaseSingleAccess, Code: "Bad_OAuth_Token"})
	if !strings.Contains(d.Fix, "API Only User") {
		t.Errorf("Bad_OAuth_Token fix: %q", d.Fix)
	}
}

// The GUI shows Fix word for word: no fix may give command-line advice. The
// CLI adds its own hints from Retry and OrgType.
func TestDiagnosisFixesAreFrontEndNeutral(t *testing.T) {
	for _, row := range catalogueRows {
		err := &RefusalError{Phase: row.phase, Status: row.status, Code: row.code, Description: row.desc,
			Audience: SandboxAudience, Waited: time.Minute, Attempts: 5}
		d := Diagnose(err)
		if d == nil {
			continue
		}
		if strings.Contains(d.Fix, "tnjwt test") || strings.Contains(d.Fix, " --") {
			t.Errorf("%s: fix gives command-line advice: %q", row.name, d.Fix)
		}
	}
	if d := Diagnose(&RefusalError{Phase: PhaseToken, Code: "invalid_client_id"}); !d.Retry {
		t.Error("invalid_client_id diagnosis does not ask for the retry hint")
	}
	if d := Diagnose(&RefusalError{Phase: PhaseToken, Code: "app_not_found"}); d.Retry {
		t.Error("app_not_found asks for the retry hint, but the client only retries invalid_client_id")
	}
}

func TestDiagnoseNonRefusals(t *testing.T) {
	if Diagnose(nil) != nil || Diagnose(errors.New("boom")) != nil ||
		Diagnose(&TransportError{Phase: PhaseToken, Kind: KindTimeout}) != nil {
		t.Error("Diagnose invents a cause for a non-refusal")
	}
	// Rows are phase-specific: a token-phase Invalid_Scope is unknown.
	if d := Diagnose(&RefusalError{Phase: PhaseToken, Code: "Invalid_Scope"}); d != nil {
		t.Errorf("token-phase Invalid_Scope diagnosed as %+v", d)
	}
}

func TestClockSkewDiagnosis(t *testing.T) {
	cases := []struct {
		skew time.Duration
		want string
	}{
		{7 * time.Minute, "Your clock is 7 minutes behind Salesforce's"},
		{-7 * time.Minute, "Your clock is 7 minutes ahead of Salesforce's"},
		{2*time.Hour + 5*time.Minute, "2 hours 5 minutes behind"},
		{30 * time.Second, "agrees with Salesforce's"},
		{0, "agrees with Salesforce's"},
	}
	for _, c := range cases {
		clock := newFakeClock(fixedNow)
		f := newFake(t)
		f.token = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", clock.Now().Add(c.skew).UTC().Format(http.TimeFormat))
			writeJSON(w, 400, `{"error":"invalid_grant","error_description":"expired authorization code"}`)
		}
		cl := testClient()
		cl.Now = clock.Now
		_, err := cl.Exchange(context.Background(), f.request(t))
		var re *RefusalError
		if !errors.As(err, &re) || re.ClockSkew != c.skew {
			t.Errorf("skew %v: err = %v, measured %v", c.skew, err, re)
			continue
		}
		d := Diagnose(err)
		if d == nil || d.Step != "system-clock" || !strings.Contains(d.Fix, c.want) {
			t.Errorf("skew %v: diagnosis %+v, want %q", c.skew, d, c.want)
		}
	}
}

// transportCase is a server fault that must end as a TransportError of a kind.
func TestExchangeTransportFaults(t *testing.T) {
	huge := strings.Repeat("x", MaxReplyBytes+10)
	cases := []struct {
		name      string
		token, sa http.HandlerFunc
		kind      string
		phase     string
		mention   string
		noSA      bool // singleaccess must not be called
	}{
		{name: "malformed token JSON", token: answer(200, jsonCT, `{"access_token":"abc","instance_url":`),
			kind: KindBadReply, phase: PhaseToken, mention: "not valid JSON", noSA: true},
		{name: "token 200 without access_token", token: answer(200, jsonCT, `{"instance_url":"https://acme.my.salesforce.com"}`),
			kind: KindBadReply, phase: PhaseToken, mention: "no access_token", noSA: true},
		{name: "HTML 500 page", token: answer(500, "text/html; charset=utf-8", "<html><body><h1>Internal Server Error</h1></body></html>"),
			kind: KindServer, phase: PhaseToken, mention: "HTTP 500", noSA: true},
		{name: "JSON 503", token: answer(503, jsonCT, `{"error":"unknown_error","error_description":"retry your request"}`),
			kind: KindServer, phase: PhaseToken, mention: "retry your request", noSA: true},
		{name: "HTML 404 token", token: answer(404, "text/html", "<html>Page not found</html>"),
			kind: KindBadReply, phase: PhaseToken, mention: "check that the login URL", noSA: true},
		{name: "huge token body", token: answer(200, jsonCT, huge),
			kind: KindTooLarge, phase: PhaseToken, mention: "reply too large", noSA: true},
		{name: "huge singleaccess body", sa: answer(200, jsonCT, huge),
			kind: KindTooLarge, phase: PhaseSingleAccess, mention: "reply too large"},
		{name: "non-https instance_url", token: answer(200, jsonCT, `{"access_token":"`+testToken+`","scope":"web",`+
			`"instance_url":"http://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer"}`),
			kind: KindUnsafeHost, phase: PhaseToken, mention: "not https", noSA: true},
		{name: "wrong frontdoor host", sa: answer(200, jsonCT, `{"frontdoor_uri":"https://evil.example.com/secur/frontdoor.jsp?otp=x"}`),
			kind: KindUnsafeHost, phase: PhaseSingleAccess, mention: "evil.example.com"},
		{name: "frontdoor missing", sa: answer(200, jsonCT, `{}`),
			kind: KindBadReply, phase: PhaseSingleAccess, mention: "no frontdoor_uri"},
		{name: "singleaccess malformed", sa: answer(200, jsonCT, `{"frontdoor_uri":`),
			kind: KindBadReply, phase: PhaseSingleAccess, mention: "not valid JSON"},
		{name: "singleaccess HTML 403", sa: answer(403, "text/html", "<html>Forbidden</html>"),
			kind: KindBadReply, phase: PhaseSingleAccess, mention: "HTTP 403"},
		{name: "singleaccess 502", sa: answer(502, "text/html", "<html>Bad gateway</html>"),
			kind: KindServer, phase: PhaseSingleAccess, mention: "HTTP 502"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.token, f.sa = c.token, c.sa
			res, err := testClient().Exchange(context.Background(), f.request(t))
			var te *TransportError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v (%T), want *TransportError", err, err)
			}
			if te.Kind != c.kind || te.Phase != c.phase || !strings.Contains(err.Error(), c.mention) {
				t.Errorf("err = %+v (%q), want kind %s phase %s mentioning %q", te, err, c.kind, c.phase, c.mention)
			}
			if c.noSA && f.saHits.Load() != 0 {
				t.Error("singleaccess was called")
			}
			if res.FrontdoorURI != "" {
				t.Error("a frontdoor URL came out of a failure")
			}
			if Diagnose(err) != nil {
				t.Error("transport fault diagnosed")
			}
		})
	}
}

func TestExchangeTimeout(t *testing.T) {
	f := newFake(t)
	f.token = f.hang
	c := testClient()
	c.Timeout = 150 * time.Millisecond
	_, err := c.Exchange(context.Background(), f.request(t))
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindTimeout || !strings.Contains(err.Error(), "within 150 milliseconds") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestExchangeRedirectIsReportedNotFollowed(t *testing.T) {
	var targetHits int
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { targetHits++ }))
	defer target.Close()
	// A caller's own http.Client (which would follow redirects) and no client
	// at all behave the same as NewClient's.
	clients := []*Client{testClient(), {HTTP: &http.Client{}}, {}}
	for i, loc := range []string{"https://acme.my.salesforce.com/services/oauth2/token", target.URL + "/services/oauth2/token",
		target.URL + "/services/oauth2/token"} {
		f := newFake(t)
		f.token = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, loc, http.StatusFound) }
		_, err := clients[i].Exchange(context.Background(), f.request(t))
		var te *TransportError
		if !errors.As(err, &te) || te.Kind != KindRedirect || te.Location != loc {
			t.Fatalf("err = %+v, want a redirect to %s", err, loc)
		}
		want := strings.TrimSuffix(loc, "/services/oauth2/token")
		if !strings.Contains(te.Problem, "redirects to "+loc+": use that login URL ("+want+")") {
			t.Errorf("problem = %q", te.Problem)
		}
		if d := Diagnose(err); d == nil || d.Step != "org-login-url" {
			t.Errorf("redirect diagnosis = %+v", d)
		}
	}
	if targetHits != 0 {
		t.Errorf("the redirect was followed (%d hits)", targetHits)
	}
}

func TestExchangeConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	req := Request{LoginURL: "http://" + addr, ClientID: emulatortest.ConsumerKey, Username: emulatortest.Username, Key: emulatortest.Keys().Key}
	_, err = testClient().Exchange(context.Background(), req)
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindConnect || !strings.Contains(te.Problem, "cannot connect to "+addr) {
		t.Fatalf("err = %v, want connection refused", err)
	}
}

// The default client trusts the system roots only, so httptest's own
// certificate is refused; HTTPS to a plain-HTTP port is a TLS fault too.
func TestExchangeTLSFaults(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	plain := newFake(t)
	for _, u := range []string{tlsSrv.URL, strings.Replace(plain.srv.URL, "http://", "https://", 1)} {
		req := Request{LoginURL: u, ClientID: emulatortest.ConsumerKey, Username: emulatortest.Username, Key: emulatortest.Keys().Key}
		_, err := testClient().Exchange(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) || te.Kind != KindTLS {
			t.Errorf("%s: err = %v, want a TLS fault", u, err)
		}
	}
}

func TestBadInputSendsNothing(t *testing.T) {
	f := newFake(t)
	good := f.request(t)
	cases := map[string]func(r *Request){
		"bad login URL":  func(r *Request) { r.LoginURL = "https://acme.lightning.force.com" },
		"http non-loop":  func(r *Request) { r.LoginURL = "http://acme.my.salesforce.com" },
		"no key":         func(r *Request) { r.Key = nil },
		"no client id":   func(r *Request) { r.ClientID = " " },
		"no username":    func(r *Request) { r.Username = "" },
		"bad audience":   func(r *Request) { r.Audience = "login.salesforce.com" },
		"absolute redir": func(r *Request) { r.RedirectPath = "https://evil.example.com" },
	}
	for name, mutate := range cases {
		r := good
		mutate(&r)
		_, err := testClient().Exchange(context.Background(), r)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: err = %v, want *InputError", name, err)
		}
	}
	if n := f.hits(); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

// The access token and the key never show in errors or results, even when a
// server echoes the token back.
func TestSecretsStayOutOfErrors(t *testing.T) {
	f := newFake(t)
	var token string // the practice org's, as the client sent it
	f.sa = func(w http.ResponseWriter, r *http.Request) {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(403)
		fmt.Fprintf(w, "Bad_OAuth_Token: %s", token)
	}
	res, err := testClient().Exchange(context.Background(), f.request(t))
	if err == nil || len(token) < 40 {
		t.Fatalf("want a refusal after a token was sent: %v", err)
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", res), Diagnose(err).Fix}
	var re *RefusalError
	if errors.As(err, &re) {
		texts = append(texts, re.Description, fmt.Sprintf("%#v", re))
	}
	for _, s := range texts {
		if strings.Contains(s, token) || strings.Contains(s, token[len(token)-20:]) {
			t.Errorf("access token leaked: %s", s)
		}
	}
	if !strings.Contains(re.Description, "[redacted]") {
		t.Errorf("description = %q, want the echoed token redacted", re.Description)
	}
}

func TestPropagationPollsEveryTwoSeconds(t *testing.T) {
	f := newFake(t)
	f.token = answer(400, jsonCT, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
	clock := newFakeClock(fixedNow)
	c := testClient()
	c.Now, c.Sleep = clock.Now, clock.Sleep
	req := f.request(t)
	req.Wait = 2 * time.Minute
	var seen []Attempt
	req.OnAttempt = func(a Attempt) { seen = append(seen, a) }
	res, err := c.Exchange(context.Background(), req)

	// Tries at 0, 2, 4 … 120 s: the 62nd would start past 2 minutes.
	got := clock.slept()
	if len(got) != 60 {
		t.Fatalf("slept %d times (%v), want 60", len(got), got)
	}
	for i, d := range got {
		if d != RetryInterval || seen[i].Next != d || seen[i].N != i+1 || seen[i].Err == nil {
			t.Errorf("attempt %d: slept %v, reported %+v", i+1, d, seen[i])
		}
	}
	if res.Attempts != 61 || len(seen) != 61 || seen[60].Next != 0 || int(f.tokenHits.Load()) != 61 {
		t.Errorf("attempts %d, reported %d, last %+v, server saw %d", res.Attempts, len(seen), seen[len(seen)-1], f.tokenHits.Load())
	}
	var re *RefusalError
	if !errors.As(err, &re) || re.Attempts != 61 || re.Waited != 2*time.Minute {
		t.Fatalf("err = %+v", err)
	}
	if d := Diagnose(err); d.Step != "eca-consumer-key" || !strings.Contains(d.Fix, "2 minutes (61 attempts)") {
		t.Errorf("diagnosis after waiting: %+v", d)
	}
}

// An app that goes live at a moment the client cannot know is reported
// live within 3 s of it, and the token endpoint never sees two requests
// less than 2 s apart.
func TestPropagationReportsSoonAfterTheAppGoesLive(t *testing.T) {
	for _, liveAfter := range []time.Duration{0, 1 * time.Second, 37300 * time.Millisecond, 4*time.Minute + 59*time.Second, 9 * time.Minute} {
		f := newFake(t)
		clock := newFakeClock(fixedNow)
		live := fixedNow.Add(liveAfter)
		var (
			mu       sync.Mutex
			requests []time.Time
		)
		f.token = func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests = append(requests, clock.Now())
			mu.Unlock()
			if clock.Now().Before(live) {
				writeJSON(w, 400, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
				return
			}
			f.org.ServeHTTP(w, r)
		}
		c := testClient()
		c.Sleep = clock.Sleep // the assertion's exp keeps the real clock, which the practice org checks
		req := f.request(t)
		req.Wait = 10 * time.Minute
		res, err := c.Exchange(context.Background(), req)
		if err != nil || res.FrontdoorURI == "" {
			t.Fatalf("live after %v: %v", liveAfter, err)
		}
		if late := clock.Now().Sub(live); late > 3*time.Second {
			t.Errorf("live after %v: success reported %v after the app went live", liveAfter, late)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i < len(requests); i++ {
			if gap := requests[i].Sub(requests[i-1]); gap < 2*time.Second {
				t.Errorf("live after %v: token requests %d and %d only %v apart", liveAfter, i, i+1, gap)
			}
		}
	}
}

func TestPropagationRecovers(t *testing.T) {
	f := newFake(t)
	f.token = func(w http.ResponseWriter, r *http.Request) {
		if f.tokenHits.Load() <= 2 {
			writeJSON(w, 400, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
			return
		}
		f.org.ServeHTTP(w, r)
	}
	clock := newFakeClock(fixedNow)
	c := testClient()
	c.Sleep = clock.Sleep
	req := f.request(t)
	req.Wait = 10 * time.Minute
	res, err := c.Exchange(context.Background(), req)
	if err != nil || res.Attempts != 3 || res.FrontdoorURI == "" {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestOnlyClientIDIsRetried(t *testing.T) {
	for _, body := range []string{
		`{"error":"invalid_grant","error_description":"invalid assertion"}`,
		`{"error":"app_not_found","error_description":"External client app is not installed in this org"}`,
	} {
		f := newFake(t)
		f.token = answer(400, jsonCT, body)
		clock := newFakeClock(fixedNow)
		c := testClient()
		c.Now, c.Sleep = clock.Now, clock.Sleep
		req := f.request(t)
		req.Wait = 10 * time.Minute
		res, err := c.Exchange(context.Background(), req)
		if err == nil || res.Attempts != 1 || len(clock.slept()) != 0 || f.tokenHits.Load() != 1 {
			t.Errorf("%s: attempts %d slept %v", body, res.Attempts, clock.slept())
		}
	}
	// No budget, no retry.
	f := newFake(t)
	f.token = answer(400, jsonCT, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
	res, _ := testClient().Exchange(context.Background(), f.request(t))
	if res.Attempts != 1 {
		t.Errorf("retried without a wait budget: %d", res.Attempts)
	}
}

// Cancelling during the wait stops at once, with the real timer.
func TestPropagationCancelStopsAtOnce(t *testing.T) {
	f := newFake(t)
	f.token = answer(400, jsonCT, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := f.request(t)
	req.Wait = time.Hour
	req.OnAttempt = func(a Attempt) {
		if a.Next > 0 {
			cancel()
		}
	}
	c := testClient() // real sleep: if cancel were ignored the test would wait 2 s, then loop for an hour
	res, err := c.Exchange(ctx, req)
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindCancelled || res.Attempts != 1 || f.tokenHits.Load() != 1 {
		t.Fatalf("err %v attempts %d", err, res.Attempts)
	}
}

// trusting pins the client to the test server's certificate, keeping the
// rest of NewClient's transport (proxy from the environment, TLS 1.2+).
func trusting(t *testing.T, c *Client, srv *httptest.Server) {
	t.Helper()
	tr, ok := c.HTTP.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.HTTP.Transport)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr.TLSClientConfig.RootCAs = pool
}

func TestNewClientTransport(t *testing.T) {
	c := NewClient(time.Second)
	tr := c.HTTP.Transport.(*http.Transport)
	if tr.Proxy == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.TLSClientConfig.RootCAs != nil ||
		tr.TLSClientConfig.InsecureSkipVerify || c.Timeout != time.Second {
		t.Errorf("transport: proxy set %v, TLS %+v", tr.Proxy != nil, tr.TLSClientConfig)
	}
	// The proxy function is the environment's: loopback is never proxied.
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/services/oauth2/token", nil)
	if u, err := tr.Proxy(req); u != nil || err != nil {
		t.Errorf("loopback proxied via %v (%v)", u, err)
	}
}

func TestExchangeOverTLS12(t *testing.T) {
	f := newFakeStarted(t, (*httptest.Server).StartTLS)
	c := testClient()
	trusting(t, c, f.srv)
	res, err := c.Exchange(context.Background(), f.request(t))
	if err != nil || !strings.HasPrefix(res.FrontdoorURI, f.srv.URL+"/secur/frontdoor.jsp") || res.InstanceURL != f.srv.URL {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestExchangeRefusesOldTLS(t *testing.T) {
	f := newFakeStarted(t, func(s *httptest.Server) {
		s.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
		s.StartTLS()
	})
	c := testClient()
	trusting(t, c, f.srv)
	_, err := c.Exchange(context.Background(), f.request(t))
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindTLS || f.tokenHits.Load() != 0 {
		t.Fatalf("err = %v, want a TLS refusal", err)
	}
}

// Cancelling while a request is in flight stops it, as a cancellation rather
// than a timeout.
func TestExchangeCancelledInFlight(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.token = func(w http.ResponseWriter, r *http.Request) {
		cancel()
		f.hang(w, r)
	}
	_, err := testClient().Exchange(ctx, f.request(t))
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindCancelled {
		t.Fatalf("err = %v, want cancelled", err)
	}
}

func TestPhasesAreReportedAsTheyHappen(t *testing.T) {
	f := newFake(t)
	req := f.request(t)
	var got []string
	req.OnPhase = func(e PhaseEvent) {
		mark := "start"
		if e.Done {
			mark = "end"
			if e.Took <= 0 {
				t.Errorf("%s ended with no time", e.Phase)
			}
			if e.Err != nil {
				mark = "failed"
			}
		}
		got = append(got, fmt.Sprintf("%d %s %s", e.Attempt, e.Phase, mark))
	}
	if _, err := testClient().Exchange(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	want := "1 sign start,1 sign end,1 token start,1 token end,1 singleaccess start,1 singleaccess end"
	if strings.Join(got, ",") != want {
		t.Errorf("phases %v, want %s", got, want)
	}

	got = nil
	f.token = answer(400, jsonCT, `{"error":"invalid_grant","error_description":"invalid assertion"}`)
	if _, err := testClient().Exchange(context.Background(), req); err == nil {
		t.Fatal("refusal not reported")
	}
	if want := "1 sign start,1 sign end,1 token start,1 token failed"; strings.Join(got, ",") != want {
		t.Errorf("phases %v, want %s", got, want)
	}
}

// Result.Sent is the assertion that really went out, decoded.
func TestSentIsWhatTheTokenRequestCarried(t *testing.T) {
	f := newFake(t)
	var (
		mu     sync.Mutex
		header map[string]json.RawMessage
		claims map[string]json.RawMessage
	)
	f.token = func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.PostFormValue("assertion"), ".")
		mu.Lock()
		header, claims = decodeSegment(t, parts[0]), decodeSegment(t, parts[1])
		mu.Unlock()
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"invalid assertion"}`)
	}
	res, _ := testClient().Exchange(context.Background(), f.request(t))
	mu.Lock()
	defer mu.Unlock()
	s := res.Sent
	if s == nil {
		t.Fatal("nothing recorded as sent")
	}
	q := strconv.Quote
	if string(header["alg"]) != q(s.Alg) || string(header["typ"]) != q(s.Typ) || string(claims["iss"]) != q(s.Iss) ||
		string(claims["sub"]) != q(s.Sub) || string(claims["aud"]) != q(s.Aud) ||
		string(claims["exp"]) != strconv.FormatInt(s.Exp.Unix(), 10) {
		t.Errorf("sent %+v, the server saw header %v claims %v", s, header, claims)
	}
	if s.TokenEndpoint != f.srv.URL+"/services/oauth2/token" {
		t.Errorf("token endpoint %q", s.TokenEndpoint)
	}
}

// One attempt is no wait: the fix says nothing about having kept trying.
func TestOneAttemptIsNotCalledAWait(t *testing.T) {
	one := &RefusalError{Phase: PhaseToken, Code: "invalid_client_id", Description: "client identifier invalid",
		Attempts: 1, Waited: 3 * time.Millisecond}
	if d := Diagnose(one); d == nil || strings.Contains(d.Fix, "kept answering") {
		t.Errorf("one attempt: %+v", d)
	}
	many := &RefusalError{Phase: PhaseToken, Code: "invalid_client_id", Attempts: 40, Waited: 80 * time.Second}
	if d := Diagnose(many); d == nil || !strings.Contains(d.Fix, "kept answering this for 1 minute 20 seconds (40 attempts)") {
		t.Errorf("many attempts: %+v", d)
	}
}
