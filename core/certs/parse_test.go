package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// badInput is one file an admin might pick by mistake, and what tnjwt must
// say about it.
type badInput struct {
	name string
	data []byte
	kind ErrorKind
	want string // part of the Problem
}

// badKeyInputs are files refused where the private key belongs.
func badKeyInputs(t testing.TB) []badInput {
	f := fixtures(t)
	key := f["pkcs8.pem"]
	return []badInput{
		{"empty", nil, KindEmpty, "key file is empty"},
		{"whitespace only", []byte(" \n\t\r\n"), KindEmpty, "key file is empty"},
		{"encrypted PKCS#8", f["encrypted-pkcs8.pem"], KindEncrypted, "encrypted private key (PKCS#8"},
		{"encrypted legacy PKCS#1", f["encrypted-pkcs1.pem"], KindEncrypted, "encrypted private key (legacy"},
		{"EC SEC1", f["ec-sec1.pem"], KindNotRSA, "EC (elliptic curve) private key"},
		{"EC PKCS#8", f["ec-pkcs8.pem"], KindNotRSA, "EC (elliptic curve, P-256)"},
		{"Ed25519", f["ed25519.pem"], KindNotRSA, "Ed25519 private key"},
		{"Ed448", f["ed448.pem"], KindNotRSA, "Ed448 key"},
		{"RSA-PSS", f["rsa-pss.pem"], KindNotRSA, "RSA-PSS key"},
		{"Go EC PKCS#8", goECKeyPEM(t), KindNotRSA, "EC (elliptic curve, P-384)"},
		{"Go Ed25519", goEd25519PEM(t), KindNotRSA, "Ed25519"},
		{"DSA block", pemBlock("DSA PRIVATE KEY", []byte{0x30, 0x00}), KindNotRSA, "DSA private key"},
		{"certificate", f["cert.pem"], KindCertificate, "key file is a certificate"},
		{"DER certificate", f["cert.der"], KindCertificate, "certificate (binary DER form)"},
		{"DER PKCS#8 key", f["key.der"], KindBinary, "binary (DER) private key"},
		{"DER PKCS#1 key", f["pkcs1.der"], KindBinary, "binary (DER) private key"},
		{"PKCS#12", f["bundle.p12"], KindBinary, "PKCS#12 bundle"},
		{"PKCS#7", f["bundle.p7b"], KindOtherFormat, "PKCS#7 bundle"},
		{"public key", f["public.pem"], KindPublicKey, "public key, not the private key"},
		{"PKCS#1 public key", f["public-pkcs1.pem"], KindPublicKey, "public key, not the private key"},
		{"DER public key", f["public.der"], KindPublicKey, "public key, not the private key"},
		{"SSH public key", []byte("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ admin@laptop\n"), KindPublicKey, "public key"},
		{"CSR", f["request.csr"], KindCSR, "certificate signing request"},
		{"1024-bit key", f["weak1024.pem"], KindWeakKey, "1024-bit RSA key"},
		{"512-bit key", weakKeyPEM(t), KindWeakKey, "512-bit RSA key"},
		{"cut short", key[:len(key)/2], KindTruncated, "no -----END PRIVATE KEY----- line"},
		{"END line lost", bytes.TrimSuffix(bytes.TrimSpace(key), []byte("-----END PRIVATE KEY-----")), KindTruncated, "key file is cut short"},
		{"bad base64", replaceInBody(key, "!"), KindCorrupt, "not valid base64"},
		{"lines missing", dropBodyLines(key), KindCorrupt, "does not hold a readable key"},
		{"mismatched END", bytes.Replace(key, []byte("END PRIVATE KEY"), []byte("END RSA PRIVATE KEY"), 1), KindCorrupt, "different -----END line"},
		{"garbage PKCS#1", pemBlock("RSA PRIVATE KEY", []byte("not a key at all")), KindCorrupt, "RSA PRIVATE KEY block"},
		{"garbage PKCS#8", pemBlock("PRIVATE KEY", []byte("not a key at all")), KindCorrupt, "PRIVATE KEY block"},
		{"random binary", randomBytes(t, 300), KindBinary, "binary file"},
		{"plain text", []byte("hello, this is not a key\n"), KindNotPEM, "no -----BEGIN line"},
		{"bare base64", bareBody(key), KindNotPEM, "without its -----BEGIN and -----END lines"},
		{"OpenSSH key", pemBlock("OPENSSH PRIVATE KEY", []byte("openssh-key-v1\x00")), KindOtherFormat, "OpenSSH private key"},
		{"PuTTY key", []byte("PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n"), KindOtherFormat, "PuTTY key"},
		{"JWK", []byte(`{"kty":"RSA","n":"x","e":"AQAB"}`), KindOtherFormat, "JSON"},
		{"CRL", pemBlock("X509 CRL", []byte{0x30, 0x00}), KindOtherFormat, `type "X509 CRL"`},
		{"two keys", append(append([]byte{}, key...), f["genrsa-traditional.pem"]...), KindManyKeys, "2 private keys"},
	}
}

// badCertInputs are files refused where the certificate belongs.
func badCertInputs(t testing.TB) []badInput {
	f := fixtures(t)
	cert := f["cert.pem"]
	return []badInput{
		{"empty", []byte{}, KindEmpty, "certificate file is empty"},
		{"private key PKCS#8", f["pkcs8.pem"], KindPrivateKey, "certificate file is a private key"},
		{"private key PKCS#1", f["pkcs1.pem"], KindPrivateKey, "certificate file is a private key"},
		{"encrypted key", f["encrypted-pkcs8.pem"], KindPrivateKey, "certificate file is a private key"},
		{"DER private key", f["key.der"], KindPrivateKey, "private key (binary DER form)"},
		{"DER certificate", f["cert.der"], KindBinary, "binary (DER) certificate"},
		{"PKCS#12", f["bundle.p12"], KindBinary, "PKCS#12 bundle"},
		{"PKCS#7", f["bundle.p7b"], KindOtherFormat, "PKCS#7 bundle"},
		{"public key", f["public.pem"], KindPublicKey, "bare public key"},
		{"CSR", f["request.csr"], KindCSR, "certificate signing request"},
		{"EC certificate", f["ec-cert.pem"], KindNotRSA, "certificate file holds an EC (ECDSA) public key"},
		{"1024-bit certificate", f["weak-cert.pem"], KindWeakKey, "1024-bit RSA key"},
		{"cut short", cert[:len(cert)/2], KindTruncated, "certificate file is cut short: it has a -----BEGIN CERTIFICATE----- line but no -----END CERTIFICATE----- line"},
		{"bad base64", replaceInBody(cert, "*"), KindCorrupt, "not valid base64"},
		{"lines missing", dropBodyLines(cert), KindCorrupt, "does not hold a readable certificate"},
		{"random binary", randomBytes(t, 300), KindBinary, "binary file"},
		{"plain text", []byte("-- my certificate --\n"), KindNotPEM, "no -----BEGIN line"},
		{"bare base64", bareBody(cert), KindNotPEM, "a certificate without its -----BEGIN"},
		{"SSH public key", []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 admin@laptop\n"), KindPublicKey, "SSH public key"},
	}
}

func TestParsePrivateKeyRefusals(t *testing.T) {
	for _, tc := range badKeyInputs(t) {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePrivateKey(tc.data)
			checkRefusal(t, tc, k == nil, err)
			// KeyOnly and Load refuse the same file with the same message.
			_, _, err2 := KeyOnly(tc.data)
			_, err3 := Load(tc.data, fixtures(t)["cert.pem"])
			if err2 == nil || err3 == nil || err2.Error() != err.Error() || err3.Error() != err.Error() {
				t.Errorf("KeyOnly/Load disagree: %v / %v", err2, err3)
			}
		})
	}
}

func TestParseCertificateRefusals(t *testing.T) {
	for _, tc := range badCertInputs(t) {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCertificate(tc.data)
			checkRefusal(t, tc, c == nil, err)
			_, err2 := Load(fixtures(t)["pkcs8.pem"], tc.data)
			if err2 == nil || err2.Error() != err.Error() {
				t.Errorf("Load disagrees: %v", err2)
			}
		})
	}
}

func checkRefusal(t *testing.T, tc badInput, nilResult bool, err error) {
	t.Helper()
	if !nilResult {
		t.Error("a result was returned with the error")
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want *InputError", err, err)
	}
	if ie.Kind != tc.kind {
		t.Errorf("kind %q, want %q (problem: %s)", ie.Kind, tc.kind, ie.Problem)
	}
	if !strings.Contains(ie.Problem, tc.want) {
		t.Errorf("problem %q, want it to mention %q", ie.Problem, tc.want)
	}
	if ie.Hint == "" || strings.Contains(err.Error(), "\n") {
		t.Errorf("want a hint and a single line, got %q", err.Error())
	}
	assertNoSecret(t, err.Error(), tc.data)
}

// assertNoSecret fails when msg quotes any line of a PEM body.
func assertNoSecret(t *testing.T, msg string, data []byte) {
	t.Helper()
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Fatalf("message quotes the file's contents: %q", msg)
		}
	}
}

// Each refusal reads differently, so an admin can tell the cases apart.
func TestRefusalsAreDistinct(t *testing.T) {
	seen := map[string]string{}
	check := func(role string, cases []badInput, parse func([]byte) error) {
		for _, tc := range cases {
			err := parse(tc.data)
			if err == nil {
				t.Fatalf("%s %s: accepted", role, tc.name)
			}
			var ie *InputError
			errors.As(err, &ie)
			key := role + string(ie.Kind) + ie.Problem
			if prev, ok := seen[ie.Problem]; ok && prev != key {
				t.Errorf("%s %s shares its message with another kind of input: %q", role, tc.name, ie.Problem)
			}
			seen[ie.Problem] = key
		}
	}
	check("key", badKeyInputs(t), func(b []byte) error { _, err := ParsePrivateKey(b); return err })
	check("cert", badCertInputs(t), func(b []byte) error { _, err := ParseCertificate(b); return err })
}

func TestParsePrivateKeyAccepts(t *testing.T) {
	f := fixtures(t)
	gen := testBundle(t, 2048)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(gen.Key)})
	der8, _ := x509.MarshalPKCS8PrivateKey(gen.Key)
	cases := []struct {
		name string
		data []byte
	}{
		{"tnjwt PKCS#8", gen.KeyPEM},
		{"Go PKCS#1", pkcs1},
		{"openssl genpkey PKCS#8", f["pkcs8.pem"]},
		{"openssl rsa -traditional PKCS#1", f["pkcs1.pem"]},
		{"openssl genrsa -traditional PKCS#1", f["genrsa-traditional.pem"]},
		{"CRLF line ends", bytes.ReplaceAll(gen.KeyPEM, []byte("\n"), []byte("\r\n"))},
		{"byte order mark", append([]byte("\xef\xbb\xbf"), gen.KeyPEM...)},
		{"text around it", append(append([]byte("my key:\n"), gen.KeyPEM...), "\nthanks\n"...)},
		{"PKCS#8 labelled as PKCS#1", pemBlock("RSA PRIVATE KEY", der8)},
		{"certificate before the key", append(append([]byte{}, gen.CertPEM...), gen.KeyPEM...)},
		{"broken certificate beside the key", append(append([]byte{}, gen.CertPEM[:40]...), append([]byte("\n"), gen.KeyPEM...)...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePrivateKey(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if k.N.BitLen() < 2048 {
				t.Fatalf("%d-bit key", k.N.BitLen())
			}
			if err := k.Validate(); err != nil {
				t.Fatalf("invalid key: %v", err)
			}
		})
	}
	k, err := ParsePrivateKey(f["pkcs1.pem"])
	if err != nil {
		t.Fatal(err)
	}
	k8, err := ParsePrivateKey(f["pkcs8.pem"])
	if err != nil {
		t.Fatal(err)
	}
	if !k.Equal(k8) {
		t.Error("openssl's PKCS#1 and PKCS#8 forms of one key parse to different keys")
	}
}

func TestParseCertificateAccepts(t *testing.T) {
	f := fixtures(t)
	gen := testBundle(t, 2048)
	chain := append(append([]byte{}, gen.CertPEM...), f["cert.pem"]...)
	cases := []struct {
		name string
		data []byte
		cn   string
	}{
		{"tnjwt", gen.CertPEM, DefaultCN},
		{"openssl req -x509", f["cert.pem"], "openssl-made"},
		{"openssl trusted certificate", f["trusted.pem"], "openssl-made"},
		{"chain: the first one counts", chain, DefaultCN},
		{"key before the certificate", append(append([]byte{}, f["pkcs8.pem"]...), f["cert.pem"]...), "openssl-made"},
		{"CRLF line ends", bytes.ReplaceAll(f["cert.pem"], []byte("\n"), []byte("\r\n")), "openssl-made"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCertificate(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject.CommonName != tc.cn {
				t.Errorf("CN %q, want %q", c.Subject.CommonName, tc.cn)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	f := fixtures(t)
	for _, keyFile := range []string{"pkcs8.pem", "pkcs1.pem"} {
		b, err := Load(f[keyFile], f["cert.pem"])
		if err != nil {
			t.Fatalf("%s: %v", keyFile, err)
		}
		if !b.Key.PublicKey.Equal(b.Cert.PublicKey) {
			t.Fatal("bundle key and certificate differ")
		}
		if blk, _ := pem.Decode(b.KeyPEM); blk == nil || blk.Type != "PRIVATE KEY" {
			t.Errorf("%s: KeyPEM is not re-encoded as PKCS#8", keyFile)
		}
	}
	// A combined file gives only its certificate to CertPEM: the key must
	// never travel to where the certificate is shown or uploaded.
	combined := append(append([]byte{}, f["cert.pem"]...), f["pkcs8.pem"]...)
	b, err := Load(combined, combined)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.CertPEM, []byte("PRIVATE KEY")) || !bytes.Equal(b.CertPEM, f["cert.pem"]) {
		t.Errorf("CertPEM is not just the certificate:\n%s", firstLine(b.CertPEM))
	}
}

func TestLoadRefusesMismatch(t *testing.T) {
	f := fixtures(t)
	gen := testBundle(t, 2048)
	cases := map[string][2][]byte{
		"openssl key, tnjwt certificate": {f["pkcs8.pem"], gen.CertPEM},
		"tnjwt key, openssl certificate": {gen.KeyPEM, f["cert.pem"]},
		"other openssl key":              {f["genrsa-traditional.pem"], f["cert.pem"]},
	}
	for name, pair := range cases {
		b, err := Load(pair[0], pair[1])
		var ie *InputError
		if b != nil || !errors.As(err, &ie) || ie.Kind != KindMismatch {
			t.Errorf("%s: bundle %v, err %v; want a mismatch refusal", name, b != nil, err)
			continue
		}
		if !strings.Contains(ie.Hint, "invalid assertion") {
			t.Errorf("%s: hint %q should name Salesforce's error", name, ie.Hint)
		}
	}
}

func TestKeyOnly(t *testing.T) {
	f := fixtures(t)
	k, out, err := KeyOnly(f["pkcs1.pem"])
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(out)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		t.Fatalf("KeyOnly PEM is not PKCS#8: %q", firstLine(out))
	}
	back, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil || !k.Equal(back) {
		t.Fatalf("KeyOnly PEM does not hold the key: %v", err)
	}
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func goECKeyPEM(t testing.TB) []byte {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	return pkcs8PEM(t, k, err)
}

func goEd25519PEM(t testing.TB) []byte {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	return pkcs8PEM(t, k, err)
}

// pkcs8PEM encodes a freshly generated key (err is the generator's) as
// PKCS#8 PEM.
func pkcs8PEM(t testing.TB, key any, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("PRIVATE KEY", der)
}

// weakKeyPEM is a 512-bit key from openssl (Go refuses to make one).
func weakKeyPEM(t testing.TB) []byte {
	dir := t.TempDir()
	runOpenSSL(t, dir, "genrsa", "-traditional", "-out", "k.pem", "512")
	return mustRead(t, dir+"/k.pem")
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[1] = 0x82 // never valid UTF-8, whatever the rest
	return b
}

// replaceInBody puts s in the middle of the first base64 line.
func replaceInBody(p []byte, s string) []byte {
	lines := strings.Split(string(p), "\n")
	l := []byte(lines[1])
	copy(l[len(l)/2:], s)
	lines[1] = string(l)
	return []byte(strings.Join(lines, "\n"))
}

// dropBodyLines removes whole base64 lines, so the base64 stays valid but the
// DER inside is cut.
func dropBodyLines(p []byte) []byte {
	lines := strings.Split(string(p), "\n")
	out := append([]string{}, lines[:3]...)
	out = append(out, lines[len(lines)-3:]...)
	return []byte(strings.Join(out, "\n"))
}

func bareBody(p []byte) []byte {
	blk, _ := pem.Decode(p)
	return []byte(base64.StdEncoding.EncodeToString(blk.Bytes) + "\n")
}
