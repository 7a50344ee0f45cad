package certs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxPEMFile bounds what ReadPEM reads. A PEM key or certificate is a few KB;
// anything over 1 MiB is the wrong file, and reading it whole would only
// waste memory.
const MaxPEMFile = 1 << 20

// ReadPEM reads a key or certificate file's contents from r, refusing with an
// *InputError (KindTooBig) anything larger than MaxPEMFile.
func ReadPEM(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPEMFile+1))
	if err != nil {
		return nil, fmt.Errorf("the file could not be read to the end (%v)", cause(err))
	}
	if len(data) > MaxPEMFile {
		return nil, inputErr(KindTooBig, "the file is larger than 1 MiB: too large to be a key or certificate",
			"Pick the key or certificate file itself, such as "+KeyFileName+" or "+CertFileName+".")
	}
	return data, nil
}

// ReadPEMFile reads the key or certificate file at path through ReadPEM. Its
// errors start with the path and say in plain words what is wrong (no such
// file, a folder, no permission), so a caller only adds which file it wanted.
func ReadPEMFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, inputErr(KindNoFile, path+" is a folder; give the file inside it", "")
	}
	data, err := ReadPEM(f)
	var ie *InputError
	if errors.As(err, &ie) {
		return nil, inputErr(ie.Kind, path+": "+ie.Problem, ie.Hint)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// openError words a failed open for an admin, without Go's "open PATH:" prefix.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return inputErr(KindNoFile, path+": no such file", "")
	case errors.Is(err, fs.ErrPermission):
		return inputErr(KindUnreadable, path+": permission denied",
			"Your account may not read this file: give yourself read access, or pick a copy you can read.")
	}
	return inputErr(KindUnreadable, fmt.Sprintf("%s cannot be opened (%v)", path, cause(err)), "")
}

// cause drops what an *fs.PathError adds around the system's own words
// ("open /x: is a directory" becomes "is a directory"): the caller names the
// file already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
