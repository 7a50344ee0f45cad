package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// sharedFolder is a folder of the test's that every user can write to, as
// a shared /tmp subfolder is.
func sharedFolder(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes: only links are refused there")
	}
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// emptyFolder fails when dir holds anything.
func emptyFolder(t *testing.T, what, dir string) {
	t.Helper()
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("%s: %s holds %v (%v), want nothing written", what, dir, entries, err)
	}
}

// refusedLine fails unless the command exited 2 with one line on stderr
// saying each of mentions.
func refusedLine(t *testing.T, what string, code int, errOut string, mentions ...string) {
	t.Helper()
	if code != ExitUsage || strings.Count(errOut, "\n") != 1 {
		t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line", what, code, errOut)
	}
	for _, m := range mentions {
		if !strings.Contains(errOut, m) {
			t.Errorf("%s: %q does not say %q", what, errOut, m)
		}
	}
}

// keygen and export into a folder another user can change (world-writable,
// a symbolic link, /tmp itself, another user's): exit 2, why, and nothing
// written; --force writes there all the same.
func TestKeygenAndExportRefuseAFolderOthersCanChange(t *testing.T) {
	_, _, _ = profImported(t, time.Now())
	shared := sharedFolder(t)
	code, _, errOut := runKeygenCmd(t, "--out", shared)
	refusedLine(t, "keygen", code, errOut, shared+" can be changed by every user of this computer (mode 0777)",
		"chmod go-w", "; to write there anyway, add --force")
	emptyFolder(t, "keygen", shared)
	r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "env", "--out", shared)
	refusedLine(t, "export", r.code, r.errOut, "can be changed by every user", "; to write there anyway, add --force")
	emptyFolder(t, "export", shared)
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "sfdx", "--out", filepath.Join(shared, "project"))
	refusedLine(t, "export sfdx", r.code, r.errOut, "can be changed by every user", "; to write there anyway, add --force")
	emptyFolder(t, "export sfdx", shared)
	if code, _, errOut = runKeygenCmd(t, "--out", shared, "--force"); code != ExitOK {
		t.Errorf("keygen --force: exit %d %s", code, errOut)
	}
	if r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "env", "--out", shared, "--force"); r.code != ExitOK {
		t.Errorf("export --force: exit %d %s", r.code, r.errOut)
	}

	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runKeygenCmd(t, "--out", link)
	refusedLine(t, "keygen into a link", code, errOut, link+" is a symbolic link", "Name the folder itself instead")
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "key", "--out", filepath.Join(link, "new"))
	refusedLine(t, "export under a link", r.code, r.errOut, link+" is a symbolic link")
	emptyFolder(t, "through the link", real)

	// A subfolder the export makes: public/ as a link to another folder.
	app := t.TempDir()
	if err := os.Symlink(real, filepath.Join(app, "public")); err != nil {
		t.Fatal(err)
	}
	r = profRun(t, time.Now(), "export", "--profile", "acme", "--format", "express", "--out", app)
	refusedLine(t, "express with public/ a link", r.code, r.errOut, filepath.Join(app, "public")+" is a symbolic link")
	if entries, _ := os.ReadDir(app); len(entries) != 1 {
		t.Errorf("express wrote %v beside the refused public/", entries)
	}
	emptyFolder(t, "public/", real)

	if fi, err := os.Stat("/tmp"); err == nil && fi.Mode().Perm() == 0o777 && fi.Mode()&os.ModeSticky != 0 {
		stray := []string{filepath.Join("/tmp", certs.CertFileName), filepath.Join("/tmp", certs.KeyFileName)}
		for _, p := range stray {
			if _, err := os.Lstat(p); err == nil {
				t.Fatalf("%s is already there: this test would not tell", p)
			}
		}
		code, _, errOut = runKeygenCmd(t, "--out", "/tmp")
		for _, p := range stray {
			if os.Remove(p) == nil {
				t.Errorf("keygen wrote %s", p)
			}
		}
		refusedLine(t, "keygen into /tmp", code, errOut, "/tmp is shared by every user", "Make a folder of your own in it")
	}

	t.Run("another user's folder", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("giving a folder to another user needs root (CI runs as root)")
		}
		theirs := filepath.Join(t.TempDir(), "theirs")
		if err := os.Mkdir(theirs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(theirs, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runKeygenCmd(t, "--out", theirs)
		refusedLine(t, "keygen", code, errOut, "belongs to another user (uid 12345)")
		r := profRun(t, time.Now(), "export", "--profile", "acme", "--format", "express", "--out", theirs)
		refusedLine(t, "export", r.code, r.errOut, "belongs to another user (uid 12345)")
		emptyFolder(t, "another user's", theirs)
	})
}

// renew, rotate and rollback refuse such a folder before anything changes:
// the profile keeps its certificate, no key is staged, nothing is written.
func TestRenewRotateRollbackRefuseAFolderOthersCanChange(t *testing.T) {
	mem, dir, _ := profImported(t, time.Now())
	shared := sharedFolder(t)
	store := profiles.Open(dir, secrets.NewVault(mem, time.Second))
	before, err := store.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"renew", "rotate", "rollback"} {
		r := profRun(t, time.Now(), "profile", verb, "acme", "--out", shared)
		refusedLine(t, verb, r.code, r.errOut, shared+" can be changed by every user of this computer (mode 0777)",
			"Choose a folder only you can change")
	}
	emptyFolder(t, "renew, rotate, rollback", shared)
	after, err := store.Get("acme")
	if err != nil || after.Fingerprint != before.Fingerprint || after.Pending != nil || after.Previous != nil {
		t.Errorf("the profile changed: %+v (%v)", after, err)
	}
	if _, err := os.Stat(filepath.Join(shared, certs.CertFileName)); err == nil {
		t.Error("a certificate was written")
	}
}
