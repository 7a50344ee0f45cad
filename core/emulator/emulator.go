// Package emulator is a local stand-in for Salesforce's token, singleaccess and
// frontdoor endpoints: the practice org of `tnjwt emulator`, and the server
// every test talks to. Its in-process API (New, UploadCertificate,
// SetUserActive, ...) is for tests and for the wizard's practice mode (still
// to come), which will flip one Setup setting at a time. It answers the way
// Salesforce does as far as public evidence shows (docs
// salesforce-jwt-spec.md), so a setup that works here works there.
package emulator

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options tunes an Emulator; zero values mean the defaults.
type Options struct {
	Now      func() time.Time // the org's clock; default time.Now
	TokenTTL time.Duration    // access token lifetime; default 2 hours
	OTPTTL   time.Duration    // frontdoor one-time link lifetime; default 5 minutes
	// BaseURL is the org's instance URL. Empty: taken from each request's
	// Host, so the answers point back at whatever address the client used.
	BaseURL string
	// OnRequest is called once per request after it is answered, e.g. to
	// print a log line. It gets the same record the request log keeps.
	OnRequest func(RequestRecord)
	LogSize   int // requests kept by Requests; default 200
}

const (
	defaultTokenTTL = 2 * time.Hour
	defaultOTPTTL   = 5 * time.Minute
	defaultLogSize  = 200
	// The stores are bounded so a long benchmark or a misbehaving client
	// cannot grow memory without limit.
	maxSessions = 100_000
	maxOTPs     = 10_000
)

// Errors of the in-process settings API.
var (
	ErrUnknownApp           = errors.New("no External Client App with that name")
	ErrUnknownUser          = errors.New("no user with that username")
	ErrUnknownPermissionSet = errors.New("no permission set with that name")
	ErrExists               = errors.New("already exists")
)

// Emulator is the practice org. It is an http.Handler; every method is safe
// for concurrent use.
type Emulator struct {
	opts Options

	mu       sync.Mutex
	sandbox  bool
	legacy   bool     // login/test are the audience; false: the My Domain is (Spring '26)
	permSets []string // in creation order
	apps     []*app
	users    []*user
	sessions map[string]session
	otps     map[string]otp
	browsers map[string]otp // browser sessions (the sid cookie) a frontdoor link opened
	log      ring
	nextUser int
}

type app struct {
	name, consumerKey string
	certPEM           string
	pub               *rsa.PublicKey
	jwtEnabled        bool
	scopes            []string
	permitted         string
	permSets          []string
	propagation       time.Duration
	changed           time.Time // start of the current propagation window
	// A replaced certificate keeps working until the upload propagates:
	// oldPub is checked instead of pub until certChanged+propagation.
	oldPub      *rsa.PublicKey
	certChanged time.Time
}

// livePub is the public key JWTs are checked against at now.
func (a *app) livePub(now time.Time) *rsa.PublicKey {
	if a.oldPub != nil && now.Before(a.certChanged.Add(a.propagation)) {
		return a.oldPub
	}
	return a.pub
}

type user struct {
	username, id15 string
	active         bool
	apiOnly        bool
	permSets       []string
}

// session is an issued access token.
type session struct {
	user    *user
	scopes  []string
	expires time.Time
}

// otp is a frontdoor one-time link.
type otp struct {
	user     *user
	startURL string
	expires  time.Time
}

// New makes a practice org from cfg (nil: an empty org with no apps or
// users). cfg should have passed LoadConfig or Validate; a certificate that
// does not parse counts as not uploaded.
func New(cfg *Config, opts Options) *Emulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = defaultTokenTTL
	}
	if opts.OTPTTL <= 0 {
		opts.OTPTTL = defaultOTPTTL
	}
	if opts.LogSize <= 0 {
		opts.LogSize = defaultLogSize
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	e := &Emulator{
		opts:     opts,
		sessions: map[string]session{},
		otps:     map[string]otp{},
		browsers: map[string]otp{},
		log:      ring{size: opts.LogSize},
	}
	e.legacy = true
	if cfg != nil {
		e.load(cfg)
	}
	return e
}

func (e *Emulator) load(cfg *Config) {
	now := e.opts.Now()
	e.sandbox = cfg.Sandbox
	if cfg.LegacyLoginHosts != nil {
		e.legacy = *cfg.LegacyLoginHosts
	}
	for _, ps := range cfg.PermissionSets {
		e.addPermSet(ps)
	}
	for _, ac := range cfg.Apps {
		a := &app{
			name: ac.Name, consumerKey: ac.ConsumerKey,
			jwtEnabled:  ac.JWTBearerEnabled,
			scopes:      slices.Clone(ac.Scopes),
			permitted:   ac.PermittedUsers,
			propagation: time.Duration(ac.PropagationSeconds) * time.Second,
			changed:     now,
		}
		if a.permitted == "" {
			a.permitted = AllSelfAuthorize
		}
		if _, pub, err := ParseCertificate([]byte(ac.Certificate)); err == nil {
			a.certPEM, a.pub = ac.Certificate, pub
		}
		for _, ps := range ac.PermissionSets {
			e.addPermSet(ps)
			a.permSets = appendUnique(a.permSets, ps)
		}
		e.apps = append(e.apps, a)
	}
	for _, uc := range cfg.Users {
		u := e.newUser(uc.Username)
		u.active, u.apiOnly = uc.IsActive(), uc.APIOnly
		for _, ps := range uc.PermissionSets {
			e.addPermSet(ps)
			u.permSets = appendUnique(u.permSets, ps)
		}
	}
}

func (e *Emulator) addPermSet(name string) {
	e.permSets = appendUnique(e.permSets, name)
}

func (e *Emulator) newUser(username string) *user {
	e.nextUser++
	u := &user{username: username, id15: userID15(e.nextUser), active: true}
	e.users = append(e.users, u)
	return u
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// OrgID is the practice org's 18-character id.
func (e *Emulator) OrgID() string { return id18(orgID15) }

// UserID returns a user's 18-character id.
func (e *Emulator) UserID(username string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(username)
	if u == nil {
		return "", false
	}
	return id18(u.id15), true
}

// Audience is the aud a legacy org expects: login.salesforce.com, or
// test.salesforce.com for a sandbox. A Spring '26 org (LegacyLoginHosts
// false) expects its own base URL instead.
func (e *Emulator) Audience() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.legacyAudience()
}

func (e *Emulator) legacyAudience() string {
	if e.sandbox {
		return TestAudience
	}
	return LoginAudience
}

func (e *Emulator) now() time.Time { return e.opts.Now() }

// findApp and findUser need e.mu held. Usernames match without regard to
// case, as Salesforce logins do.
func (e *Emulator) findApp(name string) *app {
	for _, a := range e.apps {
		if a.name == name {
			return a
		}
	}
	return nil
}

func (e *Emulator) findUser(username string) *user {
	for _, u := range e.users {
		if strings.EqualFold(u.username, username) {
			return u
		}
	}
	return nil
}

func (e *Emulator) appByKey(key string) *app {
	for _, a := range e.apps {
		if a.consumerKey == key {
			return a
		}
	}
	return nil
}

// Settings returns the org's current settings as a Config (certificates as
// PEM text), e.g. to show the practice org's state or save it.
func (e *Emulator) Settings() *Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	legacy := e.legacy
	cfg := &Config{Sandbox: e.sandbox, LegacyLoginHosts: &legacy, PermissionSets: slices.Clone(e.permSets)}
	if cfg.PermissionSets == nil {
		cfg.PermissionSets = []string{}
	}
	for _, a := range e.apps {
		cfg.Apps = append(cfg.Apps, AppConfig{
			Name: a.name, ConsumerKey: a.consumerKey, Certificate: a.certPEM,
			JWTBearerEnabled: a.jwtEnabled, Scopes: slices.Clone(a.scopes),
			PermittedUsers: a.permitted, PermissionSets: slices.Clone(a.permSets),
			PropagationSeconds: int(a.propagation / time.Second),
		})
	}
	for _, u := range e.users {
		active := u.active
		cfg.Users = append(cfg.Users, UserConfig{
			Username: u.username, Active: &active, APIOnly: u.apiOnly,
			PermissionSets: slices.Clone(u.permSets),
		})
	}
	return cfg
}

// withApp runs fn on the named app under the lock and, when fn succeeds,
// restarts the app's propagation window: Salesforce takes minutes to spread
// any app change, and answers as if the app were unknown meanwhile.
func (e *Emulator) withApp(name string, fn func(a *app) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.findApp(name)
	if a == nil {
		return fmt.Errorf("%w: %q", ErrUnknownApp, name)
	}
	if err := fn(a); err != nil {
		return err
	}
	a.changed = e.now()
	return nil
}

func (e *Emulator) withUser(username string, fn func(u *user) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(username)
	if u == nil {
		return fmt.Errorf("%w: %q", ErrUnknownUser, username)
	}
	return fn(u)
}

// AddApp creates an External Client App; its propagation window starts now.
// Certificate is the PEM text (CertificateFile is not read here), and the
// permission sets must already exist in the org.
func (e *Emulator) AddApp(ac AppConfig) error {
	if ac.CertificateFile != "" {
		return errors.New("give the certificate's PEM text in Certificate; AddApp does not read files")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	probe := Config{PermissionSets: append([]string{}, e.permSets...), Apps: []AppConfig{ac}}
	if err := probe.Validate(); err != nil {
		return err
	}
	if e.findApp(ac.Name) != nil {
		return fmt.Errorf("an app named %q %w", ac.Name, ErrExists)
	}
	if e.appByKey(ac.ConsumerKey) != nil {
		return fmt.Errorf("another app already has this consumer key: %w", ErrExists)
	}
	e.load(&Config{Sandbox: e.sandbox, Apps: probe.Apps})
	return nil
}

// UploadCertificate replaces the app's certificate (Flow Enablement →
// JWT Bearer Flow → upload). An unusable certificate changes nothing. Unlike
// other edits, the app stays known meanwhile: JWTs are checked against the
// old certificate until the change propagates, then against the new one
// (so a key rotation fails the old key only then, as on Salesforce).
func (e *Emulator) UploadCertificate(appName string, certPEM []byte) error {
	_, pub, err := ParseCertificate(certPEM)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.findApp(appName)
	if a == nil {
		return fmt.Errorf("%w: %q", ErrUnknownApp, appName)
	}
	now := e.now()
	if old := a.livePub(now); old != nil {
		a.oldPub, a.certChanged = old, now
	} else {
		a.changed = now // the first certificate: the app itself changes
	}
	a.certPEM, a.pub = string(certPEM), pub
	return nil
}

// RemoveCertificate clears the app's certificate.
func (e *Emulator) RemoveCertificate(appName string) error {
	return e.withApp(appName, func(a *app) error {
		a.certPEM, a.pub, a.oldPub = "", nil, nil
		return nil
	})
}

// SetJWTEnabled turns the app's JWT Bearer Flow on or off.
func (e *Emulator) SetJWTEnabled(appName string, on bool) error {
	return e.withApp(appName, func(a *app) error {
		a.jwtEnabled = on
		return nil
	})
}

// SetScopes replaces the app's OAuth scopes.
func (e *Emulator) SetScopes(appName string, scopes []string) error {
	for _, s := range scopes {
		if err := checkScope(s); err != nil {
			return err
		}
	}
	return e.withApp(appName, func(a *app) error {
		a.scopes = slices.Clone(scopes)
		return nil
	})
}

// SetPermittedUsers sets the app's policy: AdminApproved or AllSelfAuthorize.
func (e *Emulator) SetPermittedUsers(appName, policy string) error {
	if policy != AdminApproved && policy != AllSelfAuthorize {
		return fmt.Errorf("%q is not a permitted-users policy: use %q or %q", policy, AdminApproved, AllSelfAuthorize)
	}
	return e.withApp(appName, func(a *app) error {
		a.permitted = policy
		return nil
	})
}

// SkipPropagation makes the app's latest changes live at once, without
// counting as a change itself.
func (e *Emulator) SkipPropagation(appName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a := e.findApp(appName); a != nil {
		a.changed, a.oldPub = time.Time{}, nil
	}
}

// SetPropagation sets how long the app's changes take to reach the org.
func (e *Emulator) SetPropagation(appName string, d time.Duration) error {
	if d < 0 {
		return errors.New("the propagation delay cannot be negative")
	}
	return e.withApp(appName, func(a *app) error {
		a.propagation = d
		return nil
	})
}

// CreatePermissionSet adds a permission set to the org (no-op if it exists).
func (e *Emulator) CreatePermissionSet(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("a permission set needs a name")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addPermSet(name)
	return nil
}

// DeletePermissionSet removes a permission set from the org, from every app
// that lists it and from every user who holds it.
func (e *Emulator) DeletePermissionSet(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Contains(e.permSets, name) {
		return fmt.Errorf("%w: %q", ErrUnknownPermissionSet, name)
	}
	e.permSets = remove(e.permSets, name)
	now := e.now()
	for _, a := range e.apps {
		if slices.Contains(a.permSets, name) {
			a.permSets = remove(a.permSets, name)
			a.changed = now
		}
	}
	for _, u := range e.users {
		u.permSets = remove(u.permSets, name)
	}
	return nil
}

func remove(list []string, s string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == s })
}

// AddAppPermissionSet adds an existing permission set to the app's policies
// (App Policies → Select Permission Sets).
func (e *Emulator) AddAppPermissionSet(appName, ps string) error {
	return e.withApp(appName, func(a *app) error {
		if !slices.Contains(e.permSets, ps) {
			return fmt.Errorf("%w: %q", ErrUnknownPermissionSet, ps)
		}
		a.permSets = appendUnique(a.permSets, ps)
		return nil
	})
}

// RemoveAppPermissionSet takes a permission set off the app's policies.
func (e *Emulator) RemoveAppPermissionSet(appName, ps string) error {
	return e.withApp(appName, func(a *app) error {
		a.permSets = remove(a.permSets, ps)
		return nil
	})
}

// AssignPermissionSet assigns an existing permission set to a user.
func (e *Emulator) AssignPermissionSet(username, ps string) error {
	return e.withUser(username, func(u *user) error {
		if !slices.Contains(e.permSets, ps) {
			return fmt.Errorf("%w: %q", ErrUnknownPermissionSet, ps)
		}
		u.permSets = appendUnique(u.permSets, ps)
		return nil
	})
}

// UnassignPermissionSet removes a permission set from a user.
func (e *Emulator) UnassignPermissionSet(username, ps string) error {
	return e.withUser(username, func(u *user) error {
		u.permSets = remove(u.permSets, ps)
		return nil
	})
}

// CreateUser adds an active, not API-only user.
func (e *Emulator) CreateUser(username string) error {
	if err := checkUsername(username); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.findUser(username) != nil {
		return fmt.Errorf("a user named %q %w", username, ErrExists)
	}
	e.newUser(username)
	return nil
}

// SetUserActive activates or deactivates a user. A deactivated user's access
// tokens stop working at once.
func (e *Emulator) SetUserActive(username string, active bool) error {
	return e.withUser(username, func(u *user) error {
		u.active = active
		return nil
	})
}

// SetAPIOnly sets the user's API Only User permission, which blocks browser
// sessions (singleaccess answers Bad_OAuth_Token).
func (e *Emulator) SetAPIOnly(username string, apiOnly bool) error {
	return e.withUser(username, func(u *user) error {
		u.apiOnly = apiOnly
		return nil
	})
}

// SetLegacyLoginHosts chooses the kind of org: true, the aud must be
// login/test.salesforce.com; false (Spring '26 External Client Apps), those
// hosts get app_not_found and the aud must be the org's own URL.
func (e *Emulator) SetLegacyLoginHosts(legacy bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.legacy = legacy
}

// SetSandbox makes the org a sandbox (audience test.salesforce.com) or not.
func (e *Emulator) SetSandbox(sandbox bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sandbox = sandbox
}
