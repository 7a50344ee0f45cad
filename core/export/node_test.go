package export

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// EnvNodeTests turns on the tests that run the exported code with the real
// node and npm (`make node-test`). Under it they fail, never skip, when
// node or npm is missing.
const EnvNodeTests = "TNJWT_NODE_TESTS"

func requireNode(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvNodeTests) == "" {
		t.Skip("runs the exported server with node and npm: make node-test")
	}
	for _, tool := range []string{"node", "npm", "npx"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: apt-get install nodejs npm)", tool)
		}
	}
}

// practiceOrg is the practice org on loopback, its app holding testOrg's
// consumer key and emulatortest.Keys' certificate (testOrg's user is
// already emulatortest.Username). It is an older org, as testOrg's
// audience, login.salesforce.com, asks.
func practiceOrg(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	cfg := emulatortest.Config(emulatortest.Keys())
	cfg.LegacyLoginHosts = nil
	cfg.Apps[0].ConsumerKey = testClientID
	org := emulatortest.Start(t, cfg, emulator.Options{})
	return org.E, org.URL
}

// npmInstall installs the exported project's dependencies (and extra
// packages) with a throw-away npm cache, as CI does.
func npmInstall(t *testing.T, dir string, extra ...string) {
	t.Helper()
	args := append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--cache", filepath.Join(t.TempDir(), "npm-cache")}, extra...)
	cmd := exec.Command("npm", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// startServer runs `node server.js` as the export wrote it, with nothing
// from this process's environment but PATH and HOME: the settings must come
// from the .env beside it.
func startServer(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", "server.js")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PORT=0"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				lines <- u
			}
		}
		close(lines)
	}()
	select {
	case u, ok := <-lines:
		if !ok {
			t.Fatalf("node server.js exited before listening:\n%s", stderr.String())
		}
		return u
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing check
		t.Fatalf("node server.js never said it was listening:\n%s", stderr.String())
	}
	return ""
}

func getJSON(t *testing.T, u string) (int, map[string]any, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %s", u, res.StatusCode, body)
	}
	return res.StatusCode, m, string(body)
}

// TestNodeExpressServerServesAWorkingCredential is the "done when":
// the exported server, started as written, serves a frontdoor URL the
// practice org issued; a refusal is a 502 with Salesforce's words and no key.
func TestNodeExpressServerServesAWorkingCredential(t *testing.T) {
	requireNode(t)
	em, orgURL := practiceOrg(t)
	login, err := salesforce.ParseLoginURL(orgURL)
	if err != nil {
		t.Fatal(err)
	}
	o := testOrg()
	o.LoginURL, o.Audience, o.OrgURL = login.URL, salesforce.Audience(login, false, ""), orgURL
	files, err := Express(o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
	npmInstall(t, dir)

	// First with the certificate missing from the app: Salesforce refuses.
	if err := em.RemoveCertificate(emulatortest.AppName); err != nil {
		t.Fatal(err)
	}
	base := startServer(t, dir)
	code, m, body := getJSON(t, base+"/auth-credential")
	if code != http.StatusBadGateway || m["error"] != "invalid_grant" || m["phase"] != "token" {
		t.Errorf("refusal: %d %s", code, body)
	}
	for _, line := range strings.Split(string(emulatortest.Keys().KeyPEM), "\n") {
		if len(line) > 20 && strings.Contains(body, line) {
			t.Fatal("the refusal shows the private key")
		}
	}

	if err := em.UploadCertificate(emulatortest.AppName, emulatortest.Keys().CertPEM); err != nil {
		t.Fatal(err)
	}
	// A fresh start: the first one backs off for a few seconds after the refusal.
	base = startServer(t, dir)
	code, m, body = getJSON(t, base+"/auth-credential")
	fd, _ := m["authCredential"].(string)
	if code != http.StatusOK || !strings.HasPrefix(fd, orgURL+"/secur/frontdoor.jsp?otp=") || m["orgUrl"] != orgURL {
		t.Fatalf("auth credential: %d %s", code, body)
	}
	// The practice org issued it: it signs in once, then never again.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	for i, want := range []string{"You are signed in to the practice org as <b>" + emulatortest.Username + "</b>", "already used"} {
		res, err := browser.Get(fd)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), want) {
			t.Errorf("load %d of the frontdoor URL: %d, page lacks %q", i+1, res.StatusCode, want)
		}
	}
	if page, err := http.Get(base + "/"); err != nil || page.StatusCode != 200 {
		t.Errorf("the embedding page: %v %v", page.StatusCode, err)
	}
}

// The page's script and the SDK snippet type-check against the real SDK's
// typings.
func TestNodeScriptsTypeCheckAgainstTheSDK(t *testing.T) {
	requireNode(t)
	files, err := Express(testOrg())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files = append(files, File{"snippet.mjs", []byte(SDK(testOrg()))})
	if _, err := Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
	npmInstall(t, dir, "typescript@"+TypeScriptVersion)
	cmd := exec.Command("npx", "--no-install", "tsc", "--noEmit", "--allowJs", "--checkJs", "--strict",
		"--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--lib", "es2022,dom",
		"--skipLibCheck", "public/app.mjs", "snippet.mjs")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc: %v\n%s", err, out)
	}
}
