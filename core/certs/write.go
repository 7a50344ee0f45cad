package certs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tnjwt/tnjwt/core/fsutil"
)

// File modes: the key is for its owner only; the certificate is public.
const (
	KeyFileMode  fs.FileMode = 0o600
	CertFileMode fs.FileMode = 0o644
)

// WriteFiles writes b into dir as CertFileName and KeyFileName, making dir
// (mode 0700) when it is missing. Without force it first checks that
// neither file exists, so it never writes one and refuses the other (an
// error wrapping fsutil.ErrExists), and that dir is a folder only the user
// can change (fsutil.CheckFolder: an error wrapping fsutil.ErrSharedFolder);
// nothing is written then. force does both: it replaces the files and
// writes into such a folder.
func WriteFiles(dir string, b *Bundle, force bool) (certPath, keyPath string, err error) {
	certPath = filepath.Join(dir, CertFileName)
	keyPath = filepath.Join(dir, KeyFileName)
	if err := fsutil.MakeFolder(dir, force); err != nil {
		return certPath, keyPath, err
	}
	if !force {
		if err := RefuseExisting(dir); err != nil {
			return certPath, keyPath, err
		}
	}
	allow := fsutil.Allow{Replace: force, SharedFolder: force}
	_, statErr := os.Lstat(keyPath)
	keyExisted := !errors.Is(statErr, fs.ErrNotExist)
	if err := fsutil.Write(keyPath, b.KeyPEM, KeyFileMode, allow); err != nil {
		return certPath, keyPath, err
	}
	if err := SaveCertificate(certPath, b.CertPEM, allow); err != nil {
		// Do not leave a new key beside a missing or older certificate.
		if !keyExisted {
			os.Remove(keyPath)
			return certPath, keyPath, err
		}
		return certPath, keyPath, fmt.Errorf("%w; %s was already replaced by the new key, so write both files again", err, keyPath)
	}
	return certPath, keyPath, nil
}

// RefuseExisting says which of the two files WriteFiles would write into dir
// are already there, so a caller can refuse before spending time on a new
// key. The error wraps fsutil.ErrExists and names no command-line flag: the
// caller says how to replace them. nil when neither exists.
func RefuseExisting(dir string) error {
	var found []string
	for _, p := range []string{filepath.Join(dir, CertFileName), filepath.Join(dir, KeyFileName)} {
		if exists(p) {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return nil
	}
	return &existsError{found}
}

// existsError reads "A and B already exist; nothing was written" rather than
// repeating fsutil.ErrExists's own words, and still matches it.
type existsError struct{ paths []string }

func (e *existsError) Error() string {
	verb := "exists"
	if len(e.paths) > 1 {
		verb = "exist"
	}
	return fmt.Sprintf("%s already %s; nothing was written", strings.Join(e.paths, " and "), verb)
}

func (e *existsError) Unwrap() error { return fsutil.ErrExists }

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// WriteCertificate writes certPEM to path atomically with mode 0644,
// replacing a file there only with force. The folder must be one only the
// user can change (fsutil.CheckFolder), whatever force says: the
// certificate is what the admin uploads, so whoever could swap it would
// choose the key Salesforce trusts. SaveCertificate can allow it.
func WriteCertificate(path string, certPEM []byte, force bool) error {
	return SaveCertificate(path, certPEM, fsutil.Allow{Replace: force})
}

// SaveCertificate is WriteCertificate with each override asked for apart.
func SaveCertificate(path string, certPEM []byte, allow fsutil.Allow) error {
	return fsutil.Write(path, certPEM, CertFileMode, allow)
}

// WriteKey writes keyPEM to path atomically with mode 0600, in a folder
// only the user can change, as WriteCertificate does.
func WriteKey(path string, keyPEM []byte, force bool) error {
	return fsutil.Write(path, keyPEM, KeyFileMode, fsutil.Allow{Replace: force})
}

// SavePath joins the folder and file name a person chose for the
// certificate, refusing a name that is empty, names a folder, or reaches
// outside dir.
func SavePath(dir, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", &InputError{Problem: "the file name is empty", Hint: "Type a name such as " + CertFileName + ".", Kind: KindNoFile}
	case name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00"):
		return "", &InputError{Problem: fmt.Sprintf("%q is not a file name", name),
			Hint: "Type the name alone, without a folder; choose the folder with Choose folder.", Kind: KindNoFile}
	}
	path := filepath.Join(dir, name)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return "", &InputError{Problem: name + " is a folder", Hint: "Type the name of a file.", Kind: KindNoFile}
	}
	return path, nil
}
