package export

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
)

// The golden project: TNJWT_UPDATE_GOLDEN=1 rewrites testdata/sfdx/golden
// after a deliberate change, which the diff then shows for review.
const updateGolden = "TNJWT_UPDATE_GOLDEN"

// testSFDXKey stands in for a consumer key tnjwt made.
// goldenName is where a file's golden copy lives: .gitignore as
// "gitignore", or git would obey it and leave the golden secret file out.
func goldenName(name string) string {
	if name == ".gitignore" {
		return "gitignore"
	}
	return name
}

const testSFDXKey = "3MVG9goldenGOLDENgolden.key_for_the_tests_only_0123456789abcdefghijklmnopqrstuvwxyzABCD"

func testSFDX(t *testing.T) SFDX {
	t.Helper()
	cert, err := os.ReadFile(filepath.Join("testdata", "sfdx", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return SFDX{Profile: "acme-prod", LoginURL: "https://acme.my.salesforce.com", Username: "embed@acme.com",
		CertPEM: string(cert), ConsumerKey: testSFDXKey, Now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
}

func TestSFDXProjectMatchesTheGoldenFiles(t *testing.T) {
	files, err := SFDXProject(testSFDX(t))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sfdx", "golden")
	if os.Getenv(updateGolden) != "" {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(golden, filepath.FromSlash(goldenName(f.Name)))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("rewrote %s", golden)
	}
	var names []string
	for _, f := range files {
		names = append(names, goldenName(f.Name))
		want, err := os.ReadFile(filepath.Join(golden, filepath.FromSlash(goldenName(f.Name))))
		if err != nil {
			t.Errorf("%s: no golden file (run with %s=1 to write them): %v", f.Name, updateGolden, err)
			continue
		}
		if string(want) != string(f.Data) {
			t.Errorf("%s differs from its golden file (run with %s=1 after a deliberate change):\n--- got\n%s\n--- want\n%s", f.Name, updateGolden, f.Data, want)
		}
	}
	// No file is left over in the golden folder.
	_ = filepath.WalkDir(golden, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(golden, p)
			if !slices.Contains(names, filepath.ToSlash(rel)) {
				t.Errorf("golden file %s is no longer written", rel)
			}
		}
		return nil
	})
}

// TestSFDXMetadataFilesAreWellFormed: every metadata file is XML in the
// metadata namespace, its root the type its folder and suffix name, its
// children in alphabetical order (as Salesforce writes them), and the four
// parts of the app all name the app.
func TestSFDXMetadataFilesAreWellFormed(t *testing.T) {
	s := testSFDX(t)
	files, err := SFDXProject(s)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{".eca-meta.xml": "ExternalClientApplication", ".ecaOauth-meta.xml": "ExtlClntAppOauthSettings",
		".ecaGlblOauth-meta.xml": "ExtlClntAppGlobalOauthSettings", ".ecaOauthPlcy-meta.xml": "ExtlClntAppOauthConfigurablePolicies",
		".ecaPlcy-meta.xml": "ExtlClntAppConfigurablePolicies", ".permissionset-meta.xml": "PermissionSet"}
	seen := map[string]bool{}
	for _, f := range files {
		var root string
		for suffix, typ := range types {
			if strings.HasSuffix(f.Name, suffix) {
				root = typ
			}
		}
		if root == "" {
			continue
		}
		seen[root] = true
		var doc struct {
			XMLName  xml.Name
			Children []struct {
				XMLName xml.Name
				Text    string `xml:",chardata"`
			} `xml:",any"`
		}
		if err := xml.Unmarshal(f.Data, &doc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if doc.XMLName.Local != root || doc.XMLName.Space != metadataNamespace {
			t.Errorf("%s: root {%s}%s, want {%s}%s", f.Name, doc.XMLName.Space, doc.XMLName.Local, metadataNamespace, root)
		}
		var names []string
		values := map[string]string{}
		for _, c := range doc.Children {
			names = append(names, c.XMLName.Local)
			values[c.XMLName.Local] = c.Text
		}
		if !slices.IsSorted(names) {
			t.Errorf("%s: elements not in alphabetical order: %v", f.Name, names)
		}
		if root != "ExternalClientApplication" && root != "PermissionSet" && values["externalClientApplication"] != AppName(s.Profile) {
			t.Errorf("%s: externalClientApplication %q, want %q", f.Name, values["externalClientApplication"], AppName(s.Profile))
		}
		switch root {
		case "ExtlClntAppGlobalOauthSettings":
			if values["consumerKey"] != testSFDXKey || !strings.Contains(values["certificate"], "-----BEGIN CERTIFICATE-----\nMII") {
				t.Errorf("%s: consumer key or certificate wrong:\n%s", f.Name, f.Data)
			}
			for name, v := range values {
				if strings.HasPrefix(name, "is") && name != "isConsumerSecretOptional" && v != "false" {
					t.Errorf("%s: %s is %s: every flow but the JWT bearer flow is off", f.Name, name, v)
				}
			}
			if values["isConsumerSecretOptional"] != "true" {
				t.Errorf("%s: the consumer secret must be optional", f.Name)
			}
		case "ExtlClntAppOauthConfigurablePolicies":
			if values["permittedUsersPolicyType"] != "AdminApprovedPreAuthorized" || values["commaSeparatedPermissionSet"] != DefaultPermsetName {
				t.Errorf("%s: policies wrong:\n%s", f.Name, f.Data)
			}
		case "ExtlClntAppConfigurablePolicies":
			if values["isEnabled"] != "true" {
				t.Errorf("%s: the app must be enabled", f.Name)
			}
		case "PermissionSet":
			if values["label"] != DefaultPermsetLabel || values["license"] != "" {
				t.Errorf("%s: label %q, license %q", f.Name, values["label"], values["license"])
			}
		}
	}
	if len(seen) != len(types) {
		t.Errorf("the project holds %d of the %d types: %v", len(seen), len(types), seen)
	}
}

func TestSFDXModesAndTheSecretFile(t *testing.T) {
	s := testSFDX(t)
	files, err := SFDXProject(s)
	if err != nil {
		t.Fatal(err)
	}
	var secret []string
	for _, f := range files {
		holdsKey := strings.Contains(string(f.Data), testSFDXKey)
		if holdsKey != f.Secret {
			t.Errorf("%s: holds the key %v, marked secret %v", f.Name, holdsKey, f.Secret)
		}
		if (f.Mode == 0o600) != f.Secret || (!f.Secret && f.Mode != 0o644) {
			t.Errorf("%s: mode %o", f.Name, f.Mode)
		}
		if f.Secret {
			secret = append(secret, f.Name)
		}
		if strings.Contains(string(f.Data), "PRIVATE KEY") {
			t.Errorf("%s holds a private key", f.Name)
		}
	}
	if !slices.Equal(secret, []string{s.GlobalOauthFile()}) {
		t.Errorf("secret files %v, want only %s", secret, s.GlobalOauthFile())
	}
	var gitignore string
	for _, f := range files {
		if f.Name == ".gitignore" {
			gitignore = string(f.Data)
		}
	}
	var ignored []string
	for _, l := range strings.Split(gitignore, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			ignored = append(ignored, l)
		}
	}
	if !slices.Equal(ignored, []string{"/" + s.GlobalOauthFile()}) {
		t.Errorf(".gitignore leaves out %v, want only the secret file", ignored)
	}

	dir := filepath.Join(t.TempDir(), "project")
	paths, err := WriteSFDX(dir, files, fsutil.Allow{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != files[i].Mode {
			t.Errorf("%s written with mode %o, want %o", p, st.Mode().Perm(), files[i].Mode)
		}
	}
	// A second export replaces nothing without being asked, and writes
	// nothing at all.
	changed := append([]SFDXFile{}, files...)
	changed[0].Data = []byte("changed")
	_, err = WriteSFDX(dir, changed, fsutil.Allow{})
	var ee *ExistsError
	if !errors.As(err, &ee) || !errors.Is(err, fsutil.ErrExists) || len(ee.Paths) != len(files) {
		t.Fatalf("second write: %v", err)
	}
	if data, _ := os.ReadFile(paths[0]); string(data) == "changed" {
		t.Error("a file was replaced without replace")
	}
	if _, err := WriteSFDX(dir, changed, fsutil.Allow{Replace: true}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(paths[0]); string(data) != "changed" {
		t.Error("replace did not replace")
	}
}

// The project holds the certificate Salesforce will trust: a folder
// another user can change is refused (nothing written) unless allowed.
func TestSFDXRefusesAFolderOthersCanChange(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	files, err := SFDXProject(testSFDX(t))
	if err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteSFDX(filepath.Join(shared, "project"), files, fsutil.Allow{Replace: true}); !errors.Is(err, fsutil.ErrSharedFolder) {
		t.Errorf("a project in a world-writable folder: err = %v", err)
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 0 {
		t.Errorf("written into a world-writable folder: %v", entries)
	}
	if _, err := WriteSFDX(filepath.Join(shared, "project"), files, fsutil.Allow{SharedFolder: true}); err != nil {
		t.Errorf("allowed: %v", err)
	}
}

func TestSFDXReadmeGivesTheCommandsInOrder(t *testing.T) {
	s := testSFDX(t)
	files, _ := SFDXProject(s)
	var readme string
	for _, f := range files {
		if f.Name == "README.md" {
			readme = string(f.Data)
		}
	}
	last := -1
	for _, want := range []string{"sf org login web --instance-url https://acme.my.salesforce.com",
		"sf project deploy start --source-dir force-app", "sf org assign permset --name TableauNextEmbeddingJWT --on-behalf-of embed@acme.com",
		"tnjwt test --profile acme-prod", "What stays manual", "Metadata API", "Tableau Next access", "not secret"} {
		i := strings.Index(readme, want)
		if i < 0 && want == "not secret" {
			i = strings.Index(readme, "Nothing here is secret")
		}
		if i < 0 {
			t.Errorf("README lacks %q:\n%s", want, readme)
			continue
		}
		if i < last {
			t.Errorf("README gives %q out of order", want)
		}
		last = i
	}
	if strings.Contains(readme, testSFDXKey) {
		t.Error("README holds the consumer key")
	}
}

func TestAppNameIsAValidAPIName(t *testing.T) {
	for profile, want := range map[string]string{
		"acme-prod":                             "TableauNext_acme_prod",
		"practice":                              "TableauNext_practice",
		"Acme UAT (2)":                          "TableauNext_Acme_UAT_2",
		"__x..y__":                              "TableauNext_x_y",
		"été":                                   "TableauNext_t",
		"a-very-long-profile-name-that-goes-on": "TableauNext_a_very_long_profile_name_tha",
	} {
		got := AppName(profile)
		if got != want {
			t.Errorf("AppName(%q) = %q, want %q", profile, got, want)
		}
		if err := CheckAPIName("name", got); err != nil {
			t.Errorf("AppName(%q) = %q: %v", profile, got, err)
		}
	}
	for _, bad := range []string{"", "1abc", "a__b", "ab_", "a-b", "a b", strings.Repeat("a", 41)} {
		if CheckAPIName("name", bad) == nil {
			t.Errorf("CheckAPIName(%q) passed", bad)
		}
	}
}

func TestNewConsumerKeyIsLongRandomAndShapedAsSalesforce(t *testing.T) {
	shape := regexp.MustCompile(`^3MVG9[A-Za-z0-9._]{80,}$`)
	seen := map[string]bool{}
	for range 100 {
		k, err := NewConsumerKey()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(k) {
			t.Fatalf("key %q has the wrong shape", k)
		}
		if seen[k] {
			t.Fatal("two keys alike")
		}
		seen[k] = true
	}
}

func TestSFDXFromNeedsACertificateAndAUser(t *testing.T) {
	s := testSFDX(t)
	p := profiles.Profile{Name: "acme", LoginURL: "https://acme.my.salesforce.com", Username: "embed@acme.com", CertificatePEM: s.CertPEM}
	if _, err := SFDXFrom(p, testSFDXKey, s.Now); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*profiles.Profile){
		"no certificate": func(p *profiles.Profile) { p.CertificatePEM = "" },
		"no username":    func(p *profiles.Profile) { p.Username = "" },
		"bad login URL":  func(p *profiles.Profile) { p.LoginURL = "ftp://x" },
	} {
		q := p
		change(&q)
		if _, err := SFDXFrom(q, testSFDXKey, s.Now); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := SFDXFrom(p, "has space", s.Now); err == nil {
		t.Error("a consumer key with a space passed")
	}
	bad := s
	bad.AppName = "bad-name"
	if _, err := SFDXProject(bad); err == nil {
		t.Error("a bad app name passed")
	}
}
