package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const profConsumerKey = "3MVG9Yq7Gf0ExampleConsumerKeyForTestsOnly_abcdefghijklmnopqrstuvwxyz0123456789.ABCDEFGH"

// profPair is a key and certificate made by the openssl binary, written to
// a test's own folder.
type profPair struct {
	keyPath, certPath, pkcs1Path string
	keyPEM, certPEM, pkcs1PEM    []byte
	cert                         *certs.Bundle
}

var (
	profPairsMu sync.Mutex
	profPairs   = map[string]*profPair{}
)

// profOpenSSL makes a key pair with openssl (once per label per test binary:
// RSA-4096 is slow) and writes its files into a folder of t's.
func profOpenSSL(t *testing.T, label string, bits, days string) *profPair {
	t.Helper()
	profPairsMu.Lock()
	p, ok := profPairs[label]
	if !ok {
		p = profGenerate(t, label, bits, days)
		profPairs[label] = p
	}
	profPairsMu.Unlock()
	dir := t.TempDir()
	out := *p
	out.keyPath, out.certPath, out.pkcs1Path = filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key-pkcs1.pem")
	for path, data := range map[string][]byte{out.keyPath: p.keyPEM, out.certPath: p.certPEM, out.pkcs1Path: p.pkcs1PEM} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return &out
}

func profGenerate(t *testing.T, label, bits, days string) *profPair {
	dir, err := os.MkdirTemp("", "tnjwt-openssl-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	key, cert, pkcs1 := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "pkcs1.pem")
	run := func(args ...string) {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	run("req", "-x509", "-newkey", "rsa:"+bits, "-nodes", "-keyout", key, "-out", cert,
		"-days", days, "-subj", "/CN=tnjwt-"+label, "-sha256")
	run("pkey", "-in", key, "-traditional", "-out", pkcs1)
	p := &profPair{}
	p.keyPEM, _ = os.ReadFile(key)
	p.certPEM, _ = os.ReadFile(cert)
	p.pkcs1PEM, _ = os.ReadFile(pkcs1)
	if p.cert, err = certs.Load(p.keyPEM, p.certPEM); err != nil {
		t.Fatalf("openssl pair does not load: %v", err)
	}
	return p
}

// profSetFlag returns args with flag's value replaced (or the flag added).
func profSetFlag(args []string, flag, value string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] == flag {
			out[i+1] = value
			return out
		}
	}
	return append(out, flag, value)
}

// profDropFlag returns args without flag and its value.
func profDropFlag(args []string, flag string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == flag {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// profSetup points the profile commands at a fresh folder and an in-memory
// keychain with the Windows size limit.
func profSetup(t *testing.T) (*secrets.Memory, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "config")
	t.Setenv(profiles.EnvDir, dir)
	mem := secrets.NewMemory(secrets.LimitWindows)
	testVault = func() *secrets.Vault { return secrets.NewVault(mem, time.Second) }
	t.Cleanup(func() { testVault = nil })
	return mem, dir
}

// profImported is profSetup with profile "acme" imported at at from the
// shared RSA-2048 pair.
func profImported(t *testing.T, at time.Time) (*secrets.Memory, string, *profPair) {
	t.Helper()
	mem, dir := profSetup(t)
	pair := profOpenSSL(t, "rsa2048", "2048", "365")
	if r := profRun(t, at, profImportArgs(pair, "acme")...); r.code != ExitOK {
		t.Fatalf("import: %s", r.errOut)
	}
	return mem, dir, pair
}

type profResult struct {
	code        int
	out, errOut string
}

func profRun(t *testing.T, at time.Time, args ...string) profResult {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errb, Now: func() time.Time { return at }, NewVault: testVault}
	code := Dispatch(args, env)
	return profResult{code, out.String(), errb.String()}
}

func profImportArgs(p *profPair, name string, extra ...string) []string {
	return append([]string{"profile", "import", "--name", name, "--login-url", "https://acme.my.salesforce.com/",
		"--username", "embed@acme.com", "--client-id", profConsumerKey, "--key-file", p.keyPath, "--cert-file", p.certPath}, extra...)
}

// profNoSecrets fails when text shows the consumer key or any line of the key.
func profNoSecrets(t *testing.T, text string, keys ...[]byte) {
	t.Helper()
	if strings.Contains(text, profConsumerKey[:20]) {
		t.Fatalf("output shows the consumer key:\n%s", text)
	}
	for _, k := range keys {
		for _, line := range strings.Split(string(k), "\n") {
			if len(line) >= 40 && strings.Contains(text, line) {
				t.Fatalf("output shows private key material:\n%s", text)
			}
		}
	}
}

func TestProfileImportListShowDelete(t *testing.T) {
	mem, dir := profSetup(t)
	pair := profOpenSSL(t, "rsa2048", "2048", "365")
	at := pair.cert.Cert.NotAfter.Add(-100*24*time.Hour - time.Hour) // 100 days left

	r := profRun(t, at, profImportArgs(pair, "Acme Prod")...)
	if r.code != ExitOK {
		t.Fatalf("import: exit %d: %s", r.code, r.errOut)
	}
	for _, want := range []string{`Saved profile "Acme Prod"`, "https://acme.my.salesforce.com as embed@acme.com",
		secrets.Location(), "(100 days left)", "tnjwt test --profile 'Acme Prod'"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("import output lacks %q:\n%s", want, r.out)
		}
	}
	profNoSecrets(t, r.out+r.errOut, pair.keyPEM)

	// The key went to the keychain as PKCS#8, split to fit the Windows limit.
	v := secrets.NewVault(mem, time.Second)
	stored, err := v.Get(context.Background(), "Acme Prod", secrets.PrivateKey)
	if err != nil || !bytes.Equal(stored, pair.cert.KeyPEM) {
		t.Fatalf("stored key differs from the imported one (%v)", err)
	}
	if ck, _ := v.Get(context.Background(), "Acme Prod", secrets.ConsumerKey); string(ck) != profConsumerKey {
		t.Fatal("consumer key not stored")
	}
	data, err := os.ReadFile(filepath.Join(dir, profiles.FileName))
	if err != nil {
		t.Fatal(err)
	}
	profNoSecrets(t, string(data), pair.keyPEM)

	r = profRun(t, at, "profile", "list")
	for _, want := range []string{"NAME", "Acme Prod", "https://acme.my.salesforce.com", "embed@acme.com", "(100 days left)", "never"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("list lacks %q:\n%s", want, r.out)
		}
	}

	r = profRun(t, at, "profile", "list", "--json")
	var list struct {
		Folder   string        `json:"folder"`
		Profiles []profileView `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(r.out), &list); err != nil || r.code != ExitOK {
		t.Fatalf("list --json: exit %d, %v\n%s", r.code, err, r.out)
	}
	if list.Folder != dir || len(list.Profiles) != 1 {
		t.Fatalf("list --json: %+v", list)
	}
	got := list.Profiles[0]
	if got.Certificate == nil || got.Certificate.DaysLeft != 100 || got.Certificate.Fingerprint != certs.Fingerprint(pair.cert.Cert) ||
		got.Audience != "https://acme.my.salesforce.com" || got.LastTest != nil || got.Sandbox {
		t.Fatalf("list --json profile: %+v", got)
	}
	if !strings.Contains(r.out, `"last_test": null`) {
		t.Errorf("last_test should be null:\n%s", r.out)
	}

	// Flags may follow the name; names ignore case.
	r = profRun(t, at, "profile", "show", "acme prod", "--json")
	var shown profileView
	if err := json.Unmarshal([]byte(r.out), &shown); err != nil || r.code != ExitOK {
		t.Fatalf("show --json: exit %d %v %s", r.code, err, r.errOut)
	}
	if shown.Keychain == nil || shown.Keychain.Items["consumer-key"] != "stored" || shown.Keychain.Items["private-key"] != "stored" ||
		shown.Keychain.Problem != nil || len(shown.Keychain.Items) != 2 {
		t.Fatalf("show keychain: %+v", shown.Keychain)
	}
	profNoSecrets(t, r.out, pair.keyPEM)

	r = profRun(t, at, "profile", "show", "Acme Prod")
	for _, want := range []string{"Profile", "Acme Prod", "consumer key stored, private key stored", "SHA-256 " + certs.Fingerprint(pair.cert.Cert),
		"from the login URL", "Last test", "never", filepath.Join(dir, profiles.FileName)} {
		if !strings.Contains(r.out, want) {
			t.Errorf("show lacks %q:\n%s", want, r.out)
		}
	}

	r = profRun(t, at, "profile", "delete", "ACME PROD")
	if r.code != ExitOK || !strings.Contains(r.out, `Deleted profile "Acme Prod"`) {
		t.Fatalf("delete: exit %d %q %q", r.code, r.out, r.errOut)
	}
	if mem.Len() != 0 {
		t.Fatalf("keychain items left after delete: %v", mem.Users(secrets.Service))
	}
	r = profRun(t, at, "profile", "list")
	if !strings.Contains(r.out, "No saved profiles") {
		t.Fatalf("list after delete:\n%s", r.out)
	}
	if r = profRun(t, at, "profile", "delete", "Acme Prod"); r.code != ExitUsage || !strings.Contains(r.errOut, "no saved profile") {
		t.Fatalf("second delete: exit %d %q", r.code, r.errOut)
	}
}

func TestProfileImportRSA4096PKCS1UnderTheMacOSLimit(t *testing.T) {
	_, _ = profSetup(t)
	mem := secrets.NewMacOSMemory()
	env := newEnv()
	env.NewVault = func() *secrets.Vault { return secrets.NewVault(mem, time.Second) }
	pair := profOpenSSL(t, "rsa4096", "4096", "730")
	// An "RSA PRIVATE KEY" (PKCS#1) file, as older tools write.
	args := profSetFlag(profImportArgs(pair, "big"), "--key-file", pair.pkcs1Path)
	if code, _, errOut := runCmd(t, env, args...); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	target, err := openProfileTarget(env, "big")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(target.KeyPEM, pair.cert.KeyPEM) || !bytes.HasPrefix(target.KeyPEM, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatal("the PKCS#1 key did not come back as the same key in PKCS#8")
	}
	if len(mem.Users(secrets.Service)) < 4 {
		t.Fatalf("a 4096-bit key should need several chunks: %v", mem.Users(secrets.Service))
	}
}

func TestProfileImportRefusesBadInputAndStoresNothing(t *testing.T) {
	good := profOpenSSL(t, "rsa2048", "2048", "365")
	other := profOpenSSL(t, "other2048", "2048", "365")
	tmp := t.TempDir()
	encrypted := filepath.Join(tmp, "enc.pem")
	if out, err := exec.Command("openssl", "pkey", "-in", good.keyPath, "-aes256", "-passout", "pass:secret", "-out", encrypted).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	small := filepath.Join(tmp, "small.pem")
	if out, err := exec.Command("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", small).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	big := filepath.Join(tmp, "big.pem")
	os.WriteFile(big, bytes.Repeat([]byte("A"), 2<<20), 0o600)

	base := profImportArgs(good, "acme")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no name", profDropFlag(base, "--name"), "--name is required"},
		{"no key file", profDropFlag(base, "--key-file"), "--key-file is required"},
		{"bad name", profSetFlag(base, "--name", "acme/prod"), `contains '/'`},
		{"lightning url", profSetFlag(base, "--login-url", "https://acme.lightning.force.com"), "--login-url"},
		{"not a url", profSetFlag(base, "--login-url", "acme prod"), "--login-url"},
		{"bad username", profSetFlag(base, "--username", "embed"), "--username"},
		{"split consumer key", profSetFlag(base, "--client-id", "3MVG9abc def"), "--client-id: the consumer key has a space"},
		{"missing key file", profSetFlag(base, "--key-file", filepath.Join(tmp, "nope.pem")), "no such file"},
		{"key file is a folder", profSetFlag(base, "--key-file", tmp), "is a folder"},
		{"certificate as key", profSetFlag(base, "--key-file", good.certPath), "--key-file"},
		{"encrypted key", profSetFlag(base, "--key-file", encrypted), "encrypted"},
		{"1024-bit key", profSetFlag(base, "--key-file", small), "2048"},
		{"huge file", profSetFlag(base, "--key-file", big), "larger than 1 MiB"},
		{"key as certificate", profSetFlag(base, "--cert-file", good.keyPath), "--cert-file"},
		{"mismatched pair", profSetFlag(base, "--cert-file", other.certPath), "does not belong to this certificate"},
		{"bad audience", profSetFlag(base, "--audience", "ftp://x"), "--audience"},
		{"stray argument", append(base, "extra"), `unexpected argument "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem, dir := profSetup(t)
			r := profRun(t, time.Now(), tc.args...)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want 2; stderr %q", r.code, r.errOut)
			}
			if !strings.Contains(r.errOut, tc.want) || strings.Count(r.errOut, "\n") != 1 {
				t.Fatalf("stderr %q lacks %q or is not one line", r.errOut, tc.want)
			}
			if strings.Contains(r.errOut, ".;") {
				t.Fatalf("stderr %q ends a sentence before \"; nothing was stored\"", r.errOut)
			}
			profNoSecrets(t, r.errOut, good.keyPEM)
			if mem.Len() != 0 {
				t.Fatalf("keychain touched: %v", mem.Users(secrets.Service))
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("profiles folder created for a refused import")
			}
		})
	}
}

// An error whose hint ends a sentence still reads as one line when the
// command adds what happened.
func TestUsageErrorJoinsAHintAndWhatHappened(t *testing.T) {
	var errb bytes.Buffer
	hint := &certs.InputError{Problem: "the key file is an encrypted private key", Hint: "Write an unprotected copy."}
	code := finish(&Env{Stderr: &errb}, usageErrorf("profile import: --key-file k.pem: %v; nothing was stored", hint))
	want := "tnjwt: profile import: --key-file k.pem: the key file is an encrypted private key. Write an unprotected copy; nothing was stored\n"
	if errb.String() != want || code != ExitUsage {
		t.Fatalf("exit %d, got  %q\nwant %q", code, errb.String(), want)
	}
}

func TestProfileImportWithoutCertificateSaysSo(t *testing.T) {
	_, _ = profSetup(t)
	pair := profOpenSSL(t, "rsa2048", "2048", "365")
	args := profDropFlag(profImportArgs(pair, "nocert"), "--cert-file")
	args = profSetFlag(profSetFlag(args, "--login-url", "https://test.salesforce.com"), "--username", "embed@acme.com.uat")
	r := profRun(t, time.Now(), args...)
	if r.code != ExitOK || !strings.Contains(r.out, "No certificate was given") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = profRun(t, time.Now(), "profile", "list", "--json")
	var list struct{ Profiles []profileView }
	json.Unmarshal([]byte(r.out), &list)
	p := list.Profiles[0]
	if p.Certificate != nil || !p.Sandbox || p.Audience != "https://test.salesforce.com" {
		t.Fatalf("profile without certificate: %+v", p)
	}
	if r = profRun(t, time.Now(), "profile", "list"); !strings.Contains(r.out, "none recorded") {
		t.Fatalf("list:\n%s", r.out)
	}
}

func TestProfileImportWarnsAndReplaces(t *testing.T) {
	mem, _, pair := profImported(t, time.Now())
	other := profOpenSSL(t, "other2048", "2048", "365")
	before := mem.Users(secrets.Service)

	r := profRun(t, time.Now(), profImportArgs(other, "ACME")...)
	if r.code != ExitUsage || !strings.Contains(r.errOut, "already saved") || !strings.Contains(r.errOut, "--replace") {
		t.Fatalf("import over an existing profile: exit %d %q", r.code, r.errOut)
	}
	target, _ := openProfileTarget(newEnv(), "acme")
	if !bytes.Equal(target.KeyPEM, pair.cert.KeyPEM) || strings.Join(mem.Users(secrets.Service), ",") != strings.Join(before, ",") {
		t.Fatal("a refused import changed the stored key")
	}

	args := profSetFlag(profImportArgs(other, "ACME", "--replace"), "--client-id", "oddkey")
	r = profRun(t, time.Now(), args...)
	if r.code != ExitOK || !strings.Contains(r.errOut, "warning: the consumer key doesn't look like one Salesforce generates") {
		t.Fatalf("replace: exit %d %q", r.code, r.errOut)
	}
	target, err := openProfileTarget(newEnv(), "acme")
	if err != nil || !bytes.Equal(target.KeyPEM, other.cert.KeyPEM) || target.ClientID != "oddkey" {
		t.Fatalf("replace did not store the new key and consumer key: %v", err)
	}
}

// The same warning `tnjwt test` gives: the profile would keep the
// test.salesforce.com audience, which a production login URL rarely wants.
func TestProfileImportWarnsOfSandboxAtTheProductionLoginURL(t *testing.T) {
	_, _ = profSetup(t)
	pair := profOpenSSL(t, "rsa2048", "2048", "365")
	args := profSetFlag(profImportArgs(pair, "acme", "--sandbox"), "--login-url", "https://login.salesforce.com")
	r := profRun(t, time.Now(), args...)
	want := "tnjwt: profile import: warning: --sandbox with https://login.salesforce.com: " +
		"sandboxes usually log in at https://test.salesforce.com or their My Domain URL\n"
	if r.code != ExitOK || !strings.Contains(r.errOut, want) {
		t.Fatalf("exit %d, stderr %q lacks %q", r.code, r.errOut, want)
	}
	for _, url := range []string{"https://test.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com"} {
		r := profRun(t, time.Now(), profSetFlag(profImportArgs(pair, "other", "--sandbox", "--replace"), "--login-url", url)...)
		if r.code != ExitOK || strings.Contains(r.errOut, "--sandbox with") {
			t.Fatalf("%s: exit %d, stderr %q", url, r.code, r.errOut)
		}
	}
}

func TestOpenProfileTarget(t *testing.T) {
	mem, _ := profSetup(t)
	pair := profOpenSSL(t, "rsa2048", "2048", "365")
	env := newEnv()
	if r := profRun(t, time.Now(), profImportArgs(pair, "acme", "--sandbox", "--audience", "https://test.salesforce.com/")...); r.code != ExitOK {
		t.Fatal(r.errOut)
	}
	// The key file is not needed once imported.
	target, err := openProfileTarget(env, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	want := testTarget{LoginURL: "https://acme.my.salesforce.com", ClientID: profConsumerKey, Username: "embed@acme.com",
		Audience: "https://test.salesforce.com", Sandbox: true, KeyPEM: pair.cert.KeyPEM}
	if target.LoginURL != want.LoginURL || target.ClientID != want.ClientID || target.Username != want.Username ||
		target.Audience != want.Audience || !target.Sandbox || !bytes.Equal(target.KeyPEM, want.KeyPEM) {
		t.Fatalf("target %+v", target)
	}

	_, err = openProfileTarget(env, "nobody")
	if !errors.Is(err, profiles.ErrNotFound) || exitCode(storeError("profile show", err)) != ExitUsage || !strings.Contains(err.Error(), "tnjwt profile list") {
		t.Fatalf("missing profile: %v", err)
	}

	if err := mem.Delete(secrets.Service, "acme/consumer-key"); err != nil {
		t.Fatal(err)
	}
	_, err = openProfileTarget(env, "acme")
	if secrets.KindOf(err) != secrets.NotFound || !strings.Contains(err.Error(), `consumer key of profile "acme"`) ||
		!strings.Contains(err.Error(), "(or with `tnjwt profile import`, replacing this profile)") || exitCode(storeError("profile show", err)) != ExitFailure {
		t.Fatalf("missing consumer key: %v", err)
	}

	store := profiles.Open(os.Getenv(profiles.EnvDir), nil)
	if err := store.Save(profiles.Profile{Name: "half", Username: "embed@acme.com"}); err != nil {
		t.Fatal(err)
	}
	_, err = openProfileTarget(env, "half")
	if !errors.Is(err, errIncomplete) || !strings.Contains(err.Error(), "has no login URL yet") || exitCode(storeError("profile show", err)) != ExitUsage {
		t.Fatalf("incomplete profile: %v", err)
	}
}

func TestRecordProfileTest(t *testing.T) {
	at := time.Date(2026, 5, 20, 14, 3, 0, 0, time.UTC)
	profImported(t, at)
	env := &Env{Ctx: context.Background(), Now: func() time.Time { return at }, NewVault: testVault}
	long := strings.Repeat("é", 2000)
	err := recordProfileTest(env, "ACME", false, profiles.TestResult{When: at, OK: false, Error: "invalid_grant", Description: long,
		DiagnosisStep: "eca-cert-upload", TimingsMS: map[string]float64{"token": 180.4}})
	if err != nil {
		t.Fatal(err)
	}
	r := profRun(t, at, "profile", "show", "acme")
	if !strings.Contains(r.out, "failed, 2026-05-20 14:03 UTC: invalid_grant: éé") || !strings.Contains(r.out, "(fix checklist step eca-cert-upload)") {
		t.Fatalf("show after a failed test:\n%s", r.out)
	}
	p, _ := profiles.Open(os.Getenv(profiles.EnvDir), nil).Get("acme")
	if len(p.LastTest.Description) > profiles.MaxTestText+4 || !strings.HasSuffix(p.LastTest.Description, "…") || p.Checklist["live-test"].Done {
		t.Fatalf("recorded: %+v", p.LastTest)
	}

	if err := recordProfileTest(env, "acme", false, profiles.TestResult{When: at.Add(time.Minute), OK: true, TimingsMS: map[string]float64{"total": 277}}); err != nil {
		t.Fatal(err)
	}
	p, _ = profiles.Open(os.Getenv(profiles.EnvDir), nil).Get("acme")
	if !p.LastTest.OK || p.LastTest.Error != "" || !p.Checklist["live-test"].Done || p.LastTest.TimingsMS["total"] != 277 {
		t.Fatalf("after a good test: %+v %+v", p.LastTest, p.Checklist)
	}
	if r := profRun(t, at, "profile", "list"); !strings.Contains(r.out, "ok, 2026-05-20 14:04 UTC") {
		t.Fatalf("list:\n%s", r.out)
	}
	if err := recordProfileTest(env, "nobody", false, profiles.TestResult{When: at}); !errors.Is(err, profiles.ErrNotFound) {
		t.Fatalf("unknown profile: %v", err)
	}
}

func TestProfileCertificateExpiry(t *testing.T) {
	_, _ = profSetup(t)
	pair := profOpenSSL(t, "short", "2048", "1")
	if r := profRun(t, time.Now(), profImportArgs(pair, "short")...); r.code != ExitOK {
		t.Fatal(r.errOut)
	}
	notAfter := pair.cert.Cert.NotAfter
	for at, want := range map[time.Time]string{
		notAfter.Add(-36 * time.Hour):  "(1 day left)",
		notAfter.Add(time.Hour):        "EXPIRED " + notAfter.UTC().Format("2006-01-02") + " (today)",
		notAfter.Add(73 * time.Hour):   "(3 days ago)",
		notAfter.Add(-240 * time.Hour): "(10 days left)",
	} {
		if r := profRun(t, at, "profile", "list"); !strings.Contains(r.out, want) {
			t.Errorf("at %v: list lacks %q:\n%s", at, want, r.out)
		}
	}
}

func TestProfileCommandUsage(t *testing.T) {
	_, dir := profSetup(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"profile"}, ExitUsage, "say what to do"},
		{[]string{"profile", "rename"}, ExitUsage, `unknown command "rename"`},
		{[]string{"profile", "show"}, ExitUsage, "which profile?"},
		{[]string{"profile", "show", "a", "b"}, ExitUsage, `unexpected argument "b"`},
		{[]string{"profile", "show", "nobody"}, ExitUsage, `no saved profile named "nobody"`},
		{[]string{"profile", "list", "--bogus"}, ExitUsage, "flag provided but not defined"},
		{[]string{"profile", "list", "extra"}, ExitUsage, `unexpected argument "extra"`},
	} {
		r := profRun(t, time.Now(), tc.args...)
		if r.code != tc.code || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, r.code, r.errOut, tc.code, tc.want)
		}
	}
	r := profRun(t, time.Now(), "profile", "--help")
	if r.code != ExitOK || !strings.Contains(r.out, dir) || !strings.Contains(r.out, profiles.EnvDir) || !strings.Contains(r.out, "tnjwt test --profile NAME") {
		t.Fatalf("help: %d\n%s", r.code, r.out)
	}
	for _, sub := range []string{"list", "show", "delete", "import"} {
		if r := profRun(t, time.Now(), "profile", sub, "--help"); r.code != ExitOK || !strings.Contains(r.out, "Usage: tnjwt profile "+sub) {
			t.Errorf("%s --help: %d %q", sub, r.code, r.out)
		}
	}
}

func TestProfileDamagedFileIsReported(t *testing.T) {
	_, dir := profSetup(t)
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, profiles.FileName), []byte("{broken"), 0o600)
	r := profRun(t, time.Now(), "profile", "list")
	if r.code != ExitFailure || !strings.Contains(r.errOut, "was damaged") || !strings.Contains(r.errOut, ".damaged-") {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
}

func TestProfileKeychainFailures(t *testing.T) {
	mem, dir, pair := profImported(t, time.Now())
	locked := errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	mem.SetHook(func(string, string, string) error { return locked })

	r := profRun(t, time.Now(), profImportArgs(pair, "second")...)
	if r.code != ExitFailure || !strings.Contains(r.errOut, "is locked") || !strings.Contains(r.errOut, "Unlock your login keyring") {
		t.Fatalf("import with a locked keychain: exit %d %q", r.code, r.errOut)
	}
	if _, err := profiles.Open(dir, nil).Get("second"); !errors.Is(err, profiles.ErrNotFound) {
		t.Fatal("profile saved although its secrets were not")
	}

	r = profRun(t, time.Now(), "profile", "show", "acme")
	if r.code != ExitOK || !strings.Contains(r.out, "consumer key unknown") || !strings.Contains(r.out, "is locked") {
		t.Fatalf("show with a locked keychain: exit %d\n%s", r.code, r.out)
	}

	r = profRun(t, time.Now(), "profile", "delete", "acme")
	if r.code != ExitFailure || !strings.Contains(r.errOut, `profile "acme" was not deleted`) {
		t.Fatalf("delete with a locked keychain: exit %d %q", r.code, r.errOut)
	}
	mem.SetHook(nil)
	if r := profRun(t, time.Now(), "profile", "delete", "acme"); r.code != ExitOK {
		t.Fatalf("delete once unlocked: %q", r.errOut)
	}

	// A keychain that never answers ends in the vault's timeout, not a hang.
	block := make(chan struct{})
	defer close(block)
	mem.SetHook(func(string, string, string) error { <-block; return nil })
	slow := newEnv()
	slow.NewVault = func() *secrets.Vault { return secrets.NewVault(mem, 20*time.Millisecond) }
	code, _, errOut := runCmd(t, slow, profImportArgs(pair, "third")...)
	if code != ExitFailure || !strings.Contains(errOut, "did not answer within 20 ms") {
		t.Fatalf("import with a hung keychain: exit %d %q", code, errOut)
	}
}

func TestProfileShowReportsADamagedKey(t *testing.T) {
	mem, _, pair := profImported(t, time.Now())
	chunk, err := mem.Get(secrets.Service, "acme/private-key/g1/0")
	if err != nil {
		t.Fatal(err)
	}
	mem.Set(secrets.Service, "acme/private-key/g1/0", strings.Replace(chunk, "M", "N", 1))
	r := profRun(t, time.Now(), "profile", "show", "acme")
	if r.code != ExitOK || !strings.Contains(r.out, "consumer key stored, private key damaged") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	_, err = openProfileTarget(newEnv(), "acme")
	if secrets.KindOf(err) != secrets.Corrupt || !strings.Contains(err.Error(), "tnjwt profile import") {
		t.Fatalf("testing a profile with a damaged key: %v", err)
	}
	profNoSecrets(t, err.Error()+r.out, pair.keyPEM)
}

func TestProfileImportTicksWhatItProves(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	_, dir, _ := profImported(t, at)
	p, err := profiles.Open(dir, nil).Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"org-login-url", "key-generate", "eca-consumer-key", "key-store"} {
		if st := p.Checklist[id]; !st.Done || !st.At.Equal(at) {
			t.Errorf("checklist %s = %+v, want done at %v", id, st, at)
		}
	}
	for _, id := range []string{"eca-scopes", "eca-cert-upload", "permset-assign", "live-test"} {
		if p.Checklist[id].Done {
			t.Errorf("checklist %s is done, but an import cannot know that", id)
		}
	}
}

func TestProfileListMarksPracticeProfiles(t *testing.T) {
	_, dir := profSetup(t)
	store := profiles.Open(dir, testVault())
	if err := store.Save(profiles.Profile{Name: "rehearsal", LoginURL: "http://127.0.0.1:1", Username: "embed@practice.tnjwt.example", Practice: true}); err != nil {
		t.Fatal(err)
	}
	r := profRun(t, time.Now(), "profile", "list")
	if r.code != ExitOK || !strings.Contains(r.out, "rehearsal (practice org)") {
		t.Errorf("exit %d\n%s", r.code, r.out)
	}
	r = profRun(t, time.Now(), "profile", "list", "--json")
	if !strings.Contains(r.out, `"practice": true`) {
		t.Errorf("JSON does not mark it:\n%s", r.out)
	}
}

func TestProfileImportReadsTheConsumerKeyFromAFile(t *testing.T) {
	profSetup(t)
	pair := profOpenSSL(t, "rsa2048", "2048", "365")
	idFile := filepath.Join(t.TempDir(), "ck")
	if err := os.WriteFile(idFile, []byte(profConsumerKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := profRun(t, time.Now(), "profile", "import", "--name", "acme", "--login-url", "https://acme.my.salesforce.com",
		"--username", "embed@acme.com", "--client-id-file", idFile, "--key-file", pair.keyPath)
	if r.code != ExitOK {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
	v := testVault()
	if got, err := v.Get(context.Background(), "acme", secrets.ConsumerKey); err != nil || string(got) != profConsumerKey {
		t.Errorf("stored consumer key %q, %v", got, err)
	}
}

func TestProfileShowOpensEachItemInSetup(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	_, _, pair := profImported(t, at)
	r := profRun(t, at, "profile", "show", "acme", "--json")
	var v struct {
		Setup struct {
			Host        *string           `json:"host"`
			Links       map[string]string `json:"links"`
			NoneBecause string            `json:"none_because"`
		} `json:"setup"`
	}
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || r.code != ExitOK {
		t.Fatalf("show --json: %d %v\n%s", r.code, err, r.out)
	}
	host := "https://acme.my.salesforce-setup.com"
	if v.Setup.Host == nil || *v.Setup.Host != host {
		t.Fatalf("setup.host = %v, want %s", v.Setup.Host, host)
	}
	for id, path := range map[string]string{"eca-jwt-enable": "/lightning/setup/ManageExternalClientApplication/home",
		"permset-assign": "/lightning/setup/PermSets/home", "embed-cors": "/lightning/setup/CorsWhitelistEntries/home",
		"embed-frames": "/lightning/setup/SecuritySession/home", "embed-cookies": "/lightning/setup/OrgDomain/home"} {
		if v.Setup.Links[id] != host+path {
			t.Errorf("setup.links[%s] = %q, want %q", id, v.Setup.Links[id], host+path)
		}
	}
	r = profRun(t, at, "profile", "show", "acme")
	for _, want := range []string{"Open in Setup  External Client App Manager: " + host + "/lightning/setup/ManageExternalClientApplication/home (eca-app-policies,",
		"CORS: " + host + "/lightning/setup/CorsWhitelistEntries/home (embed-cors)"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("show lacks %q:\n%s", want, r.out)
		}
	}

	args := profImportArgs(pair, "legacy")
	args[5] = "https://login.salesforce.com"
	if r := profRun(t, at, args...); r.code != ExitOK {
		t.Fatalf("import legacy: %s", r.errOut)
	}
	r = profRun(t, at, "profile", "show", "legacy", "--json")
	v.Setup.Host, v.Setup.Links = nil, nil
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Setup.Host != nil || len(v.Setup.Links) != 0 || !strings.Contains(v.Setup.NoneBecause, "shared by every Salesforce org") {
		t.Errorf("a legacy login URL: %+v", v.Setup)
	}
	if r := profRun(t, at, "profile", "show", "legacy"); !strings.Contains(r.out, "Open in Setup  no Setup links: login.salesforce.com is shared by every Salesforce org") {
		t.Errorf("show legacy:\n%s", r.out)
	}
}
