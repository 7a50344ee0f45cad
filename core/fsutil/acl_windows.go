//go:build windows

package fsutil

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows a Unix mode means little (Go maps it to the read-only
// attribute), so a file written with an owner-only mode such as 0600 is
// created with an access list of its own instead: the current user as
// owner, one entry that gives that user full access, and protected, so
// nothing is inherited from the folder. It gets it at creation (CreateFile
// with that security descriptor), so it is never readable by anyone else,
// not even while it is empty. Any other mode leaves the file with the
// access its folder passes on.

// Words for a person, for messages and help: how the files and folders
// tnjwt writes are protected on this system.
const (
	// PrivateFileWords describes a file written with mode 0600.
	PrivateFileWords = "an access list for you alone"
	// PublicFileWords describes a file written with mode 0644.
	PublicFileWords = "its folder's access list"
	// FolderWords describes a folder made with mode 0700.
	FolderWords = "its parent's access list"
)

// AccessWords says how a file written with perm is protected here.
func AccessWords(perm fs.FileMode) string {
	if ownerOnly(perm) {
		return PrivateFileWords
	}
	return PublicFileWords
}

// ownerOnly reports whether perm gives nothing to group and others.
func ownerOnly(perm fs.FileMode) bool { return perm.Perm()&0o077 == 0 }

// createTemp is os.CreateTemp, but an owner-only perm makes the file with
// an access list for the current user alone.
func createTemp(dir, pattern string, perm fs.FileMode) (*os.File, error) {
	if !ownerOnly(perm) {
		return os.CreateTemp(dir, pattern)
	}
	prefix, suffix, _ := strings.Cut(pattern, "*")
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+suffix)
		f, err := createOwnerOnly(name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, pattern), Err: fs.ErrExist}
}

// openExclusive creates path, which must not exist, for writing; an
// owner-only perm makes it with an access list for the current user alone.
func openExclusive(path string, perm fs.FileMode) (*os.File, error) {
	if !ownerOnly(perm) {
		return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	}
	return createOwnerOnly(path)
}

// createOwnerOnly creates path (it must not exist) with the owner-only
// security descriptor, for reading and writing, shared as os.OpenFile
// shares.
func createOwnerOnly(path string) (*os.File, error) {
	sa, err := ownerOnlyAttributes()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, sa, windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// ownerOnlyAttributes is the security descriptor of an owner-only file:
// owner the current user, and a protected access list that gives that user
// full access and nobody else anything.
func ownerOnlyAttributes() (*windows.SecurityAttributes, error) {
	sid, err := currentUser()
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString("O:" + sid + "D:P(A;;FA;;;" + sid + ")")
	if err != nil {
		return nil, err
	}
	return &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}, nil
}

// currentUser is the SID of the user this process runs as ("S-1-5-21-…").
func currentUser() (string, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", err
	}
	return u.User.Sid.String(), nil
}
