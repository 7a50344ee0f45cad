package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/wizard"
)

// sharedFolder is a folder anyone may change, as a shared or mis-set
// folder is (Unix modes: the check itself is core/fsutil's).
func sharedFolder(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes: only links are refused there")
	}
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { // past the umask
		t.Fatal(err)
	}
	return dir
}

// A folder another user can change is asked about before anything is
// written there: Choose another folder writes nothing, and says why;
// Write here anyway writes (as --force does on the command line).
func TestAFolderOthersCanChangeIsAskedAbout(t *testing.T) {
	e := newEnv(t)
	org := startPracticeOrg(t)
	e.savedOrg("acme", org.URL, true)
	e.retest("acme")
	e.tap(e.s.next)
	d := e.s.screen(wizard.StepDone).(*doneScreen)

	dir := sharedFolder(t)
	d.exports.exportTo(export.FormatEnv, dir)
	e.settle()
	e.see("Write into a folder others can change?")
	e.see(dir)
	e.press("Choose another folder")
	if _, err := os.Stat(filepath.Join(dir, ".env")); err == nil {
		t.Fatal("the .env was written before the admin said so")
	}
	e.see("Nothing was written: " + dir)

	d.exports.exportTo(export.FormatEnv, dir)
	e.settle()
	e.press("Write here anyway")
	if data, err := os.ReadFile(filepath.Join(dir, ".env")); err != nil || !strings.Contains(string(data), "SF_PRIVATE_KEY=") {
		t.Fatalf("Write here anyway wrote %q (%v)", data, err)
	}
	e.see("Wrote " + filepath.Join(dir, ".env"))

	// Already there now: Replace keeps the admin's yes to the folder.
	d.exports.exportTo(export.FormatEnv, dir)
	e.settle()
	e.press("Write here anyway")
	e.press("Replace")
	e.notSee("Write into a folder others can change?")
	e.see("Wrote " + filepath.Join(dir, ".env"))
}

func TestTheCertificateIsNotSavedIntoAFolderOthersCanChangeUnasked(t *testing.T) {
	e := newEnv(t)
	e.fillOrg("globex")
	e.next()
	k := e.key()
	k.adopt(e.s.wiz, testBundle(t))
	e.settle()
	path := filepath.Join(sharedFolder(t), certs.CertFileName)
	k.saveTo(path)
	e.settle()
	e.see("Write into a folder others can change?")
	e.press("Choose another folder")
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the certificate was saved before the admin said so")
	}
	e.see("Not saved: ")
	k.saveTo(path)
	e.settle()
	e.press("Write here anyway")
	e.see("Saved to " + path)
	if data, _ := os.ReadFile(path); string(data) != e.s.wiz.State().Profile.CertificatePEM {
		t.Error("the saved file is not the certificate")
	}
}
