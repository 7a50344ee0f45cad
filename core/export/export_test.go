package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
)

const testClientID = "3MVG9pe2TCoA1Pf5xUPT0D1fN_Yxl8V0DBxAp4CAbqYBJwHOZTbE0rTdCzZ.9sTQLE7rH4zJ3hk2V0wRZeEPa"

func testOrg() Org {
	return Org{Profile: "acme-prod", LoginURL: "https://acme.my.salesforce.com", Audience: "https://login.salesforce.com",
		ClientID: testClientID, Username: "embed@acme.com", KeyPEM: emulatortest.Keys().KeyPEM,
		OrgURL: "https://acme.lightning.force.com", Now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
}

func TestEnvHoldsEveryVariableAndTheKeyOnOneLine(t *testing.T) {
	env := string(Env(testOrg()))
	for _, want := range []string{
		"SF_LOGIN_URL=https://acme.my.salesforce.com\n", "SF_AUDIENCE=https://login.salesforce.com\n",
		"SF_CLIENT_ID=" + testClientID + "\n", "SF_USERNAME=embed@acme.com\n", "SF_ORG_URL=https://acme.lightning.force.com\n",
		`SF_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\n`, `\n-----END PRIVATE KEY-----\n"` + "\n",
		"# SECRET. Keep it out of source control", `for the org "acme-prod", written by tnjwt on 2026-12-02`,
	} {
		if !strings.Contains(env, want) {
			t.Errorf(".env lacks %q:\n%s", want, env)
		}
	}
	var keyLine string
	for _, l := range strings.Split(env, "\n") {
		if strings.HasPrefix(l, "SF_PRIVATE_KEY=") {
			keyLine = l
		}
	}
	unescaped := strings.ReplaceAll(strings.Trim(strings.TrimPrefix(keyLine, "SF_PRIVATE_KEY="), `"`), `\n`, "\n")
	if unescaped != string(emulatortest.Keys().KeyPEM) {
		t.Errorf("the key line does not unescape to the PEM")
	}
	if strings.Contains(env, "PRACTICE") {
		t.Error("a real org's export says practice")
	}
	o := testOrg()
	o.Practice = true
	for name, text := range map[string]string{".env": string(Env(o)), "heroku": Heroku(o, "k.pem"), "heroku API": HerokuAPI(o, "x.json"), "sdk": SDK(o)} {
		if !strings.Contains(text, "PRACTICE ORG") {
			t.Errorf("%s of a practice org doesn't say so", name)
		}
	}
}

// The config:set way, kept for those who want it: the key is read from a
// file when it runs (never in shell history), and the command starts by
// saying what it exposes and what to do instead.
func TestHerokuReadsTheKeyFromAFile(t *testing.T) {
	o := testOrg()
	o.Username = "o'brien@acme.com"
	cmd := Heroku(o, "my keys/sf_private_key.pem")
	for _, want := range []string{"heroku config:set \\\n", "  SF_USERNAME='o'\\''brien@acme.com' \\\n",
		`  SF_PRIVATE_KEY="$(cat 'my keys/sf_private_key.pem')" \` + "\n", "--app YOUR-HEROKU-APP"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("command lacks %q:\n%s", want, cmd)
		}
	}
	if strings.Contains(cmd, "PRIVATE KEY-----") {
		t.Error("the key itself is in the command")
	}
	warning := strings.Join(strings.Fields(strings.ReplaceAll(cmd, "\n# ", " ")), " ")
	for _, want := range []string{"the consumer key and the private key are on its command line",
		"process list (ps, /proc/PID/cmdline)", "command-line auditing", "tnjwt export --format heroku --out DIR",
		"Heroku Dashboard"} {
		if !strings.Contains(warning, want) {
			t.Errorf("the warning does not say %q:\n%s", want, cmd)
		}
	}
}

// The Platform API body is valid JSON holding every variable of the .env,
// the private key with its real line breaks, and values with quotes and
// backslashes as they are.
func TestHerokuConfigVarsIsTheAPIBody(t *testing.T) {
	o := testOrg()
	o.Username = `o'brien"\x@acme.com`
	var got map[string]string
	if err := json.Unmarshal(HerokuConfigVars(o), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, HerokuConfigVars(o))
	}
	want := map[string]string{"SF_LOGIN_URL": o.LoginURL, "SF_AUDIENCE": o.Audience, "SF_CLIENT_ID": o.ClientID,
		"SF_USERNAME": o.Username, "SF_ORG_URL": o.OrgURL, "SF_PRIVATE_KEY": string(o.KeyPEM),
		"HOST": "0.0.0.0", "ALLOWED_HOSTS": HerokuApp + ".herokuapp.com"}
	if !maps.Equal(got, want) {
		t.Errorf("body holds %v,\nwant %v", got, want)
	}
	if key := got["SF_PRIVATE_KEY"]; strings.Count(key, "\n") != bytes.Count(o.KeyPEM, []byte("\n")) || strings.Contains(key, `\n`) {
		t.Errorf("the key's line breaks are not real ones: %q", key)
	}
	if f := HerokuFile(o); f.Name != HerokuConfigFileName || !bytes.Equal(f.Data, HerokuConfigVars(o)) {
		t.Errorf("file %q", f.Name)
	}
}

// The recommended way puts neither the private key nor the consumer key on
// any command line: curl reads them from the file; the words say where
// the token comes from, to delete the file, and the Dashboard way.
func TestHerokuAPIPutsNoSecretOnACommandLine(t *testing.T) {
	o := testOrg()
	text := HerokuAPI(o, "/home/me/app config/"+HerokuConfigFileName)
	for _, want := range []string{
		"curl -n -X PATCH https://api.heroku.com/apps/YOUR-HEROKU-APP/config-vars \\\n",
		"  -H 'Accept: application/vnd.heroku+json; version=3' \\\n", "  -H 'Content-Type: application/json' \\\n",
		"  --data-binary @'/home/me/app config/heroku-config-vars.json'\n", "rm '/home/me/app config/heroku-config-vars.json'\n",
		"~/.netrc", "Heroku Dashboard → your app → Settings → Config Vars", "Keep it out of source control",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	noSecretIn(t, "the Heroku API commands", text, o)
	o.Practice = true
	if !strings.Contains(HerokuAPI(o, "x.json"), "PRACTICE ORG") {
		t.Error("a practice org's commands don't say so")
	}
}

// noSecretIn fails when text holds the consumer key or a line of the key.
func noSecretIn(t *testing.T, what, text string, o Org) {
	t.Helper()
	if strings.Contains(text, o.ClientID) {
		t.Errorf("%s hold the consumer key:\n%s", what, text)
	}
	for _, line := range strings.Split(string(o.KeyPEM), "\n") {
		if len(line) > 20 && strings.Contains(text, line) {
			t.Errorf("%s hold a line of the private key:\n%s", what, text)
		}
	}
}

func TestSDKSnippetUsesTheLightningURL(t *testing.T) {
	s := SDK(testOrg())
	for _, want := range []string{"import { initializeAnalyticsSdk } from '@salesforce/analytics-embedding-sdk';",
		`export const orgUrl = "https://acme.lightning.force.com";`, "await initializeAnalyticsSdk({ authCredential, orgUrl });",
		"npm install @salesforce/analytics-embedding-sdk@2.0.0"} {
		if !strings.Contains(s, want) {
			t.Errorf("snippet lacks %q:\n%s", want, s)
		}
	}
}

func TestExpressProjectIsCompleteAndKeepsTheEnvOutOfGit(t *testing.T) {
	files, err := Express(testOrg())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = string(f.Data)
	}
	for _, name := range []string{"package.json", "server.js", "public/index.html", "public/app.mjs", ".env", ".gitignore", "README.md"} {
		if got[name] == "" {
			t.Errorf("no %s", name)
		}
	}
	if !strings.Contains(got[".gitignore"], ".env\n") || !strings.Contains(got["package.json"], `"express": "`+ExpressVersion+`"`) ||
		!strings.Contains(got["package.json"], `"start": "node server.js"`) {
		t.Errorf(".gitignore / package.json:\n%s\n%s", got[".gitignore"], got["package.json"])
	}
	if !strings.HasPrefix(got["server.js"], "// Auth-credential server for the org \"acme-prod\"") {
		t.Errorf("server.js has no header:\n%.200s", got["server.js"])
	}
}

func TestWriteNeverReplacesWithoutAsking(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	files := []File{{"a.txt", []byte("one")}, {"sub/b.txt", []byte("two")}}
	paths, err := Write(dir, files, false)
	if err != nil || len(paths) != 2 {
		t.Fatal(err)
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", fi.Mode())
	}
	// b.txt is already there: nothing is written, not even the new c.txt.
	_, err = Write(dir, []File{{"c.txt", []byte("three")}, {"sub/b.txt", []byte("changed")}}, false)
	var ee *ExistsError
	if !errors.As(err, &ee) || !errors.Is(err, fsutil.ErrExists) || len(ee.Paths) != 1 || !strings.HasSuffix(ee.Paths[0], "b.txt") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "c.txt")); !os.IsNotExist(err) {
		t.Error("a file was written although another one was in the way")
	}
	if data, _ := os.ReadFile(paths[1]); string(data) != "two" {
		t.Errorf("b.txt changed to %q", data)
	}
	if _, err := Write(dir, []File{{"sub/b.txt", []byte("changed")}}, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(paths[1]); string(data) != "changed" {
		t.Errorf("replace left %q", data)
	}
}

func TestFromProfile(t *testing.T) {
	p := profiles.Profile{Name: "uat", LoginURL: "https://acme--uat.sandbox.my.salesforce.com", Username: "embed@acme.com.uat"}
	o, err := FromProfile(p, " "+testClientID+"\n", emulatortest.Keys().KeyPEM, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Never tested: the My Domain first, as a test would try it.
	if o.ClientID != testClientID || o.Audience != p.LoginURL || o.OrgURL != "https://acme--uat.sandbox.lightning.force.com" {
		t.Errorf("org %+v", o)
	}
	p.WorkingAudience = "https://test.salesforce.com"
	if o, _ := FromProfile(p, testClientID, emulatortest.Keys().KeyPEM, time.Now()); o.Audience != p.WorkingAudience {
		t.Errorf("audience %q, want the one a test found", o.Audience)
	}
	p.LightningURL = "https://acme--uat.sandbox.lightning.force.com"
	p.LoginURL = "https://test.salesforce.com"
	if o, _ := FromProfile(p, testClientID, emulatortest.Keys().KeyPEM, time.Now()); o.OrgURL != p.LightningURL {
		t.Errorf("orgUrl %q, want the one a test learned", o.OrgURL)
	}
	p.LightningURL = ""
	if o, _ := FromProfile(p, testClientID, emulatortest.Keys().KeyPEM, time.Now()); o.OrgURL != "https://YOUR-ORG.lightning.force.com" {
		t.Errorf("orgUrl %q, want the placeholder", o.OrgURL)
	}
	if _, err := FromProfile(p, testClientID, []byte("not a key"), time.Now()); err == nil {
		t.Error("a broken key was exported")
	}
}

func TestPracticeReadmeNamesADashboardThePracticeOrgHolds(t *testing.T) {
	if !slices.Contains(emulator.DefaultDashboards, PracticeDashboard) {
		t.Errorf("%q is not one of the practice org's dashboards %q", PracticeDashboard, emulator.DefaultDashboards)
	}
	o := testOrg()
	o.Practice = true
	if readme := string(serverReadme(Stacks[0], o)); !strings.Contains(readme, "?dashboard="+PracticeDashboard) {
		t.Errorf("the practice README does not say which dashboard to open:\n%s", readme)
	}
}

// A folder another user can change, or a subfolder the export makes that is
// a link, stops the export before anything is written, replace or not;
// allowed on its own, it is written.
func TestWriteRefusesAFolderOthersCanChange(t *testing.T) {
	files := []File{{"server.js", []byte("one")}, {"public/index.html", []byte("two")}}
	app, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(app, "public")); err != nil {
		t.Fatal(err)
	}
	for _, replace := range []bool{false, true} {
		if _, err := Write(app, files, replace); !errors.Is(err, fsutil.ErrSharedFolder) || !strings.Contains(err.Error(), "public is a symbolic link") {
			t.Errorf("public/ a link, replace %v: err = %v", replace, err)
		}
	}
	for _, dir := range []string{app, elsewhere} {
		if entries, _ := os.ReadDir(dir); len(entries) > 1 || dir == elsewhere && len(entries) != 0 {
			t.Errorf("written beside a refused folder: %s holds %v", dir, entries)
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(shared, files, true); !errors.Is(err, fsutil.ErrSharedFolder) {
		t.Errorf("world-writable folder: err = %v", err)
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 0 {
		t.Errorf("written into a world-writable folder: %v", entries)
	}
	if _, err := WriteAllowing(shared, files, fsutil.Allow{SharedFolder: true}); err != nil {
		t.Errorf("allowed: %v", err)
	}
}
