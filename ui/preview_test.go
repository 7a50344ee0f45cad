package ui

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/wizard"
)

// toDonePracticing walks practice mode to the Done screen, with every item
// ticked and a passing live test.
func (e *env) toDonePracticing() *previewPanel {
	e.t.Helper()
	e.s.deps.anyPort = true
	e.practiceWalk("", false)
	test.Tap(e.liveTest().run)
	e.settle()
	e.next()
	if e.at() != wizard.StepDone {
		e.t.Fatalf("at %s, want Done", e.at())
	}
	return e.s.screen(wizard.StepDone).(*doneScreen).preview
}

// pageRequest is the preview page's own request, as a browser sends it.
func pageRequest(t *testing.T, method, u, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// The Done screen's Preview embedding, as the page drives it: it starts
// on the practice org and opens the browser, each load signs in, an
// outcome the page reports is shown with Go to step, and leaving the
// screen stops it.
func TestDonePreviewShowsWhatThePageReports(t *testing.T) {
	e := newEnv(t)
	var opened string
	p := e.toDonePracticing()
	e.s.deps.openURL = func(u *url.URL) error { opened = u.String(); return nil }
	if p.dashboard.Text != wizard.PracticeDashboard {
		t.Errorf("the dashboard field holds %q, want the practice org's %s", p.dashboard.Text, wizard.PracticeDashboard)
	}
	e.tap(&p.run.Button)
	if p.srv == nil || opened != p.srv.URL || !strings.HasPrefix(opened, "http://localhost:") {
		t.Fatalf("the preview did not start and open: %q (state %q)", opened, p.state.Text)
	}
	e.see("The preview runs at " + p.srv.URL)
	base := p.srv.URL

	if resp := pageRequest(t, "GET", base, ""); resp.StatusCode != 200 {
		t.Fatalf("the page: %d", resp.StatusCode)
	}
	e.settle()
	e.see("The page is loading in your browser")
	var cred struct{ AuthCredential, OrgURL string }
	if err := json.NewDecoder(pageRequest(t, "GET", base+"auth-credential", "").Body).Decode(&cred); err != nil ||
		!strings.HasPrefix(cred.AuthCredential, e.s.practice.org.URL()+"/secur/frontdoor.jsp?otp=") {
		t.Fatalf("the credential: %v %+v", err, cred)
	}
	e.settle()
	e.see("Signed in as " + wizard.PracticeUser)

	// The practice org refuses the frame of an origin it does not trust, and
	// says so: the outcome then names that one setting.
	e.jump(wizard.StepEmbed)
	test.Tap(e.checklist(wizard.StepEmbed).checks[wizard.IDEmbedFrames])
	e.settle()
	e.jump(wizard.StepDone)
	e.tap(&p.run.Button)
	base = p.srv.URL
	pageRequest(t, "GET", base+"auth-credential", "")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	authPath := "/lwr/application/amd/0/ai/lightningout%2Fauth?parentElementId=k2j&loAppOrigin=" + url.QueryEscape(strings.TrimSuffix(base, "/"))
	resp, err := browser.Get(cred.AuthCredential + "&startURL=" + url.QueryEscape(authPath))
	if err == nil {
		resp.Body.Close()
	}
	e.settle()
	pageRequest(t, "POST", base+"report", `{"outcome":"init-error","dashboard":"Sales_Overview","words":"Unknown error, unable to load the iframe."}`)
	e.settle()
	e.see("The Salesforce session could not be opened inside this page (the SDK reported INITIALIZATION_ERROR).")
	e.see("Practice org: it says this is the setting that stopped the session.")
	e.see("Trusted Domains for Inline Frames")
	e.notSee("Require first-party use of Salesforce cookies")
	goTo := findButton(p.outcome, "Go to step")
	if goTo == nil {
		t.Fatal("the outcome has no Go to step")
	}
	e.tap(goTo)
	if e.at() != wizard.StepEmbed {
		t.Fatalf("Go to step opened %s, want Embedding settings", e.at())
	}
	if p.srv != nil {
		t.Error("leaving the Done screen left the preview running")
	}
	p.closing.Wait()
	if _, err := http.Get(base); err == nil {
		t.Error("the stopped preview still answers")
	}
}

func TestDonePreviewRefusesABadDashboardName(t *testing.T) {
	e := newEnv(t)
	p := e.toDonePracticing()
	p.dashboard.SetText("Sales Overview")
	e.tap(&p.run.Button)
	if p.srv != nil || !p.dashMsg.Visible() || !strings.Contains(p.dashMsg.Text, "not an API name") {
		t.Errorf("a label instead of an API name: running %v, message %q", p.srv != nil, p.dashMsg.Text)
	}
	if got := e.s.wiz.State().Profile.Embedding.PreviewDashboard; got != "" {
		t.Errorf("the refused name was remembered as %q", got)
	}
}

// The first preview fetches the SDK and keeps it: the panel then says the
// page gets it from tnjwt's copy, and serves it itself.
func TestDonePreviewKeepsTheSDKItFetched(t *testing.T) {
	e := newEnv(t)
	sdk := []byte("export function initializeAnalyticsSdk(){} // stands in for the SDK")
	var fetches atomic.Int32
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Write(sdk)
	}))
	defer cdn.Close()
	sum := sha512.Sum384(sdk)
	store := preview.SDKStore{Dir: filepath.Join(t.TempDir(), "sdk"), URL: cdn.URL + "/sdk-bundle.module.js",
		Integrity: "sha384-" + base64.StdEncoding.EncodeToString(sum[:])}
	e.s.deps.sdk = &store
	p := e.toDonePracticing()
	e.see("is fetched once from " + store.URL + " when the preview starts")
	e.tap(&p.run.Button)
	if p.srv == nil {
		t.Fatalf("the preview did not start: %q", p.state.Text)
	}
	e.see("comes from tnjwt's copy (" + store.Path() + ")")
	resp := pageRequest(t, "GET", strings.TrimSuffix(p.srv.URL, "/")+embedding.LocalSDK, "")
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(body) != string(sdk) {
		t.Errorf("the page's SDK: %d %q", resp.StatusCode, body)
	}
	e.tap(&p.run.Button) // stop
	e.tap(&p.run.Button) // and start again: no second fetch
	if n := fetches.Load(); n != 1 {
		t.Errorf("fetched %d times, want once", n)
	}
}
