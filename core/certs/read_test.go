package certs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
)

// countingReader is an endless file that counts what was taken from it.
type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	c.n += len(p)
	return len(p), nil
}

func TestReadPEMBoundsWhatItReads(t *testing.T) {
	for _, size := range []int{0, 100, MaxPEMFile} {
		data, err := ReadPEM(bytes.NewReader(make([]byte, size)))
		if err != nil || len(data) != size {
			t.Fatalf("%d bytes: got %d bytes, %v", size, len(data), err)
		}
	}
	endless := &countingReader{}
	_, err := ReadPEM(endless)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Kind != KindTooBig ||
		ie.Problem != "the file is larger than 1 MiB: too large to be a key or certificate" {
		t.Fatalf("oversized file: %v", err)
	}
	if endless.n > MaxPEMFile+64<<10 {
		t.Fatalf("read %d bytes of an endless file; the limit is %d", endless.n, MaxPEMFile)
	}
	if _, err := ReadPEM(iotest.ErrReader(errors.New("input/output error"))); err == nil ||
		!strings.Contains(err.Error(), "could not be read") {
		t.Fatalf("failing reader: %v", err)
	}
}

func TestReadPEMFileSaysWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	good := writeTemp(t, dir, "key.pem", []byte("-----BEGIN PRIVATE KEY-----\n"))
	big := writeTemp(t, dir, "big.pem", bytes.Repeat([]byte("A"), MaxPEMFile+1))
	if data, err := ReadPEMFile(good); err != nil || string(data) != "-----BEGIN PRIVATE KEY-----\n" {
		t.Fatalf("good file: %q, %v", data, err)
	}
	missing := filepath.Join(dir, "nope.pem")
	for _, tc := range []struct {
		path string
		kind ErrorKind
		want string
	}{
		{missing, KindNoFile, missing + ": no such file"},
		{filepath.Join(good, "inside"), KindUnreadable, "cannot be opened (not a directory)"},
		{dir, KindNoFile, dir + " is a folder; give the file inside it"},
		{big, KindTooBig, big + ": the file is larger than 1 MiB"},
	} {
		_, err := ReadPEMFile(tc.path)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Kind != tc.kind || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %s %q", tc.path, err, tc.kind, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "open ") || strings.Count(err.Error(), tc.path) != 1 {
			t.Errorf("%s: %q repeats Go's system-call text", tc.path, err)
		}
	}
}

// Tests run as root on CI, where no file is unreadable; the wording is
// checked on the error the open would give.
func TestReadPEMFilePermissionDenied(t *testing.T) {
	err := openError("/keys/key.pem", &fs.PathError{Op: "open", Path: "/keys/key.pem", Err: syscall.EACCES})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Kind != KindUnreadable ||
		!strings.HasPrefix(err.Error(), "/keys/key.pem: permission denied. Your account may not read this file") {
		t.Fatalf("permission denied: %v", err)
	}
	if os.Getuid() != 0 {
		p := writeTemp(t, t.TempDir(), "locked.pem", []byte("x"))
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadPEMFile(p); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Fatalf("unreadable file: %v", err)
		}
	}
}
