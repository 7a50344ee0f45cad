package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tnjwt/tnjwt/core/secrets"
)

var fixedNow = time.Date(2026, 5, 20, 14, 3, 0, 0, time.UTC)

func newStore(t *testing.T) (*Store, *secrets.Memory) {
	t.Helper()
	mem := secrets.NewMemory(secrets.LimitWindows)
	s := Open(filepath.Join(t.TempDir(), "tnjwt"), secrets.NewVault(mem, 0))
	s.Now = func() time.Time { return fixedNow }
	return s, mem
}

func sample(name string) Profile {
	return Profile{
		Name: name, LoginURL: "https://acme.my.salesforce.com", Username: "embed@acme.com",
		CertificatePEM: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		Fingerprint:    "AB:CD", CertNotAfter: fixedNow.AddDate(1, 0, 0),
		Checklist: map[string]StepState{"org-login-url": {Done: true, At: fixedNow}},
		LastTest:  &TestResult{When: fixedNow, OK: false, Error: "invalid_grant", Description: "audience is invalid", DiagnosisStep: "org-login-url", TimingsMS: map[string]float64{"token": 12.5}},
	}
}

func TestSaveAndReadBack(t *testing.T) {
	s, _ := newStore(t)
	p := sample("Acme Prod")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("acme prod")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Prod" || got.SchemaVersion != SchemaVersion || !got.Created.Equal(fixedNow) || !got.Updated.Equal(fixedNow) {
		t.Fatalf("stored profile header: %+v", got)
	}
	if got.LastTest.TimingsMS["token"] != 12.5 || !got.Checklist["org-login-url"].Done || !got.CertNotAfter.Equal(p.CertNotAfter) {
		t.Fatalf("fields lost: %+v", got)
	}
	// The copy handed out is the caller's own.
	got.Checklist["eca-scopes"] = StepState{Done: true}
	again, _ := s.Get("Acme Prod")
	if _, ok := again.Checklist["eca-scopes"]; ok {
		t.Fatal("changing a returned profile changed the store")
	}

	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("profiles file mode %v, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(s.Dir())
	if di.Mode().Perm() != 0o700 {
		t.Errorf("profiles folder mode %v, want 0700", di.Mode().Perm())
	}
	var raw map[string]any
	data, _ := os.ReadFile(s.Path())
	if err := json.Unmarshal(data, &raw); err != nil || raw["schema_version"] != float64(1) {
		t.Fatalf("file has no schema_version: %s", data)
	}
}

func TestSaveKeepsCreatedAndOrdersByName(t *testing.T) {
	s, _ := newStore(t)
	for _, n := range []string{"zeta", "Alpha", "mid"} {
		if err := s.Save(sample(n)); err != nil {
			t.Fatal(err)
		}
	}
	later := fixedNow.Add(time.Hour)
	s.Now = func() time.Time { return later }
	p, _ := s.Get("mid")
	p.Username = "other@acme.com"
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "Alpha,mid,zeta" {
		t.Fatalf("order %v", names)
	}
	if !list[1].Created.Equal(fixedNow) || !list[1].Updated.Equal(later) || list[1].Username != "other@acme.com" {
		t.Fatalf("after update: %+v", list[1])
	}
}

func TestNamesAreUniqueIgnoringCase(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Create(sample("Acme")); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{s.Create(sample("acme")), s.Save(sample("ACME"))} {
		if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), `"Acme"`) {
			t.Fatalf("got %v, want ErrExists naming the saved profile", err)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"Acme", "acme-prod_2.sandbox", "Société Générale", "a", strings.Repeat("x", 64), "My Org"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"":                      "needs a name",
		strings.Repeat("x", 65): "65 characters",
		" acme":                 "starts or ends with a space",
		"acme/prod":             `contains '/'`,
		"acme:prod":             `contains ':'`,
		"a\tb":                  `contains '\t'`,
		"\xff":                  "not valid text",
	} {
		err := ValidateName(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", bad, err, want)
		}
	}
	s, _ := newStore(t)
	if err := s.Save(sample("bad/name")); err == nil {
		t.Fatal("Save accepted a bad name")
	}
	if _, err := os.Stat(s.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused Save created the folder")
	}
}

// One rule for names: whatever ValidateName allows can keep secrets in the
// keychain and be deleted again, here under go-keyring's macOS size rule.
func TestLongestNameKeepsAndDeletesItsSecrets(t *testing.T) {
	if secrets.MaxProfileBytes < MaxNameLen*utf8.UTFMax {
		t.Fatalf("secrets takes names of %d bytes; a valid name can have %d", secrets.MaxProfileBytes, MaxNameLen*utf8.UTFMax)
	}
	ctx := context.Background()
	for _, name := range []string{strings.Repeat("漢", MaxNameLen), strings.Repeat("𠮷", MaxNameLen)} {
		mem := secrets.NewMacOSMemory()
		s := Open(filepath.Join(t.TempDir(), "tnjwt"), secrets.NewVault(mem, 0))
		key := []byte(strings.Repeat("K", 3300)) // an RSA-4096 PEM's size: several chunks
		items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9consumer"), secrets.PrivateKey: key}
		if err := s.Import(ctx, sample(name), items, false); err != nil {
			t.Fatalf("%d-byte name: import: %v", len(name), err)
		}
		if got, err := s.Vault().Get(ctx, name, secrets.PrivateKey); err != nil || string(got) != string(key) {
			t.Fatalf("%d-byte name: key not kept: %v", len(name), err)
		}
		if err := s.Delete(ctx, name); err != nil {
			t.Fatalf("%d-byte name: delete: %v", len(name), err)
		}
		if mem.Len() != 0 {
			t.Fatalf("%d-byte name: items left after delete: %v", len(name), mem.Users(secrets.Service))
		}
	}
}

func TestUpdate(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Save(sample("acme")); err != nil {
		t.Fatal(err)
	}
	err := s.Update("ACME", func(p *Profile) error {
		p.Checklist["live-test"] = StepState{Done: true, At: fixedNow}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Get("acme")
	if !p.Checklist["live-test"].Done || !p.Checklist["org-login-url"].Done {
		t.Fatalf("checklist after update: %v", p.Checklist)
	}
	if err := s.Update("acme", func(p *Profile) error { p.Name = "other"; return nil }); err == nil {
		t.Fatal("Update renamed a profile")
	}
	want := errors.New("stop")
	if err := s.Update("acme", func(p *Profile) error { p.Username = "x"; return want }); !errors.Is(err, want) {
		t.Fatalf("fn error not returned: %v", err)
	}
	if p, _ := s.Get("acme"); p.Username != "embed@acme.com" {
		t.Fatal("a failed Update was saved")
	}
	if err := s.Update("nobody", func(*Profile) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing profile: %v", err)
	}
}

func TestReadingAMissingFolderCreatesNothing(t *testing.T) {
	s, _ := newStore(t)
	list, err := s.List()
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
	if _, err := s.Get("acme"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "tnjwt profile list") {
		t.Fatalf("Get = %v", err)
	}
	if _, err := os.Stat(s.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("reading created the folder")
	}
}

func TestDamagedFileIsSetAsideAndReported(t *testing.T) {
	for name, content := range map[string]string{
		"not json":       `{"schema_version": 1, "profiles": [`,
		"no version":     `{"profiles": []}`,
		"wrong shape":    `{"schema_version": 1, "profiles": {"a": 1}}`,
		"duplicate name": `{"schema_version": 1, "profiles": [{"name": "a"}, {"name": "A"}]}`,
		"bad name":       `{"schema_version": 1, "profiles": [{"name": "a/b"}]}`,
		"empty file":     ``,
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t)
			if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.Path(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.List()
			var d *DamagedError
			if !errors.As(err, &d) {
				t.Fatalf("got %v, want a DamagedError", err)
			}
			wantAside := s.Path() + ".damaged-20260520T140300Z"
			if d.Aside != wantAside || !strings.Contains(err.Error(), wantAside) {
				t.Fatalf("aside %q, message %q", d.Aside, err)
			}
			// The first remedy is the kept copy: an import needs key files a
			// wizard user does not have.
			if !strings.Contains(err.Error(), "repair the kept copy (it is JSON text) and move it back to "+s.Path()) ||
				strings.Contains(err.Error(), "--replace") {
				t.Fatalf("message %q does not lead to moving the kept copy back", err)
			}
			kept, rerr := os.ReadFile(wantAside)
			if rerr != nil || string(kept) != content {
				t.Fatalf("damaged content not kept: %v", rerr)
			}
			// Reported once; afterwards the store is usable and the copy stays.
			if list, err := s.List(); err != nil || len(list) != 0 {
				t.Fatalf("after setting aside: %v, %v", list, err)
			}
			if err := s.Save(sample("acme")); err != nil {
				t.Fatal(err)
			}
			if kept2, _ := os.ReadFile(wantAside); string(kept2) != content {
				t.Fatal("the kept copy was changed")
			}
		})
	}
}

func TestSecondDamageGetsItsOwnName(t *testing.T) {
	s, _ := newStore(t)
	os.MkdirAll(s.Dir(), 0o700)
	for i := 0; i < 2; i++ {
		os.WriteFile(s.Path(), []byte("garbage"), 0o600)
		s.List()
	}
	for _, n := range []string{".damaged-20260520T140300Z", ".damaged-20260520T140300Z-2"} {
		if _, err := os.Stat(s.Path() + n); err != nil {
			t.Errorf("missing %s: %v", n, err)
		}
	}
}

func TestNewerFileIsNeitherReadNorReplaced(t *testing.T) {
	s, _ := newStore(t)
	os.MkdirAll(s.Dir(), 0o700)
	content := `{"schema_version": 2, "profiles": [], "future": true}`
	os.WriteFile(s.Path(), []byte(content), 0o600)
	if _, err := s.List(); err == nil || !strings.Contains(err.Error(), "newer tnjwt") {
		t.Fatalf("List: %v", err)
	}
	if err := s.Save(sample("acme")); err == nil {
		t.Fatal("Save wrote over a newer file")
	}
	if got, _ := os.ReadFile(s.Path()); string(got) != content {
		t.Fatal("newer file changed")
	}
}

func TestDeleteRemovesKeychainItems(t *testing.T) {
	s, mem := newStore(t)
	ctx := context.Background()
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9key"), secrets.PrivateKey: []byte(strings.Repeat("k", 3300))}
	for _, n := range []string{"acme", "other"} {
		if err := s.Import(ctx, sample(n), items, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Vault().Put(ctx, "acme", secrets.PendingPrivateKey, []byte("pending")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "ACME"); err != nil {
		t.Fatal(err)
	}
	for _, u := range mem.Users(secrets.Service) {
		if strings.HasPrefix(u, "acme/") {
			t.Fatalf("keychain item %q survived the delete", u)
		}
	}
	if _, err := s.Get("acme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("profile survived: %v", err)
	}
	if _, err := s.Vault().Get(ctx, "other", secrets.PrivateKey); err != nil {
		t.Fatalf("other profile's key lost: %v", err)
	}
	if err := s.Delete(ctx, "acme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestDeleteKeepsTheProfileWhenTheKeychainFails(t *testing.T) {
	s, mem := newStore(t)
	ctx := context.Background()
	if err := s.Import(ctx, sample("acme"), map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("k")}, false); err != nil {
		t.Fatal(err)
	}
	mem.SetHook(func(string, string, string) error {
		return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	})
	err := s.Delete(ctx, "acme")
	if secrets.KindOf(err) != secrets.Locked || !strings.Contains(err.Error(), `profile "acme" was not deleted`) {
		t.Fatalf("got %v", err)
	}
	if _, err := s.Get("acme"); err != nil {
		t.Fatalf("profile lost although its secrets were not deleted: %v", err)
	}
}

func TestImport(t *testing.T) {
	s, mem := newStore(t)
	ctx := context.Background()
	key := []byte(strings.Repeat("K", 3300))
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9consumer"), secrets.PrivateKey: key}
	if err := s.Import(ctx, sample("Acme"), items, false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Vault().Get(ctx, "Acme", secrets.PrivateKey); err != nil || string(got) != string(key) {
		t.Fatalf("key not in the keychain: %v", err)
	}
	data, _ := os.ReadFile(s.Path())
	if strings.Contains(string(data), "3MVG9consumer") || strings.Contains(string(data), "KKKKKKKK") {
		t.Fatal("a secret reached the profiles file")
	}

	// Without replace nothing changes, not even the keychain.
	before := mem.Users(secrets.Service)
	mem.SetHook(func(op, _, _ string) error {
		if op != "get" {
			return fmt.Errorf("keychain %s during a refused import", op)
		}
		return nil
	})
	if err := s.Import(ctx, sample("acme"), items, false); !errors.Is(err, ErrExists) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	mem.SetHook(nil)
	if fmt.Sprint(mem.Users(secrets.Service)) != fmt.Sprint(before) {
		t.Fatal("refused import touched the keychain")
	}

	// Replace keeps the saved spelling and Created, overwrites the rest.
	s.Now = func() time.Time { return fixedNow.Add(time.Hour) }
	p := sample("ACME")
	p.Username = "new@acme.com"
	if err := s.Import(ctx, p, map[secrets.Purpose][]byte{secrets.PrivateKey: []byte("new key")}, true); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get("acme")
	if got.Name != "Acme" || got.Username != "new@acme.com" || !got.Created.Equal(fixedNow) {
		t.Fatalf("after replace: %+v", got)
	}
	if k, _ := s.Vault().Get(ctx, "Acme", secrets.PrivateKey); string(k) != "new key" {
		t.Fatal("replace did not store the new key")
	}
}

// Replacing keeps what the wizard recorded (an import cannot know it) and
// drops rotation keys of an earlier key, which the wizard would otherwise
// take for the key of the new certificate.
func TestImportReplaceKeepsProgressAndDropsStaleKeys(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9consumer"), secrets.PrivateKey: []byte("old key")}
	if err := s.Import(ctx, sample("acme"), items, false); err != nil {
		t.Fatal(err)
	}
	oldTest := *sample("x").LastTest
	if err := s.Update("acme", func(p *Profile) error {
		p.Checklist["eca-scopes"] = StepState{Done: true, At: fixedNow}
		p.Checklist["key-store"] = StepState{Done: false}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, rotation := range []secrets.Purpose{secrets.PendingPrivateKey, secrets.PreviousPrivateKey} {
		if err := s.Vault().Put(ctx, "acme", rotation, []byte("an earlier key")); err != nil {
			t.Fatal(err)
		}
	}

	later := fixedNow.Add(time.Hour)
	p := sample("acme")
	p.LastTest = nil
	p.Checklist = map[string]StepState{"key-store": {Done: true, At: later}, "org-login-url": {Done: true, At: later}}
	if err := s.Import(ctx, p, map[secrets.Purpose][]byte{secrets.PrivateKey: []byte("new key")}, true); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]StepState{
		"eca-scopes":    {Done: true, At: fixedNow}, // the wizard's tick stays
		"key-store":     {Done: true, At: later},    // the import's own ticks win
		"org-login-url": {Done: true, At: later},
	}
	if fmt.Sprint(got.Checklist) != fmt.Sprint(want) {
		t.Errorf("checklist after replace:\n got %v\nwant %v", got.Checklist, want)
	}
	if got.LastTest == nil || fmt.Sprint(*got.LastTest) != fmt.Sprint(oldTest) {
		t.Errorf("last test after replace: %+v, want %+v", got.LastTest, oldTest)
	}
	for _, rotation := range []secrets.Purpose{secrets.PendingPrivateKey, secrets.PreviousPrivateKey} {
		if _, err := s.Vault().Get(ctx, "acme", rotation); secrets.KindOf(err) != secrets.NotFound {
			t.Errorf("%s after replace: %v, want it deleted", rotation, err)
		}
	}
	if k, _ := s.Vault().Get(ctx, "acme", secrets.ConsumerKey); string(k) != "3MVG9consumer" {
		t.Error("replace removed the consumer key it was not given")
	}

	// A test the import brings (none from the CLI, but the API allows it) wins too.
	p.LastTest = &TestResult{When: later, OK: true}
	if err := s.Import(ctx, p, map[secrets.Purpose][]byte{secrets.PrivateKey: []byte("new key")}, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("acme"); got.LastTest == nil || !got.LastTest.OK {
		t.Errorf("the import's own last test was dropped: %+v", got.LastTest)
	}
}

func TestImportRollsBackWhenTheKeychainFails(t *testing.T) {
	s, mem := newStore(t)
	ctx := context.Background()
	sets := 0
	mem.SetHook(func(op, _, user string) error {
		if op == "set" && strings.Contains(user, "private-key") {
			sets++
			return errors.New("exit status 36")
		}
		return nil
	})
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte("3MVG9consumer"), secrets.PrivateKey: []byte("key")}
	err := s.Import(ctx, sample("acme"), items, false)
	if err == nil || sets == 0 {
		t.Fatalf("import did not fail: %v", err)
	}
	mem.SetHook(nil)
	if n := mem.Len(); n != 0 {
		t.Fatalf("%d keychain items left after a failed import: %v", n, mem.Users(secrets.Service))
	}
	if _, err := s.Get("acme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("profile saved despite the failure: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDir, "/tmp/some/../profiles-here")
	if d, err := DefaultDir(); err != nil || d != "/tmp/profiles-here" {
		t.Fatalf("with %s: %q, %v", EnvDir, d, err)
	}
	t.Setenv(EnvDir, "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg")
	if d, err := DefaultDir(); err != nil || d != filepath.Join("/tmp/xdg", "tnjwt") {
		t.Fatalf("default: %q, %v", d, err)
	}
}

func TestConcurrentUpdatesInOneProcess(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Save(sample("acme")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				step := fmt.Sprintf("g%d-%d", g, i)
				if err := s.Update("acme", func(p *Profile) error {
					p.Checklist[step] = StepState{Done: true}
					return nil
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	p, _ := s.Get("acme")
	if len(p.Checklist) != 81 {
		t.Fatalf("%d checklist entries, want 81: updates were lost", len(p.Checklist))
	}
}

// TestHelperProcessUpdates is run as a child by TestConcurrentUpdatesAcrossProcesses.
func TestHelperProcessUpdates(t *testing.T) {
	dir := os.Getenv("TNJWT_TEST_PROFILES_CHILD")
	if dir == "" {
		t.Skip("only runs as a child process")
	}
	s := Open(dir, nil)
	id := os.Getenv("TNJWT_TEST_CHILD_ID")
	n, _ := strconv.Atoi(os.Getenv("TNJWT_TEST_CHILD_N"))
	for i := 0; i < n; i++ {
		step := fmt.Sprintf("%s-%d", id, i)
		if err := s.Update("acme", func(p *Profile) error {
			p.Checklist[step] = StepState{Done: true}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConcurrentUpdatesAcrossProcesses(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Save(sample("acme")); err != nil {
		t.Fatal(err)
	}
	const procs, each = 3, 25
	var cmds []*exec.Cmd
	for i := 0; i < procs; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessUpdates$")
		cmd.Env = append(os.Environ(), "TNJWT_TEST_PROFILES_CHILD="+s.Dir(),
			fmt.Sprintf("TNJWT_TEST_CHILD_ID=p%d", i), fmt.Sprintf("TNJWT_TEST_CHILD_N=%d", each))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	p, err := s.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Checklist) != 1+procs*each {
		t.Fatalf("%d checklist entries, want %d: a process lost another's update", len(p.Checklist), 1+procs*each)
	}
}

func TestPortableLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), lockName)
	unlock, err := lockByCreate(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockByCreate(path, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "another tnjwt") {
		t.Fatalf("second holder: %v", err)
	}
	unlock()
	unlock2, err := lockByCreate(path, time.Second)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	// A lock left by a crashed process is taken over once stale.
	old := time.Now().Add(-2 * lockStale)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	unlock3, err := lockByCreate(path, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	unlock3()
	_ = unlock2
}

func TestFlockWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), lockName)
	unlock, err := lockFile(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockFile(path, 50*time.Millisecond); err == nil {
		t.Fatal("two holders at once")
	}
	got := make(chan error, 1)
	go func() {
		u, err := lockFile(path, 20*time.Second)
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func BenchmarkUpdate(b *testing.B) {
	s := Open(b.TempDir(), nil)
	for i := 0; i < 10; i++ {
		s.Save(sample(fmt.Sprintf("org%d", i)))
	}
	for b.Loop() {
		if err := s.Update("org5", func(p *Profile) error { p.Username = "x@y.z"; return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMyDomainOfferAfterALegacyHostStopsWorking(t *testing.T) {
	notFound := &salesforce.RefusalError{Phase: salesforce.PhaseToken, Code: "app_not_found"}
	p := Profile{LoginURL: "https://login.salesforce.com"}
	p.RecordTest(TestResultOf(time.Now(), &salesforce.Result{InstanceURL: "https://acme.my.salesforce.com"}, nil, nil))
	if p.InstanceURL != "https://acme.my.salesforce.com" {
		t.Fatalf("a pass did not keep the instance URL: %q", p.InstanceURL)
	}
	if got := p.MyDomainOffer(notFound); got != "https://acme.my.salesforce.com" {
		t.Errorf("offer %q", got)
	}
	if got := p.MyDomainOffer(&salesforce.RefusalError{Code: "invalid_grant"}); got != "" {
		t.Errorf("offered %q for another refusal", got)
	}
	p.LoginURL = "https://acme.my.salesforce.com"
	if got := p.MyDomainOffer(notFound); got != "" {
		t.Errorf("offered %q to a profile already on its My Domain", got)
	}
}

// Two processes storing keys for one profile take turns: while one is
// writing, the other's write waits on the profile's lock file (here it
// gives up after LockWait, which the test makes short).
func TestKeychainWritesOfOneProfileTakeTurns(t *testing.T) {
	dir := t.TempDir()
	mem := secrets.NewMemory(0)
	first := Open(dir, secrets.NewVault(mem, 5*time.Second))
	second := Open(dir, secrets.NewVault(mem, 5*time.Second)) // another process: its own vault, the same folder
	second.LockWait = 50 * time.Millisecond
	ctx := context.Background()
	var during error
	ran := false
	mem.SetHook(func(op, _, user string) error {
		if op == "set" && strings.HasSuffix(user, "/0") && !ran {
			ran = true
			mem.SetHook(nil)
			during = second.Vault().Put(ctx, "acme", secrets.PrivateKey, []byte("the second process's key"))
		}
		return nil
	})
	if err := first.Vault().Put(ctx, "acme", secrets.PrivateKey, []byte("the first process's key")); err != nil {
		t.Fatal(err)
	}
	if !ran || during == nil || !strings.Contains(during.Error(), "Another tnjwt window or command is changing these secrets") {
		t.Fatalf("a write during another process's write: %v", during)
	}
	if got, err := first.Vault().Get(ctx, "acme", secrets.PrivateKey); err != nil || string(got) != "the first process's key" {
		t.Errorf("after the turn: %q %v", got, err)
	}
	// Once the first is done, the second gets its turn.
	if err := second.Vault().Put(ctx, "acme", secrets.PrivateKey, []byte("the second process's key")); err != nil {
		t.Errorf("the second write after the first: %v", err)
	}
}

func TestUpdateManyWritesOnceAndReportsEachName(t *testing.T) {
	s := Open(t.TempDir(), nil)
	for _, n := range []string{"a", "b"} {
		if err := s.Save(Profile{Name: n, LoginURL: "https://login.salesforce.com"}); err != nil {
			t.Fatal(err)
		}
	}
	failed, err := s.UpdateMany(map[string]func(*Profile) error{
		"a":       func(p *Profile) error { p.Username = "a@acme.com"; return nil },
		"b":       func(p *Profile) error { p.Username = "b@acme.com"; return errors.New("no") },
		"missing": func(p *Profile) error { return nil },
	})
	if err != nil || failed["a"] != nil || failed["b"] == nil || !errors.Is(failed["missing"], ErrNotFound) {
		t.Fatalf("UpdateMany: %v %v", failed, err)
	}
	a, _ := s.Get("a")
	b, _ := s.Get("b")
	if a.Username != "a@acme.com" || b.Username != "" {
		t.Errorf("a %q, b %q: a changes, b's failed change is not kept", a.Username, b.Username)
	}
}
