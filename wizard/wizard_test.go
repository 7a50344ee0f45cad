package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

var now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// countingStore is a real profiles.Store in a temporary folder that counts
// the saves the wizard asks for.
type countingStore struct {
	*profiles.Store
	saves int
}

func (c *countingStore) Save(p profiles.Profile) error {
	c.saves++
	return c.Store.Save(p)
}

func newStore(t *testing.T) *countingStore {
	return &countingStore{Store: profiles.Open(t.TempDir(), nil)}
}

// testBundles are two key pairs dated now, made once per test binary.
func testBundles(t *testing.T) (*certs.Bundle, *certs.Bundle) {
	return emulatortest.KeysFrom(now), emulatortest.OtherFrom(now)
}

const goodUser = "embed@acme.com"

func validDraft() OrgDraft {
	return OrgDraft{Name: "acme-prod", Type: OrgProduction, Username: goodUser}
}

// pastOrg starts a wizard and leaves the Org screen with a valid draft.
func pastOrg(t *testing.T, store Store) *Wizard {
	t.Helper()
	w := New(Steps(), store, clock)
	if m := w.Next(); !m.Moved {
		t.Fatalf("Next on Welcome: %+v", m)
	}
	if c := w.SetOrg(validDraft()); !c.OK() {
		t.Fatalf("valid draft refused: %+v", c)
	}
	if m := w.Next(); !m.Moved {
		t.Fatalf("Next on Org: %+v", m)
	}
	return w
}

func TestStepsCoverEveryChecklistIDOnce(t *testing.T) {
	want := map[StepID][]string{
		StepWelcome:     nil,
		StepOrg:         {IDOrgLoginURL},
		StepKey:         {IDKeyGenerate},
		StepECA:         {IDECAScopes, IDECAJWTEnable, IDECACertUpload, IDECARefreshSecret},
		StepPermset:     {IDPermsetCreate, IDPermsetAccess, IDPermsetAssign, IDECAPermittedUsers, IDECAAppPolicies, IDViewerAssign},
		StepEmbed:       {IDEmbedOrigins, IDEmbedCORS, IDEmbedFrames, IDEmbedCookies, IDEmbedMFA},
		StepConsumerKey: {IDECAConsumerKey},
		StepKeychain:    {IDKeyStore},
		StepLiveTest:    {IDLiveTest},
		StepDone:        nil,
	}
	order := []StepID{StepWelcome, StepOrg, StepKey, StepECA, StepPermset, StepEmbed, StepConsumerKey, StepKeychain, StepLiveTest, StepDone}
	seen := map[string]bool{}
	steps := Steps()
	if len(steps) != len(order) {
		t.Fatalf("%d steps, want %d", len(steps), len(order))
	}
	for i, s := range steps {
		if s.ID != order[i] {
			t.Errorf("step %d is %s, want %s", i, s.ID, order[i])
		}
		if s.Title == "" || s.Why == "" {
			t.Errorf("step %s lacks a title or a why", s.ID)
		}
		var ids []string
		for _, it := range s.Items {
			ids = append(ids, it.ID)
			if seen[it.ID] {
				t.Errorf("item %s appears twice", it.ID)
			}
			seen[it.ID] = true
			if it.Label == "" || it.Instruction == "" || it.Why == "" {
				t.Errorf("item %s lacks a label, instruction or why", it.ID)
			}
		}
		if !slices.Equal(ids, want[s.ID]) {
			t.Errorf("step %s covers %v, want %v", s.ID, ids, want[s.ID])
		}
	}
}

func TestChecklistCarriesTheExactSetupValues(t *testing.T) {
	values := map[string]bool{}
	for _, s := range Steps() {
		for _, it := range s.Items {
			for _, v := range it.Values {
				values[v.Text] = true
			}
		}
	}
	for _, want := range []string{
		"Manage user data via Web browsers (web)",
		"Perform requests at any time (refresh_token, offline_access)",
		"JWT Bearer Flow", "Require secret for Refresh Token",
		"Tableau Next Embedding JWT", "TableauNextEmbeddingJWT", "None",
		"Admin approved users are pre-authorized",
	} {
		if !values[want] {
			t.Errorf("no copyable value %q", want)
		}
	}
	eca := Steps()[3]
	if !strings.Contains(eca.Where, `"External"`) || !strings.Contains(eca.Where, "Edit Settings") ||
		!strings.Contains(eca.Where, "OAuth Settings") || !strings.Contains(eca.Finally, "Save") {
		t.Errorf("ECA screen doesn't say where to click and to save: %q / %q", eca.Where, eca.Finally)
	}
}

func TestUsernameValueFollowsTheProfile(t *testing.T) {
	var assign Item
	for _, it := range permsetItems {
		if it.ID == IDPermsetAssign {
			assign = it
		}
	}
	if got := assign.Values[0].Resolve(&State{Profile: profiles.Profile{Username: "jwt@acme.com.uat"}}); got != "jwt@acme.com.uat" {
		t.Errorf("assign value = %q, want the profile's username", got)
	}
}

func TestCheckOrg(t *testing.T) {
	taken := func(n string) string {
		if strings.EqualFold(n, "taken") {
			return "TAKEN"
		}
		return ""
	}
	cases := []struct {
		name                    string
		d                       OrgDraft
		nameErr, urlErr, usrErr string // substrings; "" = no error
		userWarn                string
		loginURL                string
		sandbox                 bool
	}{
		{name: "production fills the URL", d: validDraft(), loginURL: "https://login.salesforce.com"},
		{name: "sandbox fills test and hints at the suffix",
			d:       OrgDraft{Name: "uat", Type: OrgSandbox, URL: "ignored", Username: goodUser},
			sandbox: true, loginURL: "https://test.salesforce.com", userWarn: "sandbox"},
		{name: "sandbox username with suffix has no hint",
			d:       OrgDraft{Name: "uat", Type: OrgSandbox, Username: "embed@acme.com.uat"},
			sandbox: true, loginURL: "https://test.salesforce.com"},
		{name: "my domain",
			d:        OrgDraft{Name: "acme", Type: OrgMyDomain, URL: "acme.my.salesforce.com/", Username: goodUser},
			loginURL: "https://acme.my.salesforce.com"},
		{name: "my domain sandbox is a sandbox",
			d:        OrgDraft{Name: "acme", Type: OrgMyDomain, URL: "https://acme--uat.sandbox.my.salesforce.com", Username: "embed@acme.com.uat"},
			loginURL: "https://acme--uat.sandbox.my.salesforce.com", sandbox: true},
		{name: "lightning URL gets the My Domain suggestion",
			d:      OrgDraft{Name: "acme", Type: OrgMyDomain, URL: "https://acme.lightning.force.com", Username: goodUser},
			urlErr: "https://acme.my.salesforce.com"},
		{name: "generic login URL under My Domain",
			d:      OrgDraft{Name: "acme", Type: OrgMyDomain, URL: "https://login.salesforce.com", Username: goodUser},
			urlErr: "not a My Domain URL"},
		{name: "my domain URL under Experience Cloud",
			d:      OrgDraft{Name: "acme", Type: OrgExperience, URL: "https://acme.my.salesforce.com", Username: goodUser},
			urlErr: "not an Experience Cloud site"},
		{name: "experience site keeps its path",
			d:        OrgDraft{Name: "acme", Type: OrgExperience, URL: "https://acme.my.site.com/partners/", Username: goodUser},
			loginURL: "https://acme.my.site.com/partners"},
		{name: "empty URL", d: OrgDraft{Name: "acme", Type: OrgMyDomain, Username: goodUser}, urlErr: "empty"},
		{name: "empty name", d: OrgDraft{Username: goodUser}, nameErr: "needs a name"},
		{name: "taken name, any case", d: OrgDraft{Name: "Taken", Username: goodUser}, nameErr: "already called TAKEN"},
		{name: "bad username", d: OrgDraft{Name: "acme", Username: "embed"}, usrErr: "exactly one @"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := CheckOrg(tc.d, taken)
			for _, f := range []struct {
				what, got, want string
			}{{"name", c.Name.Err, tc.nameErr}, {"url", c.URL.Err, tc.urlErr}, {"username", c.Username.Err, tc.usrErr}} {
				if (f.want == "") != (f.got == "") || !strings.Contains(f.got, f.want) {
					t.Errorf("%s error = %q, want one containing %q", f.what, f.got, f.want)
				}
				first, _, _ := strings.Cut(f.got, " ")
				if f.got != "" && ((f.got[0] < 'A' || f.got[0] > 'Z') && !strings.Contains(first, ".") || !strings.HasSuffix(f.got, ".")) {
					t.Errorf("%s error %q is not a sentence", f.what, f.got)
				}
			}
			if !strings.Contains(c.Username.Warn, tc.userWarn) || (tc.userWarn == "") != (c.Username.Warn == "") {
				t.Errorf("username warning = %q, want %q", c.Username.Warn, tc.userWarn)
			}
			if tc.loginURL != "" && c.Login.URL != tc.loginURL {
				t.Errorf("login URL = %q, want %q", c.Login.URL, tc.loginURL)
			}
			if c.Sandbox != tc.sandbox {
				t.Errorf("sandbox = %v, want %v", c.Sandbox, tc.sandbox)
			}
		})
	}
}

func TestOrgTypeRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want OrgType
	}{
		{"https://login.salesforce.com", OrgProduction},
		{"https://test.salesforce.com", OrgSandbox},
		{"https://acme.my.salesforce.com", OrgMyDomain},
		{"https://acme.my.site.com/partners", OrgExperience},
		{"http://127.0.0.1:8443", OrgMyDomain},
	} {
		if got := OrgTypeFor(tc.url); got != tc.want {
			t.Errorf("OrgTypeFor(%s) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

func TestOrgBlocksNextWithTheReasonAndSavesNothing(t *testing.T) {
	store := newStore(t)
	w := New(Steps(), store, clock)
	w.Next()
	w.SetOrg(OrgDraft{Name: "acme", Type: OrgMyDomain, URL: "https://acme.lightning.force.com", Username: goodUser})
	m := w.Next()
	if m.Moved || m.Blocked == nil || !strings.Contains(m.Blocked.Error(), "acme.my.salesforce.com") {
		t.Fatalf("Next = %+v, want blocked with the My Domain suggestion", m)
	}
	if store.saves != 0 {
		t.Errorf("%d saves before the org was valid", store.saves)
	}
	if list, _ := store.List(); len(list) != 0 {
		t.Errorf("profiles saved: %v", list)
	}
}

func TestLeavingOrgCreatesTheProfileAndFixesItsName(t *testing.T) {
	store := newStore(t)
	w := pastOrg(t, store)
	p, err := store.Get("acme-prod")
	if err != nil {
		t.Fatal(err)
	}
	if p.LoginURL != "https://login.salesforce.com" || p.Username != goodUser || p.Sandbox || p.Audience != "" {
		t.Errorf("saved profile = %+v", p)
	}
	if !p.Checklist[IDOrgLoginURL].Done {
		t.Error("org-login-url not ticked")
	}
	// The name no longer changes; a new username is saved at once.
	w.SetOrg(OrgDraft{Name: "renamed", Type: OrgSandbox, Username: "embed@acme.com.uat"})
	p, _ = store.Get("acme-prod")
	if p.Username != "embed@acme.com.uat" || !p.Sandbox || p.LoginURL != "https://test.salesforce.com" {
		t.Errorf("after change: %+v", p)
	}
	if _, err := store.Get("renamed"); !errors.Is(err, profiles.ErrNotFound) {
		t.Errorf("profile was renamed: %v", err)
	}
	// An invalid change is not saved.
	before := store.saves
	w.SetOrg(OrgDraft{Type: OrgMyDomain, URL: "nonsense", Username: goodUser})
	if store.saves != before {
		t.Error("an invalid org change was saved")
	}
}

func TestNameTakenByAnotherProfile(t *testing.T) {
	store := newStore(t)
	if err := store.Store.Save(profiles.Profile{Name: "acme-prod", LoginURL: "https://login.salesforce.com", Username: goodUser}); err != nil {
		t.Fatal(err)
	}
	w := New(Steps(), store, clock)
	w.Next()
	c := w.SetOrg(OrgDraft{Name: "ACME-prod", Type: OrgProduction, Username: goodUser})
	if !strings.Contains(c.Name.Err, "already called") {
		t.Errorf("name error = %q", c.Name.Err)
	}
}

func TestKeyStepNeedsAKeyAndSetKeyPersists(t *testing.T) {
	store := newStore(t)
	w := pastOrg(t, store)
	if w.Step().ID != StepKey {
		t.Fatalf("at %s", w.Step().ID)
	}
	if m := w.Next(); m.Blocked == nil || !strings.Contains(m.Blocked.Error(), "Generate a key") {
		t.Fatalf("Next without a key = %+v", m)
	}
	b, b2 := testBundles(t)
	w.SetKey(b)
	p, _ := store.Get("acme-prod")
	info := certs.Describe(b.Cert, now)
	if p.CertificatePEM != string(b.CertPEM) || p.Fingerprint != info.Fingerprint || !p.CertNotAfter.Equal(info.NotAfter) {
		t.Errorf("certificate not saved: %+v", p)
	}
	if strings.Contains(p.CertificatePEM, "PRIVATE KEY") {
		t.Fatal("the private key reached the profile")
	}
	if !p.Checklist[IDKeyGenerate].Done {
		t.Error("key-generate not ticked")
	}
	// A new key pair unticks the upload and the keychain step.
	w.Tick(IDECACertUpload, true)
	w.Tick(IDKeyStore, true)
	w.SetKey(b2)
	p, _ = store.Get("acme-prod")
	if p.Checklist[IDECACertUpload].Done || p.Checklist[IDKeyStore].Done {
		t.Errorf("a new certificate kept old ticks: %v", p.Checklist)
	}
	if m := w.Next(); !m.Moved {
		t.Errorf("Next with a key = %+v", m)
	}
}

func TestUntickedItemsAreNamedOncePerScreen(t *testing.T) {
	store := newStore(t)
	w := pastOrg(t, store)
	b, _ := testBundles(t)
	w.SetKey(b)
	w.Next() // to ECA
	w.Tick(IDECAScopes, true)
	m := w.Next()
	if m.Moved {
		t.Fatal("moved past unticked items without asking")
	}
	var labels []string
	for _, it := range m.Unticked {
		labels = append(labels, it.ID)
	}
	if want := []string{IDECAJWTEnable, IDECACertUpload}; !slices.Equal(labels, want) {
		t.Errorf("unticked = %v, want %v (the optional item is never asked about)", labels, want)
	}
	// Declining (calling nothing) and pressing Next again asks again.
	if m := w.Next(); len(m.Unticked) != 2 {
		t.Errorf("second Next before confirming = %+v", m)
	}
	if m := w.SkipUnticked(); !m.Moved || w.Step().ID != StepPermset {
		t.Fatalf("SkipUnticked = %+v at %s", m, w.Step().ID)
	}
	w.Back()
	if m := w.Next(); !m.Moved {
		t.Errorf("asked twice on the same screen: %+v", m)
	}
	ecaIdx := w.Index(StepECA)
	if s := w.Status(ecaIdx); s != Problem {
		t.Errorf("skipped ECA step shows %v, want Problem", s)
	}
	w.Tick(IDECAJWTEnable, true)
	w.Tick(IDECACertUpload, true)
	if s := w.Status(ecaIdx); s != Done {
		t.Errorf("finished ECA step shows %v, want Done", s)
	}
	if s := w.Status(w.Index(StepKeychain)); s != Todo {
		t.Errorf("keychain step shows %v, want Todo", s)
	}
	if s := w.Status(w.Current()); s != Current {
		t.Errorf("current step shows %v", s)
	}
}

func TestTicksAreSavedAndSurviveReopen(t *testing.T) {
	store := newStore(t)
	w := pastOrg(t, store)
	b, _ := testBundles(t)
	w.SetKey(b)
	before := store.saves
	for _, id := range []string{IDECAScopes, IDECAJWTEnable, IDECACertUpload} {
		w.Tick(id, true)
	}
	w.Tick(IDECAJWTEnable, true) // no change, no write
	if store.saves != before+3 {
		t.Errorf("%d saves for 3 ticks", store.saves-before)
	}
	p, _ := store.Get("acme-prod")
	r := Open(Steps(), store, p, clock)
	if got := r.Step().ID; got != StepPermset {
		t.Errorf("reopened at %s, want %s (first unfinished)", got, StepPermset)
	}
	st := r.State()
	if st.Draft.Name != "acme-prod" || st.Draft.Type != OrgProduction || st.Draft.Username != goodUser || !st.Saved {
		t.Errorf("reopened draft = %+v", st.Draft)
	}
	for i := range r.Steps() {
		if i <= r.Index(StepPermset) && !r.Reachable(i) {
			t.Errorf("step %d not reachable after reopening", i)
		}
	}
	if r.Reachable(r.Index(StepConsumerKey)) {
		t.Error("a step never reached is reachable")
	}
}

func TestReopenResumesAtFirstUnfinishedScreen(t *testing.T) {
	b, _ := testBundles(t)
	base := profiles.Profile{Name: "acme", LoginURL: "https://login.salesforce.com", Username: goodUser,
		Checklist: map[string]profiles.StepState{IDOrgLoginURL: {Done: true}}}
	withKey := base.Clone()
	withKey.CertificatePEM = string(b.CertPEM)
	withKey.Checklist[IDKeyGenerate] = profiles.StepState{Done: true}
	noEmbedding := withKey.Clone()
	for _, s := range Steps()[:5] {
		for _, it := range s.Items {
			noEmbedding.Checklist[it.ID] = profiles.StepState{Done: true}
		}
	}
	allTicked := noEmbedding.Clone()
	for _, it := range Steps()[5].Items {
		allTicked.Checklist[it.ID] = profiles.StepState{Done: true}
	}
	allTicked.Checklist[IDECAConsumerKey] = profiles.StepState{Done: true}
	stored := allTicked.Clone()
	stored.Checklist[IDKeyStore] = profiles.StepState{Done: true}
	failed := stored.Clone()
	failed.RecordTest(profiles.TestResult{OK: false, Error: "invalid_grant", DiagnosisStep: IDECACertUpload})
	passed := stored.Clone()
	passed.RecordTest(profiles.TestResult{OK: true})
	badURL := base.Clone()
	badURL.LoginURL = "https://acme.lightning.force.com"

	for _, tc := range []struct {
		name string
		p    profiles.Profile
		want StepID
	}{
		{"org only", base, StepKey},
		{"key made", withKey, StepECA},
		{"embedding settings not done", noEmbedding, StepEmbed},
		{"consumer key not in memory", allTicked, StepConsumerKey},
		{"everything stored", stored, StepLiveTest},
		{"last test failed", failed, StepLiveTest},
		{"last test passed", passed, StepDone},
		{"broken login URL", badURL, StepOrg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Open(Steps(), newStore(t), tc.p, clock)
			if got := w.Step().ID; got != tc.want {
				t.Errorf("resumed at %s, want %s", got, tc.want)
			}
		})
	}
	w := Open(Steps(), newStore(t), allTicked, clock)
	if err := w.Blocker(w.Current()); err == nil || !strings.Contains(err.Error(), "Paste the consumer key again") {
		t.Errorf("consumer key blocker = %v", err)
	}
}

func TestConsumerKeyIsTrimmedKeptInMemoryAndChecked(t *testing.T) {
	store := newStore(t)
	w := pastOrg(t, store)
	w.Tick(IDKeyStore, true)
	key := "3MVG9" + strings.Repeat("aB3._", 16)
	got, warn, err := w.SetConsumerKey("  \n" + key + "\r\n ")
	if err != nil || got != key || warn != "" {
		t.Fatalf("SetConsumerKey = %q, %q, %v", got, warn, err)
	}
	if w.State().ConsumerKey != key {
		t.Error("key not kept in the session")
	}
	p, _ := store.Get("acme-prod")
	if !p.Checklist[IDECAConsumerKey].Done || p.Checklist[IDKeyStore].Done {
		t.Errorf("checklist after a new consumer key = %v", p.Checklist)
	}
	if data, _ := store.Get("acme-prod"); strings.Contains(data.CertificatePEM+data.Username+data.LoginURL, key) {
		t.Fatal("consumer key in the profile")
	}
	if _, warn, err := w.SetConsumerKey("not-a-real-key-but-fine"); err != nil || !strings.Contains(warn, "3MVG") {
		t.Errorf("odd key: warn %q, err %v (want a warning, no error)", warn, err)
	}
	if _, _, err := w.SetConsumerKey("3MVG9abc def"); err == nil || w.State().ConsumerKey != "" {
		t.Errorf("a key with a space inside was taken: %v", err)
	}
}

func TestGoTo(t *testing.T) {
	store := newStore(t)
	w := pastOrg(t, store)
	if err := w.GoTo(w.Index(StepECA)); err == nil {
		t.Error("jumped to a step never reached")
	}
	if err := w.GoTo(w.Index(StepOrg)); err != nil || w.Step().ID != StepOrg {
		t.Fatalf("jump back: %v", err)
	}
	w.SetOrg(OrgDraft{Type: OrgMyDomain, URL: "bad url", Username: goodUser})
	if err := w.GoTo(w.Index(StepKey)); err == nil || !strings.HasPrefix(err.Error(), "Your org:") {
		t.Errorf("jumped forward past an invalid org: %v", err)
	}
	w.SetOrg(validDraft())
	if err := w.GoTo(w.Index(StepKey)); err != nil {
		t.Errorf("jump forward: %v", err)
	}
	if w.Back(); w.Step().ID != StepOrg {
		t.Errorf("Back went to %s", w.Step().ID)
	}
}

// A failed test marks the step its diagnosis names as a problem until a
// later test passes.
func TestAFailedTestMarksTheStepItBlames(t *testing.T) {
	p := profiles.Profile{Name: "acme", LoginURL: "https://login.salesforce.com", Username: goodUser,
		Checklist: map[string]profiles.StepState{}}
	for _, s := range Steps() {
		for _, it := range s.Items {
			p.Checklist[it.ID] = profiles.StepState{Done: true}
		}
	}
	w := Open(Steps(), newStore(t), p, clock)
	eca := w.Index(StepECA)
	if w.Status(eca) != Done {
		t.Fatalf("ECA step is %v before any test", w.Status(eca))
	}
	w.NoteTest(profiles.TestResult{OK: false, Error: "invalid_grant", DiagnosisStep: IDECACertUpload})
	if w.Status(eca) != Problem {
		t.Errorf("ECA step is %v after a test blamed its certificate", w.Status(eca))
	}
	if w.Status(w.Index(StepPermset)) != Done {
		t.Error("a step the test did not blame is marked")
	}
	w.NoteTest(profiles.TestResult{OK: true})
	if w.Status(eca) != Done {
		t.Errorf("ECA step is %v after a passing test", w.Status(eca))
	}
}

func TestFinishOnTheLastStep(t *testing.T) {
	b, _ := testBundles(t)
	p := profiles.Profile{Name: "acme", LoginURL: "https://login.salesforce.com", Username: goodUser,
		CertificatePEM: string(b.CertPEM), Checklist: map[string]profiles.StepState{}}
	for _, s := range Steps() {
		for _, it := range s.Items {
			p.Checklist[it.ID] = profiles.StepState{Done: true}
		}
	}
	w := Open(Steps(), newStore(t), p, clock)
	if w.Step().ID != StepLiveTest {
		t.Fatalf("untested org opened at %s, want the live test", w.Step().ID)
	}
	if m := w.Next(); m.Blocked == nil || !strings.Contains(m.Blocked.Error(), "Run the live test") {
		t.Errorf("Next before a passing test = %+v", m)
	}
	w.NoteTest(profiles.TestResult{OK: true})
	if m := w.Next(); !m.Moved || w.Step().ID != StepDone {
		t.Fatalf("Next after a pass = %+v, at %s", m, w.Step().ID)
	}
	if m := w.Next(); !m.Finished || m.Moved {
		t.Errorf("Next on the last step = %+v", m)
	}
	w.Tick(IDKeyStore, false)
	if err := w.GoTo(w.Index(StepKeychain)); err != nil {
		t.Fatal(err)
	}
	if m := w.Next(); m.Blocked == nil || !strings.Contains(m.Blocked.Error(), "keychain") {
		t.Errorf("Next with nothing stored = %+v", m)
	}
}

func TestStoreSecrets(t *testing.T) {
	ctx := context.Background()
	b, b2 := testBundles(t)
	const ck = "3MVG9consumer"
	newVault := func() *secrets.Vault { return secrets.NewVault(secrets.NewMemory(0), 5*time.Second) }

	t.Run("session key", func(t *testing.T) {
		v := newVault()
		if err := KeepPending(ctx, v, "acme", b.KeyPEM); err != nil {
			t.Fatal(err)
		}
		if err := StoreSecrets(ctx, v, "acme", ck, b.KeyPEM, b.CertPEM); err != nil {
			t.Fatal(err)
		}
		assertStored(t, v, ck, b.KeyPEM)
	})
	t.Run("pending key from an earlier session", func(t *testing.T) {
		v := newVault()
		if err := KeepPending(ctx, v, "acme", b.KeyPEM); err != nil {
			t.Fatal(err)
		}
		if err := StoreSecrets(ctx, v, "acme", ck, nil, b.CertPEM); err != nil {
			t.Fatal(err)
		}
		assertStored(t, v, ck, b.KeyPEM)
	})
	t.Run("key stored for good earlier (finished or imported profile)", func(t *testing.T) {
		v := newVault()
		_ = v.Put(ctx, "acme", secrets.PrivateKey, b.KeyPEM)
		got, err := FindPending(ctx, v, "acme", b.CertPEM)
		if err != nil || string(got) != string(b.KeyPEM) {
			t.Fatalf("FindPending = %v, want the stored key", err)
		}
		if _, err := FindPending(ctx, v, "acme", b2.CertPEM); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("stored key of another certificate: err = %v, want ErrKeyMismatch", err)
		}
		if err := StoreSecrets(ctx, v, "acme", ck, nil, b.CertPEM); err != nil {
			t.Fatal(err)
		}
		assertStored(t, v, ck, b.KeyPEM)
	})
	t.Run("pending key wins over the stored one", func(t *testing.T) {
		v := newVault()
		_ = v.Put(ctx, "acme", secrets.PrivateKey, b2.KeyPEM)
		_ = KeepPending(ctx, v, "acme", b.KeyPEM)
		if got, err := FindPending(ctx, v, "acme", b.CertPEM); err != nil || string(got) != string(b.KeyPEM) {
			t.Errorf("FindPending = %v, want the pending key", err)
		}
	})
	t.Run("no key anywhere", func(t *testing.T) {
		if err := StoreSecrets(ctx, newVault(), "acme", ck, nil, b.CertPEM); !errors.Is(err, ErrKeyLost) {
			t.Errorf("err = %v, want ErrKeyLost", err)
		}
	})
	t.Run("pending key of another certificate", func(t *testing.T) {
		v := newVault()
		_ = KeepPending(ctx, v, "acme", b2.KeyPEM)
		if err := StoreSecrets(ctx, v, "acme", ck, nil, b.CertPEM); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("err = %v, want ErrKeyMismatch", err)
		}
		if _, err := v.Get(ctx, "acme", secrets.PrivateKey); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("a mismatched key was stored: %v", err)
		}
	})
	t.Run("empty consumer key keeps the stored one", func(t *testing.T) {
		v := newVault()
		_ = v.Put(ctx, "acme", secrets.ConsumerKey, []byte(ck))
		if err := StoreSecrets(ctx, v, "acme", "", b.KeyPEM, b.CertPEM); err != nil {
			t.Fatal(err)
		}
		assertStored(t, v, ck, b.KeyPEM)
	})
	t.Run("locked keychain", func(t *testing.T) {
		m := secrets.NewMemory(0)
		m.SetHook(func(op, _, _ string) error {
			return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
		})
		err := StoreSecrets(ctx, secrets.NewVault(m, time.Second), "acme", ck, b.KeyPEM, b.CertPEM)
		var se *secrets.Error
		if !errors.As(err, &se) || se.Kind != secrets.Locked || se.Remedy == "" {
			t.Errorf("err = %#v, want a Locked secrets.Error with a remedy", err)
		}
	})
}

func assertStored(t *testing.T, v *secrets.Vault, ck string, key []byte) {
	t.Helper()
	ctx := context.Background()
	if got, err := v.Get(ctx, "acme", secrets.ConsumerKey); err != nil || string(got) != ck {
		t.Errorf("consumer key = %q, %v", got, err)
	}
	if got, err := v.Get(ctx, "acme", secrets.PrivateKey); err != nil || string(got) != string(key) {
		t.Errorf("private key stored: %v (match %v)", err, string(got) == string(key))
	}
	if _, err := v.Get(ctx, "acme", secrets.PendingPrivateKey); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("pending key left behind: %v", err)
	}
}

// The window's days left and the command line's (certs.DaysLeft, which
// `tnjwt profile list` and `show` print) are the same number at the same
// moment, whatever the time of day: the window once said "400 more days"
// where the command line said "399 days left".
func TestDaysLeftAgreesWithTheCommandLine(t *testing.T) {
	at := time.Date(2026, 2, 5, 15, 0, 0, 0, time.UTC)
	for _, notAfter := range []time.Time{
		time.Date(2027, 3, 11, 9, 0, 0, 0, time.UTC), // earlier in the day than now: 399 whole days
		time.Date(2027, 3, 11, 16, 0, 0, 0, time.UTC),
		at.Add(365 * 24 * time.Hour),
		at.Add(10*24*time.Hour - time.Second),
	} {
		cli := certs.DaysLeft(notAfter, at)
		if got := DaysLeft(notAfter, at); got != cli {
			t.Errorf("until %v: the window counts %d days, the command line %d", notAfter, got, cli)
		}
		p := profiles.Profile{CertificatePEM: "x", CertNotAfter: notAfter}
		if text, _ := CertText(p, at); !strings.Contains(text, fmt.Sprintf(" %d days", cli)) {
			t.Errorf("until %v: %q does not say the command line's %d days", notAfter, text, cli)
		}
	}
}

func TestCertTextAndLastTest(t *testing.T) {
	p := profiles.Profile{CertificatePEM: "x"}
	for _, tc := range []struct {
		notAfter time.Time
		want     string
		warn     bool
	}{
		{now.Add(200 * 24 * time.Hour), "200 days left", false},
		{now.Add(31 * 24 * time.Hour), "31 days left", false},
		{now.Add(30 * 24 * time.Hour), "expires in 30 days", true},
		{now.Add(29*24*time.Hour + time.Hour), "expires in 29 days", true},
		{now.Add(36 * time.Hour), "expires tomorrow", true},
		{now.Add(time.Hour), "expires today", true},
		{now.Add(-time.Hour), "expired on", true},
		// Whole days left, as the command line counts them: 364 and the rest of a day.
		{now.Add(365*24*time.Hour - time.Minute), "364 days left", false},
		{now.Add(36 * time.Hour), "tomorrow", true},
	} {
		p.CertNotAfter = tc.notAfter
		got, warn := CertText(p, now)
		if !strings.Contains(got, tc.want) || warn != tc.warn {
			t.Errorf("CertText(%v) = %q, %v; want %q, %v", tc.notAfter, got, warn, tc.want, tc.warn)
		}
	}
	if got, warn := CertText(profiles.Profile{}, now); got != "No certificate yet." || warn {
		t.Errorf("no cert: %q %v", got, warn)
	}
	if got := LastTestText(nil); got != "Not tested yet." {
		t.Errorf("nil test: %q", got)
	}
	if got := LastTestText(&profiles.TestResult{When: now, OK: false, Error: "invalid_grant", Description: "audience is invalid"}); !strings.Contains(got, "failed") || !strings.Contains(got, "invalid_grant (audience is invalid)") {
		t.Errorf("failed test: %q", got)
	}
	if got := LastTestText(&profiles.TestResult{When: now, OK: true}); !strings.HasPrefix(got, "Last test passed") {
		t.Errorf("passed test: %q", got)
	}
}

// finishedProfile is a profile whose setup is done: every item ticked, the
// consumer key and b's private key in v.
func finishedProfile(t *testing.T, v *secrets.Vault, b *certs.Bundle, ck string) profiles.Profile {
	t.Helper()
	p := profiles.Profile{Name: "acme", LoginURL: "https://login.salesforce.com", Username: goodUser,
		CertificatePEM: string(b.CertPEM), Fingerprint: certs.Describe(b.Cert, now).Fingerprint,
		Checklist: map[string]profiles.StepState{}}
	for _, s := range Steps() {
		for _, it := range s.Items {
			p.Checklist[it.ID] = profiles.StepState{Done: true}
		}
	}
	ctx := context.Background()
	if err := v.Put(ctx, "acme", secrets.ConsumerKey, []byte(ck)); err != nil {
		t.Fatal(err)
	}
	if err := v.Put(ctx, "acme", secrets.PrivateKey, b.KeyPEM); err != nil {
		t.Fatal(err)
	}
	return p
}

func runJob(j KeychainJob) error {
	err := j.Run(context.Background())
	j.Record(err)
	return err
}

// A new key for a finished profile: the consumer key is in the keychain, so
// the Consumer key step must not ask for it again, and the Keychain step
// stores the new private key beside the old consumer key.
func TestNewKeyKeepsTheStoredConsumerKey(t *testing.T) {
	b, b2 := testBundles(t)
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	w := Open(Steps(), newStore(t), finishedProfile(t, v, b, goodConsumerKey), clock)
	w.SetKey(b2)
	if err := w.Blocker(w.Index(StepConsumerKey)); err != nil {
		t.Fatalf("Consumer key step after a new key: %v", err)
	}
	if err := w.GoTo(w.Index(StepKeychain)); err != nil {
		t.Fatalf("can't reach the Keychain step: %v", err)
	}
	if err := runJob(w.StoreSecrets(v)); err != nil {
		t.Fatal(err)
	}
	if !w.State().Ticked(IDKeyStore) || !w.State().ConsumerKeyStored {
		t.Error("storing didn't tick key-store")
	}
	assertStored(t, v, goodConsumerKey, b2.KeyPEM)

	// A new consumer key replaces the stored one: it must be stored again.
	if _, _, err := w.SetConsumerKey("3MVG9" + strings.Repeat("x", 60)); err != nil {
		t.Fatal(err)
	}
	if w.State().ConsumerKeyStored {
		t.Error("a new consumer key still counts the old one as stored")
	}
}

func TestStoreSecretsJobRecordsItsOutcome(t *testing.T) {
	b, b2 := testBundles(t)
	p := finishedProfile(t, secrets.NewVault(secrets.NewMemory(0), time.Second), b, goodConsumerKey)
	delete(p.Checklist, IDKeyStore)

	t.Run("no key anywhere", func(t *testing.T) {
		w := Open(Steps(), newStore(t), p, clock)
		w.st.ConsumerKey = goodConsumerKey
		if err := runJob(w.StoreSecrets(secrets.NewVault(secrets.NewMemory(0), time.Second))); !KeyGone(err) {
			t.Fatalf("err = %v, want a lost key", err)
		}
		if !w.State().KeyLost || w.Blocker(w.Index(StepKey)) == nil {
			t.Error("a lost key doesn't send the person back to the Key step")
		}
	})
	t.Run("new pair made while storing", func(t *testing.T) {
		v := secrets.NewVault(secrets.NewMemory(0), time.Second)
		_ = KeepPending(context.Background(), v, "acme", b.KeyPEM)
		w := Open(Steps(), newStore(t), p, clock)
		w.st.ConsumerKey = goodConsumerKey
		job := w.StoreSecrets(v)
		err := job.Run(context.Background())
		w.SetKey(b2)
		job.Record(err)
		if err != nil || w.State().Ticked(IDKeyStore) {
			t.Errorf("err %v; key-store ticked %v for a key that wasn't stored", err, w.State().Ticked(IDKeyStore))
		}
	})
	t.Run("probe finds the key, or not", func(t *testing.T) {
		v := secrets.NewVault(secrets.NewMemory(0), time.Second)
		w := Open(Steps(), newStore(t), p, clock)
		if err := runJob(w.FindKey(v)); !errors.Is(err, ErrKeyLost) || !w.State().KeyLost {
			t.Errorf("nothing in the keychain: err %v, lost %v", err, w.State().KeyLost)
		}
		_ = KeepPending(context.Background(), v, "acme", b.KeyPEM)
		if err := runJob(w.FindKey(v)); err != nil || w.State().KeyLost {
			t.Errorf("key back in the keychain: err %v, lost %v", err, w.State().KeyLost)
		}
	})
}

func TestLastTestTextSaysTransportFaultsInWords(t *testing.T) {
	for _, kind := range []string{"bad_reply", "unsafe_host", "connection", "timeout"} {
		got := LastTestText(&profiles.TestResult{When: now, Error: kind, Description: "token request: no answer."})
		if strings.Contains(got, kind) || !strings.Contains(got, "network or server problem: token request: no answer.") ||
			strings.Contains(got, "..") {
			t.Errorf("%s: %q", kind, got)
		}
	}
	if got := LastTestText(&profiles.TestResult{When: now, Error: "error", Description: "something odd"}); strings.Contains(got, "error") ||
		!strings.HasSuffix(got, ": something odd.") {
		t.Errorf("other error: %q", got)
	}
}
