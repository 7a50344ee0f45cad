package wizard

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// Checklist ids of docs/cli.md that no screen's items are: jwt-user and
// system-clock name things outside the app's settings, so a diagnosis
// pointing at them has no screen to open; live-test is the Live test
// screen's own item, ticked by a passing test.
const (
	IDJWTUser     = "jwt-user"
	IDSystemClock = "system-clock"
	IDLiveTest    = "live-test"
)

// RetestWait is how long the window keeps retrying invalid_client_id while a
// new or edited External Client App propagates (issue 3: the GUI offers 10
// minutes; the command line defaults to none).
const RetestWait = 10 * time.Minute

// NotReadyError says why a saved profile cannot be tested yet: something the
// setup walk still has to do. Nothing was sent.
type NotReadyError struct {
	Problem string // a sentence for the admin: what is missing, then what to do
	Secrets bool   // the consumer key or private key is not in the keychain
	toDo    string // the end of Problem that says what to do
}

func (e *NotReadyError) Error() string { return e.Problem }

// WhatToDo is the part of Problem that says what to do, as a sentence of its
// own (problem.Remedied). In Problem it may follow a colon in lower case.
func (e *NotReadyError) WhatToDo() string {
	if e.toDo == "" {
		return ""
	}
	return strings.ToUpper(e.toDo[:1]) + e.toDo[1:] // each toDo starts with an ASCII letter
}

// notReady is the NotReadyError whose sentence is wrong followed by toDo.
func notReady(wrong, toDo string) *NotReadyError {
	return &NotReadyError{Problem: wrong + toDo, toDo: toDo}
}

// secretsMissing is notReady for a consumer key or private key not in the
// keychain.
func secretsMissing(wrong, toDo string) *NotReadyError {
	e := notReady(wrong, toDo)
	e.Secrets = true
	return e
}

// What to do about an unreadable key or certificate, and about a broken
// rotation: the same words wherever it happens.
const (
	newPair     = "On the Key and certificate step, make a new key and certificate, upload the certificate again and store the new key."
	rotateAgain = "abandon this rotation on the Welcome screen and rotate again."
)

// badConsumerKey refuses a stored consumer key CheckConsumerKey refused
// with err.
func badConsumerKey(profile string, err error) *NotReadyError {
	return notReady("The consumer key stored for "+profile+" can't be used: "+Sentence(err.Error())+" ",
		"Paste it again on the Consumer key step.")
}

// TestRequest builds the live test of a saved profile: the org details from
// the profile, the consumer key and private key from the keychain. Errors
// are *NotReadyError (finish the setup first) or the keychain's own
// (*secrets.Error, with its remedy). wait is the propagation budget.
func TestRequest(ctx context.Context, v Vault, p profiles.Profile, wait time.Duration) (salesforce.Request, error) {
	if p.LoginURL == "" || p.Username == "" {
		return salesforce.Request{}, notReady(p.Name+" has no login URL or username yet: ", "finish the Your org step first.")
	}
	login, err := salesforce.ParseLoginURL(p.LoginURL)
	if err != nil {
		return salesforce.Request{}, notReady("The saved login URL can't be used: "+Sentence(err.Error())+" ", "Fix it on the Your org step.")
	}
	ck, err := readSecret(ctx, v, p.Name, secrets.ConsumerKey)
	if err != nil {
		return salesforce.Request{}, err
	}
	if p.Pending != nil {
		return pendingRequest(ctx, v, p, login, string(ck), wait)
	}
	keyPEM, err := readSecret(ctx, v, p.Name, secrets.PrivateKey)
	if err != nil {
		return salesforce.Request{}, err
	}
	key, err := certs.ParsePrivateKey(keyPEM)
	if err != nil {
		return salesforce.Request{}, notReady("The private key stored for "+p.Name+" can't be read. ", newPair)
	}
	if err := keyFitsCertificate(keyPEM, p); err != nil {
		return salesforce.Request{}, err
	}
	clientID, _, err := salesforce.CheckConsumerKey(string(ck))
	if err != nil {
		return salesforce.Request{}, badConsumerKey(p.Name, err)
	}
	return salesforce.Request{
		LoginURL: login.URL, ClientID: clientID, Username: p.Username, Audience: p.Audience, Remembered: p.WorkingAudience,
		Sandbox: p.Sandbox || login.Sandbox, Key: key, Wait: wait,
	}, nil
}

// pendingRequest tests the new key of a rotation in progress, retrying
// "invalid assertion" too while its certificate propagates.
func pendingRequest(ctx context.Context, v Vault, p profiles.Profile, login salesforce.LoginURL, ck string, wait time.Duration) (salesforce.Request, error) {
	keyPEM, err := v.Get(ctx, p.Name, secrets.PendingPrivateKey)
	if notFound(err) {
		return salesforce.Request{}, secretsMissing("The new key of "+p.Name+"'s rotation isn't in your "+secrets.Location()+": ", rotateAgain)
	}
	if err != nil {
		return salesforce.Request{}, err
	}
	b, err := certs.Load(keyPEM, []byte(p.Pending.CertificatePEM))
	if err != nil {
		return salesforce.Request{}, notReady("The new key of "+p.Name+"'s rotation doesn't match its certificate: ", rotateAgain)
	}
	clientID, _, err := salesforce.CheckConsumerKey(ck)
	if err != nil {
		return salesforce.Request{}, badConsumerKey(p.Name, err)
	}
	return salesforce.Request{
		LoginURL: login.URL, ClientID: clientID, Username: p.Username, Audience: p.Audience, Remembered: p.WorkingAudience,
		Sandbox: p.Sandbox || login.Sandbox, Key: b.Key, Wait: wait, NewCertificate: true,
	}, nil
}

// keyFitsCertificate refuses a stored key that is not the profile's
// certificate's: after a new pair is made the keychain still holds the old
// key until the Keychain step, and testing with it would test the old pair.
func keyFitsCertificate(keyPEM []byte, p profiles.Profile) error {
	if p.CertificatePEM == "" {
		return nil // imported without a certificate: nothing to check against
	}
	if _, err := certs.ParseCertificate([]byte(p.CertificatePEM)); err != nil {
		return notReady("The certificate saved in "+p.Name+" can't be read. ", newPair)
	}
	if _, err := certs.Load(keyPEM, []byte(p.CertificatePEM)); err != nil {
		return notReady("The private key in your "+secrets.Location()+" belongs to an older certificate of "+p.Name+": ",
			"finish the Keychain step to store the new one.")
	}
	return nil
}

func readSecret(ctx context.Context, v Vault, profile string, purpose secrets.Purpose) ([]byte, error) {
	b, err := v.Get(ctx, profile, purpose)
	if notFound(err) {
		return nil, secretsMissing("The consumer key and private key of "+profile+" aren't in your "+secrets.Location()+" yet: ",
			"the setup stores them on its last step, Keychain.")
	}
	return b, err
}

// Cancelled reports an error that only says the person stopped the test (or
// the keychain read before it).
func Cancelled(err error) bool {
	return salesforce.Cancelled(err) || secrets.KindOf(err) == secrets.Canceled || errors.Is(err, context.Canceled)
}

// NoteTest records a test of this wizard's profile that the store already
// holds, so the wizard's next save keeps it rather than writing over it.
func (w *Wizard) NoteTest(r profiles.TestResult) {
	w.st.Profile.RecordTest(r)
}

// RecordTest records a live test run on the Live test screen and saves it.
func (w *Wizard) RecordTest(r profiles.TestResult) {
	w.st.Profile.RecordTest(r)
	w.save()
}

// ScreenFor finds the screen whose checklist covers a checklist id; false for
// ids no screen covers (jwt-user, system-clock, live-test).
func ScreenFor(steps []Step, id string) (StepID, bool) {
	for _, s := range steps {
		for _, it := range s.Items {
			if it.ID == id {
				return s.ID, true
			}
		}
	}
	return "", false
}

// ChecklistName is a checklist id in words, for a diagnosis: the item's
// label and its screen, or what the id is about when no screen covers it.
func ChecklistName(steps []Step, id string) string {
	for _, s := range steps {
		for _, it := range s.Items {
			if it.ID == id {
				return s.Title + " → " + it.Label
			}
		}
	}
	switch id {
	case IDJWTUser:
		return "The JWT subject user (Setup → Users)"
	case IDSystemClock:
		return "This computer's clock"
	case IDLiveTest:
		return "The live test"
	}
	return strings.TrimSpace(id)
}

// OpenAt resumes p at the step with the given id, e.g. the one a failed
// live test points at, whatever the resume point would be. The steps
// before it need not be done: the person is sent there to fix something.
func OpenAt(steps []Step, store Store, p profiles.Profile, now func() time.Time, id StepID) *Wizard {
	w := Open(steps, store, p, now)
	if i := w.Index(id); i > 0 {
		w.cur = i
		w.reached = max(w.reached, i)
	}
	return w
}

// Blame picks the checklist item a diagnosis points at for p: the first of
// d.Step and d.Also that p has not ticked, since Salesforce answers their
// absence in the same words; d.Step when all are ticked.
func Blame(p profiles.Profile, d *salesforce.Diagnosis) string {
	for _, id := range append([]string{d.Step}, d.Also...) {
		if !p.Checklist[id].Done {
			return id
		}
	}
	return d.Step
}

// UseMyDomain switches the profile's login URL to its My Domain.
func (w *Wizard) UseMyDomain(url string) OrgCheck {
	d := w.st.Draft
	d.Type, d.URL = OrgMyDomain, url
	return w.SetOrg(d)
}
