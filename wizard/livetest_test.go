package wizard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const goodConsumerKey = "3MVG9pe2TCoA1Pf5xUPT0D1fN_Yxl8V0DBxAp4CAbqYBJwHOZTbE0rTdCzZ.9sTQLE7rH4zJ3hk2V0wRZeEPa"

func testProfile() profiles.Profile {
	return profiles.Profile{Name: "acme", LoginURL: "https://acme--uat.sandbox.my.salesforce.com", Username: goodUser + ".uat"}
}

func TestTestRequestReadsTheKeychain(t *testing.T) {
	b, _ := testBundles(t)
	ctx := context.Background()
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	p := testProfile()

	_, err := TestRequest(ctx, v, p, RetestWait)
	var nr *NotReadyError
	if !errors.As(err, &nr) || !nr.Secrets || !strings.Contains(nr.Problem, "Keychain") {
		t.Fatalf("without secrets: %v", err)
	}

	if err := v.Put(ctx, "acme", secrets.ConsumerKey, []byte(" "+goodConsumerKey+"\n")); err != nil {
		t.Fatal(err)
	}
	if err := v.Put(ctx, "acme", secrets.PrivateKey, b.KeyPEM); err != nil {
		t.Fatal(err)
	}
	req, err := TestRequest(ctx, v, p, RetestWait)
	if err != nil {
		t.Fatal(err)
	}
	if req.ClientID != goodConsumerKey || req.Username != p.Username || !req.Sandbox ||
		req.LoginURL != p.LoginURL || req.Wait != 10*time.Minute || !req.Key.Equal(b.Key) {
		t.Errorf("request %+v", req)
	}

	if err := v.Put(ctx, "acme", secrets.PrivateKey, b.CertPEM); err != nil { // not a key
		t.Fatal(err)
	}
	if _, err := TestRequest(ctx, v, p, 0); !errors.As(err, &nr) || nr.Secrets || !strings.Contains(nr.Problem, "private key") {
		t.Errorf("with a certificate for a key: %v", err)
	}

	p.LoginURL = "https://acme.lightning.force.com"
	if _, err := TestRequest(ctx, v, p, 0); !errors.As(err, &nr) || !strings.Contains(nr.Problem, "Your org") {
		t.Errorf("with a Lightning login URL: %v", err)
	}
	p.LoginURL = ""
	if _, err := TestRequest(ctx, v, p, 0); !errors.As(err, &nr) {
		t.Errorf("without a login URL: %v", err)
	}
}

func TestTestRequestPassesKeychainErrorsOn(t *testing.T) {
	m := secrets.NewMemory(0)
	m.SetHook(func(op, _, _ string) error {
		return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	})
	_, err := TestRequest(context.Background(), secrets.NewVault(m, time.Second), testProfile(), 0)
	var se *secrets.Error
	if !errors.As(err, &se) || se.Kind != secrets.Locked || se.Remedy == "" {
		t.Errorf("locked keychain: %v", err)
	}
}

func TestNewTestResultKeepsTheServerWordsNotTheURL(t *testing.T) {
	res := &salesforce.Result{FrontdoorURI: "https://acme.my.salesforce.com/secur/frontdoor.jsp?otp=SECRET",
		Timings: salesforce.Timings{Sign: time.Millisecond, Token: 2 * time.Millisecond, Total: 5 * time.Millisecond}}

	ok := profiles.TestResultOf(now, res, nil, nil)
	if !ok.OK || ok.Error != "" || ok.TimingsMS["token"] != 2 || ok.TimingsMS["total"] != 5 || !ok.When.Equal(now) {
		t.Errorf("success: %+v", ok)
	}

	refusal := &salesforce.RefusalError{Phase: "token", Status: 400, Code: "invalid_grant", Description: strings.Repeat("x", 5000)}
	got := profiles.TestResultOf(now, res, refusal, salesforce.Diagnose(refusal))
	if got.OK || got.Error != "invalid_grant" || got.DiagnosisStep != "" {
		t.Errorf("refusal: %+v", got)
	}
	var p profiles.Profile
	p.RecordTest(got)
	if d := p.LastTest.Description; len(d) > profiles.MaxTestText+len("…") || !strings.HasSuffix(d, "…") {
		t.Errorf("a 5000-byte server answer was kept as %d bytes", len(d))
	}
	refusal.Description = "invalid assertion"
	if got := profiles.TestResultOf(now, res, refusal, salesforce.Diagnose(refusal)); got.DiagnosisStep != "eca-cert-upload" {
		t.Errorf("diagnosis step %q", got.DiagnosisStep)
	}

	te := &salesforce.TransportError{Phase: "token", Kind: salesforce.KindTimeout, Problem: "no answer within 30s"}
	if got := profiles.TestResultOf(now, nil, te, nil); got.Error != "timeout" || !strings.Contains(got.Description, "no answer") {
		t.Errorf("transport: %+v", got)
	}
	for _, r := range []profiles.TestResult{ok, got} {
		if strings.Contains(r.Error+r.Description, "SECRET") {
			t.Error("the frontdoor URL reached the record")
		}
	}
}

func TestRecordTestMarksLiveTestOnlyOnSuccess(t *testing.T) {
	var p profiles.Profile
	p.RecordTest(profiles.TestResult{When: now, OK: false, Error: "invalid_grant"})
	if p.LastTest == nil || p.LastTest.OK || p.Checklist[IDLiveTest].Done {
		t.Fatalf("after a failure: %+v %+v", p.LastTest, p.Checklist)
	}
	p.RecordTest(profiles.TestResult{When: now, OK: true})
	if !p.LastTest.OK || !p.Checklist[IDLiveTest].Done || !p.Checklist[IDLiveTest].At.Equal(now) {
		t.Errorf("after a pass: %+v %+v", p.LastTest, p.Checklist)
	}
}

func TestScreenForEveryDiagnosisStep(t *testing.T) {
	steps := Steps()
	for id, want := range map[string]StepID{
		IDOrgLoginURL: StepOrg, IDECACertUpload: StepECA, IDECAScopes: StepECA,
		IDECAConsumerKey: StepConsumerKey, IDECAPermittedUsers: StepPermset, IDECAAppPolicies: StepPermset,
		IDKeyStore: StepKeychain, IDLiveTest: StepLiveTest,
	} {
		if got, ok := ScreenFor(steps, id); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", id, got, ok, want)
		}
	}
	for _, id := range []string{IDJWTUser, IDSystemClock} {
		if got, ok := ScreenFor(steps, id); ok {
			t.Errorf("%s is covered by %s; no screen covers it", id, got)
		}
		if name := ChecklistName(steps, id); name == id || name == "" {
			t.Errorf("%s has no name in words", id)
		}
	}
	if got := ChecklistName(steps, IDECACertUpload); got != "External Client App settings → Upload the certificate" {
		t.Errorf("name %q", got)
	}
}

func TestOpenAtGoesToTheStepAndKeepsTheTest(t *testing.T) {
	store := newStore(t)
	p := testProfile()
	p.Checklist = map[string]profiles.StepState{IDOrgLoginURL: {Done: true}}
	w := OpenAt(Steps(), store, p, clock, StepPermset)
	if w.Step().ID != StepPermset || !w.Reachable(w.Index(StepPermset)) {
		t.Fatalf("opened at %s", w.Step().ID)
	}
	if plain := Open(Steps(), store, p, clock); plain.Step().ID != StepKey {
		t.Errorf("Open resumes at %s, want the key step", plain.Step().ID)
	}
	w.NoteTest(profiles.TestResult{When: now, OK: true})
	w.Tick(IDECAScopes, true) // a save: the noted test goes with it
	saved, err := store.Get("acme")
	if err != nil || saved.LastTest == nil || !saved.LastTest.OK || !saved.Checklist[IDLiveTest].Done {
		t.Errorf("saved %+v %v", saved.LastTest, err)
	}
}

// After a new pair, the keychain keeps the old key until the Keychain step:
// a re-test must not sign with it.
func TestTestRequestRefusesTheKeyOfAnOlderCertificate(t *testing.T) {
	b, b2 := testBundles(t)
	ctx := context.Background()
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	p := testProfile()
	p.CertificatePEM = string(b2.CertPEM)
	_ = v.Put(ctx, "acme", secrets.ConsumerKey, []byte(goodConsumerKey))
	_ = v.Put(ctx, "acme", secrets.PrivateKey, b.KeyPEM)
	_, err := TestRequest(ctx, v, p, 0)
	var nr *NotReadyError
	if !errors.As(err, &nr) || !strings.Contains(nr.Problem, "belongs to an older certificate") ||
		!strings.Contains(nr.Problem, "finish the Keychain step") {
		t.Fatalf("old key, new certificate: %v", err)
	}
	p.CertificatePEM = string(b.CertPEM)
	if _, err := TestRequest(ctx, v, p, 0); err != nil {
		t.Errorf("matching key and certificate: %v", err)
	}
}
