package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/safetext"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// hostileRunes are what must never reach a terminal or profiles.json raw:
// ESC (and so CSI and OSC sequences), NUL, BEL, the 8-bit CSI and the
// right-to-left override.
var hostileRunes = []string{"\x1b", "\x00", "\x07", "\u009b", "\u202e"}

// hostileEscapes are the same characters as JSON writes them.
var hostileEscapes = []string{`\u001b`, `\u0000`, `\u0007`, `\u009b`, `\u202e`, `\u202E`}

// noHostileText fails when s holds a hostile character, raw or JSON-escaped.
// Line breaks and tabs, which tnjwt itself writes, are allowed.
func noHostileText(t *testing.T, what, s string) {
	t.Helper()
	if pos, r, ok := safetext.FirstControl(strings.NewReplacer("\n", " ", "\t", " ").Replace(s)); ok {
		t.Errorf("%s holds %U at position %d:\n%q", what, r, pos, s)
	}
	for _, h := range append(append([]string(nil), hostileRunes...), hostileEscapes...) {
		if strings.Contains(s, h) {
			t.Errorf("%s holds %q:\n%q", what, h, s)
		}
	}
}

// Control characters in a username or consumer key given on the command
// line, in a file or on standard input: exit 2, one line naming the
// character and where it is, nothing of the input echoed, no request to the
// org and nothing stored.
func TestControlCharactersInTypedInputAreRefused(t *testing.T) {
	profSetup(t) // profile import must not reach the real profiles or keychain
	org := startOrg(t, nil, emulator.Options{})
	key := orgKeyFile(t)
	// The consumer key with a character at position 46.
	withAt46 := func(c string) string { return emulatortest.ConsumerKey[:45] + c + emulatortest.ConsumerKey[45:] }
	nulFile := writeTemp(t, "ck-nul.txt", []byte(withAt46("\x00")+"\n"))
	cases := []struct {
		name     string
		flag     string // --username, --client-id or --client-id-file
		value    string
		stdin    string // for --client-id -
		mention  string
		mentions string // what the message must name
	}{
		{"username with CSI", "--username", "embed\x1b[31m@acme.com", "", "--username", "(U+001B) at position 6"},
		{"username with RLO", "--username", "embed\u202e@acme.com", "", "--username", "(U+202E) at position 6"},
		{"username with NUL", "--username", "embed\x00@acme.com", "", "--username", "(U+0000) at position 6"},
		{"key with RLO", "--client-id", withAt46("\u202e"), "", "consumer key", "(U+202E) at position 46"},
		{"key with NUL", "--client-id", withAt46("\x00"), "", "consumer key", "(U+0000) at position 46"},
		{"key with ESC on stdin", "--client-id", "-", withAt46("\x1b") + "\n", "consumer key", "(U+001B) at position 46"},
		{"key with NUL in a file", "--client-id-file", nulFile, "", "consumer key", "(U+0000) at position 46"},
	}
	run := func(t *testing.T, stdin string, args ...string) (int, string, string) {
		t.Helper()
		env := newEnv()
		if stdin != "" {
			env.Stdin = strings.NewReader(stdin)
		}
		return runCmd(t, env, args...)
	}
	check := func(t *testing.T, code int, out, errOut, mentions string) {
		t.Helper()
		if code != ExitUsage {
			t.Fatalf("exit %d, want 2\nstdout %q\nstderr %q", code, out, errOut)
		}
		if out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") || !strings.Contains(errOut, mentions) {
			t.Errorf("want one stderr line naming %q; stdout %q stderr %q", mentions, out, errOut)
		}
		noHostileText(t, "stderr", errOut)
		if strings.Contains(errOut, emulatortest.ConsumerKey[:12]) || strings.Contains(errOut, "embed") || strings.Contains(errOut, "acme.com") {
			t.Errorf("stderr quotes the input: %q", errOut)
		}
	}
	for _, c := range cases {
		t.Run("test/"+c.name, func(t *testing.T) {
			args := []string{"test", "--login-url", org.URL, "--client-id", emulatortest.ConsumerKey, "--username", emulatortest.Username, "--key-file", key}
			if c.flag == "--client-id-file" {
				args = profDropFlag(args, "--client-id")
			}
			code, out, errOut := run(t, c.stdin, profSetFlag(args, c.flag, c.value)...)
			check(t, code, out, errOut, c.mentions)
		})
		t.Run("import/"+c.name, func(t *testing.T) {
			mem, dir := profSetup(t)
			args := []string{"profile", "import", "--name", "acme", "--login-url", org.URL,
				"--client-id", emulatortest.ConsumerKey, "--username", emulatortest.Username, "--key-file", key}
			if c.flag == "--client-id-file" {
				args = profDropFlag(args, "--client-id")
			}
			code, out, errOut := run(t, c.stdin, profSetFlag(args, c.flag, c.value)...)
			check(t, code, out, errOut, c.mentions)
			if !strings.Contains(errOut, c.mention) || !strings.Contains(errOut, "nothing was stored") {
				t.Errorf("stderr %q does not name %s or say nothing was stored", errOut, c.mention)
			}
			if mem.Len() != 0 {
				t.Errorf("keychain touched: %v", mem.Users(secrets.Service))
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Error("profiles folder created for a refused import")
			}
		})
	}
	if log := org.E.Requests(); len(log) != 0 {
		t.Errorf("hostile input reached the org: %v", log)
	}
}

// readCounter is an endless consumer key ('A' forever) that counts what is
// read from it. After 1 MiB it fails instead, so a command that stopped
// bounding the read ends at once, with an error this test tells apart.
type readCounter struct{ n int }

func (r *readCounter) Read(p []byte) (int, error) {
	if r.n >= 1<<20 {
		return 0, errors.New("the test's endless reader was read past 1 MiB")
	}
	for i := range p {
		p[i] = 'A'
	}
	r.n += len(p)
	return len(p), nil
}

// A --client-id-file or standard input over maxClientIDBytes: exit 2 at
// once, one line saying it is too long, no more than the limit and a byte
// read, no request and nothing stored.
func TestOversizedConsumerKeyInputIsRefused(t *testing.T) {
	profSetup(t)
	org := startOrg(t, nil, emulator.Options{})
	key := orgKeyFile(t)
	over := bytes.Repeat([]byte("A"), maxClientIDBytes+512)
	bigFile := writeTemp(t, "ck-big.txt", over)
	tooLong := fmt.Sprintf("longer than %d bytes", maxClientIDBytes)
	var endless *readCounter
	cases := []struct {
		name, mention string
		args          []string // in place of --client-id
		stdin         func() io.Reader
		read          func() int // bytes read from stdin; nil: not counted
	}{
		{"file", "--client-id-file", []string{"--client-id-file", bigFile}, nil, nil},
		{"stdin just over", "standard input", []string{"--client-id", "-"},
			func() io.Reader { return bytes.NewReader(over[:maxClientIDBytes+1]) }, nil},
		{"stdin a bit over", "standard input", []string{"--client-id", "-"},
			func() io.Reader { return bytes.NewReader(over) }, nil},
		// Endless, but bounded by the test itself (see readCounter).
		{"stdin endless", "standard input", []string{"--client-id", "-"},
			func() io.Reader { endless = &readCounter{}; return endless }, func() int { return endless.n }},
	}
	for _, c := range cases {
		for _, cmd := range []string{"test", "import"} {
			t.Run(cmd+"/"+c.name, func(t *testing.T) {
				mem, dir := profSetup(t)
				args := []string{"test", "--login-url", org.URL, "--username", emulatortest.Username, "--key-file", key}
				if cmd == "import" {
					args = []string{"profile", "import", "--name", "acme", "--login-url", org.URL, "--username", emulatortest.Username, "--key-file", key}
				}
				env := newEnv()
				if c.stdin != nil {
					env.Stdin = c.stdin()
				}
				// An unbounded read of the endless input would hang here.
				code, out, errOut := runCmd(t, env, append(args, c.args...)...)
				if code != ExitUsage || out != "" || strings.Count(errOut, "\n") != 1 ||
					!strings.Contains(errOut, "the consumer key in "+c.mention+" is "+tooLong) {
					t.Errorf("exit %d, want 2 and one line saying the key in %s is %s\nstdout %q\nstderr %q", code, c.mention, tooLong, out, errOut)
				}
				if strings.Contains(errOut, "AAAAAAAA") {
					t.Errorf("stderr quotes the input: %.200q", errOut)
				}
				if c.read != nil {
					if n := c.read(); n > maxClientIDBytes+1+64*1024 {
						t.Errorf("read %d bytes of an endless standard input", n)
					}
				}
				if mem.Len() != 0 {
					t.Errorf("keychain touched: %v", mem.Users(secrets.Service))
				}
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Error("profiles folder created for a refused command")
				}
			})
		}
	}
	// A key of exactly the limit is read whole: the limit is not off by one.
	// (It is no consumer key Salesforce makes, so the org refuses it.)
	exact := writeTemp(t, "ck-exact.txt", append(bytes.Repeat([]byte("A"), maxClientIDBytes-1), '\n'))
	code, _, errOut := runCmd(t, nil, "test", "--login-url", org.URL, "--username", emulatortest.Username, "--key-file", key, "--client-id-file", exact)
	if strings.Contains(errOut, tooLong) || code == ExitUsage {
		t.Errorf("a key file of exactly %d bytes: exit %d %q", maxClientIDBytes, code, errOut)
	}
	if n := len(org.E.Requests()); n != 1 {
		t.Errorf("the org saw %d requests, want only the one of the key at the limit", n)
	}
}

// A refusal whose error and error_description hold escape sequences, NUL
// and a bidi override, answered to `tnjwt test --profile`: none of it
// reaches profiles.json, raw or JSON-escaped, nor profile show or list.
func TestServerTextSavedInAProfileHasNoControlCharacters(t *testing.T) {
	_, dir := profSetup(t)
	desc := "user \x1b[31mhasn't\x1b[0m approved\x00 this\u202e consumer\x1b]0;pwned\x07 \u009b2J now"
	body, err := json.Marshal(map[string]string{"error": "invalid_grant\x1b[2J", "error_description": desc})
	if err != nil {
		t.Fatal(err)
	}
	login := faultServer(t, answer(400, jsonType, string(body)))

	if code, out, errOut := runCmd(t, nil, "profile", "import", "--name", "acme", "--login-url", login,
		"--username", emulatortest.Username, "--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t)); code != ExitOK {
		t.Fatalf("profile import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, nil, "test", "--profile", "acme")
	if code != ExitRefused {
		t.Fatalf("test --profile: exit %d, want 3\n%s%s", code, out, errOut)
	}
	noHostileText(t, "test report", out+errOut)

	raw, err := os.ReadFile(filepath.Join(dir, profiles.FileName))
	if err != nil {
		t.Fatal(err)
	}
	noHostileText(t, "profiles.json", string(raw))
	p, err := profiles.Open(dir, nil).Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	// The words are kept, and the refusal was recorded at all.
	if lt := p.LastTest; lt == nil || lt.OK || !strings.HasPrefix(lt.Error, "invalid_grant") ||
		!strings.Contains(lt.Description, "approved") || !strings.HasSuffix(lt.Description, "now") {
		t.Fatalf("recorded %+v", p.LastTest)
	}
	for _, args := range [][]string{
		{"profile", "show", "acme"}, {"profile", "show", "acme", "--json"},
		{"profile", "list"}, {"profile", "list", "--json"},
	} {
		code, out, errOut := runCmd(t, nil, args...)
		if code != ExitOK || !strings.Contains(out, "approved") {
			t.Errorf("%v: exit %d, no refusal shown\n%s%s", args, code, out, errOut)
		}
		noHostileText(t, strings.Join(args, " "), out+errOut)
	}
}

// hostileOrg is a loopback token endpoint that answers a working login
// whose scope and id URL hold escape sequences (clear the screen, set the
// title), the 8-bit CSI and a bidi override, and a singleaccess endpoint
// that answers frontdoor.
func hostileOrg(t *testing.T, frontdoor string) string {
	t.Helper()
	var base string
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]string{"access_token": "00Dx!HOSTILE.TOKEN", "instance_url": base, "token_type": "Bearer",
			"scope": "web\x1b[2J\x1b]0;pwned\x07 refresh_token\u009b31m\u202e",
			"id":    base + "/id/00D5g00000ACMEAAA%1B%5B2J/0055g00000EMBEDAAA%E2%80%AE"})
		answer(200, jsonType, string(body))(w, r)
	})
	mux.HandleFunc("/services/oauth2/singleaccess", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]string{"frontdoor_uri": strings.ReplaceAll(frontdoor, "ORG", base)})
		answer(200, jsonType, string(body))(w, r)
	})
	base = faultServer(t, mux.ServeHTTP)
	return base
}

// A hostile token endpoint on loopback: its scope reaches the report and
// the JSON only cleaned, its ids (not Salesforce ids) not at all, and a
// frontdoor_uri holding an escape sequence, the 8-bit CSI or a bidi
// override is refused as a bad reply (exit 4) that names the character.
func TestTestOutputHasNoServerEscapes(t *testing.T) {
	key := orgKeyFile(t)
	args := func(login string, extra ...string) []string {
		return append([]string{"test", "--login-url", login, "--client-id", emulatortest.ConsumerKey,
			"--username", emulatortest.Username, "--key-file", key}, extra...)
	}
	login := hostileOrg(t, "ORG/secur/frontdoor.jsp?otp=abc")
	code, out, errOut := runCmd(t, nil, args(login)...)
	if code != ExitOK || !strings.Contains(out, "Scope:         web refresh_token\n") || strings.Contains(out, "Org / user:") {
		t.Errorf("report: exit %d\n%s%s", code, out, errOut)
	}
	noHostileText(t, "report", out+errOut)
	code, out, errOut = runCmd(t, nil, args(login, "--json")...)
	m := decodeTestJSON(t, out)
	if code != ExitOK || m["scope"] != "web refresh_token" || m["org_id"] != nil || m["user_id"] != nil {
		t.Errorf("JSON: exit %d scope %q ids %v / %v", code, m["scope"], m["org_id"], m["user_id"])
	}
	noHostileText(t, "JSON", out+errOut)

	for _, fd := range []string{"ORG/secur/frontdoor.jsp?otp=abc\x1b[2J\x1b]0;pwned\x07", "ORG/secur/frontdoor.jsp?otp=abc\u009b31m",
		"ORG/secur/\u202efrontdoor.jsp?otp=abc"} {
		login := hostileOrg(t, fd)
		code, out, errOut := runCmd(t, nil, args(login)...)
		if code != ExitTransport || !strings.Contains(strings.Join(strings.Fields(out), " "), "frontdoor_uri holds an invisible control character (U+") ||
			strings.Contains(out, "Frontdoor URL (") {
			t.Errorf("%q: exit %d\n%s%s", fd, code, out, errOut)
		}
		noHostileText(t, "report of "+fd, out+errOut)
		code, out, errOut = runCmd(t, nil, args(login, "--json")...)
		if m := decodeTestJSON(t, out); code != ExitTransport || m["error"] != "bad_reply" || m["frontdoor_uri"] != nil {
			t.Errorf("%q JSON: exit %d error %v frontdoor %v", fd, code, m["error"], m["frontdoor_uri"])
		}
		noHostileText(t, "JSON of "+fd, out+errOut)
	}
}
