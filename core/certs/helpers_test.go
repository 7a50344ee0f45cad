package certs

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fixedNow keeps generated certificates reproducible in their dates.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var fixtureDir string // removed by TestMain

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// Generated bundles are cached per size: RSA-4096 takes seconds, more so
// under -race, and every test that needs one may share it.
var (
	bundleMu    sync.Mutex
	bundleCache = map[int]*Bundle{}
)

func testBundle(t testing.TB, bits int) *Bundle {
	t.Helper()
	bundleMu.Lock()
	defer bundleMu.Unlock()
	if b, ok := bundleCache[bits]; ok {
		return b
	}
	b, err := Generate(Options{Bits: bits, Now: fixedNow})
	if err != nil {
		t.Fatalf("Generate(%d): %v", bits, err)
	}
	bundleCache[bits] = b
	return b
}

// runOpenSSL runs the real openssl binary; the tests are meant to fail, not
// skip, where it is missing, since the cross-checks are the point.
func runOpenSSL(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := opensslIn(dir, args...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

func opensslIn(dir string, args ...string) (string, error) {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("openssl %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), nil
}

// fixtures are files made by openssl, the way admins make them, built once
// per test binary.
var (
	fixtureOnce sync.Once
	fixtureErr  error
	fixtureData map[string][]byte
)

var fixtureCommands = [][]string{
	{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "pkcs8.pem"},
	{"rsa", "-in", "pkcs8.pem", "-traditional", "-out", "pkcs1.pem"},
	{"genrsa", "-traditional", "-out", "genrsa-traditional.pem", "2048"},
	{"req", "-new", "-x509", "-key", "pkcs8.pem", "-subj", "/CN=openssl-made", "-days", "30", "-sha256", "-out", "cert.pem"},
	{"x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der"},
	{"x509", "-in", "cert.pem", "-trustout", "-addtrust", "serverAuth", "-out", "trusted.pem"},
	{"pkey", "-in", "pkcs8.pem", "-outform", "DER", "-out", "key.der"},
	{"rsa", "-in", "pkcs8.pem", "-traditional", "-outform", "DER", "-out", "pkcs1.der"},
	{"pkey", "-in", "pkcs8.pem", "-aes256", "-passout", "pass:secret", "-out", "encrypted-pkcs8.pem"},
	{"rsa", "-in", "pkcs8.pem", "-traditional", "-aes128", "-passout", "pass:secret", "-out", "encrypted-pkcs1.pem"},
	{"ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-sec1.pem"},
	{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec-pkcs8.pem"},
	{"req", "-new", "-x509", "-key", "ec-pkcs8.pem", "-subj", "/CN=ec", "-days", "30", "-sha256", "-out", "ec-cert.pem"},
	{"genpkey", "-algorithm", "ED25519", "-out", "ed25519.pem"},
	{"genpkey", "-algorithm", "ED448", "-out", "ed448.pem"},
	{"genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa-pss.pem"},
	{"pkey", "-in", "pkcs8.pem", "-pubout", "-out", "public.pem"},
	{"pkey", "-in", "pkcs8.pem", "-pubout", "-outform", "DER", "-out", "public.der"},
	{"rsa", "-in", "pkcs8.pem", "-RSAPublicKey_out", "-out", "public-pkcs1.pem"},
	{"req", "-new", "-key", "pkcs8.pem", "-subj", "/CN=csr", "-out", "request.csr"},
	{"genrsa", "-traditional", "-out", "weak1024.pem", "1024"},
	{"req", "-new", "-x509", "-key", "weak1024.pem", "-subj", "/CN=weak", "-days", "30", "-sha256", "-out", "weak-cert.pem"},
	{"pkcs12", "-export", "-in", "cert.pem", "-inkey", "pkcs8.pem", "-passout", "pass:secret", "-out", "bundle.p12"},
	{"crl2pkcs7", "-nocrl", "-certfile", "cert.pem", "-out", "bundle.p7b"},
}

func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	fixtureOnce.Do(func() { fixtureData, fixtureErr = buildFixtures() })
	if fixtureErr != nil {
		t.Fatalf("making openssl fixtures: %v", fixtureErr)
	}
	return fixtureData
}

func buildFixtures() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "certs-fixtures-")
	if err != nil {
		return nil, err
	}
	fixtureDir = dir
	for _, args := range fixtureCommands {
		if _, err := opensslIn(dir, args...); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

func writeTemp(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
