// Package fsutil writes files so that a reader never sees half of one.
package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned (wrapped) when a file is already there and the caller
// did not ask to replace it. How to ask (a flag, a button) is the caller's to
// say, so the message names none.
var ErrExists = errors.New("file already exists")

// WriteFile writes data to path through a temporary file in the same folder and
// a rename, so an interruption leaves either the old file or the new one, never
// a truncated mix. The file gets mode perm even when a umask would narrow it or
// an older file had a wider mode. Without replace an existing file is left alone
// and ErrExists is returned. On Windows an owner-only perm (0600) makes the
// file with an access list for the current user alone (acl_windows.go).
func WriteFile(path string, data []byte, perm fs.FileMode, replace bool) error {
	dir := filepath.Dir(path)
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
	}
	tmp, err := createTemp(dir, "."+filepath.Base(path)+".tmp-*", perm)
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op once renamed
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot set permissions on %s: %w", tmpName, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot flush %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if !replace {
		// Link fails if path appeared meanwhile, so a concurrent writer is never overwritten.
		err := link(tmpName, path)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, fs.ErrExist):
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		// No hard links here (FAT, some network shares): a rename would
		// replace a file that appeared since the check, so create the
		// final name exclusively instead.
		return writeExclusive(path, data, perm)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// link is os.Link; tests stand in a file system without hard links.
var link = os.Link

// writeExclusive creates path, which must not exist, and writes data to it.
// Not atomic, but it never replaces a file; a failed write removes what it
// created.
func writeExclusive(path string, data []byte, perm fs.FileMode) error {
	f, err := openExclusive(path, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}
