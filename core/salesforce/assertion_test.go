package salesforce

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

var fixedNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func decodeSegment(t *testing.T, seg string) map[string]json.RawMessage {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("segment is not base64url without padding: %v", err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("segment is not a JSON object: %v", err)
	}
	return m
}

func TestAssertionHeaderAndClaims(t *testing.T) {
	tok, err := SignAssertion(emulatortest.Keys().Key, emulatortest.ConsumerKey, emulatortest.Username, SandboxAudience, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("compact JWS has %d parts", len(parts))
	}
	header := decodeSegment(t, parts[0])
	if string(header["alg"]) != `"RS256"` {
		t.Errorf("alg = %s", header["alg"])
	}
	for k := range header {
		if k != "alg" && k != "typ" {
			t.Errorf("unexpected header field %q", k)
		}
	}
	claims := decodeSegment(t, parts[1])
	want := map[string]string{
		"iss": `"` + emulatortest.ConsumerKey + `"`,
		"sub": `"` + emulatortest.Username + `"`,
		"aud": `"` + SandboxAudience + `"`, // a JSON string, not ["…"]
		"exp": "1773501146",                // fixedNow + 180 s
	}
	if len(claims) != len(want) {
		t.Errorf("claims = %v, want exactly iss, sub, aud, exp (no nbf)", claims)
	}
	for k, v := range want {
		if string(claims[k]) != v {
			t.Errorf("claim %s = %s, want %s", k, claims[k], v)
		}
	}
	if fixedNow.Add(3*time.Minute).Unix() != 1773501146 {
		t.Fatal("test constant wrong")
	}
}

func TestAssertionVerifiesWithGolangJWT(t *testing.T) {
	now := time.Now()
	tok, err := SignAssertion(emulatortest.Keys().Key, emulatortest.ConsumerKey, emulatortest.Username, ProductionAudience, now)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return &emulatortest.Keys().Key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(ProductionAudience), jwt.WithIssuer(emulatortest.ConsumerKey),
		jwt.WithSubject(emulatortest.Username), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("golang-jwt refuses the assertion: %v", err)
	}
	exp, _ := claims.GetExpirationTime()
	if d := exp.Sub(now); d > 3*time.Minute || d < 3*time.Minute-time.Second {
		t.Errorf("exp is now + %v, want 3 minutes", d)
	}
}

// openssl checks the RS256 signature independently of Go's crypto.
func TestAssertionSignatureWithOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	tok, err := SignAssertion(emulatortest.Keys().Key, emulatortest.ConsumerKey, emulatortest.Username, ProductionAudience, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	i := strings.LastIndex(tok, ".")
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&emulatortest.Keys().Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pubPath := write("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	sigPath := write("sig.bin", sig)
	dataPath := write("data.txt", []byte(tok[:i]))
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", pubPath, "-signature", sigPath, dataPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("openssl: %v: %s", err, out)
	}
	// A changed claim must fail, or the check above proves nothing.
	write("data.txt", []byte(tok[:i]+"x"))
	if out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", pubPath, "-signature", sigPath, dataPath).CombinedOutput(); err == nil {
		t.Fatalf("openssl verified tampered data: %s", out)
	}
}

func TestSignAssertionNeedsEveryClaim(t *testing.T) {
	for _, c := range [][3]string{{"", emulatortest.Username, ProductionAudience}, {emulatortest.ConsumerKey, "", ProductionAudience}, {emulatortest.ConsumerKey, emulatortest.Username, ""}} {
		if _, err := SignAssertion(emulatortest.Keys().Key, c[0], c[1], c[2], fixedNow); err == nil {
			t.Errorf("SignAssertion(%q) signed", c)
		}
	}
}
