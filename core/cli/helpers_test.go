package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// orgKeyFile writes the practice org's private key (emulatortest.Keys,
// PKCS#8 PEM) into a folder of t's.
func orgKeyFile(t *testing.T) string {
	t.Helper()
	return writeTemp(t, certs.KeyFileName, emulatortest.Keys().KeyPEM)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// orgConfig is the practice org the command tests talk to, set up right for
// emulatortest.Keys: a Spring '26 org, whose aud is its own URL.
func orgConfig() *emulator.Config { return emulatortest.Config(emulatortest.Keys()) }

// legacyConfig is an older org: only login.salesforce.com is its audience.
func legacyConfig() *emulator.Config {
	cfg := orgConfig()
	cfg.LegacyLoginHosts = nil
	return cfg
}

// practiceOrg is the org on loopback, with what the command tests ask of it.
type practiceOrg struct{ *emulatortest.Org }

// startOrg serves cfg (nil: orgConfig) until the test ends.
func startOrg(t *testing.T, cfg *emulator.Config, opts emulator.Options) *practiceOrg {
	t.Helper()
	if cfg == nil {
		cfg = orgConfig()
	}
	return &practiceOrg{emulatortest.Start(t, cfg, opts)}
}

// startMyDomainOrg serves cfg as the org at https://acme.my.salesforce.com,
// reached through env() alone: what `tnjwt test` does only for a login URL
// that is not this computer (audience discovery) runs against it.
func startMyDomainOrg(t *testing.T, cfg *emulator.Config) *practiceOrg {
	t.Helper()
	return &practiceOrg{emulatortest.StartMyDomain(t, cfg, emulator.Options{}, "acme.my.salesforce.com")}
}

// env is an Env whose `tnjwt test` reaches the org: nil (newEnv) for one on
// loopback.
func (o *practiceOrg) env() *Env {
	if o.Route == nil {
		return nil
	}
	env := newEnv()
	env.NewClient = func(timeout time.Duration) *salesforce.Client {
		c := salesforce.NewClient(timeout)
		o.Route(c.HTTP.Transport.(*http.Transport))
		return c
	}
	return env
}

// testArgs are the flags of a valid direct `tnjwt test` against the org.
func (o *practiceOrg) testArgs(t *testing.T, extra ...string) []string {
	return append([]string{"test", "--login-url", o.URL, "--client-id", emulatortest.ConsumerKey,
		"--username", emulatortest.Username, "--key-file", orgKeyFile(t)}, extra...)
}

// last is the latest request the org answered.
func (o *practiceOrg) last(t *testing.T) emulator.RequestRecord {
	t.Helper()
	log := o.E.Requests()
	if len(log) == 0 {
		t.Fatal("the practice org got no request")
	}
	return log[len(log)-1]
}

// faultServer answers every request with h, for what the emulator never
// does. Cutting the connections first releases a handler that hangs.
func faultServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// hang never answers. It reads the body first: only then does the server
// notice the client hanging up, which ends the request's context.
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

func answer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// testVault is the keychain of the Envs that newEnv, runCmd and profRun
// make: profSetup gives each test an in-memory one; nil is the OS keychain,
// which only the TestKeyring… tests use. One variable is enough: the
// t.Setenv in profSetup already keeps these tests from running in parallel.
var testVault func() *secrets.Vault

// newEnv is an Env with a background context, the real clock and testVault.
func newEnv() *Env {
	return &Env{Ctx: context.Background(), Now: time.Now, NewVault: testVault, SDKStore: &noSDKStore}
}

// noSDKStore keeps no copy of the SDK and fetches none: its CDN refuses
// the connection at once (the tests never reach the internet), so a
// preview loads the SDK from the CDN in the browser.
var noSDKStore = preview.SDKStore{Dir: filepath.Join(os.TempDir(), "tnjwt-test-no-sdk"), URL: "http://127.0.0.1:1/sdk-bundle.module.js",
	Integrity: embedding.SDKIntegrity}

// runCmd runs a command through Dispatch (env nil: newEnv) and checks that
// no secret reached either stream.
func runCmd(t *testing.T, env *Env, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = newEnv()
	}
	env.Stdout, env.Stderr = &out, &errb
	code = Dispatch(args, env)
	noSecrets(t, out.String())
	noSecrets(t, errb.String())
	return code, out.String(), errb.String()
}

// accessToken matches a Salesforce access token: the org id, "!", the rest.
var accessToken = regexp.MustCompile(`00D[0-9A-Za-z]{12}!`)

// noSecrets fails when s holds the consumer key, a line of the private key
// or an access token.
func noSecrets(t *testing.T, s string) {
	t.Helper()
	lines := strings.Split(string(emulatortest.Keys().KeyPEM), "\n")
	for _, secret := range []string{emulatortest.ConsumerKey, lines[1], lines[len(lines)/2]} {
		if strings.Contains(s, secret) {
			t.Errorf("output carries a secret (%.12s…):\n%s", secret, s)
		}
	}
	if tok := accessToken.FindString(s); tok != "" {
		t.Errorf("output carries an access token (%s…):\n%s", tok, s)
	}
}

// openProfileTarget loads a saved profile and its current key, as
// `tnjwt export --profile` does.
func openProfileTarget(env *Env, name string) (testTarget, error) {
	return openTarget(env, name, false)
}

// lineWatch is stderr that says when a line containing want is written.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func newLineWatch(want string) *lineWatch {
	return &lineWatch{want: want, seen: make(chan struct{})}
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
