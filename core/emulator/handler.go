package emulator

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Wire constants, as captured from Salesforce (salesforce-jwt-spec.md §2, §3).
const (
	jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	jsonType       = "application/json;charset=UTF-8"
	textType       = "text/plain;charset=UTF-8"
	htmlType       = "text/html;charset=UTF-8"
	noCache        = "no-cache,must-revalidate,max-age=0,no-store,private"
	maxBody        = 1 << 20
)

// Token endpoint answers (error_description as sent on the wire).
const (
	descBadGrant     = "grant type not supported"
	descBadClient    = "client identifier invalid"
	descBadAssertion = "invalid assertion"
	descAudience     = "audience is invalid"
	descExpired      = "expired authorization code"
	descNotApproved  = "user hasn't approved this consumer"
	descInactive     = "inactive user"
	descAppNotFound  = "External client app is not installed in this org"
)

// exchange is one request being answered, and what the log will say of it.
type exchange struct {
	w   http.ResponseWriter
	r   *http.Request
	rec *RequestRecord
	now time.Time
	// sessionUser is the bearer token's user once checkSession passed.
	sessionUser *user
}

// ServeHTTP answers as Salesforce's token, singleaccess, frontdoor and REST
// version endpoints do; anything else is Salesforce's JSON 404.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := e.now()
	// The org's clock, so a client can measure skew against it.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	rec := RequestRecord{Time: now, Method: r.Method, Path: r.URL.Path}
	x := &exchange{w: w, r: r, rec: &rec, now: now}
	switch p := r.URL.Path; {
	case p == "/services/oauth2/token":
		e.serveToken(x)
	case p == "/services/oauth2/singleaccess":
		e.serveSingleAccess(x)
	case p == "/secur/frontdoor.jsp":
		e.serveFrontdoor(x)
	case p == "/home":
		e.serveHome(x)
	case p == "/services/data" || p == "/services/data/":
		e.serveVersions(x)
	case strings.HasPrefix(p, "/services/data/"):
		e.serveVersion(x, strings.TrimPrefix(p, "/services/data/"))
	default:
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	e.record(rec)
}

// writeJSON sends v as compact JSON without HTML escaping ("&" stays "&" in
// a frontdoor URL, as Salesforce sends it) and without a trailing newline.
func (x *exchange) writeJSON(status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("emulator: cannot encode a reply: " + err.Error()) // only fixed types are encoded
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	h := x.w.Header()
	h.Set("Content-Type", jsonType)
	h.Set("Cache-Control", noCache)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.w.WriteHeader(status)
	x.w.Write(body)
	x.rec.Status = status
}

func (x *exchange) write(status int, contentType, body string) {
	h := x.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", noCache)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.w.WriteHeader(status)
	x.w.Write([]byte(body))
	x.rec.Status = status
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (x *exchange) oauthError(status int, code, desc string) {
	x.rec.Error, x.rec.Description = code, desc
	x.writeJSON(status, oauthError{code, desc})
}

func (x *exchange) invalidGrant(desc string) {
	x.oauthError(http.StatusBadRequest, "invalid_grant", desc)
}

// restError is the REST API's error shape: a list of one error. Salesforce
// orders the two keys differently by error (captured forms): session errors
// put message first, routing errors put errorCode first.
func (x *exchange) restError(status int, code, msg string) {
	x.rec.Error, x.rec.Description = code, msg
	type messageFirst struct {
		Message   string `json:"message"`
		ErrorCode string `json:"errorCode"`
	}
	type codeFirst struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	if code == "NOT_FOUND" || code == "METHOD_NOT_ALLOWED" {
		x.writeJSON(status, []codeFirst{{code, msg}})
		return
	}
	x.writeJSON(status, []messageFirst{{msg, code}})
}

// plainError is singleaccess's answer: one word of plain text.
func (x *exchange) plainError(status int, word string) {
	x.rec.Error = word
	x.write(status, textType, word)
}

func (x *exchange) methodNotAllowed(allowed ...string) {
	x.w.Header().Set("Allow", strings.Join(allowed, ", "))
	x.rec.Error = "METHOD_NOT_ALLOWED"
	x.write(http.StatusMethodNotAllowed, textType, fmt.Sprintf("HTTP method %s not allowed; allowed: %s", x.r.Method, strings.Join(allowed, ", ")))
}

// parseForm reads query and url-encoded body, at most maxBody bytes, so a
// huge or endless (chunked) body cannot exhaust memory.
func (x *exchange) parseForm() error {
	x.r.Body = http.MaxBytesReader(x.w, x.r.Body, maxBody)
	return x.r.ParseForm()
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// baseURL is the org's instance URL: the configured one, or the address the
// client reached us on.
func (e *Emulator) baseURL(r *http.Request) string {
	if e.opts.BaseURL != "" {
		return e.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "127.0.0.1"
	}
	return scheme + "://" + host
}

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

// serveFrontdoor is where a browser lands with the frontdoor link.
func (e *Emulator) serveFrontdoor(x *exchange) {
	if x.r.Method != http.MethodGet && x.r.Method != http.MethodPost {
		x.methodNotAllowed(http.MethodGet, http.MethodPost)
		return
	}
	var o otp
	ok := x.parseForm() == nil
	if ok {
		o, ok = e.takeOTP(x.r.Form.Get("otp"), x.now)
	}
	if !ok {
		x.rec.Description = "one-time link unknown, already used or expired"
		x.write(http.StatusBadRequest, htmlType, page("Link expired",
			"<p>This sign-in link is not valid: it was already used, it expired, or it was never issued.</p>"+
				"<p>Frontdoor links work once and only for a few minutes. Ask for a new one.</p>"))
		return
	}
	x.rec.User = o.user.username
	// As Salesforce does: the link sets the session cookie and sends the
	// browser on into the org, where the cookie is what signs it in.
	sid := randomToken(48)
	e.mu.Lock()
	evict(e.browsers, maxSessions, x.now, func(v otp) time.Time { return v.expires })
	e.browsers[sid] = otp{user: o.user, startURL: o.startURL, expires: x.now.Add(2 * time.Hour)}
	e.mu.Unlock()
	http.SetCookie(x.w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	x.w.Header().Set("Location", "/home")
	x.write(http.StatusFound, htmlType, page("Signing in", `<p>Signing you in: <a href="/home">continue</a>.</p>`))
}

// sessionCookie is the practice org's browser session, like Salesforce's sid.
const sessionCookie = "sid"

// serveHome is the org's signed-in page: only a browser holding the
// session cookie a frontdoor link set gets in.
func (e *Emulator) serveHome(x *exchange) {
	var s otp
	ok := false
	if c, err := x.r.Cookie(sessionCookie); err == nil {
		e.mu.Lock()
		s, ok = e.browsers[c.Value]
		e.mu.Unlock()
		ok = ok && x.now.Before(s.expires) && s.user.active
	}
	if !ok {
		x.write(http.StatusUnauthorized, htmlType, page("Not signed in",
			"<p>This browser has no practice org session. Open a frontdoor link to sign in.</p>"))
		return
	}
	x.rec.User = s.user.username
	body := fmt.Sprintf("<p>You are signed in to the practice org as <b>%s</b>, with a session cookie.</p>",
		html.EscapeString(s.user.username))
	if s.startURL != "" {
		body += fmt.Sprintf("<p>Salesforce would now open <code>%s</code>.</p>", html.EscapeString(s.startURL))
	}
	x.write(http.StatusOK, htmlType, page("Signed in", body))
}

func page(title, body string) string {
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
		" · tnjwt practice org</title></head>\n<body><h1>" + title + "</h1>\n" + body + "\n</body></html>\n"
}

// REST API versions the practice org offers, newest last, as Salesforce
// lists them. Versions 30.0 and older are retired.
const (
	oldestVersion = 31
	newestVersion = 66 // Spring '26
)

// Compiled on first use, not at start-up (see safetext.ansi for why).
var versionPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v([0-9]+)\.0$`) })

// checkSession refuses, in the REST API's words, a bearer token that is no
// good, and (needAPI) one whose scopes do not reach the REST API: a token
// with only web and refresh_token opens the browser but not the API.
func (e *Emulator) checkSession(x *exchange, needAPI bool) bool {
	s, ok := e.lookupSession(x.r, x.now)
	if !ok {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return false
	}
	x.rec.User, x.sessionUser = s.name, s.user
	if needAPI && !hasScope(s.scopes, "api", "full") {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "This session is not valid for use with the REST API")
		return false
	}
	if x.r.Method != http.MethodGet && x.r.Method != http.MethodHead {
		x.w.Header().Set("Allow", "GET, HEAD")
		x.restError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", x.r.Method))
		return false
	}
	return true
}

// serveVersions is GET /services/data: the REST API versions.
func (e *Emulator) serveVersions(x *exchange) {
	if !e.checkSession(x, false) {
		return
	}
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	var list []version
	for v := oldestVersion; v <= newestVersion; v++ {
		list = append(list, version{releaseName(v), fmt.Sprintf("/services/data/v%d.0", v), fmt.Sprintf("%d.0", v)})
	}
	x.writeJSON(http.StatusOK, list)
}

// releaseName maps an API version to its release: three a year, Spring '26
// being 66.0.
func releaseName(v int) string {
	back := newestVersion - v
	switch back % 3 {
	case 0:
		return fmt.Sprintf("Spring '%02d", 26-back/3)
	case 1:
		return fmt.Sprintf("Winter '%02d", 26-back/3)
	default:
		return fmt.Sprintf("Summer '%02d", 25-back/3)
	}
}

// serveVersion is GET /services/data/vNN.N: enough for a client that checks
// its session after logging in. Deeper paths are not part of the practice
// org and answer 404.
func (e *Emulator) serveVersion(x *exchange, rest string) {
	if !e.checkSession(x, true) {
		return
	}
	version, sub, _ := strings.Cut(rest, "/")
	m := versionPath().FindStringSubmatch(version)
	n := 0
	if m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	if sub != "" || n < oldestVersion || n > newestVersion {
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	x.writeJSON(http.StatusOK, map[string]string{
		"identity": e.baseURL(x.r) + "/id/" + id18(orgID15) + "/" + id18(x.sessionUser.id15),
	})
}
