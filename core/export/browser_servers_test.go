package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/embedding/embeddingtest"
)

// TestBrowserServersEmbedADashboard: every other server's page embeds a
// practice dashboard in a real Chromium too, with the SDK served the way
// its README says to serve it yourself (the tests cannot reach the CDN):
// the SDK's browser module copied to STATIC/sdk/ and the import map
// pointed at it. Needs the conformance runtimes (make conformance).
func TestBrowserServersEmbedADashboard(t *testing.T) {
	embeddingtest.Require(t)
	if os.Getenv(EnvConformanceTests) == "" {
		t.Skip("needs the servers' runtimes: make conformance browser-test")
	}
	tools := embeddingtest.Install(t)
	sdk, err := os.ReadFile(tools.SDKBundle())
	if err != nil {
		t.Fatal(err)
	}
	c := embedCases[0] // embedded
	var pages []embeddingtest.Page
	for _, rt := range runtimes {
		if rt.format == FormatExpress {
			continue // TestBrowserExpressAppEmbedsADashboard
		}
		for _, tool := range rt.tools {
			if _, err := exec.LookPath(tool); err != nil {
				t.Fatalf("%s is not installed (Debian 12: scripts/install-deps.sh conformance)", tool)
			}
		}
		st, _ := StackFor(rt.format)
		h := &harness{stack: st, rt: rt, base: t.TempDir()}
		h.install(t)
		_, orgURL := embedOrg(t, c)
		dir := h.project(t, conformanceOrg(orgURL, "")) // an older org: the server finds its audience
		selfHostSDK(t, filepath.Join(dir, st.Static), sdk)
		s := h.launch(t, dir, h.command(st.Run), "PORT=0")
		if s.url == "" {
			t.Fatalf("%s did not start:\n%s", st.Run, s.out)
		}
		app := strings.Replace(s.url, "http://127.0.0.1:", "http://localhost:", 1)
		pages = append(pages, embeddingtest.Page{Name: st.Format, URL: app + "/?dashboard=" + c.dashboard,
			Screenshot: embeddingtest.ScreenshotPath(st.Format + "-embedded")})
	}
	results := embeddingtest.Open(t, tools, pages)
	for _, p := range pages {
		t.Run(p.Name, func(t *testing.T) {
			r := results[p.Name]
			if r.Outcome != string(c.outcome) {
				t.Fatalf("outcome %q, want %q:\n%s", r.Outcome, c.outcome, r)
			}
			for _, want := range c.frames {
				if !strings.Contains(r.FrameText(), want) {
					t.Errorf("the frames lack %q:\n%s", want, r.FrameText())
				}
			}
		})
	}
}

// selfHostSDK does what the README says to serve the SDK yourself.
func selfHostSDK(t *testing.T, static string, sdk []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(static, "sdk"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(static, "sdk", "sdk-bundle.module.js"), sdk, 0o600); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(static, "index.html")
	page, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	cdn := embedding.ImportMap(embedding.PageOptions{SDKURL: embedding.SDKCDN, Integrity: embedding.SDKIntegrity})
	if !strings.Contains(string(page), cdn) {
		t.Fatalf("index.html has no CDN import map to change")
	}
	local := strings.ReplaceAll(string(page), cdn, embedding.ImportMap(embedding.PageOptions{}))
	local = strings.ReplaceAll(local, embedding.SDKCDN, embedding.LocalSDK) // data-sdk-url
	if err := os.WriteFile(index, []byte(local), 0o600); err != nil {
		t.Fatal(err)
	}
}
