// These use the real Secret Service: `make keychain-test` runs them under
// scripts/with-keyring.sh (a private, unlocked GNOME Keyring in a temporary
// HOME); a plain `go test` skips them.

package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/core/secrets/keyringtest"
)

// itSandbox checks that the real keychain is the private one made by
// scripts/with-keyring.sh and returns that sandbox folder.
func itSandbox(t *testing.T) string {
	t.Helper()
	root := keyringtest.Require(t)
	// The profiles go where a user's would: the config folder inside HOME.
	t.Setenv(profiles.EnvDir, "")
	return root
}

func itRandomConsumerKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
	var b strings.Builder
	b.WriteString("3MVG9")
	for i := 0; i < 80; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String()
}

// TestKeyringImportTestAndNoSecretOnDisk is the "done when": a
// profile imported once is tested with `tnjwt test --profile` (against the
// emulator on loopback) with no key file present, and afterwards
// no file under the sandbox (HOME, the config folder, the keyring's own
// folder, TMPDIR) holds the private key or the consumer key in any form.
func TestKeyringImportTestAndNoSecretOnDisk(t *testing.T) {
	root := itSandbox(t)
	ctx := context.Background()
	pair := profOpenSSL(t, "disk-proof", "2048", "365") // a key used by no other test
	consumerKey := itRandomConsumerKey()
	name := "it-cli-" + hex.EncodeToString(pair.cert.Cert.SerialNumber.Bytes()[:4])

	// A Spring '26 org: the audience is the login URL itself, which tnjwt
	// sends to a loopback address without asking.
	cfgJSON, _ := json.Marshal(map[string]any{
		"legacy_login_hosts": false,
		"apps": []map[string]any{{
			"name": "Tableau Next Embedding", "consumer_key": consumerKey, "certificate": string(pair.certPEM),
			"jwt_bearer_enabled": true, "scopes": []string{"web", "refresh_token"},
			"permitted_users": "admin_approved", "permission_sets": []string{"TableauNextEmbeddingJWT"},
		}},
		"users": []map[string]any{{"username": "embed@acme.com", "permission_sets": []string{"TableauNextEmbeddingJWT"}}},
	})
	cfg, err := emulator.ParseConfig(cfgJSON, "practice org", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emulator.New(cfg, emulator.Options{}))
	defer srv.Close()

	r := profRun(t, time.Now(), profSetFlag(profSetFlag(profImportArgs(pair, name), "--client-id", consumerKey), "--login-url", srv.URL)...)
	if r.code != ExitOK {
		t.Fatalf("import into the real keyring: exit %d: %s", r.code, r.errOut)
	}
	defer profRun(t, time.Now(), "profile", "delete", name)
	if err := os.Remove(pair.keyPath); err != nil { // the key now lives only in the keyring
		t.Fatal(err)
	}
	if err := os.Remove(pair.pkcs1Path); err != nil {
		t.Fatal(err)
	}

	// `tnjwt test --profile` with no key file anywhere: the secrets come from the keyring.
	var out, errb bytes.Buffer
	env := &Env{Ctx: ctx, Stdout: &out, Stderr: &errb, Now: time.Now}
	if code := Dispatch([]string{"test", "--profile", name, "--json"}, env); code != ExitOK {
		t.Fatalf("tnjwt test --profile: exit %d\n%s%s", code, out.String(), errb.String())
	}
	var res struct {
		OK           bool   `json:"ok"`
		FrontdoorURI string `json:"frontdoor_uri"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || !res.OK || res.FrontdoorURI == "" {
		t.Fatalf("tnjwt test --profile --json: %v\n%s", err, out.String())
	}
	// The key also comes back intact through the helper the test command uses.
	target, err := openProfileTarget(env, name)
	if err != nil || !bytes.Equal(target.KeyPEM, pair.cert.KeyPEM) || target.ClientID != consumerKey {
		t.Fatalf("openProfileTarget: %v", err)
	}
	r = profRun(t, time.Now(), "profile", "show", name, "--json")
	var shown profileView
	if err := json.Unmarshal([]byte(r.out), &shown); err != nil || shown.LastTest == nil || !shown.LastTest.OK ||
		shown.Keychain.Items["private-key"] != "stored" || shown.Keychain.Items["consumer-key"] != "stored" {
		t.Fatalf("show after the test: %v\n%s%s", err, r.out, r.errOut)
	}

	needles := itSecretForms(t, target.KeyPEM, consumerKey, res.FrontdoorURI)
	var sawProfiles, sawKeyring bool
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // another test's temporary file came and went
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		switch {
		case filepath.Base(path) == profiles.FileName && bytes.Contains(data, []byte(name)):
			sawProfiles = true
		case filepath.Base(filepath.Dir(path)) == "keyrings" && len(data) > 0:
			sawKeyring = true
		}
		for what, n := range needles {
			if bytes.Contains(data, n) {
				t.Errorf("%s holds %s", path, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawProfiles || !sawKeyring {
		t.Fatalf("the search missed the places it must cover (profiles file found: %v, keyring file found: %v)", sawProfiles, sawKeyring)
	}

	// Deleting the profile removes its secrets from the real keyring.
	if r := profRun(t, time.Now(), "profile", "delete", name); r.code != ExitOK {
		t.Fatalf("delete: %s", r.errOut)
	}
	v := osKeychain()
	for _, p := range secrets.Purposes() {
		if _, err := v.Get(ctx, name, p); !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("%s after profile delete: %v", p, err)
		}
	}
}

// itSecretForms lists the ways the secrets could sit in a file: the PEM
// lines, the key's DER (PKCS#8 and PKCS#1) raw and in base64, its private
// exponent raw and in hex, the base64 of the PEM (macOS's go-keyring form),
// and the consumer key plain and in base64. The frontdoor URL counts too.
func itSecretForms(t *testing.T, keyPEM []byte, consumerKey, frontdoor string) map[string][]byte {
	t.Helper()
	key, err := certs.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	pkcs1 := x509.MarshalPKCS1PrivateKey(key)
	d := key.D.Bytes()
	mid := func(b []byte, n int) []byte { return b[len(b)/2-n/2 : len(b)/2+n/2] }
	forms := map[string][]byte{
		"the consumer key":              []byte(consumerKey),
		"the consumer key in base64":    []byte(base64.StdEncoding.EncodeToString([]byte(consumerKey))[8:60]),
		"PKCS#8 DER bytes":              mid(pkcs8, 48),
		"PKCS#1 DER bytes":              mid(pkcs1, 48),
		"PKCS#1 DER in base64":          mid([]byte(base64.StdEncoding.EncodeToString(pkcs1)), 48),
		"the private exponent":          d[:32],
		"the private exponent in hex":   []byte(hex.EncodeToString(d[:32])),
		"the key PEM in base64 (macOS)": mid([]byte(base64.StdEncoding.EncodeToString(keyPEM)), 48),
	}
	if frontdoor != "" {
		forms["the frontdoor URL"] = []byte(frontdoor)
	}
	for i, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
			forms[fmt.Sprintf("PEM line %d of the private key", i)] = []byte(line)
		}
	}
	return forms
}
