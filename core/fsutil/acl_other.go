//go:build !windows

package fsutil

import (
	"fmt"
	"io/fs"
	"os"
)

// Words for a person, for messages and help: how the files and folders
// tnjwt writes are protected on this system (acl_windows.go has Windows's).
const (
	// PrivateFileWords describes a file written with mode 0600.
	PrivateFileWords = "mode 0600"
	// PublicFileWords describes a file written with mode 0644.
	PublicFileWords = "mode 0644"
	// FolderWords describes a folder made with mode 0700.
	FolderWords = "mode 0700"
)

// AccessWords says how a file written with perm is protected here: its mode.
func AccessWords(perm fs.FileMode) string { return fmt.Sprintf("mode %04o", perm.Perm()) }

// createTemp is os.CreateTemp: the mode is set afterwards, before anything
// is written (the file starts 0600 in any case).
func createTemp(dir, pattern string, _ fs.FileMode) (*os.File, error) {
	return os.CreateTemp(dir, pattern)
}

// openExclusive creates path, which must not exist, for writing.
func openExclusive(path string, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}
