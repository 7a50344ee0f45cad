package docgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/internal/layering"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/cli"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// The generated block of docs/cli.md lies between these two lines.
const (
	beginMarker = "<!-- generated: cli help -->"
	endMarker   = "<!-- end generated -->"
)

// updateEnv set to 1 makes TestCLIHelpIsCurrent rewrite docs/cli.md instead
// of failing on a difference.
const updateEnv = "TNJWT_UPDATE_DOCS"

// fakeConfigDir stands in for the profiles folder, which `profile --help`
// names and which differs per machine and user.
const fakeConfigDir = "/home/you/.config/tnjwt"

// keychainWords stands in for secrets.Location(), which names this
// system's keychain: the page is the same whichever system renders it.
const keychainWords = "OS keychain"

// Markers in front of the hand-written examples the tests below check.
const (
	emulatorExampleMarker  = "<!-- checked: emulator config example -->"
	embeddingExampleMarker = "<!-- checked: emulator embedding example -->"
	deployExampleMarker    = "<!-- checked: emulator deploy example -->"
	testOKMarker           = "<!-- checked: test --json passed -->"
	testFailedMarker       = "<!-- checked: test --json refused -->"
	profileListMarker      = "<!-- checked: profile list --json -->"
	testAllMarker          = "<!-- checked: test --all --json -->"
)

// TestCLIHelpIsCurrent renders `tnjwt --help` and every command's and
// profile subcommand's --help into the generated block of docs/cli.md, and
// fails when the file holds something else. TNJWT_UPDATE_DOCS=1 rewrites
// the block instead.
func TestCLIHelpIsCurrent(t *testing.T) {
	path := filepath.Join(moduleRoot(t), "docs", "cli.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	begin := strings.Index(doc, beginMarker)
	end := strings.Index(doc, endMarker)
	if begin < 0 || end < begin {
		t.Fatalf("%s: the lines %q and %q (in that order) mark the generated block; one is missing", path, beginMarker, endMarker)
	}
	want := doc[:begin] + beginMarker + "\n\n" + renderHelp(t) + "\n" + doc[end:]
	if want == doc {
		return
	}
	if os.Getenv(updateEnv) == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the generated block of %s", path)
		return
	}
	t.Fatalf("docs/cli.md does not match the commands' --help (%s).\n"+
		"Regenerate it: %s=1 go test -count=1 -tags migrated_fynedo ./internal/docgen/", firstDifference(doc, want), updateEnv)
}

// renderHelp is the generated block: one section per help page.
func renderHelp(t *testing.T) string {
	t.Setenv(profiles.EnvDir, fakeConfigDir)
	var b strings.Builder
	section := func(args ...string) string {
		out := runHelp(t, args...)
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "### `tnjwt %s`\n\n```text\n%s```\n", strings.Join(args, " "), out)
		return out
	}
	top := section("--help")
	cmds := listed(t, top, "Commands:", commandName)
	for _, c := range cmds {
		out := section(c, "--help")
		if c != "profile" {
			continue
		}
		for _, sub := range listed(t, out, "Usage:", profileSubcommand) {
			section(c, sub, "--help")
		}
	}
	return b.String()
}

// runHelp runs one help page the way the binary would and makes it the same
// on every machine.
func runHelp(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Now: time.Now}
	if code := cli.Dispatch(args, env); code != cli.ExitOK || stderr.Len() > 0 {
		t.Fatalf("tnjwt %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr.String())
	}
	out := stdout.String()
	out = strings.ReplaceAll(out, secrets.Location(), keychainWords)
	// DefaultDir cleans the path, which turns the slashes round on Windows.
	out = strings.ReplaceAll(out, filepath.Clean(fakeConfigDir), fakeConfigDir)
	// One newline at the end, even after a page with no flags.
	return strings.TrimRight(out, "\n") + "\n"
}

// listed picks names out of the indented lines that follow heading in a help
// page, stopping at the first blank line after them.
func listed(t *testing.T, page, heading string, name func(line string) string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(page, heading+"\n")
	if !ok {
		t.Fatalf("no %q section in:\n%s", heading, page)
	}
	var names []string
	for line := range strings.SplitSeq(rest, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		if n := name(line); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		t.Fatalf("no names under %q in:\n%s", heading, page)
	}
	return names
}

// commandName reads "  keygen    generate …" from `tnjwt --help`.
func commandName(line string) string {
	if !strings.HasPrefix(line, "  ") {
		return ""
	}
	f := strings.Fields(line)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// profileSubcommand reads "  tnjwt profile list [--json] …" from
// `tnjwt profile --help` (continuation lines start with a flag).
func profileSubcommand(line string) string {
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "tnjwt" || f[1] != "profile" || strings.HasPrefix(f[2], "-") {
		return ""
	}
	return f[2]
}

// firstDifference names the first line where got and want part.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("first difference at line %d: the file has %q, the code gives %q", i+1, gl, wl)
		}
	}
	return "they differ"
}

// moduleRoot is the module's root folder, or the test fails.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := layering.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// example is the fenced block that follows marker in docs/cli.md.
func example(t *testing.T, marker string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), marker+"\n")
	if !ok {
		t.Fatalf("docs/cli.md has no %q line", marker)
	}
	rest, ok = strings.CutPrefix(rest, "```json\n")
	if !ok {
		t.Fatalf("docs/cli.md: a ```json block must follow %q", marker)
	}
	block, _, ok := strings.Cut(rest, "\n```")
	if !ok {
		t.Fatalf("docs/cli.md: the block after %q does not end", marker)
	}
	return []byte(block)
}

// TestEmulatorExampleIsAccepted loads the documented practice org config
// with the emulator's own parser, which refuses unknown fields.
func TestEmulatorExampleIsAccepted(t *testing.T) {
	dir := t.TempDir()
	b := emulatortest.Other()
	if err := os.WriteFile(filepath.Join(dir, certs.CertFileName), b.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{emulatorExampleMarker, embeddingExampleMarker, deployExampleMarker} {
		if _, err := emulator.ParseConfig(example(t, marker), "docs/cli.md", dir); err != nil {
			t.Fatalf("the documented emulator config after %s is refused: %v", marker, err)
		}
	}
}

// TestTestJSONExamples runs `tnjwt test --json` against the practice org,
// once passing and once refused, and compares the fields it prints (and
// those of timings_ms and diagnosis) with the documented examples.
func TestTestJSONExamples(t *testing.T) {
	t.Setenv(profiles.EnvDir, t.TempDir()) // never the developer's own profiles
	keys := emulatortest.Keys()
	org := emulatortest.Start(t, emulatortest.Config(keys), emulator.Options{})
	keyFile := filepath.Join(t.TempDir(), certs.KeyFileName)
	if err := os.WriteFile(keyFile, keys.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		marker, clientID string
		exit             int
	}{
		{testOKMarker, emulatortest.ConsumerKey, cli.ExitOK},
		{testFailedMarker, "3MVG9" + strings.Repeat("x", 80), cli.ExitRefused},
	} {
		var stdout, stderr bytes.Buffer
		env := &cli.Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: time.Now}
		args := []string{"test", "--json", "--login-url", org.URL, "--client-id", c.clientID,
			"--username", emulatortest.Username, "--key-file", keyFile}
		if code := cli.Dispatch(args, env); code != c.exit {
			t.Fatalf("%s: exit %d, want %d; stderr %q", c.marker, code, c.exit, stderr.String())
		}
		got, err := fieldsOf(stdout.Bytes())
		if err != nil {
			t.Fatalf("%s: tnjwt test --json printed %v:\n%s", c.marker, err, stdout.String())
		}
		want, err := fieldsOf(example(t, c.marker))
		if err != nil {
			t.Fatalf("docs/cli.md, the block after %s: %v", c.marker, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("docs/cli.md, the block after %s, lists the fields\n  %s\nbut tnjwt test --json prints\n  %s",
				c.marker, strings.Join(want, " "), strings.Join(got, " "))
		}
	}
}

// TestProfileListJSONExample saves a profile like the documented one and
// compares the fields `tnjwt profile list --json` prints with the example.
// (list reads no secret, so the keychain is never asked.)
func TestProfileListJSONExample(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(profiles.EnvDir, dir)
	keys := emulatortest.Keys()
	now := time.Now()
	info := certs.Describe(keys.Cert, now)
	p := profiles.Profile{Name: "acme-prod", LoginURL: "https://acme.my.salesforce.com", Username: "embed@acme.com",
		CertificatePEM: string(keys.CertPEM), Fingerprint: info.Fingerprint, CertNotAfter: info.NotAfter}
	p.RecordTest(profiles.TestResult{When: now, OK: true, Audience: "https://acme.my.salesforce.com",
		TimingsMS: map[string]float64{"sign": 1.1, "token": 182.4, "singleaccess": 96.0, "total": 279.9}})
	store := profiles.Open(dir, secrets.NewVault(secrets.NewMemory(0), 0))
	if err := store.Save(p); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: time.Now}
	if code := cli.Dispatch([]string{"profile", "list", "--json"}, env); code != cli.ExitOK {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	got, err := fieldsOf(stdout.Bytes())
	if err != nil {
		t.Fatalf("tnjwt profile list --json printed %v:\n%s", err, stdout.String())
	}
	want, err := fieldsOf(example(t, profileListMarker))
	if err != nil {
		t.Fatalf("docs/cli.md, the block after %s: %v", profileListMarker, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("docs/cli.md, the block after %s, lists the fields\n  %s\nbut tnjwt profile list --json prints\n  %s",
			profileListMarker, strings.Join(want, " "), strings.Join(got, " "))
	}
}

// fieldsOf lists the field names of one JSON object and of the objects
// inside it, as parent.child (parent[].child inside a list), sorted.
func fieldsOf(data []byte) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, inner := range v {
				seen[prefix+k] = true
				walk(prefix+k+".", inner)
			}
		case []any:
			for _, inner := range v {
				walk(strings.TrimSuffix(prefix, ".")+"[].", inner)
			}
		}
	}
	walk("", v)
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, nil
}

// TestTestAllJSONExample runs `tnjwt test --all --json` over a profile of a
// refusing practice org and compares the line's fields with the example.
func TestTestAllJSONExample(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(profiles.EnvDir, dir)
	keys := emulatortest.Keys()
	org := emulatortest.Start(t, emulatortest.Config(keys), emulator.Options{})
	vault := secrets.NewVault(secrets.NewMemory(0), time.Second)
	store := profiles.Open(dir, vault)
	info := certs.Describe(keys.Cert, time.Now())
	p := profiles.Profile{Name: "acme-uat", LoginURL: org.URL, Username: emulatortest.Username,
		CertificatePEM: string(keys.CertPEM), Fingerprint: info.Fingerprint, CertNotAfter: info.NotAfter}
	if err := store.Save(p); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for purpose, value := range map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9" + strings.Repeat("x", 80)), secrets.PrivateKey: keys.KeyPEM} {
		if err := vault.Put(ctx, p.Name, purpose, value); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Ctx: ctx, Stdout: &stdout, Stderr: &stderr, Now: time.Now, NewVault: func() *secrets.Vault { return vault }}
	if code := cli.Dispatch([]string{"test", "--all", "--json"}, env); code != cli.ExitRefused {
		t.Fatalf("exit %d, want 3; stderr %q", code, stderr.String())
	}
	got, err := fieldsOf(stdout.Bytes())
	if err != nil {
		t.Fatalf("tnjwt test --all --json printed %v:\n%s", err, stdout.String())
	}
	want, err := fieldsOf(example(t, testAllMarker))
	if err != nil {
		t.Fatalf("docs/cli.md, the block after %s: %v", testAllMarker, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("docs/cli.md, the block after %s, lists the fields\n  %s\nbut tnjwt test --all --json prints\n  %s",
			testAllMarker, strings.Join(want, " "), strings.Join(got, " "))
	}
}
