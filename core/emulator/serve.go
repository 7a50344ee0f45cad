package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
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

// ServeHTTP answers as Salesforce's token, singleaccess, frontdoor,
// Lightning Out and REST version endpoints do; anything else is
// Salesforce's JSON 404.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := e.now()
	// The org's clock, so a client can measure skew against it.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	rec := RequestRecord{Time: now, Method: r.Method, Path: r.URL.EscapedPath()}
	x := &exchange{w: w, r: r, rec: &rec, now: now}
	if e.cors(x) {
		e.route(x)
	}
	e.record(rec)
}

// route sends each path to its endpoint family: OAuth (oauth.go), the
// browser session (frontdoor.go), Lightning Out (lightningout.go) and the
// REST API (rest.go).
func (e *Emulator) route(x *exchange) {
	switch p := cleanPath(x.r.URL.Path); {
	case p == "/services/oauth2/token":
		e.serveToken(x)
	case p == "/services/oauth2/singleaccess":
		e.serveSingleAccess(x)
	case p == "/secur/frontdoor.jsp":
		e.serveFrontdoor(x)
	case p == "/secur/logout.jsp":
		e.serveLogout(x)
	case strings.HasPrefix(p, "/lwr/"):
		e.serveLightningOut(x)
	case p == loLogoutPage || p == loAuthErrorPage || p == loMessagePage:
		e.serveLOPage(x)
	case p == componentPath:
		e.serveComponent(x)
	case p == scriptPath:
		e.serveWebFile(x, "lightningout.js", "text/javascript;charset=UTF-8")
	case p == stylePath:
		e.serveWebFile(x, "practice.css", "text/css;charset=UTF-8")
	case p == mfaPath:
		e.serveMFA(x)
	case strings.HasPrefix(p, setupPrefix):
		e.serveSetup(x)
	case p == homePath || strings.HasPrefix(p, "/lightning/"):
		e.serveHome(x)
	case p == "/services/data" || p == "/services/data/":
		e.serveVersions(x)
	case isDataAPI(p):
		e.serveDataAPI(x, p) // query.go: SOQL queries and permission set assignments
	case strings.HasPrefix(p, soapMetadataPrefix):
		e.serveMetadataSOAP(x, p) // soap.go: the Metadata API's deploy
	case strings.HasPrefix(p, "/services/data/"):
		e.serveVersion(x, strings.TrimPrefix(p, "/services/data/"))
	default:
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
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
	x.rec.Error = code
	x.note(desc)
	x.writeJSON(status, oauthError{code, desc})
}

func (x *exchange) invalidGrant(desc string) {
	x.oauthError(http.StatusBadRequest, "invalid_grant", desc)
}

// restError is the REST API's error shape: a list of one error. Salesforce
// orders the two keys differently by error (captured forms): session errors
// put message first, routing errors put errorCode first.
func (x *exchange) restError(status int, code, msg string) {
	x.rec.Error = code
	x.note(msg)
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
