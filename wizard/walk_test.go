package wizard

// What a new admin's walk through the window found (issue 24), in the
// step model.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// A new walk's practice org follows its checklist without a complaint: an
// unticked permission set that was never made is already as it should be
// (Generate showed "No permission set with that name" on every run). An
// item the org refuses does not stop the rest.
func TestPracticeSyncOfANewWalk(t *testing.T) {
	p, err := StartPractice()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	fresh := profiles.Profile{Checklist: map[string]profiles.StepState{}}
	if err := p.Sync(fresh); err != nil {
		t.Fatalf("syncing a new walk: %v", err)
	}

	// The certificate upload fails (no certificate to read), yet the JWT
	// flow, ticked too, is switched on.
	bad := profiles.Profile{CertificatePEM: "not a certificate", Checklist: map[string]profiles.StepState{
		IDECACertUpload: {Done: true}, IDECAJWTEnable: {Done: true}}}
	if err := p.Sync(bad); err == nil {
		t.Error("an unreadable certificate was uploaded")
	}
	if app := p.Org.Settings().Apps[0]; !app.JWTBearerEnabled {
		t.Error("a refused upload stopped the JWT flow from being applied")
	}
}

// For an email address or a consumer key typed as the login URL of a My
// Domain org, the advice names the My Domain URL, not login.salesforce.com,
// which that org type refuses.
func TestLoginURLAdviceFitsTheOrgType(t *testing.T) {
	for _, typed := range []string{"embed@acme.com", "3MVG9" + strings.Repeat("a", 80), "not a url"} {
		for _, typ := range []OrgType{OrgMyDomain, OrgExperience} {
			c := CheckOrg(OrgDraft{Name: "acme", Type: typ, URL: typed, Username: goodUser}, nil)
			if c.URL.Err == "" {
				t.Fatalf("%s: %q accepted", typ, typed)
			}
			if strings.Contains(c.URL.Err, "login.salesforce.com") || strings.Contains(c.URL.Err, "test.salesforce.com") {
				t.Errorf("%s, %q: the advice names an address this type refuses: %s", typ, typed, c.URL.Err)
			}
			if want := typ.Placeholder(); !strings.Contains(c.URL.Err, want) {
				t.Errorf("%s, %q: the advice doesn't name the type's own address (%s): %s", typ, typed, want, c.URL.Err)
			}
		}
	}
	// An email still says where it belongs.
	if c := CheckOrg(OrgDraft{Name: "acme", Type: OrgMyDomain, URL: "embed@acme.com", Username: goodUser}, nil); !strings.Contains(c.URL.Err, "belongs in Username") {
		t.Errorf("email as login URL: %s", c.URL.Err)
	}
}

// ConsumerKeyDoubt is the Consumer key step's warning, for the Live test to
// name before it waits.
func TestConsumerKeyDoubt(t *testing.T) {
	if d := ConsumerKeyDoubt(strings.Repeat("AB12", 16)); !strings.Contains(d, "consumer secret") {
		t.Errorf("the consumer secret: %q", d)
	}
	if d := ConsumerKeyDoubt(emulatortest.ConsumerKey); d != "" {
		t.Errorf("a good key is doubted: %q", d)
	}
	if d := ConsumerKeyDoubt(""); d != "" {
		t.Errorf("an empty key: %q", d)
	}
}

// During a rotation the window exports the new key, as `tnjwt export
// --pending` does: the servers need it before, or right after, the upload.
func TestExportPendingOrg(t *testing.T) {
	b, b2 := testBundles(t)
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	p := finishedProfile(t, v, b, emulatortest.ConsumerKey)
	ctx := context.Background()
	if _, err := ExportPendingOrg(ctx, v, p, now); err == nil {
		t.Fatal("a pending export without a rotation")
	}
	p.Pending = &profiles.KeyCert{CertificatePEM: string(b2.CertPEM)}
	if _, err := ExportPendingOrg(ctx, v, p, now); !errors.As(err, new(*NotReadyError)) {
		t.Fatalf("no pending key in the keychain: %v", err)
	}
	if err := v.Put(ctx, "acme", secrets.PendingPrivateKey, b.KeyPEM); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportPendingOrg(ctx, v, p, now); !errors.As(err, new(*NotReadyError)) {
		t.Fatalf("a pending key that isn't the new certificate's: %v", err)
	}
	if err := v.Put(ctx, "acme", secrets.PendingPrivateKey, b2.KeyPEM); err != nil {
		t.Fatal(err)
	}
	org, err := ExportPendingOrg(ctx, v, p, now)
	if err != nil || string(org.KeyPEM) != string(b2.KeyPEM) || org.ClientID != emulatortest.ConsumerKey {
		t.Fatalf("pending export: %v (the new key: %v)", err, string(org.KeyPEM) == string(b2.KeyPEM))
	}
	if cur, err := ExportOrg(ctx, v, p, now); err != nil || string(cur.KeyPEM) != string(b.KeyPEM) {
		t.Errorf("the current export no longer holds the current key: %v", err)
	}
}

// A practice session that was killed leaves its folder behind; the next
// one removes the folders whose owner process is gone, and only those.
func TestPracticeFoldersOfGoneSessionsAreRemoved(t *testing.T) {
	parent := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no true command to make a finished process")
	}
	mk := func(name, owner string) string {
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(dir, practiceOwnerFile), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	stale := mk(practiceFolderPrefix+"killed", strconv.Itoa(gone.Process.Pid)+"\n")
	running := mk(practiceFolderPrefix+"running", strconv.Itoa(os.Getppid()))
	unknown := mk(practiceFolderPrefix+"older", "")
	other := mk("someone-elses", strconv.Itoa(gone.Process.Pid))

	dir, err := PracticeFolder(parent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the killed session's folder is still there: %v", err)
	}
	for _, d := range []string{running, unknown, other, dir} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(d), err)
		}
	}
	if pid, ok := practiceOwner(dir); !ok || pid != os.Getpid() {
		t.Errorf("the new folder names its owner as %d, %v", pid, ok)
	}
	// This session's own folder survives the next session's clean-up.
	if removed := CleanStalePractice(parent); len(removed) != 0 {
		t.Errorf("removed %v", removed)
	}
}
