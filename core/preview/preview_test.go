package preview

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tnjwt/tnjwt/core/embedding"
)

const fakeFrontdoor = "http://localhost:1/secur/frontdoor.jsp?otp=SECRETONETIME"

// events records what a preview said, safe from its handlers' goroutines.
type events struct {
	mu   sync.Mutex
	list []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
}

func (e *events) all() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.list...)
}

func start(t *testing.T, opts Options) (*Server, *events) {
	t.Helper()
	ev := &events{}
	if opts.Credential == nil {
		opts.Credential = func(context.Context) (Credential, error) {
			return Credential{AuthCredential: fakeFrontdoor, OrgURL: "http://localhost:1"}, nil
		}
	}
	opts.OnEvent = ev.add
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, ev
}

// get asks the preview for path with the host name and headers given.
func get(t *testing.T, srv *Server, method, path, host string, hdr map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

func TestPreviewServesThePageUnderAStrictPolicy(t *testing.T) {
	srv, ev := start(t, Options{Dashboard: "Sales_Overview", FrameSources: []string{"https://acme.my.salesforce.com"}})
	if !strings.HasPrefix(srv.URL, "http://localhost:") || !strings.HasSuffix(srv.URL, "/") {
		t.Fatalf("URL %q", srv.URL)
	}
	resp, page := get(t, srv, "GET", "/", "", nil, "")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", " " + embedding.SDKCDN + ";",
		"frame-src https://acme.my.salesforce.com;", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, want := range []string{`"integrity":{"` + embedding.SDKCDN + `":"` + embedding.SDKIntegrity + `"}`,
		`data-dashboard="Sales_Overview"`, `data-report-url="/report"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, f := range []string{"/app.mjs", "/words.mjs", "/embed.css"} {
		if resp, _ := get(t, srv, "GET", f, "", nil, ""); resp.StatusCode != 200 {
			t.Errorf("%s: %d", f, resp.StatusCode)
		}
	}
	for _, f := range []string{"/index.html", "/sdk/sdk-bundle.module.js", "/../../etc/passwd", "/app.mjs.map"} {
		if resp, _ := get(t, srv, "GET", f, "", nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", f, resp.StatusCode)
		}
	}
	if evs := ev.all(); len(evs) != 1 || evs[0].Kind != PageLoaded {
		t.Errorf("events %+v", evs)
	}
}

func TestPreviewAnswersOnlyItsOwnNameAndPage(t *testing.T) {
	srv, ev := start(t, Options{})
	port := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://localhost:"), "/")
	for _, c := range []struct {
		name string
		host string
		hdr  map[string]string
		want int
	}{
		{"rebound name", "evil.example:" + port, sameOrigin, http.StatusMisdirectedRequest},
		{"other port", "localhost:1", sameOrigin, http.StatusMisdirectedRequest},
		{"no same-origin mark", "", nil, http.StatusForbidden},
		{"cross-site", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin", "", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.example"}, http.StatusForbidden},
		{"127.0.0.1", "127.0.0.1:" + port, sameOrigin, http.StatusOK},
		{"the page", "", sameOrigin, http.StatusOK},
	} {
		resp, body := get(t, srv, "GET", "/auth-credential", c.host, c.hdr, "")
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if c.want != http.StatusOK && strings.Contains(body, "SECRETONETIME") {
			t.Errorf("%s: the frontdoor URL went out", c.name)
		}
	}
	refused := 0
	for _, e := range ev.all() {
		if e.Kind == Refused {
			refused++
		}
		if strings.Contains(e.Words, "SECRETONETIME") || (e.Err != nil && strings.Contains(e.Err.Error(), "SECRETONETIME")) {
			t.Errorf("an event carries the frontdoor URL: %+v", e)
		}
	}
	if refused != 5 {
		t.Errorf("%d refusals reported, want 5", refused)
	}
}

func TestPreviewReportsArePassedOnCleanOrRefused(t *testing.T) {
	srv, ev := start(t, Options{})
	post := func(body string) int {
		resp, _ := get(t, srv, "POST", "/report", "", map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}, body)
		return resp.StatusCode
	}
	if got := post(`{"outcome":"init-error","dashboard":"Sales\u001b[2J_Overview","words":"bad\u202eword"}`); got != http.StatusNoContent {
		t.Fatalf("a good report: %d", got)
	}
	for _, bad := range []string{`{"outcome":"pwned"}`, `not json`, `{"outcome":"embedded","words":"` + strings.Repeat("x", 10<<10) + `"}`} {
		if got := post(bad); got != http.StatusBadRequest {
			t.Errorf("report %.40q: %d, want 400", bad, got)
		}
	}
	if resp, _ := get(t, srv, "GET", "/report", "", sameOrigin, ""); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /report: %d", resp.StatusCode)
	}
	var reported []Event
	for _, e := range ev.all() {
		if e.Kind == Reported {
			reported = append(reported, e)
		}
	}
	if len(reported) != 1 || reported[0].Outcome != embedding.InitError ||
		strings.ContainsAny(reported[0].Dashboard+reported[0].Words, "\x1b\u202e") {
		t.Errorf("reported %+v", reported)
	}
}

func TestPreviewSignInFailureIsWordedNotLeaked(t *testing.T) {
	srv, ev := start(t, Options{Credential: func(context.Context) (Credential, error) {
		return Credential{}, errors.New("invalid_grant: user hasn't approved this consumer")
	}})
	resp, body := get(t, srv, "GET", "/auth-credential", "", sameOrigin, "")
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusBadGateway ||
		!strings.Contains(got["error_description"], "hasn't approved") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if evs := ev.all(); len(evs) != 1 || evs[0].Kind != SignInFailed {
		t.Errorf("events %+v", evs)
	}
}

func TestPreviewLocalSDK(t *testing.T) {
	dir := t.TempDir()
	sdk := filepath.Join(dir, "sdk-bundle.module.js")
	if err := os.WriteFile(sdk, []byte("export const initializeAnalyticsSdk = () => {};"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := start(t, Options{SDKFile: sdk})
	resp, page := get(t, srv, "GET", "/", "", nil, "")
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "cdn.jsdelivr.net") || !strings.Contains(page, `"/sdk/sdk-bundle.module.js":"sha384-`) {
		t.Errorf("a local SDK still points at the CDN: %s\n%s", csp, page)
	}
	if resp, body := get(t, srv, "GET", embedding.LocalSDK, "", nil, ""); resp.StatusCode != 200 || !strings.Contains(body, "initializeAnalyticsSdk") {
		t.Errorf("the local SDK: %d", resp.StatusCode)
	}
	notSDK := filepath.Join(dir, "notes.js")
	os.WriteFile(notSDK, []byte("console.log(1)"), 0o644)
	for path, want := range map[string]string{notSDK: "is not the Tableau Next Embedding SDK", filepath.Join(dir, "missing.js"): "cannot read"} {
		if _, err := Start(Options{SDKFile: path, Credential: func(context.Context) (Credential, error) { return Credential{}, nil }}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SDK file %s: %v", path, err)
		}
	}
}

func TestPreviewPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = Start(Options{Port: port, Credential: func(context.Context) (Credential, error) { return Credential{}, nil }})
	var inUse *PortInUseError
	if !errors.As(err, &inUse) || inUse.Port != port || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("a taken port: %v", err)
	}
}

func TestPortForTheDevelopmentOrigin(t *testing.T) {
	for origin, want := range map[string]int{"http://localhost:3000": 3000, "http://localhost:8080": 8080,
		"https://app.acme.com": DefaultPort, "": DefaultPort, "http://127.0.0.1:5000": DefaultPort} {
		if got := PortFor(origin); got != want {
			t.Errorf("PortFor(%q) = %d, want %d", origin, got, want)
		}
	}
	if got := FrameSources("http://localhost:4000", "", ""); len(got) != 1 || got[0] != "http://localhost:4000" {
		t.Errorf("the practice org's frames: %q", got)
	}
	if got := FrameSources("https://acme.my.salesforce.com", "", "https://acme.lightning.force.com"); len(got) < 3 ||
		got[1] != "https://acme.lightning.force.com" || !strings.Contains(strings.Join(got, " "), "https://*.force.com") {
		t.Errorf("a real org's frames: %q", got)
	}
}
