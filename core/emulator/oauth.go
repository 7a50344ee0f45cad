package emulator

import (
	"crypto/rsa"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// appView is what the token endpoint needs of an app, copied under the lock.
type appView struct {
	pub        *rsa.PublicKey
	jwtEnabled bool
	scopes     []string
	permitted  string
	permSets   []string
	legacy     bool   // the org accepts login/test as aud
	legacyAud  string // login.salesforce.com, or test for a sandbox
}

// audienceFor is the aud the app's org accepts from a request to base.
func (v appView) audienceFor(base string) string {
	if v.legacy {
		return v.legacyAud
	}
	return base
}

// serveToken runs the checks in the order Salesforce appears to (issue 4):
// grant type, JWS shape, issuer, propagation, signature, audience, expiry,
// user, approval.
func (e *Emulator) serveToken(x *exchange) {
	if x.r.Method != http.MethodPost {
		x.oauthError(http.StatusBadRequest, "invalid_request", "must use HTTP POST")
		return
	}
	if !isForm(x.r) {
		x.oauthError(http.StatusBadRequest, "unsupported_grant_type", descBadGrant)
		return
	}
	if err := x.parseForm(); err != nil {
		if tooLarge(err) {
			x.oauthError(http.StatusRequestEntityTooLarge, "invalid_request", "request body too large")
			return
		}
		x.oauthError(http.StatusBadRequest, "unsupported_grant_type", descBadGrant)
		return
	}
	if x.r.Form.Get("grant_type") != jwtBearerGrant {
		x.oauthError(http.StatusBadRequest, "unsupported_grant_type", descBadGrant)
		return
	}
	a, ok := parseAssertion(x.r.Form.Get("assertion"))
	if !ok {
		x.invalidGrant(descBadAssertion)
		return
	}
	x.rec.Header, x.rec.Claims = a.logView()
	iss, _ := a.claims["iss"].(string)
	app, ok := e.appFor(iss, x.now)
	if !ok {
		x.oauthError(http.StatusBadRequest, "invalid_client_id", descBadClient)
		return
	}
	if !app.legacy && isLegacyHost(a.claims["aud"]) {
		// Spring '26: an External Client App is not reachable through the
		// legacy login hosts at all.
		x.oauthError(http.StatusBadRequest, "app_not_found", descAppNotFound)
		return
	}
	if !app.jwtEnabled || !a.verify(app.pub) {
		x.invalidGrant(descBadAssertion)
		return
	}
	if !audienceOK(a.claims["aud"], app.audienceFor(e.baseURL(x.r))) {
		x.invalidGrant(descAudience)
		return
	}
	if !expOK(a.claims["exp"], x.now) {
		x.invalidGrant(descExpired)
		return
	}
	username := subject(a.claims)
	x.rec.User = username
	token := orgID15 + "!" + randomToken(72)
	u, problem := e.grant(app, username, token, x.now)
	if problem != "" {
		x.invalidGrant(problem)
		return
	}
	base := e.baseURL(x.r)
	x.writeJSON(http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		InstanceURL string `json:"instance_url"`
		ID          string `json:"id"`
		TokenType   string `json:"token_type"`
	}{token, strings.Join(app.scopes, " "), base, base + "/id/" + id18(orgID15) + "/" + id18(u.id15), "Bearer"})
}

// appFor finds the app whose consumer key is iss. An app inside its
// propagation window is not known yet, as on Salesforce.
func (e *Emulator) appFor(iss string, now time.Time) (appView, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.appByKey(iss)
	if iss == "" || a == nil || now.Before(a.changed.Add(a.propagation)) {
		return appView{}, false
	}
	return appView{
		pub: a.livePub(now), jwtEnabled: a.jwtEnabled,
		scopes: slices.Clone(a.scopes), permitted: a.permitted,
		permSets: slices.Clone(a.permSets), legacy: e.legacy, legacyAud: e.legacyAudience(),
	}, true
}

// grant checks the user and the app's approval rules and, when they pass,
// stores token as a session. problem is the error_description otherwise.
func (e *Emulator) grant(app appView, username, token string, now time.Time) (*user, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(username)
	switch {
	case username == "" || u == nil:
		// Salesforce does not reveal whether a username exists.
		return nil, descNotApproved
	case !u.active:
		return nil, descInactive
	case !approved(app, u):
		return nil, descNotApproved
	}
	e.storeSession(token, session{user: u, scopes: app.scopes, expires: now.Add(e.opts.TokenTTL)}, now)
	return u, ""
}

// approved mirrors Salesforce's rule: the JWT flow only honours an earlier
// approval that included a refresh token. The emulator has no interactive
// login, so only an admin pre-authorisation through one of the app's
// permission sets counts, and only when the app offers refresh_token.
func approved(app appView, u *user) bool {
	if app.permitted != AdminApproved {
		return false
	}
	if !slices.ContainsFunc(u.permSets, func(ps string) bool { return slices.Contains(app.permSets, ps) }) {
		return false
	}
	return hasScope(app.scopes, "refresh_token", "offline_access")
}

func hasScope(scopes []string, wanted ...string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(wanted, s) })
}

func (e *Emulator) storeSession(token string, s session, now time.Time) {
	evict(e.sessions, maxSessions, now, func(v session) time.Time { return v.expires })
	e.sessions[token] = s
}

// evict makes room in a full store: it drops expired entries and, if that
// is not enough, arbitrary ones down to 90% of the limit, so memory stays
// bounded and a full store is not rescanned on every insert.
func evict[V any](m map[string]V, limit int, now time.Time, expires func(V) time.Time) {
	if len(m) < limit {
		return
	}
	for k, v := range m {
		if !now.Before(expires(v)) {
			delete(m, k)
		}
	}
	target := limit * 9 / 10
	for k := range m {
		if len(m) <= target {
			return
		}
		delete(m, k)
	}
}

// sessionView is a live session's user and scopes, copied under the lock.
type sessionView struct {
	user    *user
	name    string
	apiOnly bool
	scopes  []string
}

// lookupSession finds the bearer token's session; a token that expired or
// belongs to a user deactivated since is no session.
func (e *Emulator) lookupSession(r *http.Request, now time.Time) (sessionView, bool) {
	token := bearer(r)
	if token == "" {
		return sessionView{}, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[token]
	if !ok || !now.Before(s.expires) {
		delete(e.sessions, token)
		return sessionView{}, false
	}
	if !s.user.active {
		return sessionView{}, false
	}
	return sessionView{user: s.user, name: s.user.username, apiOnly: s.user.apiOnly, scopes: s.scopes}, true
}

// bearer takes the token from "Authorization: Bearer X" (or the older
// "OAuth X" that Salesforce's REST API also accepts).
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !(strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
		return ""
	}
	return strings.TrimSpace(token)
}

// serveSingleAccess is the UI Bridge API: it trades an access token for a
// single-use frontdoor link.
func (e *Emulator) serveSingleAccess(x *exchange) {
	if x.r.Method != http.MethodGet && x.r.Method != http.MethodPost {
		x.methodNotAllowed(http.MethodGet, http.MethodPost)
		return
	}
	if err := x.parseForm(); err != nil {
		if tooLarge(err) {
			x.plainError(http.StatusRequestEntityTooLarge, "Request_Too_Large")
			return
		}
		x.plainError(http.StatusBadRequest, "Bad_Request")
		return
	}
	s, ok := e.lookupSession(x.r, x.now)
	if ok {
		x.rec.User = s.name
	}
	if !ok || s.apiOnly {
		x.plainError(http.StatusForbidden, "Bad_OAuth_Token")
		return
	}
	if !hasScope(s.scopes, "web", "full") {
		x.plainError(http.StatusForbidden, "Invalid_Scope")
		return
	}
	code, cshc := randomToken(48), randomToken(12)
	redirect := x.r.Form.Get("redirect_uri")
	e.storeOTP(code, otp{user: s.user, startURL: redirect, expires: x.now.Add(e.opts.OTPTTL)}, x.now)
	uri := e.baseURL(x.r) + "/secur/frontdoor.jsp?otp=" + code + "&cshc=" + cshc
	if redirect != "" {
		uri += "&startURL=" + url.QueryEscape(redirect)
	}
	x.writeJSON(http.StatusOK, struct {
		FrontdoorURI string `json:"frontdoor_uri"`
	}{uri})
}

func (e *Emulator) storeOTP(code string, o otp, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	evict(e.otps, maxOTPs, now, func(v otp) time.Time { return v.expires })
	e.otps[code] = o
}

// takeOTP uses up a one-time link: whatever the outcome, it cannot be used
// again.
func (e *Emulator) takeOTP(code string, now time.Time) (otp, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.otps[code]
	delete(e.otps, code)
	if !ok || !now.Before(o.expires) || !o.user.active {
		return otp{}, false
	}
	return o, true
}
