package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrSharedFolder is wrapped by the error of a folder that another user
// could change: whoever can change a folder can replace the files written
// there (a certificate before its upload, server.js before npm start).
var ErrSharedFolder = errors.New("another user can change this folder")

// FolderError says why a folder is refused and what to do. It names no
// flag or button: how to write there anyway is the caller's to say.
type FolderError struct {
	Path string // the folder refused: the one asked for, or the one it is in
	Why  string // what makes it unsafe, as the end of a sentence about Path
	Fix  string
}

func (e *FolderError) Error() string { return e.Path + " " + e.Why + ". " + e.Fix }

// Unwrap lets callers test for ErrSharedFolder.
func (e *FolderError) Unwrap() error { return ErrSharedFolder }

// Allow is what a write does only when asked.
type Allow struct {
	Replace      bool // replace a file that is already there
	SharedFolder bool // write into a folder another user can change (see CheckFolder)
}

// Write is WriteFile for a file the user keeps: unless allow.SharedFolder,
// its folder must be one only the user can change (CheckFolder).
func Write(path string, data []byte, perm fs.FileMode, allow Allow) error {
	if !allow.SharedFolder {
		if err := CheckFolder(filepath.Dir(path)); err != nil {
			return err
		}
	}
	return WriteFile(path, data, perm, allow.Replace)
}

// CheckFolder says whether files written into dir stay the user's own,
// changing nothing. It refuses (a *FolderError) a dir that is a symbolic
// link, and on Unix one that belongs to another user, can be written by its
// group or by others (the shared /tmp itself included), or sits in a
// folder where another user could rename it and put theirs in its place. A
// dir that does not exist yet is judged by the folder it would be made in.
// Links and folders of the system (root's) are trusted.
func CheckFolder(dir string) error {
	dir, missing, err := walkUp(dir)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return checkParent(dir, true)
	}
	if err := checkOwn(dir); err != nil {
		return err
	}
	return checkParent(filepath.Dir(dir), false)
}

// MakeFolder makes dir, and the folders above it that are missing, with
// mode 0700, and checks the result as CheckFolder does: a folder another
// program made or linked in between is caught. With shared it only makes
// them.
func MakeFolder(dir string, shared bool) error {
	if shared {
		return mkdirAll(dir)
	}
	if err := CheckFolder(dir); err != nil {
		return err
	}
	_, missing, err := walkUp(dir)
	if err != nil {
		return err
	}
	if err := mkdirAll(dir); err != nil {
		return err
	}
	for _, m := range missing {
		if err := checkOwn(m); err != nil {
			return err
		}
	}
	return nil
}

func mkdirAll(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot make the folder %s: %w", dir, err)
	}
	return nil
}

// walkUp makes dir absolute and finds the nearest folder above it (or dir
// itself) that exists; missing lists the ones below it, dir first.
func walkUp(dir string) (existing string, missing []string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("cannot tell where %s is: %w", dir, err)
	}
	for p := abs; ; p = filepath.Dir(p) {
		_, err := os.Lstat(p)
		switch {
		case err == nil:
			return p, missing, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", nil, fmt.Errorf("cannot check %s: %w", p, err)
		case filepath.Dir(p) == p:
			return "", nil, fmt.Errorf("cannot check %s: %w", p, err)
		}
		missing = append(missing, p)
	}
}

// checkOwn refuses a folder the files would go into directly.
func checkOwn(dir string) error {
	if err := refuseLink(dir); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	uid, known := owner(fi)
	if !known {
		return nil // no owners or modes to go by (Windows): the link check is all
	}
	perm := fi.Mode().Perm()
	switch {
	case uid != os.Geteuid() && uid != 0:
		return &FolderError{Path: dir, Why: fmt.Sprintf("belongs to another user (uid %d), who could replace the files "+
			"written there", uid), Fix: ownFolderFix}
	case perm&0o002 != 0 && fi.Mode()&fs.ModeSticky != 0:
		return &FolderError{Path: dir, Why: fmt.Sprintf("is shared by every user of this computer (mode %#o)",
			perm|0o1000), Fix: "Make a folder of your own in it (mkdir -m 700 " + filepath.Join(dir, "tnjwt") + ") and write there"}
	case perm&0o022 != 0:
		return &FolderError{Path: dir, Why: fmt.Sprintf("can be changed by %s (mode %#o), who could replace the files "+
			"written there", writers(perm), perm), Fix: "Choose a folder only you can change, or take their write access " +
			"away (chmod go-w " + dir + ")"}
	}
	return nil
}

// checkParent refuses the folder that holds (or, made, would hold) the
// folder the files go into: whoever can write there can rename that folder
// and put their own in its place, unless the sticky bit stops them (as in
// /tmp, where a folder of the user's own is safe).
func checkParent(parent string, making bool) error {
	if making {
		if err := refuseLink(parent); err != nil {
			return err
		}
	}
	fi, err := os.Stat(parent)
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", parent, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", parent)
	}
	uid, known := owner(fi)
	if !known {
		return nil
	}
	perm := fi.Mode().Perm()
	swap := "could rename the folder tnjwt writes into and put their own in its place"
	switch {
	case uid != os.Geteuid() && uid != 0:
		return &FolderError{Path: parent, Why: fmt.Sprintf("belongs to another user (uid %d), who %s", uid, swap),
			Fix: ownFolderFix}
	case perm&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0:
		return &FolderError{Path: parent, Why: fmt.Sprintf("can be changed by %s (mode %#o), who %s",
			writers(perm), perm, swap), Fix: ownFolderFix}
	}
	return nil
}

const ownFolderFix = "Choose a folder of your own, such as one in your home folder"

// refuseLink refuses a symbolic link (or, on Windows, a junction) that the
// system did not make: whoever can change it decides where the files go.
func refuseLink(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", path, err)
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) == 0 || systemLink(fi) {
		return nil
	}
	fix := "Name the folder itself instead"
	if real, err := filepath.EvalSymlinks(path); err == nil {
		fix = "Name the folder itself instead: " + real
	}
	return &FolderError{Path: path, Why: "is a symbolic link, so whoever can change the link decides where the files go",
		Fix: fix}
}

// systemLink reports a link of the system's, such as macOS's /tmp and
// /var: one that belongs to root when tnjwt does not run as root. Only root
// could change it, and root can change anything anyway. Run as root, every
// link could be the user's own, so none is trusted.
func systemLink(fi fs.FileInfo) bool {
	uid, known := owner(fi)
	return known && uid == 0 && os.Geteuid() != 0
}

// writers names who besides the owner may write, from the mode.
func writers(perm fs.FileMode) string {
	if perm&0o002 != 0 {
		return "every user of this computer"
	}
	return "the other users of its group"
}
