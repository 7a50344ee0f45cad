package certs

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The certificate and key tnjwt writes are read by the real openssl binary,
// which is what an admin or another tool would use to inspect them.
func TestOpenSSLAcceptsGeneratedFiles(t *testing.T) {
	for _, bits := range AllowedBits {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			b, dir, certPath, keyPath := writtenBundle(t, bits)
			info := Describe(b.Cert, fixedNow)

			text := runOpenSSL(t, dir, "x509", "-in", certPath, "-noout", "-text")
			for _, want := range []string{
				"Version: 3 (0x2)",
				"Signature Algorithm: sha256WithRSAEncryption",
				"Issuer: CN = " + DefaultCN,
				"Subject: CN = " + DefaultCN,
				fmt.Sprintf("Public-Key: (%d bit)", bits),
				"Digital Signature, Certificate Sign",
				"CA:TRUE, pathlen:0",
				"X509v3 Subject Key Identifier",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl x509 -text lacks %q:\n%s", want, text)
				}
			}
			if !strings.Contains(text, colonHex(b.Cert.SubjectKeyId)) {
				t.Errorf("openssl shows a different subject key identifier than %s", colonHex(b.Cert.SubjectKeyId))
			}

			certMod := runOpenSSL(t, dir, "x509", "-in", certPath, "-noout", "-modulus")
			keyMod := runOpenSSL(t, dir, "rsa", "-in", keyPath, "-noout", "-modulus")
			wantMod := "Modulus=" + strings.ToUpper(b.Key.N.Text(16))
			if strings.TrimSpace(certMod) != wantMod || strings.TrimSpace(keyMod) != wantMod {
				t.Errorf("moduli differ:\ncert %.40s…\nkey  %.40s…\nwant %.40s…", certMod, keyMod, wantMod)
			}

			check := runOpenSSL(t, dir, "pkey", "-in", keyPath, "-check", "-noout")
			if !strings.Contains(check, "Key is valid") {
				t.Errorf("openssl pkey -check: %q", check)
			}
			keyText := runOpenSSL(t, dir, "pkey", "-in", keyPath, "-noout", "-text")
			if !strings.Contains(keyText, fmt.Sprintf("Private-Key: (%d bit", bits)) {
				t.Errorf("openssl pkey -text does not see a %d-bit RSA key", bits)
			}

			if v := runOpenSSL(t, dir, "verify", "-CAfile", certPath, certPath); !strings.Contains(v, ": OK") {
				t.Errorf("openssl verify of the self-signed certificate: %q", v)
			}

			opensslAgrees(t, dir, certPath, info)
			end := strings.TrimSpace(runOpenSSL(t, dir, "x509", "-in", certPath, "-noout", "-enddate"))
			notAfter, err := time.Parse("Jan _2 15:04:05 2006 MST", strings.TrimPrefix(end, "notAfter="))
			if err != nil || !notAfter.Equal(info.NotAfter) {
				t.Errorf("openssl %s (%v), Describe %v", end, err, info.NotAfter)
			}
		})
	}
}

// A signature openssl makes with the generated key verifies against the
// certificate in Go, so the PKCS#8 file carries the key unchanged.
func TestOpenSSLSignsWithGeneratedKey(t *testing.T) {
	b, dir, _, keyPath := writtenBundle(t, 2048)
	msg := []byte("header.payload")
	writeTemp(t, dir, "msg", msg)
	runOpenSSL(t, dir, "dgst", "-sha256", "-sign", keyPath, "-out", "sig", "msg")
	sum := sha256.Sum256(msg)
	pub := b.Cert.PublicKey.(*rsa.PublicKey)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], mustRead(t, filepath.Join(dir, "sig"))); err != nil {
		t.Fatalf("openssl's signature does not verify with the certificate: %v", err)
	}
}

// A JWT signed RS256 with the generated key verifies with the certificate's
// public key both in golang-jwt and in openssl: what Salesforce does with
// the uploaded certificate.
func TestJWTSignedWithKeyVerifiesWithCertificate(t *testing.T) {
	for _, bits := range AllowedBits {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			b, dir, certPath, keyPath := writtenBundle(t, bits)
			// Read back from disk, the way a separate tool would.
			loaded, err := Load(mustRead(t, keyPath), mustRead(t, certPath))
			if err != nil {
				t.Fatal(err)
			}
			claims := jwt.MapClaims{
				"iss": "3MVG9example", "sub": "embed@acme.com", "aud": "https://login.salesforce.com",
				"exp": time.Now().Add(3 * time.Minute).Unix(),
			}
			signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(loaded.Key)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.Parse(signed, func(*jwt.Token) (any, error) { return b.Cert.PublicKey, nil },
				jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience("https://login.salesforce.com"))
			if err != nil || !tok.Valid {
				t.Fatalf("golang-jwt rejects the token: %v", err)
			}

			// The same check with openssl and the public key taken from the certificate.
			pubPEM := runOpenSSL(t, dir, "x509", "-in", certPath, "-noout", "-pubkey")
			writeTemp(t, dir, "pub.pem", []byte(pubPEM))
			parts := strings.Split(signed, ".")
			writeTemp(t, dir, "input", []byte(parts[0]+"."+parts[1]))
			sig, err := jwt.NewParser().DecodeSegment(parts[2])
			if err != nil {
				t.Fatal(err)
			}
			writeTemp(t, dir, "sig", sig)
			out := runOpenSSL(t, dir, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "input")
			if !strings.Contains(out, "Verified OK") {
				t.Fatalf("openssl does not verify the JWT signature: %q", out)
			}
		})
	}
}

// A certificate and key made by openssl import, and Describe agrees with
// openssl about the certificate.
func TestImportOpenSSLPair(t *testing.T) {
	f := fixtures(t)
	b, err := Load(f["pkcs1.pem"], f["cert.pem"])
	if err != nil {
		t.Fatal(err)
	}
	info := Describe(b.Cert, time.Now())
	opensslAgrees(t, fixtureDir, "cert.pem", info)
	if info.CommonName != "openssl-made" || info.KeyBits != 2048 || info.DaysLeft < 29 || info.DaysLeft > 30 {
		t.Errorf("Describe: %+v", info)
	}
	// The re-encoded PKCS#8 key is one openssl accepts.
	dir := t.TempDir()
	p := writeTemp(t, dir, "k.pem", b.KeyPEM)
	if out := runOpenSSL(t, dir, "pkey", "-in", p, "-check", "-noout"); !strings.Contains(out, "Key is valid") {
		t.Errorf("openssl pkey -check on the re-encoded key: %q", out)
	}
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

// writtenBundle writes the cached bundle of that size into a fresh folder.
func writtenBundle(t *testing.T, bits int) (b *Bundle, dir, certPath, keyPath string) {
	t.Helper()
	b, dir = testBundle(t, bits), t.TempDir()
	certPath, keyPath, err := WriteFiles(dir, b, false)
	if err != nil {
		t.Fatal(err)
	}
	return b, dir, certPath, keyPath
}

// opensslAgrees checks that openssl reads the same fingerprint and serial
// from the certificate file as Describe did.
func opensslAgrees(t *testing.T, dir, certPath string, info Info) {
	t.Helper()
	fp := runOpenSSL(t, dir, "x509", "-in", certPath, "-noout", "-fingerprint", "-sha256")
	if _, got, _ := strings.Cut(strings.TrimSpace(fp), "="); !strings.EqualFold(got, info.Fingerprint) {
		t.Errorf("openssl fingerprint %s, Describe %s", got, info.Fingerprint)
	}
	serial := strings.TrimSpace(runOpenSSL(t, dir, "x509", "-in", certPath, "-noout", "-serial"))
	if serial != "serial="+info.Serial {
		t.Errorf("openssl %s, Describe serial=%s", serial, info.Serial)
	}
}
