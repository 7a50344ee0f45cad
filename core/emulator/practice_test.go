package emulator_test

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
)

// The wizard's practice mode walks the checklist against an empty org; each
// step done moves the answer to the next problem, until the login works.
func TestPracticeModeWalksTheChecklist(t *testing.T) {
	keys(t)
	o := startOrg(t, nil)
	e := o.e
	try := func() string {
		r := o.postToken(sign(t, rightKey, o.claims()))
		if r.status == 200 {
			var tok tokenReply
			mustUnmarshal(t, r.body, &tok)
			return o.singleAccess(tok.AccessToken, "").body
		}
		return r.body
	}
	steps := []struct {
		step string
		do   func() error
		want string // the answer after the step
	}{
		{"before anything", func() error { return nil }, badClient},
		{"app exists", func() error { return e.AddApp(emulator.AppConfig{Name: appName, ConsumerKey: consumerKey}) }, badAssertion},
		{"eca-jwt-enable", func() error { return e.SetJWTEnabled(appName, true) }, badAssertion},
		{"eca-cert-upload", func() error { return e.UploadCertificate(appName, rightCertPEM) }, notApproved},
		{"jwt-user", func() error { return e.CreateUser(username) }, notApproved},
		{"eca-scopes", func() error { return e.SetScopes(appName, []string{"api", "refresh_token"}) }, notApproved},
		{"eca-permitted-users", func() error { return e.SetPermittedUsers(appName, emulator.AdminApproved) }, notApproved},
		{"permset-create", func() error { return e.CreatePermissionSet(permSet) }, notApproved},
		{"permset-access", func() error { return e.AddAppPermissionSet(appName, permSet) }, notApproved},
		{"permset-assign (token works, scopes lack web)", func() error { return e.AssignPermissionSet(username, permSet) }, "Invalid_Scope"},
		{"eca-scopes fixed", func() error { return e.SetScopes(appName, []string{"web", "refresh_token"}) }, "frontdoor"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.step, err)
		}
		got := try()
		if s.want == "frontdoor" {
			if !strings.HasPrefix(got, `{"frontdoor_uri":"`) {
				t.Fatalf("%s: %s", s.step, got)
			}
			continue
		}
		if got != s.want {
			t.Fatalf("after %s: got %s, want %s", s.step, got, s.want)
		}
	}

	// Undoing each setting brings its refusal back, and redoing it heals.
	undo := []struct {
		step       string
		undo, redo func() error
		want       string
	}{
		{"remove certificate", func() error { return e.RemoveCertificate(appName) }, func() error { return e.UploadCertificate(appName, rightCertPEM) }, badAssertion},
		{"wrong certificate", func() error { return e.UploadCertificate(appName, otherCertPEM) }, func() error { return e.UploadCertificate(appName, rightCertPEM) }, badAssertion},
		{"flow off", func() error { return e.SetJWTEnabled(appName, false) }, func() error { return e.SetJWTEnabled(appName, true) }, badAssertion},
		{"self-authorize", func() error { return e.SetPermittedUsers(appName, emulator.AllSelfAuthorize) }, func() error { return e.SetPermittedUsers(appName, emulator.AdminApproved) }, notApproved},
		{"set off the app", func() error { return e.RemoveAppPermissionSet(appName, permSet) }, func() error { return e.AddAppPermissionSet(appName, permSet) }, notApproved},
		{"set unassigned", func() error { return e.UnassignPermissionSet(username, permSet) }, func() error { return e.AssignPermissionSet(username, permSet) }, notApproved},
		{"user inactive", func() error { return e.SetUserActive(username, false) }, func() error { return e.SetUserActive(username, true) }, inactive},
		{"API only", func() error { return e.SetAPIOnly(username, true) }, func() error { return e.SetAPIOnly(username, false) }, "Bad_OAuth_Token"},
		{"sandbox", func() error { e.SetSandbox(true); return nil }, func() error { e.SetSandbox(false); return nil }, badAudience},
	}
	for _, u := range undo {
		if err := u.undo(); err != nil {
			t.Fatalf("%s: %v", u.step, err)
		}
		if got := try(); got != u.want {
			t.Fatalf("undo %s: got %s, want %s", u.step, got, u.want)
		}
		if err := u.redo(); err != nil {
			t.Fatalf("%s: %v", u.step, err)
		}
		if got := try(); !strings.HasPrefix(got, `{"frontdoor_uri":"`) {
			t.Fatalf("redo %s: %s", u.step, got)
		}
	}
	if err := e.DeletePermissionSet(permSet); err != nil {
		t.Fatal(err)
	}
	if got := try(); got != notApproved {
		t.Fatalf("after deleting the permission set: %s", got)
	}
	s := e.Settings()
	if len(s.PermissionSets) != 0 || len(s.Apps[0].PermissionSets) != 0 || len(s.Users[0].PermissionSets) != 0 {
		t.Fatalf("permission set still listed: %+v", s)
	}
}

// Every app change restarts the app's propagation window; user changes do
// not, as on Salesforce.
func TestPropagationWindowRestartsOnAppChanges(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	e := o.e
	if err := e.SetPropagation(appName, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	expect := func(when, want string) {
		t.Helper()
		if r := o.postToken(sign(t, rightKey, o.claims())); (want == "ok") != (r.status == 200) || (want != "ok" && r.body != want) {
			t.Fatalf("%s: got %d %s, want %s", when, r.status, r.body, want)
		}
	}
	expect("right after the change", badClient)
	o.clock.Add(5*time.Minute - time.Second)
	expect("a second before the window ends", badClient)
	o.clock.Add(time.Second)
	expect("when the window ends", "ok")
	changes := map[string]func() error{
		"scopes":           func() error { return e.SetScopes(appName, []string{"web", "refresh_token"}) },
		"flow":             func() error { return e.SetJWTEnabled(appName, true) },
		"policy":           func() error { return e.SetPermittedUsers(appName, emulator.AdminApproved) },
		"app permission":   func() error { return e.AddAppPermissionSet(appName, permSet) },
		"remove perm set":  func() error { return e.RemoveAppPermissionSet(appName, "absent") },
		"remove cert+back": func() error { e.RemoveCertificate(appName); return e.UploadCertificate(appName, rightCertPEM) },
	}
	for name, change := range changes {
		if err := change(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		expect("after changing "+name, badClient)
		o.clock.Add(5 * time.Minute)
		expect("after "+name+" propagated", "ok")
	}
	if err := e.SetAPIOnly(username, false); err != nil {
		t.Fatal(err)
	}
	expect("after a user change", "ok")
}

// A certificate upload replaces the old one only once it propagates: until
// then JWTs signed with the old key still pass and the new key's fail, then
// the other way round, as on Salesforce. The app never becomes unknown.
func TestReplacedCertificateTakesOverWhenPropagated(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	e := o.e
	if err := e.SetPropagation(appName, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	o.clock.Add(5 * time.Minute)
	status := func(key *rsa.PrivateKey) string {
		r := o.postToken(sign(t, key, o.claims()))
		if r.status == 200 {
			return "ok"
		}
		return r.body
	}
	if got := status(rightKey); got != "ok" {
		t.Fatalf("before the upload: %s", got)
	}
	if err := e.UploadCertificate(appName, otherCertPEM); err != nil {
		t.Fatal(err)
	}
	o.clock.Add(5*time.Minute - time.Second)
	if old, next := status(rightKey), status(badKey); old != "ok" || next != badAssertion {
		t.Fatalf("while propagating: old key %s, new key %s", old, next)
	}
	o.clock.Add(time.Second)
	if old, next := status(rightKey), status(badKey); old != badAssertion || next != "ok" {
		t.Fatalf("once propagated: old key %s, new key %s", old, next)
	}
}

func TestPracticeAPIRefusesBadInputAndChangesNothing(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	e := o.e
	before := e.Settings()
	checks := []struct {
		name string
		err  error
		is   error
		text string
	}{
		{"unknown app", e.SetJWTEnabled("Nope", true), emulator.ErrUnknownApp, `"Nope"`},
		{"unknown user", e.SetUserActive("nobody@acme.com", false), emulator.ErrUnknownUser, "nobody@acme.com"},
		{"unknown permission set on app", e.AddAppPermissionSet(appName, "Typo"), emulator.ErrUnknownPermissionSet, `"Typo"`},
		{"unknown permission set on user", e.AssignPermissionSet(username, "Typo"), emulator.ErrUnknownPermissionSet, `"Typo"`},
		{"delete unknown permission set", e.DeletePermissionSet("Typo"), emulator.ErrUnknownPermissionSet, `"Typo"`},
		{"private key as certificate", e.UploadCertificate(appName, []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")), nil, "private key"},
		{"bad scope", e.SetScopes(appName, []string{"Web"}), nil, `did you mean "web"`},
		{"bad policy", e.SetPermittedUsers(appName, "everyone"), nil, "not a permitted-users policy"},
		{"negative propagation", e.SetPropagation(appName, -time.Second), nil, "negative"},
		{"duplicate user", e.CreateUser(strings.ToUpper(username)), emulator.ErrExists, ""},
		{"bad username", e.CreateUser("embed"), nil, "email address"},
		{"duplicate app", e.AddApp(emulator.AppConfig{Name: appName, ConsumerKey: "3MVG9x"}), emulator.ErrExists, ""},
		{"duplicate key", e.AddApp(emulator.AppConfig{Name: "Other", ConsumerKey: consumerKey}), emulator.ErrExists, ""},
		{"app with unknown permission set", e.AddApp(emulator.AppConfig{Name: "Other", ConsumerKey: "3MVG9y", PermissionSets: []string{"Typo"}}), nil, `unknown permission set "Typo"`},
		{"app reading a file", e.AddApp(emulator.AppConfig{Name: "Other", ConsumerKey: "3MVG9y", CertificateFile: "x.crt"}), nil, "PEM text"},
	}
	for _, c := range checks {
		if c.err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if c.is != nil && !errors.Is(c.err, c.is) {
			t.Errorf("%s: %v is not %v", c.name, c.err, c.is)
		}
		if !strings.Contains(c.err.Error(), c.text) || strings.Contains(c.err.Error(), consumerKey) {
			t.Errorf("%s: message %q", c.name, c.err)
		}
	}
	after := e.Settings()
	if string(mustJSON(before)) != string(mustJSON(after)) {
		t.Fatalf("settings changed:\n%s\n%s", mustJSON(before), mustJSON(after))
	}
	if r := o.postToken(sign(t, rightKey, o.claims())); r.status != 200 {
		t.Fatalf("org broken by refused calls: %s", r.body)
	}
}

// Settings changes racing with logins: -race must stay quiet and every
// answer must be one of the two states the org flips between.
func TestSettingsChangesDuringExchanges(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	assertion := sign(t, rightKey, o.claims())
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			o.e.SetUserActive(username, i%2 == 0)
			o.e.Settings()
			o.e.Requests()
		}
	}()
	for range 50 {
		r := o.postToken(assertion)
		if r.status != 200 && r.body != inactive {
			t.Errorf("unexpected answer %d %s", r.status, r.body)
		}
	}
	close(stop)
	wg.Wait()
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
}
