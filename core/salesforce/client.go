package salesforce

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// JWTBearerGrant is the grant_type of the token request.
const JWTBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// RetryInterval is the pause between tries while a new or edited app
// propagates. The admin waits on screen for the app to go live, so tnjwt
// polls steadily rather than backing off: success shows within about
// RetryInterval of the moment Salesforce starts accepting the app, and the
// token endpoint sees at most one request per interval.
const RetryInterval = 2 * time.Second

// Request is one test exchange.
type Request struct {
	LoginURL string // as typed; ParseLoginURL rules apply
	ClientID string // the consumer key (JWT iss)
	Username string // the run-as user (JWT sub)
	Audience string // override: only this audience is tried
	// Remembered is the audience that last worked for this org; with no
	// override it is tried first (see Audiences).
	Remembered   string
	RedirectPath string // optional redirect_uri for singleaccess: a path in the org
	Sandbox      bool
	Key          *rsa.PrivateKey
	// Wait is the budget for retrying invalid_client_id while a new or edited
	// app propagates. Zero means one attempt.
	Wait time.Duration
	// NewCertificate says the app's certificate was just replaced (a key
	// rotation): until the upload propagates, Salesforce still checks the
	// old one, so "invalid assertion" is retried within Wait too.
	NewCertificate bool
	OnAttempt      func(Attempt)
	// OnPhase hears each phase (sign, token, singleaccess) start and end, as
	// it happens, so a front end can draw a timeline. It runs on the
	// exchange's goroutine and must not block.
	OnPhase func(PhaseEvent)
}

// PhaseEvent is one phase of one attempt starting (Done false) or ending
// (Done true, with its time and error).
type PhaseEvent struct {
	Attempt int
	Phase   string // PhaseSign, PhaseToken or PhaseSingleAccess
	Done    bool
	Took    time.Duration
	Err     error
}

// Attempt reports one try of the exchange. Next is the pause before the next
// try, or zero when there will be none. Audience, when set, is the other
// audience the next try uses at once, because this one was refused as the
// wrong audience.
type Attempt struct {
	N        int
	Err      error
	Next     time.Duration
	Audience string
}

// wrongAudience reports a token refusal that another audience may cure:
// app_not_found (a Spring '26 External Client App asked through a legacy
// host or audience) or "audience is invalid" (an older org asked with its
// My Domain as the audience).
func wrongAudience(err error) bool {
	var re *RefusalError
	if !errors.As(err, &re) || re.Phase != PhaseToken {
		return false
	}
	return strings.EqualFold(re.Code, "app_not_found") ||
		strings.EqualFold(re.Code, "invalid_grant") && strings.Contains(strings.ToLower(re.Description), "audience is invalid")
}

// Client runs exchanges. Timeout bounds each attempt (sign + token +
// singleaccess); the propagation wait comes on top of it.
type Client struct {
	HTTP    *http.Client
	Timeout time.Duration
	Now     func() time.Time // the clock the assertion's exp is taken from
	// Sleep pauses between attempts and must return early with ctx.Err()
	// when ctx ends. Nil means a real timer; tests pass a fake.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Timings of the last attempt's phases; Total is the whole Exchange call,
// waits included.
type Timings struct {
	Sign, Token, SingleAccess, Total time.Duration
}

// MS gives the timings in milliseconds (one decimal) by phase name, leaving
// out phases that did not run.
func (t Timings) MS() map[string]float64 {
	m := map[string]float64{"total": ms(t.Total)}
	for name, d := range map[string]time.Duration{PhaseSign: t.Sign, PhaseToken: t.Token, PhaseSingleAccess: t.SingleAccess} {
		if d > 0 {
			m[name] = ms(d)
		}
	}
	return m
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*10) / 10
}

// Result is what a test exchange learned. It holds no access token.
// FrontdoorURI is a single-use credential: show it, never log it.
type Result struct {
	LoginURL, Audience                       string   // Audience: the one the final answer came with
	AudiencesTried                           []string // in order; two when the first was refused as the wrong audience
	InstanceURL, LightningURL, OrgID, UserID string
	Scope                                    string
	FrontdoorURI                             string
	Attempts                                 int
	Timings                                  Timings
	Sent                                     *Sent // the last assertion signed, decoded; nil when none was
}

// Sent is what the token request carried, decoded, for the admin to compare
// with Setup. The signature and the assertion itself stay out: for three
// minutes the assertion is as good as a password.
type Sent struct {
	Alg, Typ      string // the JWT header
	Iss, Sub, Aud string // the claims: consumer key, username, audience
	Exp           time.Time
	TokenEndpoint string
}

// NewClient makes a client that honours HTTPS_PROXY / NO_PROXY, trusts the
// system roots, speaks TLS 1.2 or later, and never follows redirects.
func NewClient(timeout time.Duration) *Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   15 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &Client{
		HTTP:    &http.Client{Transport: tr, CheckRedirect: noRedirects},
		Timeout: timeout,
		Now:     time.Now,
	}
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Exchange signs the assertion, gets an access token and turns it into a
// frontdoor URL. Errors are *InputError (nothing was sent), *RefusalError
// (see Diagnose) or *TransportError. The Result is never nil: on failure it
// holds what was learned so far (login URL, audience, attempts, timings).
func (c *Client) Exchange(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	res := &Result{}
	login, err := r.check()
	if err != nil {
		return res, err
	}
	res.LoginURL = login.URL
	candidates := Audiences(login, r.Sandbox, r.Audience, r.Remembered)
	res.Audience, res.AudiencesTried = candidates[0], candidates[:1]
	begin := c.now()
	for n := 1; ; n++ {
		res.Attempts = n
		err = c.attempt(ctx, n, r, login, res)
		res.Timings.Total = time.Since(start)
		if len(res.AudiencesTried) < len(candidates) && wrongAudience(err) {
			// Discovery: the other kind of org. One more token request, at once.
			res.Audience = candidates[len(res.AudiencesTried)]
			res.AudiencesTried = candidates[:len(res.AudiencesTried)+1]
			if r.OnAttempt != nil {
				r.OnAttempt(Attempt{N: n, Err: err, Audience: res.Audience})
			}
			continue
		}
		next, retry := c.retryDelay(begin, r, err)
		if r.OnAttempt != nil {
			r.OnAttempt(Attempt{N: n, Err: err, Next: next})
		}
		if !retry {
			var re *RefusalError
			if errors.As(err, &re) {
				re.Attempts, re.Waited = n, c.now().Sub(begin)
			}
			return res, err
		}
		if serr := c.sleep(ctx, next); serr != nil {
			res.Timings.Total = time.Since(start)
			return res, &TransportError{Phase: PhaseToken, Kind: KindCancelled,
				Problem: "stopped while waiting for the app's settings to propagate", Err: serr}
		}
	}
}

// check refuses a request that cannot be sent; nothing goes out.
func (r Request) check() (LoginURL, error) {
	login, err := ParseLoginURL(r.LoginURL)
	if err != nil {
		return LoginURL{}, err
	}
	if err := CheckKey(r.Key); err != nil {
		return LoginURL{}, err
	}
	if strings.TrimSpace(r.ClientID) == "" {
		return LoginURL{}, &InputError{Problem: "the consumer key is empty", Hint: consumerKeyWhere}
	}
	if strings.TrimSpace(r.Username) == "" {
		return LoginURL{}, &InputError{Problem: "the username is empty"}
	}
	if r.Audience != "" {
		if _, err := CheckAudience(r.Audience); err != nil {
			return LoginURL{}, err
		}
	}
	if _, err := CheckRedirect(r.RedirectPath); err != nil {
		return LoginURL{}, err
	}
	return login, nil
}

// retryDelay decides whether attempt n's error is worth another try: only
// invalid_client_id (a new or edited app still propagating), and only while
// the next try still starts inside the wait budget.
func (c *Client) retryDelay(begin time.Time, r Request, err error) (time.Duration, bool) {
	if r.Wait <= 0 || !propagating(r, err) {
		return 0, false
	}
	if c.now().Sub(begin)+RetryInterval > r.Wait {
		return 0, false
	}
	return RetryInterval, true
}

// propagating reports a refusal that a change still on its way explains: an
// app Salesforce does not know yet, or a new certificate it does not check yet.
func propagating(r Request, err error) bool {
	var re *RefusalError
	if !errors.As(err, &re) || re.Phase != PhaseToken {
		return false
	}
	if strings.EqualFold(re.Code, "invalid_client_id") {
		return true
	}
	return r.NewCertificate && strings.EqualFold(re.Code, "invalid_grant") && strings.EqualFold(re.Description, "invalid assertion")
}

// attempt runs sign → token → singleaccess once, under the client timeout.
func (c *Client) attempt(ctx context.Context, n int, r Request, login LoginURL, res *Result) error {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	phase := phaseTimer{r: r, n: n}
	var assertion string
	now := c.now()
	iss, sub := strings.TrimSpace(r.ClientID), strings.TrimSpace(r.Username)
	err := phase.run(PhaseSign, &res.Timings.Sign, func() (err error) {
		assertion, err = SignAssertion(r.Key, iss, sub, res.Audience, now)
		return err
	})
	if err != nil {
		return err
	}
	res.Sent = &Sent{Alg: "RS256", Typ: "JWT", Iss: iss, Sub: sub, Aud: res.Audience,
		Exp: time.Unix(now.Add(AssertionLifetime).Unix(), 0), TokenEndpoint: login.URL + "/services/oauth2/token"}

	var tok *tokenReply
	err = phase.run(PhaseToken, &res.Timings.Token, func() (err error) {
		tok, err = c.token(ctx, login, assertion, iss)
		return err
	})
	if err != nil {
		var re *RefusalError
		if errors.As(err, &re) {
			re.LoginURL, re.Audience, re.Sandbox = login.URL, res.Audience, r.Sandbox || login.Sandbox
		}
		return err
	}
	res.InstanceURL, res.Scope = tok.instance, tok.scope
	res.OrgID, res.UserID = tok.orgID, tok.userID
	res.LightningURL, _ = LightningURL(tok.instance) // empty when it cannot be told; the CLI says so

	var fd string
	err = phase.run(PhaseSingleAccess, &res.Timings.SingleAccess, func() (err error) {
		fd, err = c.singleAccess(ctx, tok, r.RedirectPath, iss)
		return err
	})
	if err != nil {
		return err
	}
	res.FrontdoorURI = fd
	return nil
}

// phaseTimer times one phase into its Timings field and tells OnPhase.
type phaseTimer struct {
	r Request
	n int
}

func (p phaseTimer) run(name string, took *time.Duration, fn func() error) error {
	if p.r.OnPhase != nil {
		p.r.OnPhase(PhaseEvent{Attempt: p.n, Phase: name})
	}
	t := time.Now()
	err := fn()
	*took = time.Since(t)
	if p.r.OnPhase != nil {
		p.r.OnPhase(PhaseEvent{Attempt: p.n, Phase: name, Done: true, Took: *took, Err: err})
	}
	return err
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// httpClient is c.HTTP with redirects never followed, whatever the caller's
// client says: a redirected token POST is reported, not chased.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	if hc.Transport == nil {
		hc.Transport = defaultTransport()
	}
	hc.CheckRedirect = noRedirects
	hc.Timeout = 0 // the context carries the deadline
	return &hc
}

// defaultTransport serves clients built without NewClient, shared so idle
// connections are reused rather than leaked.
var defaultTransport = sync.OnceValue(func() http.RoundTripper { return NewClient(0).HTTP.Transport })

func (c *Client) timeoutText() string {
	if c.Timeout <= 0 {
		return ""
	}
	return " within " + PlainDuration(c.Timeout)
}
