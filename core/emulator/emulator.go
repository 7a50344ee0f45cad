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
	browsers map[string]browserSession // browser sessions (the sid cookie) a frontdoor link opened
	embed    embedding
	assets   assets
	// lastEmbed is what the auth page saw last (LastEmbedResult).
	lastEmbed EmbedResult
	log       ring
	nextUser  int
	meta      metadataState // deployed metadata and deploys (metadata.go)
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
	mfaWaiver      bool
	admin          bool // may deploy metadata and assign permission sets (config users[].admin)
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
		browsers: map[string]browserSession{},
		log:      ring{size: opts.LogSize},
	}
	e.legacy = true
	if cfg == nil {
		cfg = &Config{}
	}
	e.embed, e.assets = newEmbedding(cfg.Embedding), newAssets(cfg)
	e.load(cfg)
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
		u.active, u.apiOnly, u.mfaWaiver, u.admin = uc.IsActive(), uc.APIOnly, uc.MFAWaiver, uc.Admin
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
	cfg := &Config{
		Sandbox: e.sandbox, LegacyLoginHosts: &legacy, PermissionSets: slices.Clone(e.permSets),
		Embedding:  e.embed.config(),
		Dashboards: slices.Clone(e.assets[componentDashboard]), Metrics: slices.Clone(e.assets[componentMetric]),
		Visualizations: slices.Clone(e.assets[componentVisualization]),
	}
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
			Username: u.username, Active: &active, APIOnly: u.apiOnly, MFAWaiver: u.mfaWaiver, Admin: u.admin,
			PermissionSets: slices.Clone(u.permSets),
		})
	}
	return cfg
}
