package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/export"
)

// Every server format writes its whole project, mode 0600, says how to run
// it, and leaves SF_AUDIENCE empty for a profile no test has confirmed (the
// server finds it), listening on 127.0.0.1 unless HOST says otherwise.
func TestExportServersInEveryLanguage(t *testing.T) {
	profImported(t, time.Now())
	want := map[string][]string{
		export.FormatExpress: {"server.js", "package.json", "package-lock.json", "public/index.html"},
		export.FormatFlask:   {"app.py", "requirements.txt", "static/index.html"},
		export.FormatGo:      {"main.go", "go.mod", "go.sum", "static/index.html"},
		export.FormatJava:    {"Server.java", "static/index.html"},
		export.FormatSinatra: {"app.rb", "Gemfile", "Gemfile.lock", "public/index.html"},
	}
	for _, st := range export.Stacks {
		out := t.TempDir()
		r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", st.Format, "--out", out)
		run := "Run it: cd " + out + " && " + strings.Join(append(st.Setup, st.Run), " && ")
		if r.code != ExitOK || !strings.Contains(r.out, run) {
			t.Fatalf("%s: exit %d, want %q\n%s%s", st.Format, r.code, run, r.out, r.errOut)
		}
		for _, name := range append(want[st.Format], ".env", ".gitignore", "Procfile", "README.md") {
			fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(name)))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s: %v %v", st.Format, name, fi, err)
			}
		}
		env, _ := os.ReadFile(filepath.Join(out, ".env"))
		if !strings.Contains(string(env), "\nSF_AUDIENCE=\n") || !strings.Contains(string(env), "# HOST=127.0.0.1\n") {
			t.Errorf("%s: .env of a never-tested profile:\n%s", st.Format, env)
		}
	}
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "flask")
	if r.code != ExitUsage || !strings.Contains(r.errOut, "add --out DIR") {
		t.Errorf("flask without --out: exit %d %q", r.code, r.errOut)
	}
}
