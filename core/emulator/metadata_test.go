package emulator_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/emulator"
)

// The deploy tests: the practice org as `sf project deploy start` and `sf
// org assign permset` find it. The metadata here is written by hand, in the
// Metadata API's own (package) format, not by core/export: the emulator is
// tested against the wire, not against tnjwt's own writer.

const (
	adminUser   = "admin@acme.com"
	adminKey    = "3MVG9adminCLIappKEYabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._ab"
	deployedKey = "3MVG9deployedAPPkeyabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._ab"
	ecaName     = "TableauNext_acme"
	mdNS        = "http://soap.sforce.com/2006/04/metadata"
)

// deployConfig is an org with no app for embedding yet: only the app the
// admin signs in to the Salesforce CLI with (the admin's JWT login), the
// admin, and the embedding user, who holds nothing.
func deployConfig(t testing.TB) *emulator.Config {
	keys(t)
	return &emulator.Config{
		PermissionSets: []string{"CLIAdmins"},
		Apps: []emulator.AppConfig{{Name: "Salesforce CLI", ConsumerKey: adminKey, Certificate: string(rightCertPEM),
			JWTBearerEnabled: true, Scopes: []string{"api", "web", "refresh_token"}, PermittedUsers: emulator.AdminApproved,
			PermissionSets: []string{"CLIAdmins"}}},
		Users: []emulator.UserConfig{{Username: adminUser, Admin: true, PermissionSets: []string{"CLIAdmins"}}, {Username: username}},
	}
}

// loginAs signs in user through the app whose key is iss.
func (o *org) loginAs(iss, user string) string {
	o.t.Helper()
	c := o.claims()
	c["iss"], c["sub"] = iss, user
	r := o.postToken(sign(o.t, rightKey, c))
	if r.status != 200 {
		o.t.Fatalf("login as %s: %d %s", user, r.status, r.body)
	}
	var tr tokenReply
	if err := json.Unmarshal([]byte(r.body), &tr); err != nil {
		o.t.Fatal(err)
	}
	return tr.AccessToken
}

// mdFile is one metadata file: the root type and its children in order.
func mdFile(root string, children ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"%s\">\n", root, mdNS)
	for i := 0; i+1 < len(children); i += 2 {
		fmt.Fprintf(&b, "    <%s>%s</%s>\n", children[i], children[i+1], children[i])
	}
	fmt.Fprintf(&b, "</%s>\n", root)
	return b.String()
}

// project is a deploy in package format: files by zip path; package.xml
// is made from it unless it is given.
type project map[string]string

// goodProject is the External Client App and its permission set, as
// salesforce-jwt-spec.md §10.5 describes them, for key and rightKey's
// certificate.
func goodProject(t testing.TB, key string) project {
	keys(t)
	return project{
		"externalClientApps/" + ecaName + ".eca": mdFile("ExternalClientApplication", "contactEmail", "admin@acme.com",
			"distributionState", "Local", "isProtected", "false", "label", "Tableau Next (acme)"),
		"extlClntAppOauthSettings/" + ecaName + "_OAuthSettings.ecaOauth": mdFile("ExtlClntAppOauthSettings",
			"commaSeparatedOauthScopes", "Web, RefreshToken", "externalClientApplication", ecaName, "label", "oauth"),
		"extlClntAppGlobalOauthSets/" + ecaName + "_GlblOAuth.ecaGlblOauth": mdFile("ExtlClntAppGlobalOauthSettings",
			"callbackUrl", "https://login.salesforce.com/services/oauth2/success", "certificate", strings.TrimSpace(string(rightCertPEM)),
			"consumerKey", key, "externalClientApplication", ecaName, "isConsumerSecretOptional", "true",
			"isClientCredentialsFlowEnabled", "false", "label", "global"),
		"extlClntAppOauthPolicies/" + ecaName + "_defaultPolicy.ecaOauthPlcy": mdFile("ExtlClntAppOauthConfigurablePolicies",
			"commaSeparatedPermissionSet", permSet, "externalClientApplication", ecaName, "ipRelaxationPolicyType", "Enforce",
			"label", "policy", "permittedUsersPolicyType", "AdminApprovedPreAuthorized", "requiredSessionLevel", "STANDARD"),
		"extlClntAppPolicies/" + ecaName + "_defaultPolicy.ecaPlcy": mdFile("ExtlClntAppConfigurablePolicies",
			"externalClientApplication", ecaName, "isEnabled", "true", "isOauthPluginEnabled", "true", "label", "policy"),
		"permissionsets/" + permSet + ".permissionset": mdFile("PermissionSet", "hasActivationRequired", "false", "label", "Tableau Next Embedding JWT"),
	}
}

var folderTypes = map[string]string{"externalClientApps": "ExternalClientApplication", "extlClntAppOauthSettings": "ExtlClntAppOauthSettings",
	"extlClntAppGlobalOauthSets": "ExtlClntAppGlobalOauthSettings", "extlClntAppOauthPolicies": "ExtlClntAppOauthConfigurablePolicies",
	"extlClntAppPolicies": "ExtlClntAppConfigurablePolicies", "permissionsets": "PermissionSet"}

// zip is the project as the CLI sends it: package.xml (at version) first.
func (p project) zip(t testing.TB, version string) string {
	t.Helper()
	files := map[string]string{}
	for k, v := range p {
		files[k] = v
	}
	if _, ok := files["package.xml"]; !ok {
		members := map[string][]string{}
		for name := range files {
			dir, base, _ := strings.Cut(name, "/")
			members[folderTypes[dir]] = append(members[folderTypes[dir]], base[:strings.LastIndex(base, ".")])
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"%s\">\n", mdNS)
		for _, typ := range sortedNames(members) {
			b.WriteString("<types>")
			for _, m := range members[typ] {
				fmt.Fprintf(&b, "<members>%s</members>", m)
			}
			fmt.Fprintf(&b, "<name>%s</name></types>\n", typ)
		}
		fmt.Fprintf(&b, "<version>%s</version>\n</Package>\n", version)
		files["package.xml"] = b.String()
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedNames(files) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[name]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func sortedNames[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// soap posts one Metadata API call as jsforce does.
func (o *org) soap(session, call string) reply {
	o.t.Helper()
	env := `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Header xmlns="` + mdNS + `"><SessionHeader><sessionId>` + session + `</sessionId></SessionHeader></soapenv:Header>` +
		`<soapenv:Body xmlns="` + mdNS + `">` + call + `</soapenv:Body></soapenv:Envelope>`
	return o.request("POST", "/services/Soap/m/66.0", "text/xml", env, map[string]string{"SOAPAction": `""`})
}

// deployResult is what checkDeployStatus answers, as the tests read it.
type deployResult struct {
	ID        string `xml:"Body>checkDeployStatusResponse>result>id"`
	Done      bool   `xml:"Body>checkDeployStatusResponse>result>done"`
	Status    string `xml:"Body>checkDeployStatusResponse>result>status"`
	Success   bool   `xml:"Body>checkDeployStatusResponse>result>success"`
	Deployed  int    `xml:"Body>checkDeployStatusResponse>result>numberComponentsDeployed"`
	Errors    int    `xml:"Body>checkDeployStatusResponse>result>numberComponentErrors"`
	Message   string `xml:"Body>checkDeployStatusResponse>result>errorMessage"`
	Successes []row  `xml:"Body>checkDeployStatusResponse>result>details>componentSuccesses"`
	Failures  []row  `xml:"Body>checkDeployStatusResponse>result>details>componentFailures"`
}

type row struct {
	Type        string `xml:"componentType"`
	FullName    string `xml:"fullName"`
	FileName    string `xml:"fileName"`
	Created     bool   `xml:"created"`
	Changed     bool   `xml:"changed"`
	Problem     string `xml:"problem"`
	ProblemType string `xml:"problemType"`
	Success     bool   `xml:"success"`
}

func (r deployResult) problems() string {
	var out []string
	for _, f := range r.Failures {
		out = append(out, f.Type+" "+f.FullName+": "+f.Problem)
	}
	return strings.Join(append(out, r.Message), "\n")
}

// deploy sends the zip and asks for its result, as the CLI does.
func (o *org) deploy(session, zipB64 string) deployResult {
	o.t.Helper()
	r := o.soap(session, `<deploy><ZipFile>`+zipB64+`</ZipFile><DeployOptions><rollbackOnError>true</rollbackOnError>`+
		`<singlePackage>true</singlePackage></DeployOptions></deploy>`)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
		o.t.Fatalf("deploy: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var started struct {
		ID    string `xml:"Body>deployResponse>result>id"`
		Done  bool   `xml:"Body>deployResponse>result>done"`
		State string `xml:"Body>deployResponse>result>state"`
	}
	if err := xml.Unmarshal([]byte(r.body), &started); err != nil || started.ID == "" || started.State != "Queued" {
		o.t.Fatalf("deploy answer: %v\n%s", err, r.body)
	}
	r = o.soap(session, `<checkDeployStatus><asyncProcessId>`+started.ID+`</asyncProcessId><includeDetails>true</includeDetails></checkDeployStatus>`)
	var res deployResult
	if err := xml.Unmarshal([]byte(r.body), &res); err != nil || r.status != 200 {
		o.t.Fatalf("checkDeployStatus: %d %v\n%s", r.status, err, r.body)
	}
	if res.ID != started.ID || !res.Done {
		o.t.Fatalf("checkDeployStatus: id %s done %v, want %s done", res.ID, res.Done, started.ID)
	}
	return res
}

// rest is a GET or POST to the REST API with the session.
func (o *org) rest(session, method, path, body string) reply {
	o.t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return o.request(method, path, ct, body, map[string]string{"Authorization": "Bearer " + session})
}

func (o *org) queryIDs(session, soql string) []string {
	o.t.Helper()
	r := o.rest(session, "GET", "/services/data/v66.0/query?q="+url.QueryEscape(soql), "")
	var res struct {
		TotalSize int
		Records   []struct{ Id string }
	}
	if err := json.Unmarshal([]byte(r.body), &res); err != nil || r.status != 200 {
		o.t.Fatalf("query %q: %d %s", soql, r.status, r.body)
	}
	var ids []string
	for _, rec := range res.Records {
		ids = append(ids, rec.Id)
	}
	return ids
}

// assign gives user the permission set as `sf org assign permset` does.
func (o *org) assign(session, user, ps string) reply {
	o.t.Helper()
	uid := o.queryIDs(session, "SELECT Id FROM User WHERE Username='"+user+"'")
	pid := o.queryIDs(session, "SELECT Id FROM PermissionSet WHERE Name='"+ps+"'")
	if len(uid) != 1 || len(pid) != 1 {
		o.t.Fatalf("user %v, permission set %v", uid, pid)
	}
	return o.rest(session, "POST", "/services/data/v66.0/sobjects/PermissionSetAssignment",
		`{"AssigneeId":"`+uid[0]+`","PermissionSetId":"`+pid[0]+`"}`)
}

// embedLogin is the live test's exchange for the embedding user through the
// deployed app: the token, then singleaccess.
func (o *org) embedLogin(key string) (token reply, single reply) {
	o.t.Helper()
	c := o.claims()
	c["iss"] = key
	token = o.postToken(sign(o.t, rightKey, c))
	if token.status != 200 {
		return token, reply{}
	}
	var tr tokenReply
	json.Unmarshal([]byte(token.body), &tr)
	return token, o.singleAccess(tr.AccessToken, "")
}

func TestDeployMakesTheAppAndTheJWTFlowThenWorks(t *testing.T) {
	o := startOrg(t, deployConfig(t))
	admin := o.loginAs(adminKey, adminUser)
	if tok, _ := o.embedLogin(deployedKey); !strings.Contains(tok.body, "invalid_client_id") {
		t.Fatalf("before the deploy: %d %s", tok.status, tok.body)
	}
	res := o.deploy(admin, goodProject(t, deployedKey).zip(t, "65.0"))
	if res.Status != "Succeeded" || !res.Success || len(res.Failures) != 0 || res.Deployed != 6 {
		t.Fatalf("deploy: %s %v, %d deployed\n%s", res.Status, res.Success, res.Deployed, res.problems())
	}
	var types []string
	for _, s := range res.Successes {
		if s.FullName != "package.xml" && (!s.Created || s.Changed || !s.Success) {
			t.Errorf("%s %s: created %v changed %v", s.Type, s.FullName, s.Created, s.Changed)
		}
		types = append(types, s.Type)
	}
	sort.Strings(types)
	want := []string{"", "ExternalClientApplication", "ExtlClntAppConfigurablePolicies", "ExtlClntAppGlobalOauthSettings",
		"ExtlClntAppOauthConfigurablePolicies", "ExtlClntAppOauthSettings", "PermissionSet"}
	if !slices.Equal(types, want) {
		t.Errorf("componentSuccesses %v, want %v (package.xml's type is empty)", types, want)
	}
	cfg := o.e.Settings()
	app := cfg.Apps[1]
	if app.Name != ecaName || app.ConsumerKey != deployedKey || !app.JWTBearerEnabled || !slices.Equal(app.Scopes, []string{"web", "refresh_token"}) ||
		app.PermittedUsers != emulator.AdminApproved || !slices.Equal(app.PermissionSets, []string{permSet}) || app.Certificate == "" {
		t.Errorf("the deployed app: %+v", app)
	}
	if !slices.Contains(cfg.PermissionSets, permSet) {
		t.Errorf("permission sets %v lack %s", cfg.PermissionSets, permSet)
	}
	// The embedding user does not hold the set yet: not pre-authorized.
	if tok, _ := o.embedLogin(deployedKey); !strings.Contains(tok.body, "user hasn't approved this consumer") {
		t.Fatalf("before the assignment: %d %s", tok.status, tok.body)
	}
	if r := o.assign(admin, username, permSet); r.status != 201 || !strings.Contains(r.body, `"success":true`) {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	tok, single := o.embedLogin(deployedKey)
	if tok.status != 200 || single.status != 200 || !strings.Contains(single.body, "frontdoor_uri") {
		t.Fatalf("after deploy and assign: token %d %s; singleaccess %d %s", tok.status, tok.body, single.status, single.body)
	}
	// The same project again changes the same components.
	res = o.deploy(admin, goodProject(t, deployedKey).zip(t, "65.0"))
	if res.Status != "Succeeded" {
		t.Fatalf("second deploy: %s", res.problems())
	}
	for _, s := range res.Successes {
		if s.FullName != "package.xml" && (s.Created || !s.Changed) {
			t.Errorf("second deploy, %s %s: created %v changed %v", s.Type, s.FullName, s.Created, s.Changed)
		}
	}
	if r := o.assign(admin, username, permSet); r.status != 400 || !strings.Contains(r.body, "DUPLICATE_VALUE") {
		t.Errorf("a second assignment: %d %s", r.status, r.body)
	}
}

func TestDeployRefusesWhatSalesforceWouldAndChangesNothing(t *testing.T) {
	const app = "externalClientApps/" + ecaName + ".eca"
	const oauth = "extlClntAppOauthSettings/" + ecaName + "_OAuthSettings.ecaOauth"
	const global = "extlClntAppGlobalOauthSets/" + ecaName + "_GlblOAuth.ecaGlblOauth"
	const policy = "extlClntAppOauthPolicies/" + ecaName + "_defaultPolicy.ecaOauthPlcy"
	const plcy = "extlClntAppPolicies/" + ecaName + "_defaultPolicy.ecaPlcy"
	const permset = "permissionsets/" + permSet + ".permissionset"
	insert := func(p project, file, element string) {
		p[file] = strings.Replace(p[file], "    <label>", "    "+element+"\n    <label>", 1)
	}
	cases := []struct {
		name    string
		version string
		edit    func(p project)
		want    string // in a componentFailure's problem or the errorMessage
	}{
		{"an unknown element", "65.0", func(p project) { insert(p, app, "<colour>blue</colour>") },
			"Element {" + mdNS + "}colour invalid at this location in type ExternalClientApplication"},
		{"a retrieved app's org link", "65.0", func(p project) { insert(p, app, "<orgScopedExternalApp>x</orgScopedExternalApp>") },
			"remove it before deploying elsewhere"},
		{"a permission set that does not exist", "65.0", func(p project) { delete(p, permset) },
			"In field: commaSeparatedPermissionSet - no PermissionSet named " + permSet + " found"},
		{"a consumer key another app has", "65.0", func(p project) { p[global] = strings.Replace(p[global], deployedKey, adminKey, 1) },
			"already in use by another External Client App"},
		{"an app name that differs between files", "65.0", func(p project) {
			p[oauth] = strings.Replace(p[oauth], ">"+ecaName+"<", ">TableauNext_other<", 1)
		}, "In field: externalClientApplication - no ExternalClientApplication named TableauNext_other found"},
		{"a scope Salesforce does not have", "65.0", func(p project) { p[oauth] = strings.Replace(p[oauth], "Web, RefreshToken", "Web, Everything", 1) },
			"invalid scope: Everything"},
		{"a certificate that is not one", "65.0", func(p project) {
			p[global] = strings.Replace(p[global], "<certificate>", "<certificate>garbage", 1)
		}, "certificate:"},
		{"a boolean that is not", "65.0", func(p project) { p[plcy] = strings.Replace(p[plcy], "<isEnabled>true", "<isEnabled>yes", 1) },
			"'yes' is not a valid value for the type xsd:boolean"},
		{"a missing label", "65.0", func(p project) { p[policy] = strings.Replace(p[policy], "<label>policy</label>", "", 1) },
			"Required field is missing: label"},
		{"a profile instead of a permission set", "65.0", func(p project) {
			insert(p, policy, "<commaSeparatedProfile>System Administrator</commaSeparatedProfile>")
		}, "the practice org has no profiles"},
		{"an element of other API versions", "65.0", func(p project) {
			insert(p, policy, "<isNamedUserJwtEnabled>false</isNamedUserJwtEnabled>")
		}, "isNamedUserJwtEnabled invalid at this location in type ExtlClntAppOauthConfigurablePolicies (it exists in API 61.0 to 63.0 only)"},
		{"types older API versions lack", "58.0", nil, "Unknown type name 'ExternalClientApplication' specified in package.xml"},
		{"the certificate before API 60", "59.0", nil, "certificate invalid at this location"},
		{"a file package.xml names but the zip lacks", "65.0", func(p project) {
			p["package.xml"] = strings.Replace(goodPackage(t, p), "<name>PermissionSet</name>", "<members>Ghost</members><name>PermissionSet</name>", 1)
		}, "An object 'Ghost' of type PermissionSet was named in package.xml, but was not found in zipped directory"},
		{"a disabled app", "65.0", func(p project) { p[plcy] = strings.Replace(p[plcy], "<isEnabled>true", "<isEnabled>false", 1) },
			"enabled apps only"},
		{"a wrong root element", "65.0", func(p project) { p[permset] = mdFile("Profile", "label", "x") }, "the root element is"},
		{"no package.xml", "65.0", func(p project) { p["package.xml"] = ""; delete(p, "package.xml"); p["nothing.txt"] = "" }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := startOrg(t, deployConfig(t))
			admin := o.loginAs(adminKey, adminUser)
			p := goodProject(t, deployedKey)
			if c.edit != nil {
				c.edit(p)
			}
			var zipped string
			if c.name == "no package.xml" {
				zipped = rawZip(t, map[string]string{"x/y.txt": "hello"})
				c.want = "No package.xml found"
			} else {
				zipped = p.zip(t, c.version)
			}
			res := o.deploy(admin, zipped)
			if res.Status != "Failed" || res.Success || res.Deployed != 0 {
				t.Fatalf("status %s success %v deployed %d", res.Status, res.Success, res.Deployed)
			}
			if !strings.Contains(res.problems(), c.want) {
				t.Errorf("problems lack %q:\n%s", c.want, res.problems())
			}
			for _, f := range res.Failures {
				if f.Success || f.ProblemType != "Error" || f.Problem == "" {
					t.Errorf("failure row %+v", f)
				}
			}
			if strings.Contains(res.problems(), deployedKey) || strings.Contains(res.problems(), adminKey) {
				t.Error("a problem shows a consumer key")
			}
			cfg := o.e.Settings()
			if len(cfg.Apps) != 1 || slices.Contains(cfg.PermissionSets, permSet) {
				t.Errorf("a failed deploy changed the org: %d apps, permission sets %v", len(cfg.Apps), cfg.PermissionSets)
			}
		})
	}
}

// goodPackage is the package.xml p's zip would carry.
func goodPackage(t testing.TB, p project) string {
	t.Helper()
	data, _ := base64.StdEncoding.DecodeString(p.zip(t, "65.0"))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "package.xml" {
			rc, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			return b.String()
		}
	}
	t.Fatal("no package.xml")
	return ""
}

func rawZip(t testing.TB, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedNames(files) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[name]))
	}
	zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// TestDeployedPoliciesKeepTheirName: an app has one record of OAuth
// policies. Salesforce makes it with the app; one deployed under another
// name later is a duplicate (salesforce-jwt-spec.md §10.5; which name
// Salesforce gives its own record is unconfirmed: the practice org says
// <app>_oauthPlcy).
func TestDeployedPoliciesKeepTheirName(t *testing.T) {
	o := startOrg(t, deployConfig(t))
	admin := o.loginAs(adminKey, adminUser)
	p := goodProject(t, deployedKey)
	if res := o.deploy(admin, p.zip(t, "65.0")); res.Status != "Succeeded" {
		t.Fatal(res.problems())
	}
	const old = "extlClntAppOauthPolicies/" + ecaName + "_defaultPolicy.ecaOauthPlcy"
	p["extlClntAppOauthPolicies/"+ecaName+"_second.ecaOauthPlcy"] = p[old]
	delete(p, old)
	res := o.deploy(admin, p.zip(t, "65.0"))
	if res.Status != "Failed" || !strings.Contains(res.problems(), "DUPLICATE_VALUE: duplicate value found: ExtlClntAppOauthSettingsId") ||
		!strings.Contains(res.problems(), ecaName+"_defaultPolicy") {
		t.Fatalf("a second policies record: %s\n%s", res.Status, res.problems())
	}
	// The app made in the org before (not by a deploy) has the record
	// Salesforce made with it.
	cfg := deployConfig(t)
	cfg.PermissionSets = append(cfg.PermissionSets, permSet)
	cfg.Apps = append(cfg.Apps, emulator.AppConfig{Name: ecaName, ConsumerKey: deployedKey})
	o = startOrg(t, cfg)
	admin = o.loginAs(adminKey, adminUser)
	res = o.deploy(admin, goodProject(t, deployedKey).zip(t, "65.0"))
	if res.Status != "Failed" || !strings.Contains(res.problems(), ecaName+"_oauthPlcy") {
		t.Fatalf("policies for an app made in Setup: %s\n%s", res.Status, res.problems())
	}
}

func TestDeployNeedsAnAdminsAPISession(t *testing.T) {
	cfg := deployConfig(t)
	cfg.Users[1].PermissionSets = []string{"CLIAdmins"} // may log in through the CLI's app, but is no admin
	o := startOrg(t, cfg)
	call := `<deploy><ZipFile>` + goodProject(t, deployedKey).zip(t, "65.0") + `</ZipFile></deploy>`
	for name, c := range map[string]struct {
		session, code string
	}{
		"no session":  {"", "sf:INVALID_SESSION_ID"},
		"a bad one":   {"00D5g00000PRACT!nonsense", "sf:INVALID_SESSION_ID"},
		"not a admin": {o.loginAs(adminKey, username), "sf:INSUFFICIENT_ACCESS"},
	} {
		r := o.soap(c.session, call)
		var fault struct {
			Code   string `xml:"Body>Fault>faultcode"`
			String string `xml:"Body>Fault>faultstring"`
		}
		if err := xml.Unmarshal([]byte(r.body), &fault); err != nil || r.status != 500 || fault.Code != c.code ||
			!strings.Contains(r.body, "<soapenv:Envelope") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
			t.Errorf("%s: %d %v %q\n%s", name, r.status, err, fault.Code, r.body)
		}
	}
	if len(o.e.Settings().Apps) != 1 {
		t.Error("a refused deploy changed the org")
	}
	// The non-admin cannot assign permission sets either.
	if r := o.assign(o.loginAs(adminKey, username), username, "CLIAdmins"); r.status != 400 || !strings.Contains(r.body, "INSUFFICIENT_ACCESS") {
		t.Errorf("assignment by a non-admin: %d %s", r.status, r.body)
	}
	admin := o.loginAs(adminKey, adminUser)
	if r := o.soap(admin, `<checkDeployStatus><asyncProcessId>0Af000000000000AAA</asyncProcessId></checkDeployStatus>`); r.status != 500 ||
		!strings.Contains(r.body, "INVALID_ID_FIELD") {
		t.Errorf("an unknown deploy id: %d %s", r.status, r.body)
	}
	if r := o.soap(admin, `<listMetadata/>`); r.status != 500 || !strings.Contains(r.body, "INVALID_OPERATION") {
		t.Errorf("another call: %d %s", r.status, r.body)
	}
}

func TestDeployBounds(t *testing.T) {
	o := startOrg(t, deployConfig(t))
	admin := o.loginAs(adminKey, adminUser)
	big := make([]byte, 600<<10) // compresses to almost nothing: the bound is on what it unpacks to
	many := map[string]string{}
	for i := range 201 {
		many[fmt.Sprintf("f/%03d.txt", i)] = "x"
	}
	noise := make([]byte, 5<<20)
	rand.Read(noise)
	for name, c := range map[string]struct{ zip, want string }{
		"a file too large":  {rawZip(t, map[string]string{"package.xml": "<Package/>", "a/b": string(big)}), "larger than the practice org takes (512 KB)"},
		"too many files":    {rawZip(t, many), "more than 200 entries"},
		"a path outside":    {rawZip(t, map[string]string{"../../etc/x": "y"}), "names a file outside it"},
		"not base64":        {"@@@", "not valid base64"},
		"not a zip":         {base64.StdEncoding.EncodeToString([]byte("hello")), "not a valid zip file"},
		"a zip too large":   {base64.StdEncoding.EncodeToString(noise), "413"},
		"a version unknown": {goodProject(t, deployedKey).zip(t, "99.0"), "not an API version this org has"},
	} {
		if c.want == "413" {
			r := o.soap(admin, `<deploy><ZipFile>`+c.zip+`</ZipFile></deploy>`)
			if r.status != 413 || !strings.Contains(r.body, "larger than the practice org takes") {
				t.Errorf("%s: %d %.300s", name, r.status, r.body)
			}
			continue
		}
		res := o.deploy(admin, c.zip)
		if res.Status != "Failed" || !strings.Contains(res.problems(), c.want) {
			t.Errorf("%s: %s, want %q in\n%s", name, res.Status, c.want, res.problems())
		}
	}
}

// TestTheCLIsQueries: what `sf org login jwt` and `sf project deploy start`
// ask before they deploy, with the double slash of the CLI's paths.
func TestTheCLIsQueries(t *testing.T) {
	o := startOrg(t, deployConfig(t))
	admin := o.loginAs(adminKey, adminUser)
	q := func(path, soql string) reply {
		return o.rest(admin, "GET", path+"?q="+url.QueryEscape(soql), "")
	}
	r := q("//services/data/v51.0/query", "SELECT Id FROM ScratchOrgInfo limit 1")
	if r.status != 400 || !strings.Contains(r.body, `"errorCode":"INVALID_TYPE"`) || !strings.Contains(r.body, "sObject type 'ScratchOrgInfo' is not supported") {
		t.Errorf("ScratchOrgInfo (no Dev Hub): %d %s", r.status, r.body)
	}
	r = q("//services/data/v51.0/query", "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization")
	var org struct {
		TotalSize int
		Records   []map[string]any
	}
	if err := json.Unmarshal([]byte(r.body), &org); err != nil || r.status != 200 || org.TotalSize != 1 || org.Records[0]["IsSandbox"] != false ||
		org.Records[0]["TrialExpirationDate"] != nil || org.Records[0]["Name"] == nil {
		t.Errorf("Organization: %d %s", r.status, r.body)
	}
	r = q("/services/data/v66.0/tooling/query", "SELECT Id,Status FROM SandboxProcess WHERE SandboxOrganization='00D5g00000PRACT'")
	if r.status != 200 || !strings.Contains(r.body, `"totalSize":0`) {
		t.Errorf("SandboxProcess: %d %s", r.status, r.body)
	}
	if r = q("/services/data/v66.0/query", "SELECT Password FROM User"); r.status != 400 || !strings.Contains(r.body, "INVALID_FIELD") {
		t.Errorf("an unknown field: %d %s", r.status, r.body)
	}
	if r = q("/services/data/v66.0/query", "DELETE everything"); r.status != 400 || !strings.Contains(r.body, "MALFORMED_QUERY") {
		t.Errorf("not a query: %d %s", r.status, r.body)
	}
	if ids := o.queryIDs(admin, "SELECT Id FROM User WHERE Username='nobody@acme.com'"); len(ids) != 0 {
		t.Errorf("an unknown user: %v", ids)
	}
	r = o.rest("", "GET", "/services/data/v66.0/query?q="+url.QueryEscape("SELECT Id FROM Organization"), "")
	if r.status != 401 || !strings.Contains(r.body, "INVALID_SESSION_ID") {
		t.Errorf("no session: %d %s", r.status, r.body)
	}
}

// TestTheCLIsAudienceMayEndInASlash: `sf org login jwt --instance-url URL`
// signs aud as the URL with a trailing slash.
func TestTheCLIsAudienceMayEndInASlash(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	for aud, ok := range map[string]bool{emulator.LoginAudience + "/": true, emulator.LoginAudience + "//": false, emulator.TestAudience + "/": false} {
		c := o.claims()
		c["aud"] = aud
		r := o.postToken(sign(t, rightKey, c))
		if (r.status == 200) != ok {
			t.Errorf("aud %q: %d %s", aud, r.status, r.body)
		}
	}
}

func TestConfigAdminUser(t *testing.T) {
	cfg, err := emulator.ParseConfig([]byte(`{"users": [{"username": "admin@acme.com", "admin": true}]}`), "org.json", ".")
	if err != nil || !cfg.Users[0].Admin {
		t.Fatalf("admin: %v %+v", err, cfg)
	}
	if !emulator.New(cfg, emulator.Options{}).Settings().Users[0].Admin {
		t.Error("Settings lost the admin")
	}
	_, err = emulator.ParseConfig([]byte(`{"users": [{"username": "admin@acme.com", "admin": "yes"}]}`), "org.json", ".")
	if err == nil || !strings.Contains(err.Error(), "users[0].admin: must be true or false") {
		t.Errorf("a bad admin: %v", err)
	}
}
