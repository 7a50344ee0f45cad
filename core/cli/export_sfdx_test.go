package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// walkedProfile saves profile name as the wizard leaves it after the Org
// and Key steps: login URL, user, certificate, and the private key in the
// keychain; no consumer key yet (there is no app).
func walkedProfile(t *testing.T, dir, name, loginURL, user string) {
	t.Helper()
	b := emulatortest.Keys()
	store := profiles.Open(dir, testVault())
	p := profiles.Profile{Name: name, LoginURL: loginURL, Username: user, CertificatePEM: string(b.CertPEM),
		Fingerprint: certs.Fingerprint(b.Cert), CertNotAfter: b.Cert.NotAfter}
	if err := store.Create(p); err != nil {
		t.Fatal(err)
	}
	if err := testVault().Put(context.Background(), name, secrets.PrivateKey, b.KeyPEM); err != nil {
		t.Fatal(err)
	}
}

func storedKey(t *testing.T, name string) string {
	t.Helper()
	k, err := testVault().Get(context.Background(), name, secrets.ConsumerKey)
	if err != nil {
		return ""
	}
	return string(k)
}

func TestExportSFDXMakesAndStoresTheConsumerKeyFirst(t *testing.T) {
	_, dir := profSetup(t)
	walkedProfile(t, dir, "acme", "https://acme.my.salesforce.com", "embed@acme.com")
	out := filepath.Join(t.TempDir(), "project")
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	r := profRun(t, now, "export", "--profile", "acme", "--format", "sfdx", "--out", out)
	if r.code != ExitOK {
		t.Fatalf("export: %d %s", r.code, r.errOut)
	}
	key := storedKey(t, "acme")
	if !strings.HasPrefix(key, "3MVG9") || len(key) < 80 {
		t.Fatalf("the keychain holds no new consumer key (%d characters)", len(key))
	}
	if strings.Contains(r.out+r.errOut, key) || strings.Contains(r.out, "PRIVATE KEY") {
		t.Fatalf("the output shows a secret:\n%s", r.out)
	}
	for _, want := range []string{"A new consumer key was made", "sf project deploy start --source-dir force-app", "mode 0600",
		"sf org assign permset --name TableauNextEmbeddingJWT --on-behalf-of embed@acme.com"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the output lacks %q:\n%s", want, r.out)
		}
	}
	s := export.SFDX{Profile: "acme"}
	secretFile := filepath.Join(out, filepath.FromSlash(s.GlobalOauthFile()))
	data, err := os.ReadFile(secretFile)
	if err != nil || !strings.Contains(string(data), "<consumerKey>"+key+"</consumerKey>") {
		t.Fatalf("the project's key file: %v\n%s", err, data)
	}
	if st, _ := os.Stat(secretFile); st.Mode().Perm() != 0o600 {
		t.Errorf("the key file is mode %o", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Join(out, "sfdx-project.json")); st.Mode().Perm() != 0o644 {
		t.Errorf("sfdx-project.json is mode %o", st.Mode().Perm())
	}
	p, err := profiles.Open(dir, nil).Get("acme")
	if err != nil || !p.Checklist["eca-consumer-key"].Done {
		t.Errorf("the consumer key step is not ticked: %v %+v", err, p.Checklist)
	}

	// Again: nothing is replaced without --force, and the key stays.
	r = profRun(t, now, "export", "--profile", "acme", "--format", "sfdx", "--out", out)
	if r.code != ExitUsage || !strings.Contains(r.errOut, "--force") || storedKey(t, "acme") != key {
		t.Fatalf("a second export: %d %s", r.code, r.errOut)
	}
	r = profRun(t, now, "export", "--profile", "acme", "--format", "sfdx", "--out", out, "--force")
	if r.code != ExitOK || !strings.Contains(r.out, "keeps the consumer key") || storedKey(t, "acme") != key {
		t.Fatalf("export --force: %d %s %s", r.code, r.out, r.errOut)
	}
	if data, _ := os.ReadFile(secretFile); !strings.Contains(string(data), key) {
		t.Error("export --force changed the key")
	}
}

func TestExportSFDXRefusesBeforeTheKeychainIsAsked(t *testing.T) {
	_, dir := profSetup(t)
	walkedProfile(t, dir, "acme", "https://acme.my.salesforce.com", "embed@acme.com")
	store := profiles.Open(dir, nil)
	if err := store.Create(profiles.Profile{Name: "nocert", LoginURL: "https://acme.my.salesforce.com", Username: "embed@acme.com"}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"a bad app name":         {[]string{"--profile", "acme", "--app-name", "bad-name", "--out", out}, "may hold only letters"},
		"no certificate":         {[]string{"--profile", "nocert", "--out", out}, "has no certificate"},
		"--pending":              {[]string{"--profile", "acme", "--pending", "--out", out}, "leave out --pending"},
		"no --out":               {[]string{"--profile", "acme"}, "add --out DIR"},
		"no such profile":        {[]string{"--profile", "ghost", "--out", out}, "ghost"},
		"--app-name for another": {[]string{"--profile", "acme", "--app-name", "X", "--out", out, "--format", "env"}, "--app-name is for --format sfdx"},
	} {
		args := append([]string{"export", "--format", "sfdx"}, c.args...)
		r := profRun(t, time.Now(), args...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, c.want) {
			t.Errorf("%s: %d %q", name, r.code, r.errOut)
		}
		if storedKey(t, "acme") != "" || storedKey(t, "nocert") != "" {
			t.Fatalf("%s: a consumer key was stored", name)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("refused exports wrote %d files", len(entries))
	}
}

// TestExportSFDXKeepsAnImportedKey: a profile that already has a consumer
// key (an app made by hand, or an earlier export) deploys with it.
func TestExportSFDXKeepsAnImportedKey(t *testing.T) {
	_, _, pair := profImported(t, time.Now())
	_ = pair
	out := t.TempDir()
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "sfdx", "--out", out, "--app-name", "Acme_Embedding")
	if r.code != ExitOK || !strings.Contains(r.out, "keeps the consumer key") {
		t.Fatalf("export: %d %s %s", r.code, r.out, r.errOut)
	}
	data, err := os.ReadFile(filepath.Join(out, "force-app/main/default/extlClntAppGlobalOauthSets/Acme_Embedding_GlblOAuth.ecaGlblOauth-meta.xml"))
	if err != nil || !strings.Contains(string(data), "<consumerKey>"+profConsumerKey+"</consumerKey>") {
		t.Fatalf("the project does not carry the imported key: %v", err)
	}
	profNoSecrets(t, r.out+r.errOut)
}
