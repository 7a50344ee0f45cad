// Package profiles keeps saved org profiles: everything about an org that is
// not secret (login URL, user, certificate and its expiry, checklist
// progress, last test), so the wizard can be closed at any step and resumed,
// and an org re-tested months later. The secrets themselves (consumer key,
// private keys) live in the OS keychain through core/secrets; a profile never
// holds a secret, a token or a frontdoor URL.
//
// All profiles share one file, profiles.json, in the profiles folder:
// os.UserConfigDir()/tnjwt, or the folder named by TNJWT_CONFIG_DIR. One file
// keeps every change atomic under one lock and sidesteps file-name rules
// (case-insensitive file systems, names Windows reserves such as "CON"); an
// admin has a handful of small profiles, so rewriting the file is cheap.
// The file is mode 0600 in a 0700 folder, written atomically, and changed
// only under a lock file so two processes never lose each other's changes.
// A file that cannot be read is renamed aside (profiles.json.damaged-TIME)
// and reported, never silently replaced.
package profiles

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tnjwt/tnjwt/core/safetext"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const (
	// SchemaVersion is the format of profiles.json this code reads and writes.
	SchemaVersion = 1
	// FileName is the profiles file inside the profiles folder.
	FileName = "profiles.json"
	// EnvDir names an environment variable that overrides the profiles folder.
	EnvDir = "TNJWT_CONFIG_DIR"
	// MaxNameLen is the longest profile name, in characters.
	MaxNameLen = 64
)

// Profile is one org as the admin set it up. Names are unique ignoring case.
type Profile struct {
	SchemaVersion int    `json:"schema_version"`
	Name          string `json:"name"`
	LoginURL      string `json:"login_url"`
	Sandbox       bool   `json:"sandbox"`
	Audience      string `json:"audience,omitempty"` // override; empty: derived from the login URL
	Username      string `json:"username"`
	Practice      bool   `json:"practice,omitempty"` // set up against tnjwt's built-in practice org

	CertificatePEM string    `json:"certificate_pem,omitempty"` // public; empty when none was given
	Fingerprint    string    `json:"fingerprint,omitempty"`     // SHA-256, colon hex
	CertNotAfter   time.Time `json:"cert_not_after,omitzero"`
	// LightningURL is the org's Lightning address (the SDK's orgUrl), as
	// the last passing test learned it from instance_url.
	LightningURL string `json:"lightning_url,omitempty"`
	// WorkingAudience is the JWT aud of the last passing test: tests and
	// exports use it first (Audience, an override, still wins).
	WorkingAudience string `json:"working_audience,omitempty"`
	// InstanceURL is the org's own address (its My Domain) from the last
	// passing test: offered when a legacy login host stops working.
	InstanceURL string `json:"instance_url,omitempty"`

	// Pending is the certificate of a new key that a rotation staged (its
	// key is the keychain's pending private key) until a test passes with it.
	Pending *KeyCert `json:"pending,omitempty"`
	// Previous is the certificate the last rotation or rollback replaced; its
	// key stays in the keychain (previous private key) until discarded.
	Previous *KeyCert `json:"previous,omitempty"`

	// Embedding is what the app's web pages need from the org: the origins
	// it must trust, and the dashboard the preview embeds.
	Embedding *Embedding `json:"embedding,omitempty"`

	// LastStep is the wizard step the admin was on last, where Continue
	// takes them back to.
	LastStep string `json:"last_step,omitempty"`

	Checklist map[string]StepState `json:"checklist,omitempty"` // by checklist id (docs/cli.md)
	LastTest  *TestResult          `json:"last_test,omitempty"`
	Created   time.Time            `json:"created"`
	Updated   time.Time            `json:"updated"`
}

// KeyCert is the public half of a staged or previous key: its certificate.
type KeyCert struct {
	CertificatePEM string    `json:"certificate_pem"`
	Fingerprint    string    `json:"fingerprint"`
	NotAfter       time.Time `json:"not_after"`
	Since          time.Time `json:"since"` // when it was staged or set aside
	// LastTest is a pending key's last failed test; the current key's own
	// last test stays in Profile.LastTest.
	LastTest *TestResult `json:"last_test,omitempty"`
}

// Embedding is the web side of an org's setup. The origins are as
// embedding.ParseOrigin writes them; a hand-edited file may hold anything,
// so users check them again.
type Embedding struct {
	ProductionOrigin  string `json:"production_origin,omitempty"`
	DevelopmentOrigin string `json:"development_origin,omitempty"`
	PreviewDashboard  string `json:"preview_dashboard,omitempty"`
}

// Origins lists the origins given, production first.
func (e *Embedding) Origins() []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, o := range []string{e.ProductionOrigin, e.DevelopmentOrigin} {
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// StepState is the progress of one checklist step.
type StepState struct {
	Done bool      `json:"done"`
	At   time.Time `json:"at,omitzero"`
}

// TestResult is the outcome of the last live test. It never holds the access
// token or the frontdoor URL.
type TestResult struct {
	When           time.Time          `json:"when"`
	OK             bool               `json:"ok"`
	Error          string             `json:"error,omitempty"`
	Description    string             `json:"error_description,omitempty"`
	DiagnosisStep  string             `json:"diagnosis_step,omitempty"`
	TimingsMS      map[string]float64 `json:"timings_ms,omitempty"`
	LightningURL   string             `json:"lightning_url,omitempty"` // a pass's instance, as the SDK's orgUrl
	Audience       string             `json:"audience,omitempty"`      // the aud of the final answer
	AudiencesTried []string           `json:"audiences_tried,omitempty"`
	InstanceURL    string             `json:"instance_url,omitempty"` // a pass's instance_url: the org's My Domain
}

// MyDomainOffer is the org's own address an earlier passing test learned,
// when err says its legacy login host (login or test.salesforce.com) no
// longer reaches the app (app_not_found); "" otherwise.
func (p Profile) MyDomainOffer(err error) string {
	var re *salesforce.RefusalError
	if p.InstanceURL == "" || !errors.As(err, &re) || !strings.EqualFold(re.Code, "app_not_found") {
		return ""
	}
	l, perr := salesforce.ParseLoginURL(p.LoginURL)
	if perr != nil || (l.Kind != salesforce.Production && l.Kind != salesforce.Sandbox) {
		return ""
	}
	own, perr := salesforce.ParseLoginURL(p.InstanceURL)
	if perr != nil || (own.Kind != salesforce.MyDomain && own.Kind != salesforce.MyDomainSandbox && own.Kind != salesforce.Loopback) {
		return ""
	}
	return own.URL
}

// TestResultOf is what a finished exchange leaves in a profile: when, whether
// it worked, the server's words or the transport fault, the diagnosis step
// and the timings. Never the frontdoor URL or a token: res is read for its
// timings only.
func TestResultOf(when time.Time, res *salesforce.Result, err error, d *salesforce.Diagnosis) TestResult {
	r := TestResult{When: when, OK: err == nil}
	if res != nil {
		r.TimingsMS = res.Timings.MS()
		r.Audience, r.AudiencesTried = res.Audience, res.AudiencesTried
		if err == nil {
			r.LightningURL, r.InstanceURL = res.LightningURL, res.InstanceURL
		}
	}
	r.Error, r.Description = salesforce.ErrorFields(err)
	if d != nil {
		r.DiagnosisStep = d.Step
	}
	return r
}

// MaxTestText bounds the server text kept from a test, so a server that
// answers with a whole HTML page cannot bloat the profiles file.
const MaxTestText = 1000

// liveTestStep is the checklist id a passing test ticks (docs/cli.md).
const liveTestStep = "live-test"

// RecordTest makes r the profile's last test, its server text clipped to
// MaxTestText; a passing test also ticks the live-test checklist step.
func (p *Profile) RecordTest(r TestResult) {
	// Server text reaches terminals (profile list/show) and the window from
	// here: no control characters or escape sequences.
	r.Error, r.Description = clipText(safetext.Clean(r.Error)), clipText(safetext.Clean(r.Description))
	p.LastTest = &r
	if r.OK {
		if p.Checklist == nil {
			p.Checklist = map[string]StepState{}
		}
		p.Checklist[liveTestStep] = StepState{Done: true, At: r.When}
		if r.LightningURL != "" {
			p.LightningURL = r.LightningURL
		}
		if r.Audience != "" {
			p.WorkingAudience = r.Audience
		}
		if r.InstanceURL != "" {
			p.InstanceURL = r.InstanceURL
		}
	}
}

// RecordFailure keeps a pending key's failed test, its server text cleaned
// as RecordTest does.
func (k *KeyCert) RecordFailure(r TestResult) {
	var q Profile
	q.RecordTest(r)
	k.LastTest = q.LastTest
}

func clipText(s string) string {
	if len(s) <= MaxTestText {
		return s
	}
	cut := MaxTestText
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 character
		cut--
	}
	return s[:cut] + "…"
}

// ErrNotFound and ErrExists are wrapped by the errors about a missing or an
// already existing profile.
var (
	ErrNotFound = errors.New("no such profile")
	ErrExists   = errors.New("profile already exists")
)

// DamagedError reports a profiles file that could not be read. The file was
// renamed to Aside (empty if even that failed) and nothing was written.
type DamagedError struct {
	Path, Aside string
	Err         error
}

func (e *DamagedError) Error() string {
	if e.Aside == "" {
		return fmt.Sprintf("The profiles file %s is damaged (%v) and could not be moved aside. "+
			"Move or repair it by hand; tnjwt will not write over it.", e.Path, e.Err)
	}
	// Moving the copy back comes first: it brings every profile back, and the
	// secrets in the keychain still belong to them. Setting each org up again
	// is the fallback, and needs no key file.
	return fmt.Sprintf("The profiles file %s was damaged (%v). It was kept as %s, and tnjwt now starts with no profiles. "+
		"To get them back, repair the kept copy (it is JSON text) and move it back to %s (replacing any profile saved since); "+
		"the consumer keys and private keys are still in the %s. "+
		"If it cannot be repaired, set each org up again in the wizard.", e.Path, e.Err, e.Aside, e.Path, secrets.Location())
}

func (e *DamagedError) Unwrap() error { return e.Err }

// DefaultDir is the profiles folder: $TNJWT_CONFIG_DIR when set, otherwise
// os.UserConfigDir()/tnjwt (~/.config/tnjwt on Linux, ~/Library/Application
// Support/tnjwt on macOS, %AppData%\tnjwt on Windows).
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Clean(d), nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find your user settings folder (%v); set %s to a folder for tnjwt's profiles", err, EnvDir)
	}
	return filepath.Join(base, "tnjwt"), nil
}

// ValidateName checks a profile name: 1 to 64 letters, digits, spaces, '-',
// '_' or '.', not starting or ending with a space.
func ValidateName(name string) error {
	if !utf8.ValidString(name) {
		return errors.New("the profile name is not valid text")
	}
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return errors.New("the profile needs a name, for example the org's My Domain name")
	case n > MaxNameLen:
		return fmt.Errorf("the profile name is %d characters long; use at most %d", n, MaxNameLen)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("the profile name %q starts or ends with a space; remove it", name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_.", r) {
			return fmt.Errorf("the profile name %q contains %q; use only letters, digits, spaces, '-', '_' and '.'", name, r)
		}
	}
	return nil
}

// Clone returns a copy of p that shares no maps or pointers with it.
func (p Profile) Clone() Profile {
	if p.Checklist != nil {
		c := make(map[string]StepState, len(p.Checklist))
		for k, v := range p.Checklist {
			c[k] = v
		}
		p.Checklist = c
	}
	if p.LastTest != nil {
		t := *p.LastTest
		if t.TimingsMS != nil {
			m := make(map[string]float64, len(t.TimingsMS))
			for k, v := range t.TimingsMS {
				m[k] = v
			}
			t.TimingsMS = m
		}
		t.AudiencesTried = slices.Clone(t.AudiencesTried)
		p.LastTest = &t
	}
	p.Pending, p.Previous = p.Pending.clone(), p.Previous.clone()
	if p.Embedding != nil {
		e := *p.Embedding
		p.Embedding = &e
	}
	return p
}

func (k *KeyCert) clone() *KeyCert {
	if k == nil {
		return nil
	}
	c := *k
	if k.LastTest != nil {
		t := *k.LastTest
		t.TimingsMS = maps.Clone(t.TimingsMS)
		t.AudiencesTried = slices.Clone(t.AudiencesTried)
		c.LastTest = &t
	}
	return &c
}
