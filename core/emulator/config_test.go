package emulator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
)

// contractConfig is the example config of docs/cli.md, as a JSON tree to edit.
func contractConfig() map[string]any {
	return map[string]any{
		"sandbox": false,
		"apps": []any{map[string]any{
			"name":                appName,
			"consumer_key":        consumerKey,
			"certificate_file":    "sf_public_cert.crt",
			"jwt_bearer_enabled":  true,
			"scopes":              []any{"web", "refresh_token"},
			"permitted_users":     "admin_approved",
			"permission_sets":     []any{permSet},
			"propagation_seconds": 0,
		}},
		"users": []any{map[string]any{
			"username":        username,
			"active":          true,
			"api_only":        false,
			"permission_sets": []any{permSet},
		}},
	}
}

func app0(c map[string]any) map[string]any  { return c["apps"].([]any)[0].(map[string]any) }
func user0(c map[string]any) map[string]any { return c["users"].([]any)[0].(map[string]any) }

// writeConfig writes the tree and both certificates into a fresh folder.
func writeConfig(t *testing.T, tree map[string]any) string {
	t.Helper()
	keys(t)
	dir := t.TempDir()
	data, err := json.MarshalIndent(tree, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	withKey := append(slices.Clip(rightCertPEM), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not shown")})...)
	for name, content := range map[string][]byte{
		"org.json": data, "sf_public_cert.crt": rightCertPEM, "other.crt": otherCertPEM, "with-key.crt": withKey,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "org.json")
}

// The "done when": the contract's config lets a standard client log
// in and get a frontdoor URL, and turning off any one checklist setting gives
// the refusal Salesforce would give.
func TestEachChecklistSettingOffGivesSalesforcesRefusal(t *testing.T) {
	cases := []struct {
		step   string
		edit   func(c map[string]any)
		status int
		body   string // the token answer, or singleaccess when the token succeeds
	}{
		{"all set", func(map[string]any) {}, 200, ""},
		{"eca-cert-upload: no certificate", func(c map[string]any) { delete(app0(c), "certificate_file") }, 400, badAssertion},
		{"eca-cert-upload: another certificate", func(c map[string]any) { app0(c)["certificate_file"] = "other.crt" }, 400, badAssertion},
		{"eca-jwt-enable: flow off", func(c map[string]any) { app0(c)["jwt_bearer_enabled"] = false }, 400, badAssertion},
		{"eca-jwt-enable: left out (Salesforce's default is off)", func(c map[string]any) { delete(app0(c), "jwt_bearer_enabled") }, 400, badAssertion},
		{"eca-scopes: no refresh_token", func(c map[string]any) { app0(c)["scopes"] = []any{"web"} }, 400, notApproved},
		{"eca-scopes: no web or full", func(c map[string]any) { app0(c)["scopes"] = []any{"api", "refresh_token"} }, 403, "Invalid_Scope"},
		{"eca-permitted-users: self-authorize", func(c map[string]any) { app0(c)["permitted_users"] = "all_self_authorize" }, 400, notApproved},
		{"eca-permitted-users: left out (Salesforce's default is self-authorize)", func(c map[string]any) { delete(app0(c), "permitted_users") }, 400, notApproved},
		{"permset-access: not on the app", func(c map[string]any) {
			c["permission_sets"] = []any{permSet}
			app0(c)["permission_sets"] = []any{}
		}, 400, notApproved},
		{"permset-assign: not assigned", func(c map[string]any) { user0(c)["permission_sets"] = []any{} }, 400, notApproved},
		{"jwt-user: no such user", func(c map[string]any) { user0(c)["username"] = "other@acme.com" }, 400, notApproved},
		{"jwt-user: inactive", func(c map[string]any) { user0(c)["active"] = false }, 400, inactive},
		{"jwt-user: API only", func(c map[string]any) { user0(c)["api_only"] = true }, 403, "Bad_OAuth_Token"},
		{"org-login-url: sandbox", func(c map[string]any) { c["sandbox"] = true }, 400, badAudience},
		{"eca-consumer-key: another key", func(c map[string]any) { app0(c)["consumer_key"] = "3MVG9someOtherAppKey" }, 400, badClient},
		{"eca-consumer-key: still propagating", func(c map[string]any) { app0(c)["propagation_seconds"] = 300 }, 400, badClient},
	}
	for _, tc := range cases {
		t.Run(tc.step, func(t *testing.T) {
			tree := contractConfig()
			tc.edit(tree)
			cfg, err := emulator.LoadConfig(writeConfig(t, tree))
			if err != nil {
				t.Fatal(err)
			}
			o := startOrg(t, cfg)
			r := o.postToken(sign(t, rightKey, o.claims()))
			if r.status == 200 {
				var tr tokenReply
				json.Unmarshal([]byte(r.body), &tr)
				r = o.singleAccess(tr.AccessToken, "")
				if r.status == 200 {
					if got := o.request("GET", o.frontdoorPath(r), "", "", nil); got.status != 200 {
						t.Fatalf("frontdoor: %d", got.status)
					}
					r.body = ""
				}
			}
			if r.status != tc.status || r.body != tc.body {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.body)
			}
		})
	}
}

func TestConfigErrorsNameTheFieldAndFile(t *testing.T) {
	keys(t) // the edits below read the test certificates
	weakCert := weakCertPEM(t)
	cases := []struct {
		name string
		edit func(c map[string]any)
		raw  string // used instead of the edited tree when set
		want []string
	}{
		{name: "unknown top-level field", edit: func(c map[string]any) { c["sandbx"] = true },
			want: []string{`unknown field "sandbx"`, "sandbox"}},
		{name: "unknown app field", edit: func(c map[string]any) { app0(c)["certifcate_file"] = "x" },
			want: []string{"apps[0]: ", `unknown field "certifcate_file"`, "certificate_file"}},
		{name: "unknown user field", edit: func(c map[string]any) { user0(c)["is_active"] = true },
			want: []string{"users[0]: ", `unknown field "is_active"`}},
		{name: "wrong type", edit: func(c map[string]any) { app0(c)["jwt_bearer_enabled"] = "yes" },
			want: []string{"apps[0].jwt_bearer_enabled: must be true or false"}},
		{name: "scopes as a string", edit: func(c map[string]any) { app0(c)["scopes"] = "web refresh_token" },
			want: []string{"apps[0].scopes: must be a list of strings"}},
		{name: "legacy hosts as a word", edit: func(c map[string]any) { c["legacy_login_hosts"] = "yes" },
			want: []string{"legacy_login_hosts"}},
		{name: "propagation with a fraction", edit: func(c map[string]any) { app0(c)["propagation_seconds"] = 1.5 },
			want: []string{"apps[0].propagation_seconds: must be a whole number"}},
		{name: "negative propagation", edit: func(c map[string]any) { app0(c)["propagation_seconds"] = -1 },
			want: []string{"apps[0].propagation_seconds: must be between 0 and 86400"}},
		{name: "missing certificate file", edit: func(c map[string]any) { app0(c)["certificate_file"] = "missing.crt" },
			want: []string{"apps[0].certificate_file: ", "missing.crt", "does not exist"}},
		{name: "certificate file is a folder", edit: func(c map[string]any) { app0(c)["certificate_file"] = "." },
			want: []string{"apps[0].certificate_file: ", "is a folder"}},
		{name: "embedding as a list", edit: func(c map[string]any) { c["embedding"] = []any{} },
			want: []string{"embedding: must be an object"}},
		{name: "unknown embedding field", edit: func(c map[string]any) { c["embedding"] = map[string]any{"frame_origin": []any{}} },
			want: []string{"embedding: ", `unknown field "frame_origin"`, "frame_origins"}},
		{name: "origin with a path", edit: func(c map[string]any) {
			c["embedding"] = map[string]any{"frame_origins": []any{"http://localhost:3000", "https://app.acme.com/embed"}}
		}, want: []string{"embedding.frame_origins[1]: ", "no path"}},
		{name: "origin without a scheme", edit: func(c map[string]any) { c["embedding"] = map[string]any{"cors_origins": []any{"app.acme.com"}} },
			want: []string{"embedding.cors_origins[0]: ", "https://app.acme.com"}},
		{name: "first-party cookies as a word", edit: func(c map[string]any) {
			c["embedding"] = map[string]any{"first_party_cookies_required": "on"}
		}, want: []string{"embedding.first_party_cookies_required: must be true or false"}},
		{name: "dashboard with a space", edit: func(c map[string]any) { c["dashboards"] = []any{"Sales Overview"} },
			want: []string{"dashboards[0]: ", "no spaces"}},
		{name: "empty metric name", edit: func(c map[string]any) { c["metrics"] = []any{""} },
			want: []string{"metrics[0]: empty"}},
		{name: "MFA waiver as a word", edit: func(c map[string]any) { user0(c)["mfa_waiver"] = "yes" },
			want: []string{"users[0].mfa_waiver: must be true or false"}},
		{name: "private key as the certificate", edit: func(c map[string]any) {
			delete(app0(c), "certificate_file")
			app0(c)["certificate"] = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
		}, want: []string{"apps[0].certificate: ", "private key"}},
		{name: "not PEM", edit: func(c map[string]any) {
			delete(app0(c), "certificate_file")
			app0(c)["certificate"] = "hello"
		}, want: []string{"apps[0].certificate: ", "not a PEM file", "-----BEGIN"}},
		{name: "1024-bit certificate, which the client refuses", edit: func(c map[string]any) {
			delete(app0(c), "certificate_file")
			app0(c)["certificate"] = string(weakCert)
		}, want: []string{"apps[0].certificate: ", "1024-bit RSA key", "at least 2048 bits"}},
		{name: "certificate cut short", edit: func(c map[string]any) {
			delete(app0(c), "certificate_file")
			app0(c)["certificate"] = string(rightCertPEM[:len(rightCertPEM)/2])
		}, want: []string{"apps[0].certificate: ", "cut short", "no -----END CERTIFICATE----- line"}},
		{name: "certificate damaged", edit: func(c map[string]any) {
			delete(app0(c), "certificate_file")
			app0(c)["certificate"] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
		}, want: []string{"apps[0].certificate: ", "damaged", "does not hold a readable certificate"}},
		{name: "certificate file that also holds the private key", edit: func(c map[string]any) {
			app0(c)["certificate_file"] = "with-key.crt"
		}, want: []string{"apps[0].certificate_file: with-key.crt: ", "also holds a private key", "keep the private key secret"}},
		{name: "both certificate fields", edit: func(c map[string]any) { app0(c)["certificate"] = string(rightCertPEM) },
			want: []string{"apps[0].certificate_file: give certificate_file or certificate, not both"}},
		{name: "duplicate consumer keys", edit: func(c map[string]any) {
			second := map[string]any{"name": "Second", "consumer_key": consumerKey}
			c["apps"] = append(c["apps"].([]any), second)
		}, want: []string{"apps[1].consumer_key: same consumer key as apps[0]"}},
		{name: "duplicate app names", edit: func(c map[string]any) {
			c["apps"] = append(c["apps"].([]any), map[string]any{"name": appName, "consumer_key": "3MVG9other"})
		}, want: []string{"apps[1].name: ", "unique"}},
		{name: "consumer key with a line break", edit: func(c map[string]any) { app0(c)["consumer_key"] = "3MVG9abc\ndef" },
			want: []string{"apps[0].consumer_key: contains spaces or line breaks"}},
		{name: "bad permitted_users", edit: func(c map[string]any) { app0(c)["permitted_users"] = "admin_approved_users" },
			want: []string{"apps[0].permitted_users: ", `"admin_approved_users" is not a policy`, "admin_approved", "all_self_authorize"}},
		{name: "scope in capitals", edit: func(c map[string]any) { app0(c)["scopes"] = []any{"Web", "refresh_token"} },
			want: []string{"apps[0].scopes[0]: ", `did you mean "web"`}},
		{name: "unknown scope", edit: func(c map[string]any) { app0(c)["scopes"] = []any{"web", "refreshtoken"} },
			want: []string{"apps[0].scopes[1]: ", `did you mean "refresh_token"`}},
		{name: "user's permission set misspelled", edit: func(c map[string]any) { user0(c)["permission_sets"] = []any{"TableauNextEmbedingJWT"} },
			want: []string{"users[0].permission_sets[0]: ", `unknown permission set "TableauNextEmbedingJWT"`, permSet}},
		{name: "app's permission set not in the org's list", edit: func(c map[string]any) {
			c["permission_sets"] = []any{permSet}
			app0(c)["permission_sets"] = []any{"TableauNext"}
		}, want: []string{"apps[0].permission_sets[0]: ", `unknown permission set "TableauNext"`}},
		{name: "username not an address", edit: func(c map[string]any) { user0(c)["username"] = "embed" },
			want: []string{"users[0].username: ", "email address"}},
		{name: "username without a dot in the domain, which the client refuses", edit: func(c map[string]any) { user0(c)["username"] = "embed@practice" },
			want: []string{"users[0].username: ", `"embed@practice"`, "email address", "dot"}},
		{name: "username with an empty domain label", edit: func(c map[string]any) { user0(c)["username"] = "embed@acme." },
			want: []string{"users[0].username: ", "email address"}},
		{name: "username without a name", edit: func(c map[string]any) { user0(c)["username"] = "@acme.com" },
			want: []string{"users[0].username: ", "email address"}},
		{name: "duplicate usernames", edit: func(c map[string]any) {
			c["users"] = append(c["users"].([]any), map[string]any{"username": "EMBED@acme.com"})
		}, want: []string{"users[1].username: ", "unique"}},
		{name: "syntax error", raw: "{\n  \"sandbox\": false,\n  \"apps\": [\n}\n", want: []string{"line 4, column 1", "invalid JSON"}},
		{name: "two objects", raw: "{}\n{}", want: []string{"line 2, column 1", "after the JSON object"}},
		{name: "not an object", raw: "[]", want: []string{"one JSON object"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tree := contractConfig()
			if tc.edit != nil {
				tc.edit(tree)
			}
			path := writeConfig(t, tree)
			if tc.raw != "" {
				os.WriteFile(path, []byte(tc.raw), 0o644)
			}
			cfg, err := emulator.LoadConfig(path)
			if err == nil {
				t.Fatalf("accepted: %+v", cfg)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") {
				t.Errorf("message does not start with the file: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			// Go's parser words (x509: ..., asn1: ...) mean nothing to an admin.
			if strings.Contains(msg, "x509:") || strings.Contains(msg, "asn1:") {
				t.Errorf("message quotes the parser: %q", msg)
			}
			if strings.Contains(msg, consumerKey) || strings.Contains(msg, "\n") {
				t.Errorf("message holds the consumer key or spans lines: %q", msg)
			}
			var ce *emulator.ConfigError
			if !errors.As(err, &ce) || ce.File != path {
				t.Errorf("not a *ConfigError naming the file: %#v", err)
			}
		})
	}
}

func TestConfigFileProblems(t *testing.T) {
	dir := t.TempDir()
	if _, err := emulator.LoadConfig(filepath.Join(dir, "nope.json")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
	if os.Geteuid() != 0 { // root reads anything
		path := writeConfig(t, contractConfig())
		os.Chmod(filepath.Join(filepath.Dir(path), "sf_public_cert.crt"), 0)
		if _, err := emulator.LoadConfig(path); err == nil || !strings.Contains(err.Error(), "apps[0].certificate_file: ") ||
			!strings.Contains(err.Error(), "permission denied") {
			t.Errorf("unreadable certificate: %v", err)
		}
	}
}

func TestConfigDefaultsAndCertificateText(t *testing.T) {
	keys(t)
	raw := `{"apps":[{"name":"A","consumer_key":"3MVG9a","certificate":` + string(mustJSON(string(rightCertPEM))) + `}],
	         "users":[{"username":"u@acme.com"}]}`
	cfg, err := emulator.ParseConfig([]byte(raw), "inline.json", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, u := cfg.Apps[0], cfg.Users[0]
	if a.PermittedUsers != emulator.AllSelfAuthorize || a.JWTBearerEnabled || !u.IsActive() || u.APIOnly || cfg.Sandbox {
		t.Fatalf("defaults: %+v %+v", a, u)
	}
	settings := emulator.New(cfg, emulator.Options{}).Settings()
	if settings.Apps[0].Certificate != string(rightCertPEM) {
		t.Fatal("certificate text not kept")
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// weakCertPEM is a self-signed certificate for a 1024-bit key: one Salesforce
// and tnjwt's client refuse, so the practice org must too.
func weakCertPEM(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return selfSigned(key)
}

func selfSigned(key *rsa.PrivateKey) []byte {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "tableau-next-eca"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// legacy_login_hosts, as the README documents it, is read from the file.
func TestConfigFileReadsLegacyLoginHosts(t *testing.T) {
	for _, want := range []bool{true, false} {
		data := fmt.Sprintf(`{"legacy_login_hosts": %v, "apps": [], "users": []}`, want)
		cfg, err := emulator.ParseConfig([]byte(data), "org.json", t.TempDir())
		if err != nil {
			t.Fatalf("legacy_login_hosts %v: %v", want, err)
		}
		if cfg.LegacyLoginHosts == nil || *cfg.LegacyLoginHosts != want {
			t.Errorf("legacy_login_hosts %v read as %v", want, cfg.LegacyLoginHosts)
		}
	}
}

func TestConfigEmbeddingAndAssets(t *testing.T) {
	permissive := writeConfig(t, contractConfig())
	cfg, err := emulator.LoadConfig(permissive)
	if err != nil {
		t.Fatal(err)
	}
	s := emulator.New(cfg, emulator.Options{}).Settings()
	if s.Embedding != nil || !slices.Equal(s.Dashboards, emulator.DefaultDashboards) ||
		!slices.Equal(s.Metrics, emulator.DefaultMetrics) || !slices.Equal(s.Visualizations, emulator.DefaultVisualizations) {
		t.Errorf("left out: embedding %+v, assets %q %q %q", s.Embedding, s.Dashboards, s.Metrics, s.Visualizations)
	}
	tree := contractConfig()
	tree["embedding"] = map[string]any{"frame_origins": []any{"HTTP://LOCALHOST:3000/", "https://app.acme.com:443"},
		"first_party_cookies_required": true}
	tree["dashboards"] = []any{}
	user0(tree)["mfa_waiver"] = true
	cfg, err = emulator.LoadConfig(writeConfig(t, tree))
	if err != nil {
		t.Fatal(err)
	}
	s = emulator.New(cfg, emulator.Options{}).Settings()
	want := emulator.EmbeddingConfig{CORSOrigins: []string{}, FrameOrigins: []string{"http://localhost:3000", "https://app.acme.com"},
		FirstPartyCookiesRequired: true}
	if s.Embedding == nil || fmt.Sprint(*s.Embedding) != fmt.Sprint(want) {
		t.Errorf("embedding %+v, want %+v", s.Embedding, want)
	}
	if len(s.Dashboards) != 0 || !s.Users[0].MFAWaiver {
		t.Errorf("dashboards %q, waiver %v", s.Dashboards, s.Users[0].MFAWaiver)
	}
}
