package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/export"
)

func TestExportEnvWritesTheKeychainSecrets(t *testing.T) {
	_, _, pair := profImported(t, time.Now())
	out := filepath.Join(t.TempDir(), "app")
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "env", "--out", out)
	if r.code != ExitOK || !strings.Contains(r.out, "wrote "+filepath.Join(out, ".env")) || !strings.Contains(r.out, "Keep it out of source control") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	env, err := os.ReadFile(filepath.Join(out, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	_, pkcs8, err := certs.KeyOnly(pair.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SF_LOGIN_URL=https://acme.my.salesforce.com\n", "\nSF_AUDIENCE=\n", // never tested: the server finds it
		"SF_CLIENT_ID=" + profConsumerKey + "\n", "SF_USERNAME=embed@acme.com\n", "SF_ORG_URL=https://acme.lightning.force.com\n",
		strings.ReplaceAll(strings.TrimSpace(string(pkcs8)), "\n", `\n`)} {
		if !strings.Contains(string(env), want) {
			t.Errorf(".env lacks %q", want)
		}
	}
	if fi, _ := os.Stat(filepath.Join(out, ".env")); fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v", fi.Mode())
	}

	// A second export stops at the file already there, then --force replaces it.
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "env", "--out", out)
	if r.code != ExitUsage || !strings.Contains(r.errOut, "already there, nothing was written") || !strings.Contains(r.errOut, "--force") {
		t.Errorf("second export: exit %d %q", r.code, r.errOut)
	}
	if r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "env", "--out", out, "--force"); r.code != ExitOK {
		t.Errorf("--force: exit %d %q", r.code, r.errOut)
	}
}

func TestExportPrintsHerokuAndSDK(t *testing.T) {
	_, _, pair := profImported(t, time.Now())
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "heroku")
	if r.code != ExitOK || !strings.Contains(r.out, "heroku config:set") || !strings.Contains(r.out, `SF_PRIVATE_KEY="$(cat 'sf_private_key.pem')"`) {
		t.Fatalf("heroku: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	profNoSecrets(t, strings.ReplaceAll(r.out, profConsumerKey, ""), pair.keyPEM) // the key stays in its file
	// What the config:set way exposes, said on stderr in one line, and in
	// the command's own comments.
	if !strings.HasPrefix(r.errOut, "tnjwt: warning: heroku config:set shows the consumer key and the private key on its command line") ||
		!strings.Contains(r.errOut, "(ps) and to command-line auditing") || !strings.Contains(r.errOut, "--format heroku --out DIR") ||
		strings.Count(r.errOut, "\n") != 1 || !strings.Contains(r.out, "/proc/PID/cmdline") {
		t.Errorf("heroku warning:\nstderr %q\n%s", r.errOut, r.out)
	}
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "sdk")
	if r.code != ExitOK || !strings.Contains(r.out, `export const orgUrl = "https://acme.lightning.force.com";`) {
		t.Fatalf("sdk: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	profNoSecrets(t, r.out, pair.keyPEM)
}

func TestExportExpressAndKey(t *testing.T) {
	profImported(t, time.Now())
	out := t.TempDir()
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "express", "--out", out)
	if r.code != ExitOK || !strings.Contains(r.out, "npm ci && node server.js") {
		t.Fatalf("express: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	for _, name := range []string{"package.json", "server.js", ".env", ".gitignore", "public/index.html", "public/app.mjs"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("express export lacks %s", name)
		}
	}
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "key", "--out", out)
	if data, err := os.ReadFile(filepath.Join(out, "sf_private_key.pem")); r.code != ExitOK || err != nil || !strings.Contains(string(data), "BEGIN PRIVATE KEY") {
		t.Errorf("key: exit %d %q %v", r.code, r.errOut, err)
	}
}

func TestExportRefusesBadFlagsBeforeReadingTheKeychain(t *testing.T) {
	mem, _, _ := profImported(t, time.Now())
	mem.SetHook(func(op, _, _ string) error {
		t.Errorf("the keychain was read (%s) for a refused export", op)
		return nil
	})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "env", "--out", "x"}, "missing --profile"},
		{[]string{"--profile", "acme", "--out", "x"}, "missing --format"},
		{[]string{"--profile", "acme", "--format", "yaml"}, `unknown --format "yaml"`},
		{[]string{"--profile", "acme", "--format", "env"}, "add --out DIR"},
		{[]string{"--profile", "acme", "--format", "sdk", "--out", "x"}, "prints to standard output"},
	} {
		r := profRun(t, time.Now(), append([]string{"export"}, c.args...)...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, c.want) || strings.Count(r.errOut, "\n") != 1 {
			t.Errorf("%v: exit %d %q, want %q", c.args, r.code, r.errOut, c.want)
		}
	}
	mem.SetHook(nil)
	r := profRun(t, time.Now(), "export", "--profile", "nobody", "--format", "sdk")
	if r.code != ExitUsage || !strings.Contains(r.errOut, `profile "nobody"`) {
		t.Errorf("unknown profile: exit %d %q", r.code, r.errOut)
	}
}

// --format heroku --out DIR: the Platform API body, mode 0600, and the
// commands that send it, which hold no secret; the file is never replaced
// without --force, which needs --out.
func TestExportHerokuWritesTheAPIBody(t *testing.T) {
	_, _, pair := profImported(t, time.Now())
	out := filepath.Join(t.TempDir(), "heroku")
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "heroku", "--out", out)
	body := filepath.Join(out, export.HerokuConfigFileName)
	if r.code != ExitOK || !strings.Contains(r.out, "wrote "+body) || r.errOut != "" ||
		!strings.Contains(r.out, "curl -n -X PATCH https://api.heroku.com/apps/YOUR-HEROKU-APP/config-vars") ||
		!strings.Contains(r.out, "--data-binary @'"+body+"'") || !strings.Contains(r.out, "rm '"+body+"'") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if strings.Contains(r.out, profConsumerKey) {
		t.Errorf("the printed commands hold the consumer key:\n%s", r.out)
	}
	profNoSecrets(t, r.out, pair.keyPEM)
	data, err := os.ReadFile(body)
	var vars map[string]string
	if err != nil || json.Unmarshal(data, &vars) != nil || vars["SF_CLIENT_ID"] != profConsumerKey ||
		!strings.HasPrefix(vars["SF_PRIVATE_KEY"], "-----BEGIN PRIVATE KEY-----\n") || len(vars) != 8 ||
		vars["HOST"] != "0.0.0.0" || vars["ALLOWED_HOSTS"] != "YOUR-HEROKU-APP.herokuapp.com" {
		names := make([]string, 0, len(vars)) // names only: the values hold the key
		for name := range vars {
			names = append(names, name)
		}
		t.Fatalf("%s: %q %v", body, names, err)
	}
	if fi, _ := os.Stat(body); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "heroku", "--out", out)
	if r.code != ExitUsage || !strings.Contains(r.errOut, "already there, nothing was written") {
		t.Errorf("second export: exit %d %q", r.code, r.errOut)
	}
	if r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "heroku", "--out", out, "--force"); r.code != ExitOK {
		t.Errorf("--force: exit %d %q", r.code, r.errOut)
	}
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "heroku", "--force")
	if r.code != ExitUsage || !strings.Contains(r.errOut, "needs --out DIR") {
		t.Errorf("--force without --out: exit %d %q", r.code, r.errOut)
	}
}
