package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
)

var keygenNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// runKeygenCmd runs `tnjwt keygen args...` through Dispatch.
func runKeygenCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errb, Now: func() time.Time { return keygenNow }}
	code = Dispatch(append([]string{"keygen"}, args...), env)
	return code, out.String(), errb.String()
}

func TestKeygenWritesKeyAndCertificate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "folder") // created on demand
	code, out, errOut := runKeygenCmd(t, "--out", dir, "--cn", "acme-embed", "--days", "30")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	certPath, keyPath := filepath.Join(dir, certs.CertFileName), filepath.Join(dir, certs.KeyFileName)
	for path, want := range map[string]os.FileMode{certPath: 0o644, keyPath: 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), st.Mode().Perm(), want)
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("created folder has mode %v, want 0700", st.Mode().Perm())
	}
	keyPEM, _ := os.ReadFile(keyPath)
	certPEM, _ := os.ReadFile(certPath)
	b, err := certs.Load(keyPEM, certPEM)
	if err != nil {
		t.Fatalf("written files do not load as a pair: %v", err)
	}
	if !bytes.HasPrefix(keyPEM, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Error("key file is not PKCS#8 PEM")
	}
	info := certs.Describe(b.Cert, keygenNow)
	if info.CommonName != "acme-embed" || info.KeyBits != 2048 || info.DaysLeft != 30 {
		t.Errorf("certificate: %+v", info)
	}
	for _, want := range []string{certPath, keyPath, info.Fingerprint, "2026-03-31 12:00:00 UTC", "in 30 days",
		"upload " + certs.CertFileName, "Keep " + certs.KeyFileName + " secret"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, firstBodyLine(keyPEM)) {
		t.Errorf("output shows the private key:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("stderr on success: %q", errOut)
	}
}

func TestKeygenRefusesToReplace(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runKeygenCmd(t, "--out", dir); code != ExitOK {
		t.Fatalf("first run: exit %d %s", code, errOut)
	}
	keyBefore, _ := os.ReadFile(filepath.Join(dir, certs.KeyFileName))
	certBefore, _ := os.ReadFile(filepath.Join(dir, certs.CertFileName))

	code, out, errOut := runKeygenCmd(t, "--out", dir)
	if code != ExitUsage {
		t.Fatalf("second run without --force: exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errOut, "already exist") || !strings.Contains(errOut, "--force") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr %q, want one line naming --force", errOut)
	}
	if out != "" {
		t.Errorf("stdout on refusal: %q", out)
	}
	keyAfter, _ := os.ReadFile(filepath.Join(dir, certs.KeyFileName))
	certAfter, _ := os.ReadFile(filepath.Join(dir, certs.CertFileName))
	if !bytes.Equal(keyBefore, keyAfter) || !bytes.Equal(certBefore, certAfter) {
		t.Fatal("files changed although keygen refused")
	}

	// Only one of the two present is refused just the same.
	os.Remove(filepath.Join(dir, certs.CertFileName))
	if code, _, errOut := runKeygenCmd(t, "--out", dir); code != ExitUsage ||
		!strings.Contains(errOut, certs.KeyFileName+" already exists; nothing was written (use --force to replace") {
		t.Fatalf("with only the key present: exit %d %q, want %d", code, errOut, ExitUsage)
	}
	if _, err := os.Stat(filepath.Join(dir, certs.CertFileName)); !os.IsNotExist(err) {
		t.Error("the certificate was written beside the old key")
	}

	code, out, errOut = runKeygenCmd(t, "--out", dir, "--force")
	if code != ExitOK {
		t.Fatalf("--force: exit %d, %s", code, errOut)
	}
	keyForced, _ := os.ReadFile(filepath.Join(dir, certs.KeyFileName))
	certForced, _ := os.ReadFile(filepath.Join(dir, certs.CertFileName))
	if bytes.Equal(keyForced, keyBefore) {
		t.Error("--force kept the old key")
	}
	if _, err := certs.Load(keyForced, certForced); err != nil {
		t.Errorf("after --force the files are not a pair: %v", err)
	}
	if !strings.Contains(out, "SHA-256 fingerprint:") {
		t.Errorf("output after --force: %s", out)
	}
}

func TestKeygenBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing --out", nil, "--out DIR is required"},
		{"empty --out", []string{"--out", " "}, "--out DIR is required"},
		{"1024 bits", []string{"--bits", "1024"}, "1024-bit key is not offered"},
		{"8192 bits", []string{"--bits", "8192"}, "2048 (the default"},
		{"bits not a number", []string{"--bits", "big"}, "invalid value"},
		{"zero days", []string{"--days", "0"}, "between 1 and 3650"},
		{"too many days", []string{"--days", "3651"}, "10 years"},
		{"negative days", []string{"--days", "-1"}, "-1 days"},
		{"empty CN", []string{"--cn", ""}, "CN) is empty"},
		{"long CN", []string{"--cn", strings.Repeat("n", 65)}, "65 characters"},
		{"unknown flag", []string{"--size", "2048"}, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := tc.args
			if tc.name != "missing --out" && tc.name != "empty --out" {
				args = append([]string{"--out", dir}, args...)
			}
			code, out, errOut := runKeygenCmd(t, args...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "tnjwt: keygen") {
				t.Errorf("stderr %q, want one line containing %q", errOut, tc.want)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Error("the output folder was created despite bad input")
			}
		})
	}
}

func TestKeygenOutIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runKeygenCmd(t, "--out", file)
	if code != ExitUsage || !strings.Contains(errOut, "is a file, not a folder") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
}

func TestKeygenHelp(t *testing.T) {
	code, out, errOut := runKeygenCmd(t, "--help")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	for _, want := range []string{"--out DIR", "-bits", "-days", "-cn", "-force", certs.CertFileName, certs.KeyFileName, "created", "0600"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

func firstBodyLine(pemData []byte) string {
	lines := strings.Split(string(pemData), "\n")
	if len(lines) < 2 {
		return "\x00"
	}
	return lines[1]
}
