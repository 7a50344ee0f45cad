package export

import (
	"errors"
	"os"
	"path/filepath"
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
	for name, text := range map[string]string{".env": string(Env(o)), "heroku": Heroku(o, "k.pem"), "sdk": SDK(o)} {
		if !strings.Contains(text, "PRACTICE ORG") {
			t.Errorf("%s of a practice org doesn't say so", name)
		}
	}
}

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
