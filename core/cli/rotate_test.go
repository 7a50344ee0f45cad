package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// The whole rotation on the command line, against the practice org: rotate
// stages a key that fails until its certificate is uploaded, test promotes
// it, a server on the old key then fails, rollback writes the old
// certificate back out, discard-previous leaves no item behind, and renew
// keeps the key.
func TestRotationCommandsEndToEnd(t *testing.T) {
	mem, dir := profSetup(t)
	org, env := startPropagatingOrg(t, 5*time.Minute)
	certFile := writeTemp(t, certs.CertFileName, emulatortest.Keys().CertPEM)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		e := *env // a fresh Env each time, with the org's clock and the instant client
		return runCmd(t, &e, args...)
	}
	if code, out, errOut := run("profile", "import", "--name", "acme", "--login-url", org.URL, "--username", emulatortest.Username,
		"--client-id", emulatortest.ConsumerKey, "--key-file", orgKeyFile(t), "--cert-file", certFile); code != ExitOK {
		t.Fatalf("import: %d %s%s", code, out, errOut)
	}
	if code, out, errOut := run("test", "--profile", "acme", "--wait", "10m"); code != ExitOK {
		t.Fatalf("first test: %d %s%s", code, out, errOut)
	}
	store := profiles.Open(dir, secrets.NewVault(mem, time.Second))
	get := func() profiles.Profile {
		t.Helper()
		p, err := store.Get("acme")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Each --out folder is missing: renew, rotate and rollback make it (mode
	// 0700), as keygen and export do.
	madeFolder := func(verb, dir string) {
		t.Helper()
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s --out %s: %v, %v; want a folder made with mode 0700", verb, dir, fi, err)
		}
	}
	out1 := filepath.Join(t.TempDir(), "certs", "rotated")
	code, out, errOut := run("profile", "rotate", "acme", "--out", out1, "--bits", "2048")
	if code != ExitOK || !strings.Contains(out, "Staged a new key") || !strings.Contains(out, "servers still signing") {
		t.Fatalf("rotate: %d\n%s%s", code, out, errOut)
	}
	madeFolder("rotate", out1)
	newCert, err := os.ReadFile(filepath.Join(out1, certs.CertFileName))
	if err != nil || string(newCert) != get().Pending.CertificatePEM {
		t.Fatalf("rotate wrote %q (%v), want the pending certificate", newCert, err)
	}
	if _, out, _ = run("profile", "list"); !strings.Contains(out, "rotation pending") {
		t.Errorf("list does not show the rotation:\n%s", out)
	}
	if code, _, errOut = run("profile", "rotate", "acme", "--out", t.TempDir()); code != ExitUsage || !strings.Contains(errOut, "in progress") {
		t.Errorf("second rotate: %d %s", code, errOut)
	}

	code, out, errOut = run("test", "--profile", "acme", "--json")
	if m := decodeTestJSON(t, out); code != ExitRefused || m["key"] != "pending" || m["promoted"] != false {
		t.Fatalf("pending key before its upload: %d %v\n%s", code, m, errOut)
	}
	if !strings.Contains(errOut, "testing its new (pending) key") {
		t.Errorf("stderr does not say which key: %s", errOut)
	}
	if p := get(); p.Pending == nil || p.Pending.LastTest == nil || p.Pending.LastTest.OK || !p.LastTest.OK {
		t.Errorf("the pending key's failure replaced the current key's test: %+v", p.LastTest)
	}

	if err := org.E.UploadCertificate(emulatortest.AppName, newCert); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run("test", "--profile", "acme", "--wait", "10m", "--json")
	if m := decodeTestJSON(t, out); code != ExitOK || m["key"] != "pending" || m["promoted"] != true {
		t.Fatalf("pending key after its upload: %d %v\n%s", code, m, errOut)
	}
	if p := get(); p.Pending != nil || p.Previous == nil || p.CertificatePEM != string(newCert) {
		t.Fatalf("not promoted: pending %v previous %v", p.Pending, p.Previous)
	}
	if code, _, _ = run(org.testArgs(t)...); code != ExitRefused {
		t.Errorf("a server still on the old key: exit %d, want %d", code, ExitRefused)
	}
	if code, out, _ = run("test", "--profile", "acme"); code != ExitOK || strings.Contains(out, "pending") {
		t.Errorf("the promoted key: %d\n%s", code, out)
	}

	out2 := filepath.Join(t.TempDir(), "rolled-back")
	if code, out, errOut = run("profile", "rollback", "acme", "--out", out2); code != ExitOK || !strings.Contains(out, "upload") {
		t.Fatalf("rollback: %d %s%s", code, out, errOut)
	}
	madeFolder("rollback", out2)
	if back, _ := os.ReadFile(filepath.Join(out2, certs.CertFileName)); string(back) != string(emulatortest.Keys().CertPEM) {
		t.Error("rollback did not write the previous certificate")
	}
	if code, _, errOut = run("profile", "discard-previous", "acme"); code != ExitOK {
		t.Fatalf("discard-previous: %d %s", code, errOut)
	}
	for _, u := range mem.Users(secrets.Service) {
		if strings.Contains(u, "previous") || strings.Contains(u, "pending") {
			t.Errorf("left in the keychain: %s", u)
		}
	}
	if code, _, errOut = run("profile", "abandon", "acme"); code != ExitUsage || !strings.Contains(errOut, "no rotation in progress") {
		t.Errorf("abandon with nothing pending: %d %s", code, errOut)
	}

	before := get()
	out3 := filepath.Join(t.TempDir(), "renewed")
	if code, out, errOut = run("profile", "renew", "acme", "--out", out3, "--days", "400"); code != ExitOK || !strings.Contains(out, "same key") {
		t.Fatalf("renew: %d %s%s", code, out, errOut)
	}
	madeFolder("renew", out3)
	if p := get(); p.Fingerprint == before.Fingerprint || certs.DaysLeft(p.CertNotAfter, env.Now()) < 399 {
		t.Errorf("renew left the certificate as it was (%s, %s)", p.Fingerprint, p.CertNotAfter)
	}
	if code, _, errOut = run("profile", "renew", "acme", "--out", out3); code != ExitUsage || !strings.Contains(errOut, "already exists") {
		t.Errorf("renew over an existing file: %d %s", code, errOut)
	}
}

// --expiring lists the profiles whose certificate ends within DAYS days and
// exits 1 when there is any: 0, 29 and 30 days left and an expired one are
// in for 30; 31 days left is not.
func TestProfileListExpiring(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		names []string
		days  string
		code  int
		in    []string
	}{
		{[]string{"d0", "d29", "d30", "d31", "expired"}, "30", ExitFailure, []string{"d0", "d29", "d30", "expired"}},
		{[]string{"d0", "d29", "d30", "d31", "expired"}, "29", ExitFailure, []string{"d0", "d29", "expired"}},
		{[]string{"d31"}, "30", ExitOK, nil},
	} {
		_, dir := profSetup(t)
		store := profiles.Open(dir, nil)
		for _, name := range tc.names {
			if err := store.Create(expiringProfile(t, name, at)); err != nil {
				t.Fatal(err)
			}
		}
		r := profRun(t, at, "profile", "list", "--expiring", tc.days)
		if r.code != tc.code {
			t.Errorf("%v --expiring %s: exit %d, want %d\n%s%s", tc.names, tc.days, r.code, tc.code, r.out, r.errOut)
		}
		for _, name := range tc.names {
			listed := strings.Contains(r.out, "\n"+name+" ")
			if want := slices.Contains(tc.in, name); listed != want {
				t.Errorf("--expiring %s: %s listed %v, want %v\n%s", tc.days, name, listed, want, r.out)
			}
		}
		if tc.code == ExitOK && !strings.Contains(r.out, "No saved profile has a certificate that expires within 30 days") {
			t.Errorf("nothing expiring, but: %s", r.out)
		}
		if tc.code == ExitFailure && (!strings.Contains(r.out, "deadline") || !strings.Contains(r.out, "EXPIRED")) {
			t.Errorf("no deadline note or no EXPIRED mark:\n%s", r.out)
		}
	}
	if r := profRun(t, at, "profile", "list", "--expiring", "soon"); r.code != ExitUsage || !strings.Contains(r.errOut, "whole number of days") {
		t.Errorf("--expiring soon: %d %s", r.code, r.errOut)
	}
}

// expiringProfile has a certificate whose days left at at are in its name
// ("d29"), or that expired a day ago ("expired").
func expiringProfile(t *testing.T, name string, at time.Time) profiles.Profile {
	t.Helper()
	end := at.Add(-24 * time.Hour)
	if strings.HasPrefix(name, "d") {
		var days int
		for _, c := range name[1:] {
			days = days*10 + int(c-'0')
		}
		end = at.Add(time.Duration(days)*24*time.Hour + time.Hour)
	}
	// A one-day certificate ending at end, over the shared key: fast.
	b, err := certs.Renew(emulatortest.Keys().Key, certs.Options{Days: 1, Now: end.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return profiles.Profile{Name: name, LoginURL: "https://acme.my.salesforce.com", Username: emulatortest.Username,
		CertificatePEM: string(b.CertPEM), Fingerprint: certs.Fingerprint(b.Cert), CertNotAfter: b.Cert.NotAfter}
}
