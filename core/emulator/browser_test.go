package emulator_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// EnvBrowserTests turns on the tests that drive a real headless Chromium
// (`make browser-test`); under it they fail, never skip, without one.
const EnvBrowserTests = "TNJWT_BROWSER_TESTS"

// chromium loads url in a fresh headless Chromium profile and returns the
// page as the browser ended up with it, after redirects and cookies.
func chromium(t *testing.T, profile, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a guard against a hang
	defer cancel()
	cmd := exec.CommandContext(ctx, "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, "--dump-dom", url)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", url, err)
	}
	return string(out)
}

// The frontdoor URL in a real browser: it goes on to its startURL, signed
// in through the session cookie it sets, once; the same URL again is
// refused.
func TestBrowserFrontdoorSignsInOnce(t *testing.T) {
	if os.Getenv(EnvBrowserTests) == "" {
		t.Skip("drives a real Chromium: make browser-test")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is not installed (Debian: apt-get install chromium)")
	}
	o := startOrg(t, goodConfig(t))
	link := o.url + o.frontdoorPath(o.singleAccess(o.login(), "?redirect_uri=%2Flightning%2Fpage%2Fhome"))
	profile := t.TempDir() // one browser profile: the second load has the first one's cookies
	page := chromium(t, profile, link)
	for _, want := range []string{"signed in to the practice org as <b>" + username + "</b>, with a session cookie",
		"Salesforce would show <code>/lightning/page/home</code> here"} {
		if !strings.Contains(page, want) {
			t.Errorf("the browser's page lacks %q:\n%s", want, page)
		}
	}
	if again := chromium(t, profile, link); !strings.Contains(again, "already used") {
		t.Errorf("the frontdoor URL worked twice:\n%s", again)
	}
	// A browser without that cookie is not signed in.
	if other := chromium(t, t.TempDir(), o.url+"/home"); !strings.Contains(other, "Not signed in") {
		t.Errorf("/home without the cookie:\n%s", other)
	}
}
