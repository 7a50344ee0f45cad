package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/export"
)

// The rehearsal with the real Salesforce CLI (`make sf-test`): a practice
// org with no app, `tnjwt export --format sfdx`, `sf project convert
// source`, `sf org login jwt` as the org's admin, `sf project deploy start`,
// `sf org assign permset`, then `tnjwt test --profile` passes with no click
// in Setup. One install of the CLI and one rehearsal per run.

// EnvSFTests turns on the tests that run the real Salesforce CLI; under it
// they fail, never skip, when node or npm is missing.
const EnvSFTests = "TNJWT_SF_TESTS"

// SFCLIVersion is the Salesforce CLI the rehearsal runs: the newest that
// runs on Node.js 20 (2.13x and later need Node.js 22).
const SFCLIVersion = "2.116.6"

// sfDeadline guards each CLI command against a hang; none takes more than
// a few seconds.
const sfDeadline = 3 * time.Minute

// sfCLI is the Salesforce CLI installed in a folder of the test's, run with
// a HOME of its own and everything that would phone home turned off.
type sfCLI struct {
	run  string // bin/run.js
	home string
}

// installSFCLI installs the CLI from npm with a throw-away cache. It fetches
// the package and installs its dependencies from the package's own
// npm-shrinkwrap.json, which `npm install @salesforce/cli` would not honour:
// the newest dependencies it picks need Node.js 22.
func installSFCLI(t *testing.T) sfCLI {
	t.Helper()
	dir := t.TempDir()
	cache := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	npm := func(wd string, args ...string) {
		t.Helper()
		args = append(args, "--cache", cache, "--no-audit", "--no-fund", "--loglevel=error")
		cmd := exec.CommandContext(ctx, "npm", args...)
		cmd.Dir = wd
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	npm(dir, "pack", "--silent", "@salesforce/cli@"+SFCLIVersion)
	tgz := filepath.Join(dir, "salesforce-cli-"+SFCLIVersion+".tgz")
	if out, err := exec.CommandContext(ctx, "tar", "-xzf", tgz, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	pkg := filepath.Join(dir, "package")
	// --ignore-scripts: nothing the CLI needs runs at install time, and
	// nothing downloaded gets to run then.
	npm(pkg, "install", "--omit=dev", "--ignore-scripts")
	home := t.TempDir()
	return sfCLI{run: filepath.Join(pkg, "bin", "run.js"), home: home}
}

// env is the CLI's whole environment: a HOME of its own, a keychain in a
// file (headless Linux has no other), no update check, no autoupdate, no
// telemetry; nothing from the test's own environment but PATH.
func (c sfCLI) env() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + c.home, "LANG=C.UTF-8", "TERM=dumb", "NO_COLOR=1",
		"SF_USE_GENERIC_UNIX_KEYCHAIN=true", "SF_AUTOUPDATE_DISABLE=true", "SF_DISABLE_AUTOUPDATE=true",
		"SF_DISABLE_TELEMETRY=true", "SF_SKIP_NEW_VERSION_CHECK=true", "SF_HIDE_RELEASE_NOTES=true",
		"SF_DISABLE_SOURCE_MEMBER_POLLING=true",
	}
}

// sfResult is a command's --json answer, as far as the tests read it. The
// raw output is never logged: a login answer holds the access token.
type sfResult struct {
	Status  int             `json:"status"`
	Name    string          `json:"name"`
	Message string          `json:"message"`
	Result  json.RawMessage `json:"result"`
}

// sf runs one command with --json in dir and returns its answer and exit
// code. On a failure the test sees the error's name and message only.
func (c sfCLI) sf(t *testing.T, dir string, args ...string) (sfResult, int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), sfDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{c.run}, append(args, "--json")...)...)
	cmd.Dir, cmd.Env = dir, c.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("sf %s: no answer in %s", args[0], sfDeadline)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("sf %s: %v", strings.Join(args[:2], " "), err)
	}
	var r sfResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("sf %s: not JSON (%v); stderr: %.500s", strings.Join(args[:2], " "), err, stderr.String())
	}
	return r, code, took
}

// rehearsalConfig is a new org with no External Client App for embedding:
// only the admin, who signs in to the Salesforce CLI through an app of the
// org's own (the practice stand-in for `sf org login web`), and the
// embedding user, who holds nothing.
func rehearsalConfig(adminCert []byte) *emulator.Config {
	spring := false
	return &emulator.Config{
		LegacyLoginHosts: &spring,
		PermissionSets:   []string{"CLIAdmins"},
		Apps: []emulator.AppConfig{{Name: "Salesforce CLI", ConsumerKey: rehearsalAdminKey, Certificate: string(adminCert),
			JWTBearerEnabled: true, Scopes: []string{"api", "web", "refresh_token"}, PermittedUsers: emulator.AdminApproved,
			PermissionSets: []string{"CLIAdmins"}}},
		Users: []emulator.UserConfig{{Username: rehearsalAdmin, Admin: true, PermissionSets: []string{"CLIAdmins"}},
			{Username: emulatortest.Username}},
	}
}

const (
	rehearsalAdmin    = "admin@acme.com"
	rehearsalAdminKey = "3MVG9rehearsalADMINcliKEYabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
)

func TestSFRehearsal(t *testing.T) {
	if os.Getenv(EnvSFTests) == "" {
		t.Skip("runs the real Salesforce CLI from npm: make sf-test")
	}
	for _, tool := range []string{"node", "npm", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: apt-get install nodejs npm)", tool)
		}
	}
	start := time.Now()
	cli := installSFCLI(t)
	t.Logf("timing: npm install of @salesforce/cli@%s: %s", SFCLIVersion, time.Since(start).Round(100*time.Millisecond))
	rehearsal := time.Now()

	admin := emulatortest.Other()
	org := emulatortest.Start(t, rehearsalConfig(admin.CertPEM), emulator.Options{})
	_, cfgDir := profSetup(t)
	walkedProfile(t, cfgDir, "rehearsal", org.URL, emulatortest.Username)

	// The live test fails before: there is no app.
	if code, _, _ := runCmd(t, nil, "test", "--profile", "rehearsal"); code == ExitOK {
		t.Fatal("the live test passed before anything was deployed")
	}

	project := filepath.Join(t.TempDir(), "project")
	code, out, errOut := runCmd(t, nil, "export", "--profile", "rehearsal", "--format", "sfdx", "--out", project)
	if code != ExitOK {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	appKey := storedKey(t, "rehearsal")
	if appKey == "" || strings.Contains(out+errOut, appKey) {
		t.Fatalf("export: the consumer key is not in the keychain, or it was printed")
	}

	// The CLI's registry takes every file: six types in package.xml.
	md := filepath.Join(t.TempDir(), "mdapi")
	r, code, took := cli.sf(t, project, "project", "convert", "source", "--output-dir", md)
	if code != 0 || r.Status != 0 {
		t.Fatalf("sf project convert source: %d %s: %s", code, r.Name, r.Message)
	}
	t.Logf("timing: sf project convert source: %s", took.Round(10*time.Millisecond))
	checkPackageXML(t, filepath.Join(md, "package.xml"))

	keyFile := writeTemp(t, "admin.key", admin.KeyPEM)
	r, code, took = cli.sf(t, project, "org", "login", "jwt", "--client-id", rehearsalAdminKey, "--jwt-key-file", keyFile,
		"--username", rehearsalAdmin, "--instance-url", org.URL, "--alias", "practice")
	if code != 0 {
		t.Fatalf("sf org login jwt: %d %s: %s", code, r.Name, r.Message)
	}
	t.Logf("timing: sf org login jwt: %s", took.Round(10*time.Millisecond))

	r, code, took = cli.sf(t, project, "project", "deploy", "start", "--source-dir", "force-app", "--target-org", "practice")
	var deployed struct {
		Success  bool   `json:"success"`
		Status   string `json:"status"`
		Deployed int    `json:"numberComponentsDeployed"`
	}
	_ = json.Unmarshal(r.Result, &deployed)
	if code != 0 || !deployed.Success || deployed.Status != "Succeeded" || deployed.Deployed != 6 {
		t.Fatalf("sf project deploy start: exit %d, %+v, %s: %s", code, deployed, r.Name, r.Message)
	}
	t.Logf("timing: sf project deploy start: %s", took.Round(10*time.Millisecond))

	r, code, took = cli.sf(t, project, "org", "assign", "permset", "--name", export.DefaultPermsetName,
		"--on-behalf-of", emulatortest.Username, "--target-org", "practice")
	if code != 0 || !strings.Contains(string(r.Result), `"value": "`+export.DefaultPermsetName+`"`) {
		t.Fatalf("sf org assign permset: exit %d, %s: %s", code, r.Name, r.Message)
	}
	t.Logf("timing: sf org assign permset: %s", took.Round(10*time.Millisecond))

	// A deploy Salesforce would refuse: the CLI shows the practice org's
	// componentFailures, and the org keeps what it had.
	policy := filepath.Join(project, "force-app/main/default/extlClntAppOauthPolicies", export.AppName("rehearsal")+"_defaultPolicy.ecaOauthPlcy-meta.xml")
	data, err := os.ReadFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, bytes.Replace(data, []byte(">"+export.DefaultPermsetName+"<"), []byte(">Ghost<"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	r, code, _ = cli.sf(t, project, "project", "deploy", "start", "--source-dir", "force-app", "--target-org", "practice")
	if code == 0 || !strings.Contains(r.Message+string(r.Result), "no PermissionSet named Ghost found") {
		t.Fatalf("a refused deploy: exit %d, %s: %s %.400s", code, r.Name, r.Message, r.Result)
	}

	// The live test passes with no click in Setup.
	code, out, errOut = runCmd(t, nil, "test", "--profile", "rehearsal", "--json")
	var live struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &live); err != nil || code != ExitOK || !live.OK {
		t.Fatalf("tnjwt test --profile after the deploy: exit %d %v %+v\n%s", code, err, live, errOut)
	}
	t.Logf("timing: the rehearsal after the install: %s", time.Since(rehearsal).Round(100*time.Millisecond))

	// Every request the CLI made was one the practice org answers.
	var paths []string
	for _, rec := range org.E.Requests() {
		if rec.Status == 404 || rec.Status == 405 {
			t.Errorf("the practice org could not answer %s %s: %d %s", rec.Method, rec.Path, rec.Status, rec.Error)
		}
		paths = append(paths, rec.Method+" "+rec.Path)
		if line := rec.String() + fmt.Sprint(rec.Claims); strings.Contains(line, appKey) || strings.Contains(line, rehearsalAdminKey) {
			t.Errorf("the practice org's log holds a consumer key: %s", rec.Path)
		}
	}
	for _, want := range []string{"POST /services/Soap/m/66.0", "POST /services/data/v66.0/sobjects/PermissionSetAssignment"} {
		if !slices.Contains(paths, want) {
			t.Errorf("the CLI never called %s: %v", want, paths)
		}
	}
}

// checkPackageXML wants the six types, at the pinned API version.
func checkPackageXML(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Types []struct {
			Members []string `xml:"members"`
			Name    string   `xml:"name"`
		} `xml:"types"`
		Version string `xml:"version"`
	}
	if err := xml.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, typ := range pkg.Types {
		names = append(names, fmt.Sprintf("%s:%d", typ.Name, len(typ.Members)))
	}
	want := []string{"ExternalClientApplication:1", "ExtlClntAppConfigurablePolicies:1", "ExtlClntAppGlobalOauthSettings:1",
		"ExtlClntAppOauthConfigurablePolicies:1", "ExtlClntAppOauthSettings:1", "PermissionSet:1"}
	if !slices.Equal(names, want) || pkg.Version != export.SFDXAPIVersion {
		t.Errorf("package.xml: %v version %s, want %v version %s", names, pkg.Version, want, export.SFDXAPIVersion)
	}
}
