package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// importAt saves profile name for the org at loginURL, with the practice
// org's consumer key and key pair, and extra import flags.
func importAt(t *testing.T, name, loginURL string, extra ...string) {
	t.Helper()
	args := append([]string{"profile", "import", "--name", name, "--login-url", loginURL, "--username", emulatortest.Username,
		"--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t),
		"--cert-file", writeTemp(t, "sf_public_cert.crt", emulatortest.Keys().CertPEM)}, extra...)
	if code, _, stderr := runCmd(t, nil, args...); code != 0 {
		t.Fatalf("import %s: %d %s", name, code, stderr)
	}
}

// sixOrgs saves six profiles, each against an org with its own fault.
func sixOrgs(t *testing.T, mem *secrets.Memory) {
	t.Helper()
	passing := startOrg(t, nil, emulator.Options{})
	importAt(t, "a-passing", passing.URL)

	unapproved := orgConfig()
	unapproved.Apps[0].PermittedUsers = emulator.AllSelfAuthorize
	importAt(t, "b-unapproved", startOrg(t, unapproved, emulator.Options{}).URL)

	// A Spring '26 org asked with the legacy audience: the app is "not installed".
	importAt(t, "c-app-not-found", startOrg(t, nil, emulator.Options{}).URL, "--audience", "https://login.salesforce.com")

	propagating := orgConfig()
	propagating.Apps[0].PropagationSeconds = 3600
	importAt(t, "d-propagating", startOrg(t, propagating, emulator.Options{}).URL)

	importAt(t, "e-hanging", faultServer(t, hang))

	importAt(t, "f-no-secrets", passing.URL)
	for _, u := range mem.Users("tnjwt") {
		if strings.HasPrefix(u, "f-no-secrets") {
			mem.Delete("tnjwt", u)
		}
	}
}

func TestTestAllTestsEveryOrgAndSaysWhichNeedWork(t *testing.T) {
	mem, dir := profSetup(t)
	sixOrgs(t, mem)
	practice := profiles.Profile{Name: "rehearsal", LoginURL: "http://localhost:1", Username: emulatortest.Username, Practice: true}
	if err := profiles.Open(dir, testVault()).Save(practice); err != nil {
		t.Fatal(err)
	}
	prom := filepath.Join(t.TempDir(), "tnjwt.prom")
	code, out, stderr := runCmd(t, nil, "test", "--all", "--timeout", "1s", "--prometheus", prom)
	if code != ExitRefused {
		t.Errorf("exit %d, want 3 (refused wins):\n%s\n%s", code, out, stderr)
	}
	want := []struct{ name, kind, step string }{
		{"a-passing", "passed", "-"}, {"b-unapproved", "refused", "eca-permitted-users"},
		{"c-app-not-found", "refused", "org-login-url"}, {"d-propagating", "refused", "eca-consumer-key"},
		{"e-hanging", "network", "-"}, {"f-no-secrets", "local", "-"},
	}
	lines := rowsOf(out)
	if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "ORG") {
		t.Fatalf("the table:\n%s", out)
	}
	for i, w := range want {
		f := strings.Fields(lines[i+1])
		if len(f) < 5 || f[0] != w.name || f[1] != w.kind || f[2] != w.step {
			t.Errorf("row %d = %q, want %s %s %s", i+1, lines[i+1], w.name, w.kind, w.step)
		}
	}
	if strings.Contains(out, "rehearsal") {
		t.Error("a practice profile was tested")
	}
	for _, w := range []string{"user hasn't approved", "Nothing is stored in the", "1 of 6 orgs passed. Refused (fix in Setup): b-unapproved, c-app-not-found, d-propagating."} {
		if !strings.Contains(strings.ToLower(out), strings.ToLower(w)) {
			t.Errorf("the details lack %q:\n%s", w, out)
		}
	}
	store := profiles.Open(dir, testVault())
	for _, w := range want {
		p, err := store.Get(w.name)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case w.kind == "local" && p.LastTest != nil:
			t.Errorf("%s recorded a test it never ran", w.name)
		case w.kind != "local" && (p.LastTest == nil || p.LastTest.OK != (w.kind == "passed")):
			t.Errorf("%s recorded %+v", w.name, p.LastTest)
		case w.kind == "refused" && p.LastTest.DiagnosisStep != w.step:
			t.Errorf("%s recorded step %q, want %q", w.name, p.LastTest.DiagnosisStep, w.step)
		}
	}
	metrics, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`tnjwt_last_test_success{org="a-passing"} 1`, `tnjwt_last_test_success{org="b-unapproved"} 0`,
		`tnjwt_cert_days_left{org="a-passing"} `, "# TYPE tnjwt_last_test_timestamp_seconds gauge"} {
		if !strings.Contains(string(metrics), w) {
			t.Errorf("the metrics lack %q:\n%s", w, metrics)
		}
	}
	if strings.Contains(string(metrics), "rehearsal") || strings.Contains(string(metrics), `test_success{org="f-no-secrets"}`) {
		t.Errorf("the metrics count a practice or untested org:\n%s", metrics)
	}
}

func TestTestAllJSONIsOneLinePerOrg(t *testing.T) {
	mem, _ := profSetup(t)
	sixOrgs(t, mem)
	code, out, _ := runCmd(t, nil, "test", "--profile", "e-hanging", "--profile", "a-passing", "--profile", "f-no-secrets",
		"--json", "--timeout", "1s", "--parallel", "2")
	if code != ExitTransport {
		t.Errorf("exit %d, want 4 (network, no refusal)", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	order := []string{"e-hanging", "a-passing", "f-no-secrets"}
	if len(lines) != len(order) {
		t.Fatalf("stdout is not one line per org:\n%s", out)
	}
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d is not JSON: %q", i, l)
		}
		if v["profile"] != order[i] {
			t.Errorf("line %d is %v, want %s (the order asked)", i, v["profile"], order[i])
		}
		for _, k := range []string{"ok", "result", "error", "diagnosis_step", "cert_days_left", "tested_at", "took_ms", "recorded"} {
			if _, ok := v[k]; !ok {
				t.Errorf("line %d lacks %s: %s", i, k, l)
			}
		}
	}
	if !strings.Contains(lines[1], `"ok":true`) || !strings.Contains(lines[0], `"result":"network"`) || !strings.Contains(lines[2], `"result":"local"`) {
		t.Errorf("results:\n%s", out)
	}
}

// A stopped run records nothing for the orgs it did not finish.
func TestStoppedTestAllRecordsNothingUnfinished(t *testing.T) {
	profSetup(t)
	importAt(t, "a-passing", startOrg(t, nil, emulator.Options{}).URL)
	importAt(t, "b-hanging", faultServer(t, hang))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newLineWatch(`"profile":"a-passing"`)
	env := newEnv()
	env.Ctx, env.Stdout, env.Stderr = ctx, out, &bytes.Buffer{}
	done := make(chan int)
	go func() { done <- Dispatch([]string{"test", "--all", "--json", "--timeout", "1m"}, env) }()
	select {
	case <-out.seen:
	case <-time.After(time.Minute): // a guard against a hang
		t.Fatal("the passing org never reported")
	}
	cancel()
	if code := <-done; code != ExitTransport {
		t.Errorf("exit %d, want 4", code)
	}
	if !strings.Contains(out.String(), `"profile":"b-hanging","ok":false,"result":"stopped"`) {
		t.Errorf("output:\n%s", out)
	}
	store := profiles.Open(os.Getenv(profiles.EnvDir), testVault())
	if p, _ := store.Get("b-hanging"); p.LastTest != nil {
		t.Errorf("the stopped org recorded %+v", p.LastTest)
	}
	if p, _ := store.Get("a-passing"); p.LastTest == nil || !p.LastTest.OK {
		t.Errorf("the finished org recorded %+v", p.LastTest)
	}
}

func TestTestManyBadInput(t *testing.T) {
	profSetup(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--all", "--profile", "x"}, "not both"},
		{[]string{"--all", "--parallel", "0"}, "--parallel must be from 1 to 64"},
		{[]string{"--all", "--audience", "https://login.salesforce.com"}, "are for one org"},
		{[]string{"--all", "--login-url", "https://login.salesforce.com"}, "leave out --login-url"},
		{[]string{"--profile", "nobody", "--profile", "other"}, `"nobody"`},
		{[]string{"--profile", "x", "--prometheus", "/tmp/x.prom"}, "--prometheus goes with --all"},
	} {
		code, out, stderr := runCmd(t, nil, append([]string{"test"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) || out != "" {
			t.Errorf("test %v: %d %q %q, want exit 2 and %q", c.args, code, out, stderr, c.want)
		}
	}
}

// rowsOf is the table's lines, without the details under the rows or the
// summary after the table.
func rowsOf(out string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if l == "" {
			break
		}
		if !strings.HasPrefix(l, " ") {
			rows = append(rows, l)
		}
	}
	return rows
}

func TestProfileListWritesMetricsAtomically(t *testing.T) {
	profSetup(t)
	importAt(t, "acme prod", startOrg(t, nil, emulator.Options{}).URL)
	prom := filepath.Join(t.TempDir(), "tnjwt.prom")
	if err := os.WriteFile(prom, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, nil, "profile", "list", "--prometheus", prom); code != 0 {
		t.Fatalf("profile list --prometheus: %d %s", code, stderr)
	}
	data, _ := os.ReadFile(prom)
	if !strings.Contains(string(data), `tnjwt_cert_days_left{org="acme prod"} 364`) || strings.Contains(string(data), "old") {
		t.Errorf("metrics:\n%s", data)
	}
}
