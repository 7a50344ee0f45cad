package certs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/fsutil"
)

func TestWriteFilesModesAndContent(t *testing.T) {
	b, dir, certPath, keyPath := writtenBundle(t, 2048)
	if certPath != filepath.Join(dir, CertFileName) || keyPath != filepath.Join(dir, KeyFileName) {
		t.Fatalf("paths %s %s", certPath, keyPath)
	}
	for path, want := range map[string]os.FileMode{certPath: 0o644, keyPath: 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", filepath.Base(path), st.Mode().Perm(), want)
		}
	}
	if !bytes.Equal(mustRead(t, certPath), b.CertPEM) || !bytes.Equal(mustRead(t, keyPath), b.KeyPEM) {
		t.Error("written files differ from the bundle")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("expected exactly two files, found %d", len(entries))
	}
}

// With either file present and no force, nothing at all is written: never a
// new key beside an old certificate.
func TestWriteFilesRefusesWithoutForce(t *testing.T) {
	b := testBundle(t, 2048)
	for _, existing := range [][]string{{CertFileName}, {KeyFileName}, {CertFileName, KeyFileName}} {
		t.Run(strings.Join(existing, "+"), func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range existing {
				writeTemp(t, dir, name, []byte("old "+name))
			}
			_, _, err := WriteFiles(dir, b, false)
			if !errors.Is(err, fsutil.ErrExists) {
				t.Fatalf("err = %v, want ErrExists", err)
			}
			for _, name := range existing {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(existing) {
				t.Errorf("%d files in the folder, want the %d old ones only", len(entries), len(existing))
			}
			for _, name := range existing {
				if got := string(mustRead(t, filepath.Join(dir, name))); got != "old "+name {
					t.Errorf("%s changed to %q", name, got)
				}
			}
			if refused := RefuseExisting(dir); !errors.Is(refused, fsutil.ErrExists) || refused.Error() != err.Error() {
				t.Errorf("RefuseExisting = %v, want what WriteFiles said", refused)
			}
			want := " already exists; nothing was written"
			if len(existing) == 2 {
				want = " already exist; nothing was written"
			}
			if !strings.HasSuffix(err.Error(), want) || strings.Contains(err.Error(), "--") {
				t.Errorf("error %q: want it to end %q and name no command-line flag", err, want)
			}
		})
	}
}

func TestRefuseExistingInAnEmptyFolder(t *testing.T) {
	if err := RefuseExisting(t.TempDir()); err != nil {
		t.Fatalf("empty folder: %v", err)
	}
	if err := RefuseExisting(filepath.Join(t.TempDir(), "not-yet")); err != nil {
		t.Fatalf("missing folder: %v", err)
	}
}

func TestWriteFilesForceReplaces(t *testing.T) {
	b := testBundle(t, 2048)
	dir := t.TempDir()
	writeTemp(t, dir, CertFileName, []byte("old cert"))
	p := filepath.Join(dir, KeyFileName)
	if err := os.WriteFile(p, []byte("old key"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WriteFiles(dir, b, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustRead(t, p), b.KeyPEM) || !bytes.Equal(mustRead(t, filepath.Join(dir, CertFileName)), b.CertPEM) {
		t.Fatal("files were not replaced")
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced key has mode %v, want 0600 even though the old one was 0644", st.Mode().Perm())
	}
}

// When the certificate cannot be written, a new key is taken back out, and a
// replaced key is reported, so no new key sits silently beside an old
// certificate.
func TestWriteFilesCertificateFailure(t *testing.T) {
	b := testBundle(t, 2048)
	for _, keyExisted := range []bool{false, true} {
		dir := t.TempDir()
		// A non-empty folder in the certificate's place makes its rename fail
		// after the key was written; force gets past the existence check.
		certDir := filepath.Join(dir, CertFileName)
		if err := os.Mkdir(certDir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeTemp(t, certDir, "x", []byte("keeps the folder non-empty"))
		keyPath := filepath.Join(dir, KeyFileName)
		if keyExisted {
			writeTemp(t, dir, KeyFileName, []byte("old key"))
		}
		_, _, err := WriteFiles(dir, b, true)
		if err == nil {
			t.Fatal("writing over a non-empty folder succeeded")
		}
		_, statErr := os.Lstat(keyPath)
		switch {
		case !keyExisted && !errors.Is(statErr, os.ErrNotExist):
			t.Errorf("the new key was left behind without its certificate (stat: %v)", statErr)
		case keyExisted && !strings.Contains(err.Error(), "already replaced"):
			t.Errorf("error %q does not say the key was replaced", err)
		}
	}
}

func TestWriteSingleFiles(t *testing.T) {
	b := testBundle(t, 2048)
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "c.crt"), filepath.Join(dir, "k.pem")
	if err := WriteCertificate(cp, b.CertPEM, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteKey(kp, b.KeyPEM, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(kp); st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", st.Mode().Perm())
	}
	if st, _ := os.Stat(cp); st.Mode().Perm() != 0o644 {
		t.Errorf("cert mode %v", st.Mode().Perm())
	}
	if err := WriteKey(kp, []byte("other"), false); !errors.Is(err, fsutil.ErrExists) {
		t.Errorf("second WriteKey err = %v, want ErrExists", err)
	}
	if !bytes.Equal(mustRead(t, kp), b.KeyPEM) {
		t.Error("key was replaced without force")
	}
}

// The window saves the certificate with force (it asks before replacing a
// file): a folder another user can change is refused all the same, and
// nothing is written, unless that is allowed on its own.
func TestCertificateIsNotWrittenWhereOthersCanSwapIt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes")
	}
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	b := testBundle(t, 2048)
	path := filepath.Join(shared, CertFileName)
	for name, err := range map[string]error{
		"WriteCertificate": WriteCertificate(path, b.CertPEM, true),
		"WriteKey":         WriteKey(filepath.Join(shared, KeyFileName), b.KeyPEM, true),
	} {
		if !errors.Is(err, fsutil.ErrSharedFolder) {
			t.Errorf("%s: err = %v, want a refused folder", name, err)
		}
	}
	if _, _, err := WriteFiles(shared, b, false); !errors.Is(err, fsutil.ErrSharedFolder) {
		t.Errorf("WriteFiles: err = %v, want a refused folder", err)
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 0 {
		t.Fatalf("written into the shared folder: %v", entries)
	}
	if err := SaveCertificate(path, b.CertPEM, fsutil.Allow{Replace: true, SharedFolder: true}); err != nil {
		t.Errorf("allowed: %v", err)
	}
	if _, _, err := WriteFiles(shared, b, true); err != nil {
		t.Errorf("WriteFiles with force: %v", err)
	}
}
