package export

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// EnvConformanceTests turns on the conformance suite (`make conformance`):
// every exported server, installed and started as its README says with its
// real runtime, against the practice org on loopback. Under it the suite
// fails, never skips, when a runtime is missing.
const EnvConformanceTests = "TNJWT_CONFORMANCE_TESTS"

// stackRuntime is how the suite installs one stack on a machine with no
// registry but npm's and Go's: a new language is its export and one line
// here.
type stackRuntime struct {
	format string
	tools  []string
	// setup installs the project in dir as its README says; nil runs
	// Stack.Setup as written.
	setup func(t testing.TB, h *harness, dir string)
}

var runtimes = []stackRuntime{
	{FormatExpress, []string{"node", "npm"}, npmCI},
	{FormatFlask, nil, debianPython}, // PyPI is out of reach: Debian's python3-flask & co.
	{FormatGo, []string{"go"}, nil},
	{FormatJava, []string{"java"}, nil},
	{FormatSinatra, []string{"ruby", "bundle"}, nil}, // Debian's gems: bundle install needs no network
}

// conformanceCases are the contract, each checked against every stack.
var conformanceCases = []struct {
	name string
	run  func(t *testing.T, h *harness)
}{
	{"credential, single flight, re-sign, page, hosts and origins", checkContract},
	{"HOST is honoured", checkHost},
	{"settings are checked before listening", checkSettings},
	{"refusals are 502 with Salesforce's words", checkRefusals},
	{"the audience is found", checkDiscovery},
	{"a failed login backs off", checkBackoff},
	{"hostile and broken servers", checkHostile},
	{"a 401 is signed for again, once", checkUnauthorized},
	{"the Procfile starts it", checkProcfile},
}

func TestConformance(t *testing.T) {
	if os.Getenv(EnvConformanceTests) == "" {
		t.Skip("runs every exported server with its real runtime: make conformance")
	}
	for _, rt := range runtimes {
		t.Run(rt.format, func(t *testing.T) {
			t.Parallel()
			st, ok := StackFor(rt.format)
			if !ok {
				t.Fatalf("no stack %q", rt.format)
			}
			for _, tool := range rt.tools {
				if _, err := exec.LookPath(tool); err != nil {
					t.Fatalf("%s is not installed (Debian 12: scripts/install-deps.sh conformance)", tool)
				}
			}
			h := &harness{stack: st, rt: rt, base: t.TempDir()}
			h.install(t)
			for _, c := range conformanceCases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, h)
				})
			}
		})
	}
}

// ---- The harness: export, install once, start as the README says ----

type harness struct {
	stack  Stack
	rt     stackRuntime
	base   string // the project, installed
	python string // flask: the interpreter that has Debian's packages
}

func (h *harness) install(t *testing.T) {
	t.Helper()
	files, err := Server(h.stack.Format, conformanceOrg("http://127.0.0.1:1", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(h.base, files, false); err != nil {
		t.Fatal(err)
	}
	if h.rt.setup != nil {
		h.rt.setup(t, h, h.base)
		return
	}
	for _, c := range h.stack.Setup {
		cmd := exec.Command("sh", "-c", c)
		cmd.Dir = h.base
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
	}
}

func npmCI(t testing.TB, h *harness, dir string) {
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--cache", filepath.Join(t.TempDir(), "npm-cache"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci (the lock file must match package.json): %v\n%s", err, out)
	}
}

// debianPython finds the python3 that has Debian's python3-flask,
// python3-jwt, python3-requests and python3-dotenv (a pyenv shim first on
// PATH may not).
func debianPython(t testing.TB, h *harness, dir string) {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(p, "-c", "import flask, jwt, requests, dotenv, cryptography").Run(); err == nil {
			h.python = p
			return
		}
	}
	t.Fatal("no python3 with flask, jwt, requests, dotenv and cryptography (Debian 12: apt-get install " + h.stack.Debian + ")")
}

// server is one running exported server.
type server struct {
	url  string // as it printed it: http://HOST:PORT
	port string
	out  *lockedBuffer
	done chan struct{} // closed when it exits
	code int
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// project writes the export for o into a fresh folder and links in what
// the install step made.
func (h *harness) project(t testing.TB, o Org) string {
	t.Helper()
	files, err := Server(h.stack.Format, o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
	for _, name := range h.stack.Installed {
		if err := os.Symlink(filepath.Join(h.base, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// command is the README's run command, as argv.
func (h *harness) command(run string) []string {
	argv := strings.Fields(run)
	if argv[0] == "python3" && h.python != "" {
		argv[0] = h.python
	}
	return argv
}

// launch starts the server in dir with nothing from this process's
// environment but PATH, plus env: the settings come from the .env.
func (h *harness) launch(t testing.TB, dir string, argv []string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}, env...)
	inGroup(cmd)
	s := &server{out: &lockedBuffer{}, done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Starting is the costly part (java Server.java compiles it, every time):
	// a few at once, however many cases run side by side.
	starting <- struct{}{}
	started := sync.OnceFunc(func() { <-starting })
	defer started()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Our servers say "listening on URL" on stdout; gunicorn "Listening at: URL" on stderr.
	listening := make(chan string, 2)
	var readers sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				line := sc.Text()
				s.out.Write([]byte(line + "\n"))
				for _, mark := range []string{"listening on ", "Listening at: "} {
					if i := strings.Index(line, mark); i >= 0 {
						u, _, _ := strings.Cut(line[i+len(mark):], " ")
						select {
						case listening <- u:
						default:
						}
					}
				}
			}
		}()
	}
	go func() {
		readers.Wait()
		cmd.Wait()
		s.code = cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	t.Cleanup(func() {
		stop(cmd) // the whole group: bundle exec, sh -c
		<-s.done
	})
	select {
	case u := <-listening:
		s.url = u
		_, s.port, _ = net.SplitHostPort(strings.TrimPrefix(u, "http://"))
	case <-s.done:
	case <-time.After(5 * time.Minute): // a guard against a hang, not a timing check
		t.Fatalf("%s never said it was listening:\n%s", strings.Join(argv, " "), s.out)
	}
	return s
}

// starting bounds the servers starting at once to the machine's cores.
var starting = make(chan struct{}, max(2, goruntime.NumCPU()))

// start runs the export for o, as its README says, and waits until it
// listens; at the end of the test its output must hold no secret.
func (h *harness) start(t testing.TB, o Org, env ...string) *server {
	t.Helper()
	dir := h.project(t, o)
	s := h.launch(t, dir, h.command(h.stack.Run), append([]string{"PORT=0"}, env...)...)
	if s.url == "" {
		t.Fatalf("%s exited (%d) before listening:\n%s", h.stack.Run, s.code, s.out)
	}
	t.Cleanup(func() { noSecrets(t, "the server's output", s.out.String(), o) })
	return s
}

// noSecrets fails when text holds the private key, the consumer key (any
// 12 characters of it), a signed JWT, an access token or a frontdoor URL.
func noSecrets(t testing.TB, what, text string, o Org, more ...string) {
	t.Helper()
	for _, line := range strings.Split(string(o.KeyPEM), "\n") {
		if len(line) > 20 && !strings.HasPrefix(line, "-----") && strings.Contains(text, line) {
			t.Errorf("%s shows the private key", what)
			return
		}
	}
	for _, secret := range append([]string{o.ClientID}, more...) {
		for i := 0; i+12 <= len(secret); i++ {
			if strings.Contains(text, secret[i:i+12]) {
				t.Errorf("%s shows part of a secret (%q…):\n%s", what, secret[i:i+4], text)
				return
			}
		}
	}
	for _, mark := range []string{"eyJhbGciOi", "otp=", "frontdoor.jsp", orgTokenPrefix} {
		if strings.Contains(text, mark) {
			t.Errorf("%s shows %q (a signed JWT, a frontdoor URL or an access token):\n%s", what, mark, text)
		}
	}
}

// orgTokenPrefix starts every access token the practice org issues.
var orgTokenPrefix = emulator.New(nil, emulator.Options{}).OrgID()[:15] + "!"

func conformanceOrg(loginURL, audience string) Org {
	o := testOrg()
	o.LoginURL, o.OrgURL, o.Audience = loginURL, loginURL, audience
	o.DiscoverAudience = audience == ""
	o.Practice = true
	return o
}

// practice is a practice org on loopback that trusts testOrg's key, and
// counts the requests each endpoint gets.
type practice struct {
	e            *emulator.Emulator
	url          string
	clock        *emulatortest.Clock
	tokens, sacs atomic.Int64
}

func newPractice(t testing.TB, legacy bool, change func(*emulator.Config)) *practice {
	t.Helper()
	cfg := emulatortest.Config(emulatortest.Keys())
	cfg.LegacyLoginHosts = &legacy
	cfg.Apps[0].ConsumerKey = testClientID
	if change != nil {
		change(cfg)
	}
	p := &practice{clock: emulatortest.NewClock(time.Now())}
	org := emulatortest.Start(t, cfg, emulator.Options{Now: p.clock.Now, TokenTTL: time.Minute, LogSize: 1000,
		OnRequest: func(r emulator.RequestRecord) {
			switch r.Path {
			case "/services/oauth2/token":
				p.tokens.Add(1)
			case "/services/oauth2/singleaccess":
				p.sacs.Add(1)
			}
		}})
	p.e, p.url = org.E, org.URL
	return p
}

// audiences are the aud claims of the token requests, in order.
func (p *practice) audiences() []string {
	var out []string
	for _, r := range p.e.Requests() {
		if r.Path == "/services/oauth2/token" {
			aud, _ := r.Claims["aud"].(string)
			out = append(out, aud)
		}
	}
	return out
}

func (p *practice) last() emulator.RequestRecord {
	reqs := p.e.Requests()
	return reqs[len(reqs)-1]
}

var client = &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

type answer struct {
	status int
	header http.Header
	body   string
	json   map[string]string
}

// ask sends GET path to s; headers are "Name: value" (Host too), and a
// browser's same-origin fetch is the default.
func ask(t testing.TB, s *server, method, path string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(headers) == 0 {
		headers = []string{"Sec-Fetch-Site: same-origin"}
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if k == "Host" {
			req.Host = v
		} else if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, body: string(body)}
	json.Unmarshal(body, &a.json)
	return a
}

// credentials asks for n credentials at once.
func credentials(t testing.TB, s *server, n int) []answer {
	t.Helper()
	out := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = ask(t, s, "GET", "/auth-credential")
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// issued checks that every answer is a distinct frontdoor URL of org.
func issued(t testing.TB, answers []answer, orgURL string) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range answers {
		fd := a.json["authCredential"]
		if a.status != http.StatusOK || !strings.HasPrefix(fd, orgURL+"/secur/frontdoor.jsp?otp=") || a.json["orgUrl"] != orgURL {
			t.Fatalf("credential: %d %s", a.status, a.body)
		}
		if cc := a.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		if seen[fd] {
			t.Errorf("the same frontdoor URL twice")
		}
		seen[fd] = true
	}
}

// refused checks a 502 with error, phase and, when given, the words.
func refused(t testing.TB, a answer, code, phase, words string) {
	t.Helper()
	if a.status != http.StatusBadGateway || a.json["error"] != code || a.json["phase"] != phase ||
		!strings.Contains(a.json["error_description"], words) {
		t.Errorf("want 502 %s (%s) %q, got %d %s", code, phase, words, a.status, a.body)
	}
	if a.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Errorf("a refusal's headers: %v", a.header)
	}
}

// ---- The contract ----

func checkContract(t *testing.T, h *harness) {
	org := newPractice(t, false, nil)
	o := conformanceOrg(org.url, org.url)
	s := h.start(t, o, "ALLOWED_HOSTS=app.example.test, other.example.test:8443")

	// 64 cold requests at once: one token request, 64 frontdoor URLs.
	issued(t, credentials(t, s, 64), org.url)
	if n := org.tokens.Load(); n != 1 {
		t.Errorf("64 concurrent cold requests made %d token requests, want 1", n)
	}
	// The practice org issued them: each signs in once.
	a := ask(t, s, "GET", "/auth-credential")
	issued(t, []answer{a}, org.url)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: time.Minute}
	for i, want := range []string{"You are signed in to the practice org as <b>" + emulatortest.Username + "</b>", "already used"} {
		res, err := browser.Get(a.json["authCredential"])
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), want) {
			t.Errorf("load %d of the frontdoor URL: %d, page lacks %q", i+1, res.StatusCode, want)
		}
	}
	if n := org.tokens.Load(); n != 1 {
		t.Errorf("a warm request made a token request (%d in all)", n)
	}

	// The session ends (the practice org's tokens last a minute): every
	// request at once is refused, exactly one signs again, all succeed.
	org.clock.Add(2 * time.Minute)
	issued(t, credentials(t, s, 64), org.url)
	if n := org.tokens.Load(); n != 2 {
		t.Errorf("after the session ended, 64 concurrent requests made %d token requests in all, want 2", n)
	}

	// The page, as the Express export serves it.
	page := map[string]embedding.PageFile{}
	opts := embedding.PageOptions{SDKURL: embedding.SDKCDN, Integrity: embedding.SDKIntegrity}
	if h.stack.Format == FormatExpress {
		opts = embedding.PageOptions{}
	}
	for _, f := range embedding.Page(opts) {
		page[f.Name] = f
	}
	for path, want := range map[string]struct{ file, ctype string }{
		"/": {"index.html", "text/html"}, "/app.mjs": {"app.mjs", "text/javascript"},
		"/words.mjs": {"words.mjs", "text/javascript"}, "/embed.css": {"embed.css", "text/css"},
	} {
		a := ask(t, s, "GET", path)
		if a.status != http.StatusOK || a.body != string(page[want.file].Data) || !strings.HasPrefix(a.header.Get("Content-Type"), want.ctype) {
			t.Errorf("GET %s: %d %q (%d bytes)", path, a.status, a.header.Get("Content-Type"), len(a.body))
		}
		if a.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", path)
		}
	}
	for _, path := range []string{"/.env", "/README.md", "/Procfile", "/" + h.stack.Static + "/index.html", "/nothing-here"} {
		if a := ask(t, s, "GET", path); a.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, a.status)
		}
	}

	tokens, sacs := org.tokens.Load(), org.sacs.Load()
	// Only this app's own page: other sites, and names that rebind to here.
	local := "127.0.0.1:" + s.port
	for _, c := range []struct {
		why     string
		path    string
		want    int
		headers []string
	}{
		{"a foreign Host", "/auth-credential", 421, []string{"Host: evil.example:" + s.port, "Sec-Fetch-Site: same-origin"}},
		{"a foreign Host, the page", "/", 421, []string{"Host: evil.example:" + s.port}},
		{"localhost on another port", "/", 421, []string{"Host: localhost:1"}},
		{"an allowed name on another port", "/", 421, []string{"Host: other.example.test:1"}},
		{"a cross-site fetch", "/auth-credential", 403, []string{"Sec-Fetch-Site: cross-site", "Origin: https://evil.example"}},
		{"a same-site fetch", "/auth-credential", 403, []string{"Sec-Fetch-Site: same-site"}},
		{"a typed address", "/auth-credential", 403, []string{"Sec-Fetch-Site: none"}},
		{"another Origin", "/auth-credential", 403, []string{"Origin: http://evil.example"}},
		{"same-origin with another Origin", "/auth-credential", 403, []string{"Sec-Fetch-Site: same-origin", "Origin: http://evil.example"}},
		{"POST", "/auth-credential", 405, nil},
	} {
		method := "GET"
		if c.why == "POST" {
			method = "POST"
		}
		if a := ask(t, s, method, c.path, c.headers...); a.status != c.want {
			t.Errorf("%s: %d %s, want %d", c.why, a.status, a.body, c.want)
		}
	}
	if org.tokens.Load() != tokens || org.sacs.Load() != sacs {
		t.Errorf("a refused request reached Salesforce")
	}
	for _, c := range []struct {
		why     string
		path    string
		headers []string
	}{
		{"localhost", "/auth-credential", []string{"Host: localhost:" + s.port, "Sec-Fetch-Site: same-origin"}},
		{"an Origin naming this host", "/auth-credential", []string{"Origin: http://" + local}},
		{"curl on this machine", "/auth-credential", []string{"User-Agent: curl/8"}},
		{"a name in ALLOWED_HOSTS", "/", []string{"Host: app.example.test"}},
		{"a name in ALLOWED_HOSTS, with its Origin", "/auth-credential", []string{"Host: app.example.test", "Origin: https://app.example.test"}},
		{"a name and port in ALLOWED_HOSTS", "/auth-credential", []string{"Host: other.example.test:8443", "Sec-Fetch-Site: same-origin"}},
	} {
		if a := ask(t, s, "GET", c.path, c.headers...); a.status != http.StatusOK {
			t.Errorf("%s: %d %s, want 200", c.why, a.status, a.body)
		}
	}
	// It listens on 127.0.0.1 alone by default: not on the machine's other addresses.
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
		t.Errorf("by default it printed %s, want http://127.0.0.1:PORT", s.url)
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.2:"+s.port, 10*time.Second); err == nil {
		c.Close()
		t.Errorf("by default it also answers on 127.0.0.2: it listens on more than 127.0.0.1")
	}
}

func checkHost(t *testing.T, h *harness) {
	org := newPractice(t, false, nil)
	s := h.start(t, conformanceOrg(org.url, org.url), "HOST=127.0.0.2")
	if !strings.HasPrefix(s.url, "http://127.0.0.2:") {
		t.Fatalf("HOST=127.0.0.2 printed %s", s.url)
	}
	if a := ask(t, s, "GET", "/auth-credential", "Host: localhost:"+s.port, "Sec-Fetch-Site: same-origin"); a.status != http.StatusOK {
		t.Errorf("on 127.0.0.2: %d %s", a.status, a.body)
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+s.port, 10*time.Second); err == nil {
		c.Close()
		t.Errorf("HOST=127.0.0.2 also listens on 127.0.0.1")
	}
	checkFromTheNetwork(t, h, org.url)
}

// checkFromTheNetwork: on 0.0.0.0, a request from another machine (here,
// this machine's own non-loopback address) with neither Sec-Fetch-Site nor
// Origin, as curl sends it, gets no credential; a browser's same-origin
// request for a name it serves does.
func checkFromTheNetwork(t *testing.T, h *harness, orgURL string) {
	addr := nonLoopbackAddress()
	if addr == "" {
		t.Log("this machine has no non-loopback IPv4 address: a request from the network is not tried")
		return
	}
	s := h.start(t, conformanceOrg(orgURL, orgURL), "HOST=0.0.0.0", "ALLOWED_HOSTS=app.example.test")
	remote := *s
	remote.url = "http://" + net.JoinHostPort(addr, s.port)
	if a := ask(t, &remote, "GET", "/auth-credential", "Host: app.example.test", "User-Agent: curl/8"); a.status != http.StatusForbidden {
		t.Errorf("from %s with neither Sec-Fetch-Site nor Origin: %d %s, want 403", addr, a.status, a.body)
	}
	if a := ask(t, &remote, "GET", "/auth-credential", "Host: app.example.test", "Sec-Fetch-Site: same-origin"); a.status != http.StatusOK {
		t.Errorf("from %s, same-origin for a name in ALLOWED_HOSTS: %d %s, want 200", addr, a.status, a.body)
	}
}

// nonLoopbackAddress is an IPv4 address of this machine, on an interface
// that is up, that is not a loopback one; or "".
func nonLoopbackAddress() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := iface.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
				return n.IP.String()
			}
		}
	}
	return ""
}

// checkSettings: a missing or malformed setting is one line naming it,
// exit 1, before listening; hostile login URLs are refused exactly as
// tnjwt's Go client refuses them.
func checkSettings(t *testing.T, h *harness) {
	o := conformanceOrg("http://127.0.0.1:1", "")
	cases := []struct{ name, env string }{
		{"SF_LOGIN_URL", "SF_LOGIN_URL="}, {"SF_CLIENT_ID", "SF_CLIENT_ID="}, {"SF_USERNAME", "SF_USERNAME="},
		{"SF_PRIVATE_KEY", "SF_PRIVATE_KEY="}, {"SF_PRIVATE_KEY", "SF_PRIVATE_KEY=" + string(o.KeyPEM[:300])},
		{"SF_PRIVATE_KEY", "SF_PRIVATE_KEY=" + string(emulatortest.Keys().CertPEM)},
		{"SF_AUDIENCE", "SF_AUDIENCE=ftp://login.salesforce.com"}, {"SF_ORG_URL", "SF_ORG_URL=not a web address"},
		{"PORT", "PORT=http"}, {"PORT", "PORT=70000"}, {"ALLOWED_HOSTS", "ALLOWED_HOSTS=https://app.example.com/"},
	}
	for _, u := range hostileLoginURLs {
		if _, err := salesforce.ParseLoginURL(u); err == nil {
			t.Fatalf("tnjwt's own client takes %q: not a hostile login URL", u)
		}
		cases = append(cases, struct{ name, env string }{"SF_LOGIN_URL", "SF_LOGIN_URL=" + u})
	}
	dir := h.project(t, o)
	argv := h.command(h.stack.Run)
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := h.launch(t, dir, argv, "PORT=0", c.env)
			<-s.done
			out := strings.TrimSpace(s.out.String())
			if s.url != "" || s.code != 1 || !strings.Contains(out, c.name) || strings.Count(out, "\n") > 0 {
				t.Errorf("%.60s: exit %d, listening %q; want exit 1 and one line naming %s:\n%s", c.env, s.code, s.url, c.name, out)
			}
			noSecrets(t, "a settings error", out, o)
		}()
	}
	wg.Wait()
	// Salesforce's own login hosts start.
	for _, u := range []string{"https://acme.my.salesforce.com", "acme--uat.sandbox.my.salesforce.com/", "https://acme.my.site.com/customers/s/login"} {
		if _, err := salesforce.ParseLoginURL(u); err != nil {
			t.Fatalf("tnjwt's own client refuses %q: %v", u, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s := h.launch(t, dir, argv, "PORT=0", "SF_LOGIN_URL="+u); s.url == "" {
				t.Errorf("SF_LOGIN_URL=%s refused:\n%s", u, s.out)
			}
		}()
	}
	wg.Wait()
}

// hostileLoginURLs are refused by tnjwt's client (the suite checks) and
// must be by every server.
var hostileLoginURLs = []string{
	"https://evil.example.com", "http://acme.my.salesforce.com", "https://acme.lightning.force.com",
	"https://user:pw@acme.my.salesforce.com", "https://acme.my.salesforce.com.evil.example",
	"https://acme.my.salesforce.com:8443", "https://xn--slesforce-51a.my.salesforce.com", "ftp://login.salesforce.com",
	"https://localhost.evil.example", "http://127.0.0.1.localhost:1", "http://[::ffff:127.0.0.1]:1",
	"https://login.salesforce.com/?x=1", "javascript:alert(1)",
}

// checkRefusals: each way Salesforce says no is a 502 with its own words.
func checkRefusals(t *testing.T, h *harness) {
	cases := []struct {
		name   string
		legacy bool
		aud    string // SF_AUDIENCE; "" the org's own URL
		setup  func(p *practice)
		code   string
		phase  string
	}{
		{"unknown consumer key", false, "", nil, "invalid_client_id", "token"},
		{"no certificate", false, "", func(p *practice) { must(t, p.e.RemoveCertificate(emulatortest.AppName)) }, "invalid_grant", "token"},
		{"the wrong audience", true, "https://test.salesforce.com", nil, "invalid_grant", "token"},
		{"a legacy audience on a Spring '26 org", false, "https://login.salesforce.com", nil, "app_not_found", "token"},
		{"not approved", false, "", func(p *practice) {
			must(t, p.e.UnassignPermissionSet(emulatortest.Username, emulatortest.PermSet))
		}, "invalid_grant", "token"},
		{"inactive user", false, "", func(p *practice) { must(t, p.e.SetUserActive(emulatortest.Username, false)) }, "invalid_grant", "token"},
		{"API-only user", false, "", func(p *practice) { must(t, p.e.SetAPIOnly(emulatortest.Username, true)) }, "Bad_OAuth_Token", "singleaccess"},
		{"no web scope", false, "", func(p *practice) {
			must(t, p.e.SetScopes(emulatortest.AppName, []string{"api", "refresh_token"}))
		}, "Invalid_Scope", "singleaccess"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			org := newPractice(t, c.legacy, func(cfg *emulator.Config) {
				if c.code == "invalid_client_id" {
					cfg.Apps[0].ConsumerKey = emulatortest.ConsumerKey // not the one the export holds
				}
			})
			if c.setup != nil {
				c.setup(org)
			}
			aud := c.aud
			if aud == "" {
				aud = org.url
			}
			s := h.start(t, conformanceOrg(org.url, aud))
			a := ask(t, s, "GET", "/auth-credential")
			said := org.last()
			refused(t, a, said.Error, c.phase, said.Description)
			if said.Error != c.code {
				t.Errorf("the practice org said %s, want %s", said.Error, c.code)
			}
			tokens := org.tokens.Load()
			// Within the back-off: the same answer, no new login.
			refused(t, ask(t, s, "GET", "/auth-credential"), said.Error, c.phase, said.Description)
			if org.tokens.Load() != tokens || tokens != 1 {
				t.Errorf("%d token requests for a refused login and a second request, want 1", org.tokens.Load())
			}
			noSecrets(t, "a refusal", a.body, conformanceOrg(org.url, org.url))
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// checkDiscovery: with SF_AUDIENCE empty the server finds the audience as
// tnjwt does, against an org of each kind, and keeps it.
func checkDiscovery(t *testing.T, h *harness) {
	for _, legacy := range []bool{true, false} {
		t.Run(fmt.Sprintf("legacy_login_hosts %v", legacy), func(t *testing.T) {
			t.Parallel()
			org := newPractice(t, legacy, nil)
			o := conformanceOrg(org.url, "")
			o.OrgURL = "" // worked out from instance_url
			s := h.start(t, o)
			issued(t, credentials(t, s, 8), org.url)
			want := []string{org.url}
			if legacy {
				want = append(want, salesforce.ProductionAudience)
			}
			if got := org.audiences(); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("audiences tried %q, want %q", got, want)
			}
			org.clock.Add(2 * time.Minute) // the session ends: the audience found is the one signed for
			issued(t, credentials(t, s, 8), org.url)
			want = append(want, want[len(want)-1])
			if got := org.audiences(); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("audiences tried %q, want %q (the one found, kept)", got, want)
			}
			if !strings.Contains(s.out.String(), want[len(want)-1]) {
				t.Errorf("the log does not say which audience works:\n%s", s.out)
			}
		})
	}
}

// checkBackoff: after a failed login, no new one for a few seconds;
// callers in that window share the failure.
func checkBackoff(t *testing.T, h *harness) {
	org := newPractice(t, false, func(c *emulator.Config) { c.Apps[0].Certificate = "" })
	s := h.start(t, conformanceOrg(org.url, org.url))
	failedAt := time.Now()
	for _, a := range credentials(t, s, 16) { // at once, on a cold cache: one login, its failure shared
		refused(t, a, "invalid_grant", "token", "invalid assertion")
	}
	if n := org.tokens.Load(); n != 1 {
		t.Errorf("16 concurrent requests whose login failed made %d token requests, want 1", n)
	}
	for _, a := range credentials(t, s, 16) {
		refused(t, a, "invalid_grant", "token", "invalid assertion")
	}
	must(t, org.e.UploadCertificate(emulatortest.AppName, emulatortest.Keys().CertPEM))
	a := ask(t, s, "GET", "/auth-credential")
	if time.Since(failedAt) < time.Duration(ServerBackoffSeconds-1)*time.Second { // else too slow a machine to tell
		refused(t, a, "invalid_grant", "token", "invalid assertion")
		if n := org.tokens.Load(); n != 1 {
			t.Errorf("%d token requests within the back-off, want 1", n)
		}
	}
	// Once it is over, one new login, and the credential.
	deadline := time.Now().Add(time.Minute) // a guard against a hang, not a timing check
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for a.status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("never recovered: %d %s", a.status, a.body)
		}
		<-tick.C
		a = ask(t, s, "GET", "/auth-credential")
	}
	if n := org.tokens.Load(); n != 2 {
		t.Errorf("%d token requests in all, want 2 (one failed, one after the back-off)", n)
	}
}

// ---- Servers that misbehave ----

// hostileOrg answers the token request (or, when token is nil, gives a
// token for itself) and singleaccess as a case says.
type hostileOrg struct {
	url       string
	access    string
	assertion atomic.Value // the last one received
	token     func(w http.ResponseWriter, r *http.Request, h *hostileOrg)
	single    func(w http.ResponseWriter, r *http.Request, h *hostileOrg)
	hits      atomic.Int64
}

func startHostile(t testing.TB, token, single func(http.ResponseWriter, *http.Request, *hostileOrg)) *hostileOrg {
	h := &hostileOrg{access: "00DHOSTILE000001!" + strings.Repeat("AQ8x", 20), token: token, single: single}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		r.ParseForm()
		switch r.URL.Path {
		case "/services/oauth2/token":
			h.assertion.Store(r.PostForm.Get("assertion"))
			if h.token == nil {
				writeJSON(w, 200, map[string]string{"access_token": h.access, "instance_url": h.url, "token_type": "Bearer"})
				return
			}
			h.token(w, r, h)
		case "/services/oauth2/singleaccess":
			if h.single == nil {
				writeJSON(w, 200, map[string]string{"frontdoor_uri": h.url + "/secur/frontdoor.jsp?otp=x"})
				return
			}
			h.single(w, r, h)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close) // ends the hanging handlers' requests
	h.url = srv.URL
	return h
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// hang never answers until the test ends.
func hang(w http.ResponseWriter, r *http.Request, _ *hostileOrg) {
	select {
	case <-r.Context().Done():
	case <-time.After(3 * time.Minute):
	}
}

// drip sends its headers, then a byte a second for longer than any limit.
func drip(w http.ResponseWriter, r *http.Request, _ *hostileOrg) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	w.Write([]byte(`{"access_token":"`))
	for range 120 {
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
		if _, err := w.Write([]byte("x")); err != nil {
			return
		}
	}
}

func answerWith(status int, ctype, body string) func(http.ResponseWriter, *http.Request, *hostileOrg) {
	return func(w http.ResponseWriter, r *http.Request, _ *hostileOrg) {
		w.Header().Set("Content-Type", ctype)
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "https://evil.example/services/oauth2/token")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func instanceAt(instance string) func(http.ResponseWriter, *http.Request, *hostileOrg) {
	return func(w http.ResponseWriter, r *http.Request, h *hostileOrg) {
		writeJSON(w, 200, map[string]string{"access_token": h.access, "instance_url": instance, "token_type": "Bearer"})
	}
}

// iss is the consumer key an assertion names.
func iss(assertion string) string {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return ""
	}
	data, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct{ Iss string }
	json.Unmarshal(data, &claims)
	return claims.Iss
}

// echoing answers with what it was given: the signed JWT and the consumer
// key, whole, URL-encoded and in part.
func echoing(w http.ResponseWriter, r *http.Request, h *hostileOrg) {
	a := r.PostForm.Get("assertion")
	ck := iss(a)
	writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "bad assertion " + a + " from " +
		url.QueryEscape(ck) + " (" + a[20:60] + ", " + ck[3:25] + ")"})
}

// echoingToken refuses the access token, echoing it and the consumer key.
func echoingToken(w http.ResponseWriter, r *http.Request, h *hostileOrg) {
	ck := iss(h.assertion.Load().(string))
	writeJSON(w, 403, []map[string]string{{"errorCode": "INVALID_SESSION_ID", "message": "Session " + h.access + " (" +
		url.QueryEscape(h.access) + ", " + h.access[5:30] + ") is not valid for " + ck}})
}

func checkHostile(t *testing.T, h *harness) {
	big := `{"access_token":"` + strings.Repeat("A", 2<<20) + `"}`
	cases := []struct {
		name          string
		token, single func(http.ResponseWriter, *http.Request, *hostileOrg)
		code, phase   string
	}{
		{"the token request hangs", hang, nil, "timeout", "token"},
		{"the token reply drips", drip, nil, "timeout", "token"},
		{"a web page for a token", answerWith(200, "text/html", "<html><body>Welcome</body></html>"), nil, "bad_reply", "token"},
		{"no access_token", answerWith(200, "application/json", `{"instance_url":"https://acme.my.salesforce.com"}`), nil, "bad_reply", "token"},
		{"2 MiB for a token", answerWith(200, "application/json", big), nil, "too_large", "token"},
		{"a server error", answerWith(503, "text/html", "<h1>Maintenance</h1>"), nil, "server", "token"},
		{"a redirect", answerWith(302, "text/html", ""), nil, "redirect", "token"},
		{"an error page", answerWith(404, "text/html", "<h1>Not Found</h1>"), nil, "bad_reply", "token"},
		{"echoed secrets", echoing, nil, "invalid_grant", "token"},
		{"instance_url elsewhere", instanceAt("https://evil.example.com"), nil, "unsafe_host", "token"},
		{"instance_url over http", instanceAt("http://acme.my.salesforce.com"), nil, "unsafe_host", "token"},
		{"instance_url with a user", instanceAt("https://evil@acme.my.salesforce.com"), nil, "unsafe_host", "token"},
		{"instance_url a look-alike", instanceAt("https://acme.my.salesforce.com.evil.example"), nil, "unsafe_host", "token"},
		{"instance_url not a web address", instanceAt("javascript:alert(1)"), nil, "bad_reply", "token"},
		{"singleaccess hangs", nil, hang, "timeout", "singleaccess"},
		{"garbage for a frontdoor URL", nil, answerWith(200, "application/json", `{"frontdoor":42}`), "bad_reply", "singleaccess"},
		{"the frontdoor URL elsewhere", nil, answerWith(200, "application/json", `{"frontdoor_uri":"https://evil.example/secur/frontdoor.jsp?otp=1"}`), "unsafe_host", "singleaccess"},
		{"singleaccess redirects", nil, answerWith(307, "text/html", ""), "redirect", "singleaccess"},
		{"the token echoed", nil, echoingToken, "INVALID_SESSION_ID", "singleaccess"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			org := startHostile(t, c.token, c.single)
			o := conformanceOrg(org.url, org.url)
			s := h.start(t, o)
			a := ask(t, s, "GET", "/auth-credential")
			refused(t, a, c.code, c.phase, "")
			assertion, _ := org.assertion.Load().(string)
			noSecrets(t, "the reply", a.body, o, assertion, org.access)
			if c.code == "invalid_grant" || c.code == "INVALID_SESSION_ID" {
				if !strings.Contains(a.json["error_description"], "[redacted]") {
					t.Errorf("echoed secrets are not marked redacted: %s", a.body)
				}
			}
			t.Cleanup(func() { noSecrets(t, "the server's output", s.out.String(), o, assertion, org.access) })
		})
	}
}

// checkUnauthorized: singleaccess answers 401 for a token it took before
// (revoked): the server signs for a new one once, at once, and the request
// succeeds; a token refused again is a 502, not a loop.
func checkUnauthorized(t *testing.T, h *harness) {
	var issued, refuse atomic.Int64 // refuse: tokens up to this number get 401
	org := startHostile(t, func(w http.ResponseWriter, r *http.Request, h *hostileOrg) {
		n := issued.Add(1)
		writeJSON(w, 200, map[string]string{"access_token": fmt.Sprintf("%s%03d", h.access, n), "instance_url": h.url})
	}, func(w http.ResponseWriter, r *http.Request, h *hostileOrg) {
		var n int64
		fmt.Sscanf(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "+h.access), "%d", &n)
		if n <= refuse.Load() {
			writeJSON(w, 401, []map[string]string{{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}})
			return
		}
		writeJSON(w, 200, map[string]string{"frontdoor_uri": h.url + "/secur/frontdoor.jsp?otp=" + fmt.Sprint(n)})
	})
	o := conformanceOrg(org.url, org.url)
	s := h.start(t, o)
	if a := ask(t, s, "GET", "/auth-credential"); a.status != http.StatusOK || issued.Load() != 1 {
		t.Fatalf("first credential: %d %s (%d tokens)", a.status, a.body, issued.Load())
	}
	refuse.Store(1) // the first token is revoked
	for _, a := range credentials(t, s, 8) {
		if a.status != http.StatusOK || a.json["authCredential"] != org.url+"/secur/frontdoor.jsp?otp=2" {
			t.Errorf("after a 401: %d %s", a.status, a.body)
		}
	}
	if n := issued.Load(); n != 2 {
		t.Errorf("%d token requests after the 401, want 2 in all", n)
	}
	refuse.Store(3) // the second, and the one it would sign for next: refused at once
	a := ask(t, s, "GET", "/auth-credential")
	refused(t, a, "INVALID_SESSION_ID", "singleaccess", "Session expired or invalid")
	if n := issued.Load(); n != 3 {
		t.Errorf("%d token requests after two 401s, want 3 (one re-sign, no loop)", n)
	}
	noSecrets(t, "the reply", a.body, o, org.access)
}

// checkProcfile: the Procfile's web: line starts it (on 0.0.0.0 and PORT,
// as a platform runs it).
func checkProcfile(t *testing.T, h *harness) {
	org := newPractice(t, false, nil)
	o := conformanceOrg(org.url, org.url)
	dir := h.project(t, o)
	procfile, err := os.ReadFile(filepath.Join(dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	web, ok := strings.CutPrefix(strings.TrimSpace(string(procfile)), "web: ")
	if !ok {
		t.Fatalf("Procfile: %q", procfile)
	}
	port := freePort(t)
	s := h.launch(t, dir, []string{"sh", "-c", web}, "PORT="+port)
	if s.url != "http://0.0.0.0:"+port {
		t.Fatalf("%s: listening on %q, want http://0.0.0.0:%s:\n%s", web, s.url, port, s.out)
	}
	s.url = "http://127.0.0.1:" + port
	issued(t, []answer{ask(t, s, "GET", "/auth-credential", "User-Agent: curl/8")}, org.url)
	noSecrets(t, "the server's output", s.out.String(), o)
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
