package export

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/report"
)

func serverFiles(t *testing.T, format string, o Org) map[string]string {
	t.Helper()
	files, err := Server(format, o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		if _, dup := got[f.Name]; dup {
			t.Errorf("%s: %s twice", format, f.Name)
		}
		got[f.Name] = string(f.Data)
	}
	return got
}

// Written, every server project's secrets (.env) are the owner's alone;
// the rest is ordinary source, readable by the tools that build it.
func TestServerSecretsAreWrittenOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes: Windows has access lists (core/fsutil)")
	}
	for _, st := range Stacks {
		files, err := Server(st.Format, testOrg())
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := Write(dir, files, false); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Name)))
			if err != nil {
				t.Fatal(err)
			}
			if f.Name == EnvFileName && fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: .env has mode %v, want 0600", st.Format, fi.Mode().Perm())
			}
			if fi.Mode().Perm()&0o022 != 0 {
				t.Errorf("%s: %s can be changed by others (%v)", st.Format, f.Name, fi.Mode().Perm())
			}
		}
	}
}

// Every server is a complete project: the server, its pinned dependencies,
// the page, .env, .gitignore, Procfile and README; the formats list them all.
func TestEveryServerIsACompleteProject(t *testing.T) {
	own := map[string][]string{
		FormatExpress: {"server.js", "package.json", "package-lock.json"},
		FormatFlask:   {"app.py", "requirements.txt"},
		FormatGo:      {"main.go", "go.mod", "go.sum"},
		FormatJava:    {"Server.java"},
		FormatSinatra: {"app.rb", "Gemfile", "Gemfile.lock"},
	}
	if len(Stacks) != len(own) {
		t.Fatalf("%d stacks, %d tested", len(Stacks), len(own))
	}
	for _, st := range Stacks {
		if !slices.Contains(Formats, st.Format) {
			t.Errorf("Formats lacks %s", st.Format)
		}
		got := serverFiles(t, st.Format, testOrg())
		names := append(own[st.Format], ".env", ".gitignore", "Procfile", "README.md")
		for _, p := range embedding.Page(embedding.PageOptions{}) {
			names = append(names, st.Static+"/"+p.Name)
		}
		for _, name := range names {
			if got[name] == "" {
				t.Errorf("%s: no %s", st.Format, name)
			}
		}
		if len(got) != len(names) {
			t.Errorf("%s: %d files, want %d", st.Format, len(got), len(names))
		}
		for _, ignored := range append([]string{".env", "*.pem"}, st.Installed...) {
			if !strings.Contains(got[".gitignore"], strings.TrimSuffix(ignored, "/")) {
				t.Errorf("%s: .gitignore lacks %s", st.Format, ignored)
			}
		}
		if want := "web: " + st.Procfile + "\n"; got["Procfile"] != want || !strings.Contains(st.Procfile, "0.0.0.0") {
			t.Errorf("%s: Procfile %q", st.Format, got["Procfile"])
		}
		readme := got["README.md"]
		for _, want := range append([]string{st.Run, "Whoever can call `/auth-credential` is signed in", "embed@acme.com",
			"HOST", "ALLOWED_HOSTS", "SF_AUDIENCE", "`0.0.0.0`", "Procfile", ".NET", "14 minutes", "15 minutes", "works once"}, st.Setup...) {
			if !strings.Contains(readme, want) {
				t.Errorf("%s: README lacks %q", st.Format, want)
			}
		}
		page := got[st.Static+"/index.html"]
		if (st.Format == FormatExpress) != strings.Contains(page, `"`+embedding.LocalSDK+`"`) ||
			(st.Format != FormatExpress) != strings.Contains(page, embedding.SDKIntegrity) {
			t.Errorf("%s: the page loads the SDK from the wrong place:\n%s", st.Format, page)
		}
	}
}

// The .env: an audience no test confirmed is left for the server to find,
// the placeholder Lightning URL is not served as orgUrl, and HOST is
// 127.0.0.1 unless set.
func TestServerEnvLeavesUnknownsEmpty(t *testing.T) {
	o := testOrg()
	env := string(serverEnv(o))
	for _, want := range []string{"\nSF_AUDIENCE=https://login.salesforce.com\n", "\nSF_ORG_URL=https://acme.lightning.force.com\n",
		"# HOST=127.0.0.1\n", "# PORT=3000\n", "# ALLOWED_HOSTS=", `SF_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\n`} {
		if !strings.Contains(env, want) {
			t.Errorf(".env lacks %q:\n%s", want, env)
		}
	}
	o.DiscoverAudience, o.OrgURL = true, report.PlaceholderOrgURL
	env = string(serverEnv(o))
	if !strings.Contains(env, "\nSF_AUDIENCE=\n") || !strings.Contains(env, "\nSF_ORG_URL=\n") || strings.Contains(env, "YOUR-ORG") {
		t.Errorf(".env of an untested org:\n%s", env)
	}
	if !strings.Contains(string(Env(o)), "\nSF_AUDIENCE=\n") {
		t.Errorf("the plain .env writes an audience no test confirmed")
	}
	if cmd := Heroku(o, "k.pem"); !strings.Contains(cmd, "  HOST='0.0.0.0' \\\n") || !strings.Contains(cmd, "ALLOWED_HOSTS=") {
		t.Errorf("the Heroku config does not listen on 0.0.0.0 by the app's name:\n%s", cmd)
	}
}

// The pins: the lock file is npm's for package.json as written; go.sum is
// tnjwt's own line for golang-jwt; Python's and Ruby's are Debian 12's.
func TestServerDependenciesArePinned(t *testing.T) {
	var lock struct {
		Packages map[string]struct {
			Version      string
			Dependencies map[string]string
			Engines      map[string]string
		}
	}
	if err := json.Unmarshal(template("express/package-lock.json"), &lock); err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Dependencies map[string]string
		Engines      map[string]string
	}
	if err := json.Unmarshal(packageJSON(testOrg()), &pkg); err != nil {
		t.Fatal(err)
	}
	root := lock.Packages[""]
	if !mapsEqual(root.Dependencies, pkg.Dependencies) || !mapsEqual(root.Engines, pkg.Engines) {
		t.Errorf("package-lock.json's root %v does not match package.json's %v", root, pkg)
	}
	if lock.Packages["node_modules/express"].Version != ExpressVersion ||
		lock.Packages["node_modules/"+report.SDKPackage].Version != SDKVersion {
		t.Errorf("the lock file pins other versions")
	}
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	gosrv := serverFiles(t, FormatGo, testOrg())
	for _, line := range strings.Split(strings.TrimSpace(gosrv["go.sum"]), "\n") {
		if !strings.Contains(string(sum), line+"\n") {
			t.Errorf("go.sum line %q is not tnjwt's", line)
		}
	}
	mod, _ := os.ReadFile("../../go.mod")
	if !strings.Contains(string(mod), "github.com/golang-jwt/jwt/v5 "+JWTGoVersion+"\n") {
		t.Errorf("the exported server's golang-jwt %s is not tnjwt's", JWTGoVersion)
	}
	reqs := string(template("flask/requirements.txt"))
	for _, pin := range []string{"Flask==" + FlaskVersion, "PyJWT==" + PyJWTVersion, "requests==" + RequestsVersion,
		"Werkzeug==", "cryptography==", "python-dotenv==", "gunicorn=="} {
		if !strings.Contains(reqs, pin) {
			t.Errorf("requirements.txt lacks %s", pin)
		}
	}
	for _, line := range strings.Split(reqs, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !regexp.MustCompile(`^[A-Za-z0-9._-]+==[0-9][0-9.]*$`).MatchString(line) {
			t.Errorf("requirements.txt: %q is not pinned", line)
		}
	}
	gems, gemLock := string(template("sinatra/Gemfile")), string(template("sinatra/Gemfile.lock"))
	for name, v := range map[string]string{"sinatra": SinatraVersion, "jwt": RubyJWTVersion, "puma": PumaVersion} {
		if !strings.Contains(gems, "gem '"+name+"', '"+v+"'") || !strings.Contains(gemLock, "    "+name+" ("+v+")\n") {
			t.Errorf("Gemfile / Gemfile.lock do not pin %s %s", name, v)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Every server keeps the same numbers, which its README states.
func TestServersShareTheContractsNumbers(t *testing.T) {
	for file, wants := range map[string][]string{
		"express/server.js": {"TIMEOUT_MS = 10000", "14 * 60 * 1000", "BACKOFF_MS = 5000", "1 << 20", "'127.0.0.1'", "'3000'"},
		"flask/app.py":      {"TIMEOUT = 10", "14 * 60", "BACKOFF = 5", "1 << 20", `"127.0.0.1"`, `"3000"`},
		"gosrv/main.go":     {"10 * time.Second", "14 * time.Minute", "5 * time.Second", "1 << 20", `"127.0.0.1"`, `"3000"`},
		"java/Server.java":  {"TIMEOUT_SECONDS = 10", "toNanos(14)", "SECONDS.toNanos(5)", "1 << 20", `"127.0.0.1"`, `"3000"`},
		"sinatra/app.rb":    {"TIMEOUT = 10", "14 * 60", "BACKOFF = 5", "1 << 20", "'127.0.0.1'", "'3000'"},
	} {
		src := string(template(file))
		for _, want := range wants {
			if !strings.Contains(src, want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
	}
}
