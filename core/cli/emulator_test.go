package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

// emuConfig writes docs/cli.md's example practice org, as JSON, and its
// certificate into a fresh folder and returns the config path.
func emuConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`{
  "sandbox": false,
  "apps": [{
    "name": %q, "consumer_key": %q,
    "certificate_file": "sf_public_cert.crt", "jwt_bearer_enabled": true,
    "scopes": ["web", "refresh_token"], "permitted_users": "admin_approved",
    "permission_sets": [%q], "propagation_seconds": 0
  }],
  "users": [{"username": %q, "active": true, "api_only": false, "permission_sets": [%q]}]
}`, emulatortest.AppName, emulatortest.ConsumerKey, emulatortest.PermSet, emulatortest.Username, emulatortest.PermSet)
	if err := os.WriteFile(filepath.Join(dir, "sf_public_cert.crt"), emulatortest.Keys().CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "org.json")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEmulatorCommandServesUntilCancelled(t *testing.T) {
	cfgPath := emuConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := Dispatch([]string{"emulator", "--listen", "127.0.0.1:0", "--config", cfgPath},
			&Env{Ctx: ctx, Stdout: pw, Stderr: &stderr, Now: time.Now})
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	first, ok := <-lines
	m := regexp.MustCompile(`^listening on (http://127\.0\.0\.1:[0-9]+)$`).FindStringSubmatch(first)
	if !ok || m == nil {
		t.Fatalf("first line %q", first)
	}
	base := m[1]
	second := <-lines
	if !strings.Contains(second, base+"/services/oauth2/token") || !strings.Contains(second, "audience https://login.salesforce.com") {
		t.Errorf("second line %q", second)
	}

	claims := jwt.MapClaims{"iss": emulatortest.ConsumerKey, "sub": emulatortest.Username, "aud": "https://login.salesforce.com", "exp": time.Now().Add(3 * time.Minute).Unix()}
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(emulatortest.Keys().Key)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.PostForm(base+"/services/oauth2/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token status %d", resp.StatusCode)
	}
	claims["sub"] = "nobody@acme.com"
	refused, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(emulatortest.Keys().Key)
	resp, err = client.PostForm(base+"/services/oauth2/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {refused}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	logLine := regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2} POST /services/oauth2/token 200 user=embed@acme.com$`)
	if got := <-lines; !logLine.MatchString(got) {
		t.Errorf("log line %q", got)
	}
	want := `POST /services/oauth2/token 400 invalid_grant "user hasn't approved this consumer" user=nobody@acme.com`
	if got := <-lines; !strings.HasSuffix(got, want) {
		t.Errorf("log line %q, want suffix %q", got, want)
	}

	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	if len(rest) != 1 || rest[0] != "stopped" {
		t.Errorf("after cancel: %q", rest)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q", stderr.String())
	}
	all := first + second + strings.Join(rest, "\n")
	for _, secret := range []string{tok.AccessToken, assertion, emulatortest.ConsumerKey} {
		if strings.Contains(all, secret) {
			t.Error("output holds a secret")
		}
	}
	if _, err := client.Get(base + "/services/data"); err == nil {
		t.Error("still serving after stop")
	}
}

func TestEmulatorCommandBadInput(t *testing.T) {
	cfgPath := emuConfig(t)
	badCfg := filepath.Join(filepath.Dir(cfgPath), "bad.json")
	os.WriteFile(badCfg, []byte(`{"apps":[{"name":"A","consumer_key":"3MVG9a","scopes":["web"],"permited_users":"admin_approved"}]}`), 0o644)
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no config", []string{"--listen", "127.0.0.1:0"}, []string{"--config FILE is required"}},
		{"missing config file", []string{"--config", "/nonexistent/org.json"}, []string{"/nonexistent/org.json", "does not exist"}},
		{"bad config", []string{"--config", badCfg}, []string{badCfg, "apps[0]", `unknown field "permited_users"`}},
		{"every interface", []string{"--listen", ":8080", "--config", cfgPath}, []string{`":8080"`, "loopback"}},
		{"LAN address", []string{"--listen", "0.0.0.0:8080", "--config", cfgPath}, []string{"loopback"}},
		{"remote name", []string{"--listen", "example.com:80", "--config", cfgPath}, []string{"loopback"}},
		{"no port", []string{"--listen", "127.0.0.1", "--config", cfgPath}, []string{"not HOST:PORT"}},
		{"bad port", []string{"--listen", "127.0.0.1:99999", "--config", cfgPath}, []string{"0 to 65535"}},
		{"unknown flag", []string{"--port", "8080"}, []string{"emulator"}},
		{"stray argument", []string{"--config", cfgPath, "extra"}, []string{`unexpected argument "extra"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, nil, append([]string{"emulator"}, c.args...)...)
			if code != ExitUsage || stdout != "" {
				t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "tnjwt: ") {
				t.Errorf("not one line: %q", stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}

func TestEmulatorCommandPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, stdout, stderr := runCmd(t, nil, "emulator", "--listen", ln.Addr().String(), "--config", emuConfig(t))
	if code != ExitFailure || stdout != "" || !strings.Contains(stderr, "cannot listen on "+ln.Addr().String()) {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestEmulatorCommandHelp(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "emulator", "--help")
	if code != ExitOK || stderr != "" || !strings.Contains(stdout, "Usage: tnjwt emulator") ||
		!strings.Contains(stdout, "-listen") || !strings.Contains(stdout, "-config") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	// The help points at a document that ships (contract.md does not), and
	// the README still has that section.
	const section = "Rehearse with the emulator"
	if strings.Contains(stdout, "contract.md") || !strings.Contains(stdout, `README section "`+section+`"`) {
		t.Errorf("help does not point to the README section:\n%s", stdout)
	}
	if readme, err := os.ReadFile(filepath.Join("..", "..", "README.md")); err != nil || !strings.Contains(string(readme), "## "+section) {
		t.Errorf("README.md lacks the section %q (%v)", section, err)
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.2:8443": true, "[::1]:0": true, "localhost:0": true, "LOCALHOST:1": true,
		"0.0.0.0:0": false, "[::]:0": false, ":0": false, "192.168.1.5:80": false, "host:80": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
