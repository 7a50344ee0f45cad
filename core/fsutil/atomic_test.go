package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFileCreatesWithMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key.pem")
	if err := WriteFile(p, []byte("secret"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestWriteFileRefusesToReplace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cert.crt")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(p, []byte("new"), 0o644, false)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	// How to replace is the caller's to say (keygen's --force, a button).
	if strings.Contains(err.Error(), "--") || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %q: want the path and no command-line flag", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("file changed to %q", b)
	}
}

func TestWriteFileReplacesAndNarrowsMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "new" || st.Mode().Perm() != 0o600 {
		t.Fatalf("got %q mode %v", b, st.Mode().Perm())
	}
}

func TestWriteFileMissingFolder(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "nope", "x"), []byte("x"), 0o600, false)
	if err == nil {
		t.Fatal("expected an error for a missing folder")
	}
}

// Without hard links, a file that appears between the check and the write
// is still never replaced.
func TestNoReplaceWithoutHardLinks(t *testing.T) {
	old := link
	t.Cleanup(func() { link = old })
	dir := t.TempDir()
	path := filepath.Join(dir, "sf_private_key.pem")
	link = func(_, newname string) error {
		// Another writer gets there first, and this file system has no links.
		if err := os.WriteFile(newname, []byte("theirs"), 0o600); err != nil {
			t.Fatal(err)
		}
		return &os.LinkError{Op: "link", Old: "x", New: newname, Err: syscall.EPERM}
	}
	err := WriteFile(path, []byte("ours"), 0o600, false)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "theirs" {
		t.Errorf("the other writer's file became %q", data)
	}
	link = func(_, _ string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
	fresh := filepath.Join(dir, "new.pem")
	if err := WriteFile(fresh, []byte("ours"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("exclusive create: %v %v", fi.Mode(), err)
	}
}
