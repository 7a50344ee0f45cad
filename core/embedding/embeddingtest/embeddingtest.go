// Package embeddingtest runs the Tableau Next Embedding SDK for real in
// tests: the SDK and playwright-core installed from npm into a folder of
// the test binary's own, and Debian's headless Chromium driven by
// drive.mjs. Only tests import it.
//
// playwright-core rather than chromedp: it has no dependencies of its own
// and runs on the Node.js the exported server's tests already need, it
// follows frames across processes and closed shadow roots (where the SDK
// puts its frames) without extra work, and tnjwt's own module stays free
// of a browser driver.
package embeddingtest

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
)

// EnvBrowserTests turns on the tests that drive a real headless Chromium
// (`make browser-test`); under it they fail, never skip, without one.
const EnvBrowserTests = "TNJWT_BROWSER_TESTS"

// PlaywrightVersion is the playwright-core the tests drive Chromium with.
const PlaywrightVersion = "1.65.1"

// Chromium is Debian's Chromium.
const Chromium = "/usr/bin/chromium"

//go:embed drive.mjs
var driver []byte

// Require skips the test unless browser tests are on, and fails it when
// they are on but node, npm or Chromium is missing.
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvBrowserTests) == "" {
		t.Skip("drives a real Chromium: make browser-test")
	}
	for _, tool := range []string{"node", "npm", Chromium} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: apt-get install nodejs npm chromium)", tool)
		}
	}
}

// Tools is a node project holding playwright-core, the SDK and the driver.
type Tools struct {
	Dir string
}

// SDKDir is the SDK package's folder; its dist/ holds the browser module.
func (tl Tools) SDKDir() string {
	return filepath.Join(tl.Dir, "node_modules", "@salesforce", "analytics-embedding-sdk")
}

// SDKBundle is the path of the SDK's browser module.
func (tl Tools) SDKBundle() string {
	return filepath.Join(tl.SDKDir(), filepath.FromSlash(embedding.SDKBundle))
}

var (
	toolsOnce sync.Once
	tools     Tools
	toolsErr  error
)

// Install installs the tools once per test binary, into a folder that
// Main removes when the tests end.
func Install(t testing.TB) Tools {
	t.Helper()
	toolsOnce.Do(func() { tools, toolsErr = install() })
	if toolsErr != nil {
		t.Fatal(toolsErr)
	}
	return tools
}

func install() (Tools, error) {
	dir, err := os.MkdirTemp("", "tnjwt-embeddingtest-")
	if err != nil {
		return Tools{}, err
	}
	tl := Tools{Dir: dir}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true, "type": "module"}`), 0o644); err != nil {
		return tl, err
	}
	if err := os.WriteFile(filepath.Join(dir, "drive.mjs"), driver, 0o644); err != nil {
		return tl, err
	}
	err = NPMInstall(dir, "playwright-core@"+PlaywrightVersion, "@salesforce/analytics-embedding-sdk@"+embedding.SDKVersion)
	return tl, err
}

// NPMInstall runs npm install in dir, with a throw-away cache as CI has.
func NPMInstall(dir string, packages ...string) error {
	cache, err := os.MkdirTemp("", "tnjwt-npm-cache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	args := append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--cache", cache}, packages...)
	cmd := exec.Command("npm", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Main runs the tests and removes what Install installed.
func Main(m *testing.M) int {
	code := m.Run()
	if tools.Dir != "" {
		os.RemoveAll(tools.Dir)
	}
	return code
}

// Page is one page to open.
type Page struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	// Until lists the page states (document.body.dataset.state) that end
	// the wait; default: the embedding page's final ones.
	Until []string `json:"until"`
	// Context: pages naming the same one share a browser profile (tabs of
	// one browser); "" gets a profile of its own.
	Context string `json:"context,omitempty"`
	// SpendCredential uses up the frontdoor URL /auth-credential answers
	// before the page gets it.
	SpendCredential bool   `json:"spendCredential,omitempty"`
	Screenshot      string `json:"screenshot,omitempty"` // a PNG path
	TimeoutMs       int64  `json:"timeoutMs"`
}

// Link is a link a page offers.
type Link struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// Frame is one frame of a page as a person sees it.
type Frame struct {
	URL  string `json:"url"`
	Text string `json:"text"`
}

// Result is what a page showed when it finished, or when the wait ended.
type Result struct {
	Name    string   `json:"name"`
	Error   string   `json:"error"` // the wait's, e.g. a timeout: the page never finished
	State   string   `json:"state"`
	Outcome string   `json:"outcome"`
	Status  string   `json:"status"`
	Advice  string   `json:"advice"`
	Origin  string   `json:"origin"`
	Frames  []Frame  `json:"frames"`
	Links   []Link   `json:"links"` // in the advice
	Console []string `json:"console"`
	Spent   int      `json:"spent"`
}

// FrameText is every frame's text, one after the other.
func (r Result) FrameText() string {
	var b strings.Builder
	for _, f := range r.Frames {
		b.WriteString(f.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// String is the result as a failing test shows it.
func (r Result) String() string {
	data, _ := json.MarshalIndent(r, "", "  ")
	return string(data)
}

// Deadlock is how long a page may take before the driver gives up on it:
// a guard against a hang, well past the SDK's own limit and the page's.
const Deadlock = time.Duration(embedding.SDKTimeout+embedding.PageGrace+45) * time.Second

// Open opens every page at once in one Chromium and returns each page's
// result by name, once all have finished.
func Open(t testing.TB, tl Tools, pages []Page) map[string]Result {
	t.Helper()
	for i := range pages {
		if pages[i].Until == nil {
			pages[i].Until = []string{"failed", string(embedding.Embedded), string(embedding.SignedIn)}
		}
		if pages[i].TimeoutMs == 0 {
			pages[i].TimeoutMs = Deadlock.Milliseconds()
		}
	}
	spec, err := json.Marshal(map[string]any{"chromium": Chromium, "pages": pages})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Deadlock+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "drive.mjs")
	cmd.Dir = tl.Dir
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second // Chromium's processes may hold the output open
	cmd.Stdin = bytes.NewReader(spec)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the browser driver failed: %v\n%s", err, stderr.String())
	}
	results := map[string]Result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("the browser driver printed %q: %v", sc.Text(), err)
		}
		results[r.Name] = r
	}
	for _, p := range pages {
		if _, ok := results[p.Name]; !ok {
			t.Fatalf("the browser driver said nothing of page %q:\n%s", p.Name, stderr.String())
		}
	}
	return results
}

// EnvScreenshots names a folder for screenshots of the pages the tests
// open (`make screenshots` sets it); unset, none are taken.
const EnvScreenshots = "TNJWT_SCREENSHOTS"

// ScreenshotPath is where a page named name is saved, or "" for none.
func ScreenshotPath(name string) string {
	dir := os.Getenv(EnvScreenshots)
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".png")
}
