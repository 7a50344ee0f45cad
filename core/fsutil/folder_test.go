package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// folder makes a folder of the test's with mode perm (chmod, so the umask
// does not narrow it).
func folder(t *testing.T, parent, name string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(parent, name)
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	return p
}

// refused fails unless err is a *FolderError about path that matches
// ErrSharedFolder and says each of mentions.
func refused(t *testing.T, what string, err error, path string, mentions ...string) {
	t.Helper()
	var fe *FolderError
	if !errors.As(err, &fe) || !errors.Is(err, ErrSharedFolder) || fe.Path != path {
		t.Errorf("%s: err = %v, want a refusal of %s", what, err, path)
		return
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("%s: %q does not say %q", what, err, m)
		}
	}
}

func TestAFolderOfYourOwnIsAccepted(t *testing.T) {
	base := t.TempDir()
	if err := CheckFolder(base); err != nil {
		t.Errorf("own folder: %v", err)
	}
	made := filepath.Join(base, "new", "sub")
	if err := CheckFolder(made); err != nil {
		t.Errorf("a folder to be made in one's own: %v", err)
	}
	if err := MakeFolder(made, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{made, filepath.Dir(made)} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want a 0700 folder", p, fi.Mode(), err)
		}
	}
	if err := CheckFolder(made); err != nil {
		t.Errorf("the folder made: %v", err)
	}
}

// A folder another user can change, or one made in such a folder, is
// refused with why and what to do; a folder of one's own inside the shared
// /tmp (sticky) is fine, /tmp itself is not.
func TestAFolderOthersCanChangeIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes: only links are refused there")
	}
	base := t.TempDir()
	world := folder(t, base, "world", 0o777)
	group := folder(t, base, "group", 0o775)
	sticky := folder(t, base, "sticky", 0o777|os.ModeSticky)
	refused(t, "world-writable", CheckFolder(world), world, "can be changed by every user of this computer (mode 0777)",
		"chmod go-w "+world)
	refused(t, "group-writable", CheckFolder(group), group, "the other users of its group (mode 0775)")
	refused(t, "sticky, shared", CheckFolder(sticky), sticky, "shared by every user of this computer (mode 01777)",
		"Make a folder of your own in it (mkdir -m 700 "+filepath.Join(sticky, "tnjwt")+")")
	refused(t, "to be made in a world-writable one", CheckFolder(filepath.Join(world, "new")), world,
		"could rename the folder tnjwt writes into")
	own := folder(t, world, "mine", 0o700)
	refused(t, "own, in a world-writable one", CheckFolder(own), world, "could rename the folder tnjwt writes into")

	mine := folder(t, sticky, "mine", 0o700)
	if err := CheckFolder(mine); err != nil {
		t.Errorf("own folder in a sticky one: %v", err)
	}
	if err := MakeFolder(filepath.Join(sticky, "new"), false); err != nil {
		t.Errorf("a folder made in a sticky one: %v", err)
	}
	if fi, err := os.Stat("/tmp"); err == nil && fi.Mode().Perm() == 0o777 && fi.Mode()&os.ModeSticky != 0 {
		refused(t, "/tmp itself", CheckFolder("/tmp"), "/tmp", "shared by every user", "Make a folder of your own")
	}
	// Asked for: made (or used) all the same.
	if err := MakeFolder(filepath.Join(world, "anyway"), true); err != nil {
		t.Errorf("shared folder allowed: %v", err)
	}
}

// Nothing is written into a refused folder; allowed, it is.
func TestWriteChecksTheFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes")
	}
	world := folder(t, t.TempDir(), "world", 0o777)
	p := filepath.Join(world, "server.js")
	refused(t, "write", Write(p, []byte("x"), 0o600, Allow{Replace: true}), world, "mode 0777")
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a file was written into a refused folder: %v", err)
	}
	if err := Write(p, []byte("x"), 0o600, Allow{SharedFolder: true}); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(t.TempDir(), "server.js")
	if err := Write(own, []byte("x"), 0o600, Allow{}); err != nil {
		t.Fatal(err)
	}
}

// A symbolic link as the folder, or as the folder a new one would be made
// in, is refused, naming where it points.
func TestASymlinkedFolderIsRefused(t *testing.T) {
	base := t.TempDir()
	real := folder(t, base, "real", 0o700)
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
	realPath, _ := filepath.EvalSymlinks(real)
	refused(t, "symlinked folder", CheckFolder(link), link, "is a symbolic link", "Name the folder itself instead: "+realPath)
	refused(t, "made under a symlink", CheckFolder(filepath.Join(link, "new")), link, "is a symbolic link")
	refused(t, "made under a symlink", MakeFolder(filepath.Join(link, "new"), false), link, "is a symbolic link")
	if _, err := os.Lstat(filepath.Join(real, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a folder was made through the link: %v", err)
	}
	if err := CheckFolder(filepath.Join(real, "new")); err != nil {
		t.Errorf("the folder itself: %v", err)
	}
}

// A folder that belongs to another user is refused. Making one needs root:
// the test runs as root in CI, and skips only this case otherwise.
func TestAFolderOfAnotherUserIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix owners")
	}
	if os.Geteuid() != 0 {
		t.Skip("giving a folder to another user needs root (CI runs as root)")
	}
	base := t.TempDir()
	theirs := folder(t, base, "theirs", 0o755)
	if err := os.Chown(theirs, 12345, 12345); err != nil {
		t.Fatal(err)
	}
	refused(t, "another user's", CheckFolder(theirs), theirs, "belongs to another user (uid 12345)", "Choose a folder of your own")
	refused(t, "made in another user's", CheckFolder(filepath.Join(theirs, "new")), theirs, "belongs to another user (uid 12345)",
		"could rename the folder")
}
