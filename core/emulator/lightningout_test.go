package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/emulator"
)

// The Lightning Out pages without a browser: what each answers, by its
// data-* attributes (what web/lightningout.js then says to the SDK), its
// headers and the request log. browser_test.go and core/export's browser
// test run the same pages in Chromium with the real SDK.

const appOrigin = "http://localhost:3000"

// loQuery is what the SDK adds to each Lightning Out address.
func loQuery(origin string) string {
	return "?parentElementId=k2j8f5l9m&loAppOrigin=" + url.QueryEscape(origin) + "&loVersion=2.2.3"
}

const (
	authPath      = "/lwr/application/amd/0/ai/lightningout%2Fauth"
	containerPath = "/lwr/application/amd/0/l/en-US/ai/lightningout%2Fcontainer"
)

// noRedirects makes the org's client stop at each redirect, so a test can
// see where the frontdoor sends the browser.
func noRedirects(o *org) {
	o.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

// signIn opens a fresh frontdoor URL with extra query parameters and
// returns where it sent the browser; the org's client keeps the cookie.
func (o *org) signIn(extra string) string {
	o.t.Helper()
	noRedirects(o)
	r := o.request("GET", o.frontdoorPath(o.singleAccess(o.login(), ""))+extra, "", "", nil)
	if r.status != http.StatusFound {
		o.t.Fatalf("frontdoor: %d %s", r.status, r.body)
	}
	return r.header.Get("Location")
}

func TestFrontdoorGoesOnToStartURLOnThisOrgOnly(t *testing.T) {
	for _, c := range []struct {
		extra, want string
	}{
		{"", "/home"},
		{"&startURL=" + url.QueryEscape(authPath+loQuery(appOrigin)), authPath + loQuery(appOrigin)},
		{"&retURL=%2Flightning%2Fpage%2Fhome", "/lightning/page/home"},
		{"&startURL=https%3A%2F%2Fevil.example%2Fx", "/home"},
		{"&startURL=%2F%2Fevil.example%2Fx", "/home"},
		{"&startURL=%2F%5Cevil.example%2Fx", "/home"},
		{"&startURL=%5C%5Cevil.example", "/home"},
		{"&startURL=javascript%3Aalert(1)", "/home"},
		{"&startURL=https%3Aevil.example", "/home"},
		{"&startURL=%2Fok%0D%0ASet-Cookie%3A+x", "/home"},
	} {
		o := startOrg(t, goodConfig(t))
		if got := o.signIn(c.extra); got != c.want {
			t.Errorf("frontdoor%s went to %q, want %q", c.extra, got, c.want)
		}
	}
}

// auth loads the auth page as the SDK's hidden frame would.
func (o *org) auth(origin string) reply {
	o.t.Helper()
	return o.request("GET", authPath+loQuery(origin), "", "", nil)
}

func TestAuthPageSaysLoadedOnlyWithASession(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	if r := o.auth(appOrigin); r.status != http.StatusUnauthorized || strings.Contains(r.body, "data-outcome") {
		t.Errorf("without a session: %d %s", r.status, r.body)
	}
	if !strings.Contains(lastLog(o), "no session cookie") {
		t.Errorf("the log does not say why: %s", lastLog(o))
	}
	o.signIn("")
	r := o.auth(appOrigin)
	for _, want := range []string{`data-outcome="loaded"`, `data-role="auth"`, `data-lightning-domain="` + o.url + `"`, `src="/practice/lightningout.js"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the auth page lacks %s:\n%s", want, r.body)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); strings.Contains(csp, "frame-ancestors") {
		t.Errorf("a permissive org limits frames: %s", csp)
	}
}

func TestAuthPageAsksForMFAUnlessWaived(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	o.e.SetMFAForUILogins(true)
	o.signIn("")
	r := o.auth(appOrigin)
	if !strings.Contains(r.body, `data-outcome="redirect"`) || !strings.Contains(r.body, `data-redirect-url="/identity/verification"`) {
		t.Errorf("MFA required: %s", r.body)
	}
	if got := o.e.LastEmbedResult(); got != emulator.EmbedMFA {
		t.Errorf("LastEmbedResult = %q, want %q", got, emulator.EmbedMFA)
	}
	if err := o.e.SetMFAWaiver(username, true); err != nil {
		t.Fatal(err)
	}
	if r := o.auth(appOrigin); !strings.Contains(r.body, `data-outcome="loaded"`) {
		t.Errorf("with a waiver: %s", r.body)
	}
	if err := o.e.SetMFAWaiver("nobody@acme.com", true); err == nil {
		t.Error("a waiver for an unknown user was accepted")
	}
}

func TestFirstPartyCookiesKeepTheSessionOutOfOtherOriginsFrames(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	o.e.SetFirstPartyCookiesRequired(true)
	o.signIn("")
	if r := o.auth(appOrigin); r.status != http.StatusUnauthorized {
		t.Errorf("a frame of %s got the session: %d %s", appOrigin, r.status, r.body)
	}
	if !strings.Contains(lastLog(o), "requires first-party use of Salesforce cookies") {
		t.Errorf("the log does not say why: %s", lastLog(o))
	}
	if got := o.e.LastEmbedResult(); got != emulator.EmbedCookieKept {
		t.Errorf("LastEmbedResult = %q, want %q", got, emulator.EmbedCookieKept)
	}
	if r := o.auth(o.url); !strings.Contains(r.body, `data-outcome="loaded"`) {
		t.Errorf("the org's own page lost the session: %d %s", r.status, r.body)
	}
	o.e.SetFirstPartyCookiesRequired(false)
	if r := o.auth(appOrigin); !strings.Contains(r.body, `data-outcome="loaded"`) {
		t.Errorf("cookies allowed again: %d %s", r.status, r.body)
	}
}

func TestTrustedFrameOriginsBecomeFrameAncestors(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	if err := o.e.SetFrameOrigins([]string{"https://APP.acme.com:443", appOrigin}); err != nil {
		t.Fatal(err)
	}
	o.signIn("")
	r := o.auth("https://other.example")
	if got := o.e.LastEmbedResult(); got != emulator.EmbedFrameRefused {
		t.Errorf("LastEmbedResult = %q, want %q", got, emulator.EmbedFrameRefused)
	}
	want := "frame-ancestors 'self' https://app.acme.com http://localhost:3000"
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, want) {
		t.Errorf("CSP %q lacks %q", csp, want)
	}
	log := lastLog(o)
	for _, w := range []string{"frame-ancestors leaves out https://other.example", "the CORS allowlist leaves out https://other.example"} {
		if !strings.Contains(log, w) {
			t.Errorf("the log lacks %q: %s", w, log)
		}
	}
	if o.auth(appOrigin); o.e.LastEmbedResult() != emulator.EmbedOpened {
		t.Errorf("a trusted origin: LastEmbedResult = %q", o.e.LastEmbedResult())
	}
	for _, bad := range []string{"app.acme.com", "https://app.acme.com/path", "ftp://x.example", "https://", "https://u:p@x.example"} {
		if err := o.e.SetFrameOrigins([]string{bad}); err == nil {
			t.Errorf("SetFrameOrigins accepted %q", bad)
		}
	}
	if got := o.e.Settings().Embedding.FrameOrigins; strings.Join(got, " ") != "https://app.acme.com http://localhost:3000" {
		t.Errorf("a refused change changed the list: %q", got)
	}
}

func TestContainerNeedsTheEscapedPathAndASession(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	q := loQuery(appOrigin) + "&componentName=analytics_embedding%2Fdashboard3p"
	if r := o.request("GET", containerPath+q, "", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("without a session: %d", r.status)
	}
	o.signIn("")
	r := o.request("GET", containerPath+q, "", "", nil)
	if !strings.Contains(r.body, `data-role="container"`) || !strings.Contains(r.body, `data-component="dashboard3p"`) {
		t.Errorf("container: %d %s", r.status, r.body)
	}
	unescaped := strings.Replace(containerPath, "%2F", "/", 1)
	if r := o.request("GET", unescaped+q, "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("%s: %d, want 404", unescaped, r.status)
	}
	if r := o.request("GET", containerPath+"?componentName=x", "", "", nil); r.status != http.StatusBadRequest {
		t.Errorf("without parentElementId: %d", r.status)
	}
}

// component asks for an asset as the container page does.
func (o *org) component(component, name string) reply {
	o.t.Helper()
	q := url.Values{"component": {component}, "idOrApiName": {name}, "loAppOrigin": {appOrigin}}
	return o.request("GET", "/practice/component?"+q.Encode(), "", "", nil)
}

func TestComponentsAreTheOrgsAssets(t *testing.T) {
	o := startEdited(t, func(c *emulator.Config) { c.Dashboards = []string{"Pipeline"} })
	o.signIn("")
	r := o.component("dashboard3p", "Pipeline")
	var a struct {
		Kind, APIName, Label, Note string
		Pages                      []string
	}
	if err := json.Unmarshal([]byte(r.body), &a); err != nil || r.status != 200 {
		t.Fatalf("Pipeline: %d %s", r.status, r.body)
	}
	if a.Kind != "dashboard" || a.APIName != "Pipeline" || a.Note != "Practice org: no real data" {
		t.Errorf("Pipeline: %+v", a)
	}
	for _, c := range []struct{ component, name, want string }{
		{"dashboard3p", "Sales_Overview", `No dashboard with the API name or id \"Sales_Overview\"`},
		{"metric3p", "Total_Revenue", ""},
		{"visualization3p", "Pipeline_By_Stage", ""},
		{"agent3p", "Any", "The practice org has no agents"},
		{"report3p", "Any", `Unknown Tableau Next component \"report3p\"`},
	} {
		r := o.component(c.component, c.name)
		if c.want == "" && r.status != 200 || c.want != "" && (r.status != 404 || !strings.Contains(r.body, c.want)) {
			t.Errorf("%s %s: %d %s", c.component, c.name, r.status, r.body)
		}
	}
}

func TestCORSAllowlistDecidesTheHeaders(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	if err := o.e.SetCORSOrigins([]string{appOrigin}); err != nil {
		t.Fatal(err)
	}
	preflight := func(origin string) reply {
		return o.request("OPTIONS", "/services/data/", "", "", map[string]string{"Origin": origin, "Access-Control-Request-Method": "GET"})
	}
	if r := preflight(appOrigin); r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("trusted preflight: %d %v", r.status, r.header)
	}
	if r := preflight("https://evil.example"); r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("untrusted preflight: %d %v", r.status, r.header)
	}
	r := o.request("GET", "/services/data/", "", "", map[string]string{"Origin": "https://evil.example"})
	if r.header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(lastLog(o), "not in the CORS allowlist") {
		t.Errorf("untrusted GET: %v, log %s", r.header, lastLog(o))
	}
}

func TestLogoutEndsTheSessionAndGoesOnOnThisOrg(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	o.signIn("")
	next := "/lightning/lightning.out.logout.html" + loQuery(appOrigin)
	r := o.request("GET", "/secur/logout.jsp?redirect-uri="+url.QueryEscape(next), "", "", nil)
	if r.status != http.StatusFound || r.header.Get("Location") != next {
		t.Errorf("logout: %d to %q", r.status, r.header.Get("Location"))
	}
	if r := o.request("GET", next, "", "", nil); !strings.Contains(r.body, `data-role="logout"`) {
		t.Errorf("the logout page: %s", r.body)
	}
	if r := o.auth(appOrigin); r.status != http.StatusUnauthorized {
		t.Errorf("after logout the session still works: %d", r.status)
	}
	if r := o.request("GET", "/secur/logout.jsp?redirect-uri=https%3A%2F%2Fevil.example", "", "", nil); r.status != http.StatusOK {
		t.Errorf("logout to another site: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestScriptAndStyleAreServed(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	for path, want := range map[string]string{"/practice/lightningout.js": "lo.getComponentData", "/practice/practice.css": ".practice-asset"} {
		if r := o.request("GET", path, "", "", nil); r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d", path, r.status)
		}
	}
}

func lastLog(o *org) string {
	reqs := o.e.Requests()
	if len(reqs) == 0 {
		return ""
	}
	return reqs[len(reqs)-1].String()
}

func TestStartNamesLocalhostAsAsked(t *testing.T) {
	for addr, prefix := range map[string]string{"localhost:0": "http://localhost:", "127.0.0.1:0": "http://127.0.0.1:"} {
		srv, err := emulator.Start(addr, emulator.New(nil, emulator.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(srv.URL, prefix) {
			t.Errorf("Start(%q).URL = %q", addr, srv.URL)
		}
		resp, err := http.Get(srv.URL + "/home")
		if err != nil {
			t.Fatalf("%s: %v", srv.URL, err)
		}
		resp.Body.Close()
		srv.Close()
	}
}
