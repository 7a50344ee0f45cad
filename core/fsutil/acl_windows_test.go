//go:build windows

// These tests need Windows (or Wine: `make windows-test` runs them there,
// as a cross-compiled test binary); `make cross-vet` compiles them.

package fsutil

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestWindowsOwnerOnlyACL: every way WriteFile writes a 0600 file (a new
// file through a hard link, a replacement through a rename, an exclusive
// create without hard links) leaves it with a protected access list that
// names the current user alone; a 0644 file keeps what its folder gives.
func TestWindowsOwnerOnlyACL(t *testing.T) {
	user, err := currentUser()
	if err != nil {
		t.Fatal(err)
	}
	dir := tempDir(t)

	fresh := filepath.Join(dir, "sf_private_key.pem")
	if err := WriteFile(fresh, []byte("secret"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	requireOwnerOnly(t, fresh, user)

	replaced := filepath.Join(dir, ".env")
	if err := os.WriteFile(replaced, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(replaced, []byte("new"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	requireOwnerOnly(t, replaced, user)
	if b, _ := os.ReadFile(replaced); string(b) != "new" {
		t.Fatalf("replaced file holds %q", b)
	}

	old := link
	t.Cleanup(func() { link = old })
	link = func(_, _ string) error { return &os.LinkError{Op: "link", Err: windows.ERROR_NOT_SUPPORTED} }
	exclusive := filepath.Join(dir, "no-links.pem")
	if err := WriteFile(exclusive, []byte("secret"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	requireOwnerOnly(t, exclusive, user)
	link = old

	public := filepath.Join(dir, "sf_public_cert.crt")
	if err := WriteFile(public, []byte("cert"), 0o644, false); err != nil {
		t.Fatal(err)
	}
	if sd := securityOf(t, public); isProtected(t, sd) {
		t.Errorf("%s (0644) got a protected access list: %s", public, sd)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWindowsAccessWords(t *testing.T) {
	if got := AccessWords(0o600); got != PrivateFileWords {
		t.Errorf("AccessWords(0600) = %q", got)
	}
	if got := AccessWords(0o644); got != PublicFileWords {
		t.Errorf("AccessWords(0644) = %q", got)
	}
}

func securityOf(t *testing.T, path string) *windows.SECURITY_DESCRIPTOR {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatalf("GetNamedSecurityInfo(%s): %v", path, err)
	}
	return sd
}

func isProtected(t *testing.T, sd *windows.SECURITY_DESCRIPTOR) bool {
	t.Helper()
	control, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	return control&windows.SE_DACL_PROTECTED != 0
}

// underWine reports whether this is Wine, whose ntdll alone has
// wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// requireOwnerOnly reads path's security descriptor back: owner user, a
// protected access list, one entry, allowing user, with read access.
//
// Wine 8.0 (Debian 12) keeps no security descriptors: it turns the access
// list into the file's Unix mode and answers with one made from that mode
// (the owner, and SYSTEM, which it always adds). There the check is what
// survives the trip: nobody but the user and SYSTEM is granted anything,
// which is also what keeps the Unix mode closed to other users.
func requireOwnerOnly(t *testing.T, path, user string) {
	t.Helper()
	sd := securityOf(t, path)
	if owner, _, err := sd.Owner(); err != nil || owner.String() != user {
		t.Errorf("%s: owner %v (%v), want %s", path, owner, err, user)
	}
	wine := underWine()
	if !wine && !isProtected(t, sd) {
		t.Errorf("%s: the access list is not protected from inheritance: %s", path, sd)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("%s: no access list (%v): %s", path, err, sd)
	}
	if !wine && dacl.AceCount != 1 {
		t.Fatalf("%s: %d entries, want 1: %s", path, dacl.AceCount, sd)
	}
	userReads := false
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			t.Fatal(err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String()
		switch {
		case ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE:
			t.Errorf("%s: entry %d is of type %d, want only allowing ones: %s", path, i, ace.Header.AceType, sd)
		case sid == user:
			userReads = ace.Mask&windows.FILE_GENERIC_READ == windows.FILE_GENERIC_READ
		case wine && sid == systemSID:
		default:
			t.Errorf("%s: entry %d gives %s access (%#x): %s", path, i, sid, ace.Mask, sd)
		}
	}
	if !userReads {
		t.Errorf("%s: the user %s cannot read it: %s", path, user, sd)
	}
	if wine {
		t.Logf("%s under Wine (which keeps no access lists): %s", path, sd)
	}
}

// systemSID is LocalSystem, which Wine adds to every file's access list.
const systemSID = "S-1-5-18"

// tempDir is t.TempDir without its RemoveAll, which fails under Wine 8.0
// (Go deletes through FileDispositionInformationEx, which Wine lacks):
// os.Remove deletes with DeleteFile.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tnjwt-fsutil-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
		if err := os.Remove(dir); err != nil {
			t.Errorf("cleaning up: %v", err)
		}
	})
	return dir
}
