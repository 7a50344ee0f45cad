package cli

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/embedding/embeddingtest"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/preview"
)

func TestMain(m *testing.M) { os.Exit(embeddingtest.Main(m)) }

// The pinned integrity hash is the npm package's file's: the CDN serves
// the same bytes, and a browser refuses any others.
func TestBrowserSDKIntegrityMatchesTheNPMPackage(t *testing.T) {
	embeddingtest.Require(t)
	data, err := os.ReadFile(embeddingtest.Install(t).SDKBundle())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum384(data)
	if got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); got != embedding.SDKIntegrity {
		t.Errorf("the npm package's %s is %s; embedding.SDKIntegrity says %s", embedding.SDKBundle, got, embedding.SDKIntegrity)
	}
	if want := "/npm/@salesforce/analytics-embedding-sdk@" + embedding.SDKVersion + "/dist/sdk-bundle.module.js"; !strings.HasSuffix(embedding.SDKCDN, want) {
		t.Errorf("SDKCDN %s does not end in %s", embedding.SDKCDN, want)
	}
}

// runningPreview is `tnjwt preview` running until the test ends.
type runningPreview struct {
	url string
	out *lineWatch
	org *emulator.Emulator
}

// sdkFrom is where a preview gets the SDK: the npm package's file (--sdk)
// or, with no file, the store (fetched from a stand-in for the CDN).
type sdkFrom struct {
	file  string
	store *preview.SDKStore
}

// startPreview runs `tnjwt preview` for a practice org set up by setup,
// with the SDK from npm, on a free port, and returns once it printed its
// address.
func startPreview(t *testing.T, name string, sdk sdkFrom, setup func(*emulator.Emulator)) runningPreview {
	t.Helper()
	e := emulator.New(orgConfig(), emulator.Options{})
	if setup != nil {
		setup(e)
	}
	srv, err := emulator.Start("localhost:0", e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if code, _, stderr := runCmd(t, nil, "profile", "import", "--name", name, "--login-url", srv.URL,
		"--username", emulatortest.Username, "--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t)); code != 0 {
		t.Fatalf("profile import: %d %s", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := newLineWatch("Preview: ")
	env := newEnv()
	errOut := newLineWatch("\x00") // standard error, apart: the first line on standard output is the address
	env.Ctx, env.Stdout, env.Stderr = ctx, out, errOut
	env.OpenURL = func(string) error { t.Error("--no-open opened the browser"); return nil }
	args := []string{"preview", "--profile", name, "--dashboard", "Sales_Overview", "--port", "0", "--no-open"}
	if sdk.file != "" {
		args = append(args, "--sdk", sdk.file)
	} else {
		env.SDKStore = sdk.store
	}
	done := make(chan int)
	go func() { done <- Dispatch(args, env) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("preview %s ended with %d:\n%s", name, code, out)
		}
		if s := out.String(); strings.Contains(s, "otp=") || strings.Contains(s, "frontdoor.jsp") {
			t.Errorf("preview %s printed a frontdoor URL:\n%s", name, s)
		}
		noSecrets(t, out.String())
		noSecrets(t, errOut.String())
	})
	select {
	case <-out.seen:
	case code := <-done:
		t.Fatalf("preview %s ended with %d before serving:\n%s\n%s", name, code, out, errOut)
	case <-time.After(time.Minute): // a guard against a hang
		t.Fatalf("preview %s printed no address:\n%s", name, out)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	url, ok := strings.CutPrefix(first, "Preview: ")
	if !ok || !strings.HasPrefix(url, "http://localhost:") {
		t.Fatalf("the first line is %q, want Preview: http://localhost:PORT/", first)
	}
	return runningPreview{url: url, out: out, org: e}
}

// TestBrowserPreviewEmbedsAndNamesTheSettingToFix is issue 23's preview:
// `tnjwt preview` with the SDK from npm embeds the practice dashboard in
// headless Chromium, each embedding setting turned off ends in the page
// naming it (and tnjwt's output too, with its Setup address), a second
// tab signs in with a frontdoor URL of its own, and a request for another
// host name is refused.
func TestBrowserPreviewEmbedsAndNamesTheSettingToFix(t *testing.T) {
	embeddingtest.Require(t)
	tools := embeddingtest.Install(t)
	profSetup(t)
	cases := []struct {
		name    string
		setup   func(*emulator.Emulator)
		outcome embedding.Outcome
		names   string // the Setup item the page and the output name
		step    string
	}{
		{"works", nil, embedding.Embedded, "", ""},
		{"frames", func(e *emulator.Emulator) { _ = e.SetFrameOrigins([]string{"https://app.acme.com"}) },
			embedding.InitError, "Trusted Domains for Inline Frames", embedding.StepFrames},
		{"cookies", func(e *emulator.Emulator) { e.SetFirstPartyCookiesRequired(true) },
			embedding.InitError, "Require first-party use of Salesforce cookies", embedding.StepCookies},
		{"mfa", func(e *emulator.Emulator) { e.SetMFAForUILogins(true) },
			embedding.AuthRedirect, "MFA waiver for the JWT user", embedding.StepMFA},
	}
	previews := map[string]runningPreview{}
	var pages []embeddingtest.Page
	for _, c := range cases {
		p := startPreview(t, c.name, sdkFrom{file: tools.SDKBundle()}, c.setup)
		previews[c.name] = p
		pages = append(pages, embeddingtest.Page{Name: c.name, URL: p.url, Context: c.name,
			Screenshot: embeddingtest.ScreenshotPath("preview-" + c.name)})
	}
	// No --sdk: the first preview fetches the SDK (from a stand-in for the
	// CDN) and keeps it; the next works with the CDN gone.
	cdn, fetches := sdkCDN(t, tools.SDKBundle())
	store := preview.DefaultSDKStore()
	store.Dir, store.URL = filepath.Join(t.TempDir(), "sdk"), cdn.URL+"/sdk-bundle.module.js"
	previews["fetched"] = startPreview(t, "fetched", sdkFrom{store: &store}, nil)
	cdn.Close()
	previews["kept"] = startPreview(t, "kept", sdkFrom{store: &store}, nil)
	for _, name := range []string{"fetched", "kept"} {
		pages = append(pages, embeddingtest.Page{Name: name, URL: previews[name].url, Context: name})
	}
	pages = append(pages, embeddingtest.Page{Name: "second tab", URL: previews["works"].url, Context: "works"})
	results := embeddingtest.Open(t, tools, pages)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, p := results[c.name], previews[c.name]
			if r.Outcome != string(c.outcome) {
				t.Fatalf("outcome %q, want %q:\n%s", r.Outcome, c.outcome, r)
			}
			if !strings.Contains(r.Advice, c.names) {
				t.Errorf("the page does not name %q:\n%s", c.names, r.Advice)
			}
			out := p.out.String()
			title := embedding.Fill(embedding.Advices[c.outcome].Title, map[string]string{"dashboard": "Sales_Overview"})
			if !strings.Contains(out, title) {
				t.Errorf("the output lacks %q:\n%s", title, out)
			}
			if c.step != "" && (!strings.Contains(out, c.names+" (checklist step "+c.step+")") || !strings.Contains(out, "Open in Setup: http://localhost:")) {
				t.Errorf("the output does not name %s with its Setup address:\n%s", c.names, out)
			}
		})
	}
	t.Run("second tab", func(t *testing.T) {
		if r := results["second tab"]; r.Outcome != string(embedding.Embedded) {
			t.Fatalf("the second tab: %s", r)
		}
		if n := count(previews["works"].org, "/secur/frontdoor.jsp", http.StatusFound); n != 2 {
			t.Errorf("two tabs used %d frontdoor URLs, want 2 of their own", n)
		}
		if !strings.Contains(results["works"].FrameText(), "Practice org: no real data") {
			t.Errorf("the practice dashboard is not shown:\n%s", results["works"].FrameText())
		}
	})
	t.Run("the SDK kept", func(t *testing.T) {
		for _, name := range []string{"fetched", "kept"} {
			if r := results[name]; r.Outcome != string(embedding.Embedded) {
				t.Errorf("%s: %s", name, r)
			}
			if out := previews[name].out.String(); !strings.Contains(out, "comes from tnjwt's copy ("+store.Path()+")") {
				t.Errorf("%s does not say the SDK comes from tnjwt's copy:\n%s", name, out)
			}
		}
		if n := fetches.Load(); n != 1 {
			t.Errorf("the SDK was fetched %d times, want once", n)
		}
	})
	t.Run("another host name", func(t *testing.T) {
		p := previews["works"]
		req, _ := http.NewRequest("GET", p.url+"auth-credential", nil)
		req.Host = "evil.example:" + strings.TrimSuffix(strings.TrimPrefix(p.url, "http://localhost:"), "/")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(p.out.String(), "refused a request for evil.example:") {
			t.Errorf("Host evil.example: %d\n%s", resp.StatusCode, p.out)
		}
	})
}

// sdkCDN stands in for the CDN, serving the npm package's SDK file.
func sdkCDN(t *testing.T, file string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// count is how many requests to path the org answered with status.
func count(e *emulator.Emulator, path string, status int) int {
	n := 0
	for _, r := range e.Requests() {
		if r.Path == path && r.Status == status {
			n++
		}
	}
	return n
}
