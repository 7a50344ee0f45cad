package salesforce

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tnjwt/tnjwt/core/safetext"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxReplyBytes bounds every reply read: Salesforce's answers are a few
// hundred bytes, so anything near this is not Salesforce.
const MaxReplyBytes = 1 << 20

// reply is one HTTP answer, read in full (up to MaxReplyBytes).
type reply struct {
	status   int
	header   http.Header
	body     []byte
	location *url.URL // resolved Location of a 3xx, when present
}

func (r *reply) contentType() string {
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	return mt
}

// looksHTML is true for an error page rather than an OAuth answer.
func (r *reply) looksHTML() bool {
	if strings.Contains(r.contentType(), "html") {
		return true
	}
	return bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("<"))
}

// post sends a form and reads the reply. bearer, when set, goes only into the
// Authorization header.
func (c *Client) post(ctx context.Context, phase, endpoint string, form url.Values, bearer string) (*reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &TransportError{Phase: phase, Kind: KindBadReply, Problem: "cannot build the request to " + hostOf(endpoint), Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tnjwt")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, c.netFailure(ctx, phase, req.URL.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	if err != nil {
		return nil, c.bodyFailure(ctx, phase, req.URL.Host, resp.StatusCode, err)
	}
	if len(body) > MaxReplyBytes {
		return nil, &TransportError{Phase: phase, Kind: KindTooLarge,
			Problem: fmt.Sprintf("reply too large: %s sent more than 1 MiB, which is not a Salesforce OAuth answer", req.URL.Host)}
	}
	r := &reply{status: resp.StatusCode, header: resp.Header, body: body}
	if loc, err := resp.Location(); err == nil {
		r.location = loc
	}
	return r, nil
}

// bodyFailure is a reply that began (its status and headers came) but whose
// body stopped: a server or proxy that drips or stalls. A timeout then says
// so, rather than "no answer".
func (c *Client) bodyFailure(ctx context.Context, phase, host string, status int, err error) error {
	te := c.netFailure(ctx, phase, host, err)
	if te.Kind == KindTimeout {
		te.Problem = fmt.Sprintf("%s began to answer (HTTP %d) but the rest of its reply did not arrive%s: "+
			"check your network and any HTTPS_PROXY setting, or allow more time (--timeout)", host, status, c.timeoutText())
	}
	return te
}

// netFailure turns a failed round trip into a TransportError people can act on.
func (c *Client) netFailure(ctx context.Context, phase, host string, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	te := &TransportError{Phase: phase, Kind: KindConnect, Err: err}
	var (
		dnsErr   *net.DNSError
		opErr    *net.OpError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		recHdr   tls.RecordHeaderError
		netError net.Error
	)
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		te.Kind, te.Problem = KindCancelled, "stopped before "+host+" answered"
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netError) && netError.Timeout():
		te.Kind, te.Problem = KindTimeout, "no answer from "+host+c.timeoutText()+
			": check the login URL, your network and any HTTPS_PROXY setting, or allow more time (--timeout)"
	case errors.As(err, &unknown) || errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &verify):
		te.Kind, te.Problem = KindTLS, "the certificate of "+host+" is not trusted by this computer "+
			"(a proxy that inspects HTTPS needs its root certificate in the system trust store)"
	case errors.As(err, &recHdr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		te.Kind, te.Problem = KindTLS, host+" does not speak HTTPS on this port"
	case errors.As(err, &dnsErr):
		te.Problem = "cannot find " + dnsErr.Name + " (DNS): check the spelling of the login URL and your network"
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		te.Problem = "the proxy in HTTPS_PROXY did not let the request through to " + host
	case errors.As(err, &opErr) && opErr.Op == "dial":
		te.Problem = "cannot connect to " + host
	case strings.Contains(err.Error(), "tls:"):
		te.Kind, te.Problem = KindTLS, "the TLS handshake with "+host+" failed"
	default:
		te.Problem = "the connection to " + host + " failed"
	}
	return te
}

// tokenReply is the JWT flow's success body; unknown fields are ignored.
type tokenReply struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	instance    string // InstanceURL checked and without a trailing slash
	instanceURL *url.URL
	// orgID and userID come from ID, checked; scope is Scope cleaned.
	orgID, userID, scope string
}

// oauthError is the body of a token refusal.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// token sends the token request. clientID is the consumer key the assertion
// names: like the assertion, it is scrubbed from whatever the server says.
func (c *Client) token(ctx context.Context, login LoginURL, assertion, clientID string) (*tokenReply, error) {
	form := url.Values{"grant_type": {JWTBearerGrant}, "assertion": {assertion}}
	r, err := c.post(ctx, PhaseToken, login.URL+"/services/oauth2/token", form, "")
	if err != nil {
		return nil, err
	}
	switch {
	case r.status >= 300 && r.status < 400:
		return nil, redirectError(login, r)
	case r.status >= 200 && r.status < 300:
		return parseToken(r, login)
	case r.status >= 400 && r.status < 500:
		var oe oauthError
		if json.Unmarshal(r.body, &oe) == nil && oe.Error != "" {
			return nil, &RefusalError{Phase: PhaseToken, Status: r.status, Code: scrub(oe.Error, assertion, clientID),
				Description: scrub(oe.Description, assertion, clientID), ClockSkew: c.skew(r)}
		}
		return nil, &TransportError{Phase: PhaseToken, Kind: KindBadReply, Problem: fmt.Sprintf(
			"%s answered HTTP %d %s, not a Salesforce OAuth answer: check that the login URL is the org's",
			login.Host, r.status, describeBody(r))}
	}
	return nil, serverError(PhaseToken, login.Host, r, assertion, clientID)
}

// skew is the server's clock minus ours, from the Date header.
func (c *Client) skew(r *reply) time.Duration {
	d, err := http.ParseTime(r.header.Get("Date"))
	if err != nil {
		return 0
	}
	return d.Sub(c.now()).Truncate(time.Second)
}

func redirectError(login LoginURL, r *reply) error {
	te := &TransportError{Phase: PhaseToken, Kind: KindRedirect}
	if r.location == nil {
		te.Problem = fmt.Sprintf("%s answers the token request with a redirect (HTTP %d) but says nowhere to go: check the login URL", login.URL, r.status)
		return te
	}
	loc := *r.location
	loc.RawQuery, loc.Fragment, loc.User = "", "", nil
	te.Location = loc.String()
	if l, err := ParseLoginURL(te.Location); err == nil {
		te.Problem = fmt.Sprintf("%s redirects to %s: use that login URL (%s)", login.URL, te.Location, l.URL)
	} else {
		te.Problem = fmt.Sprintf("%s redirects to %s, which is not a Salesforce login URL: check the login URL", login.URL, te.Location)
	}
	return te
}

func parseToken(r *reply, login LoginURL) (*tokenReply, error) {
	var t tokenReply
	if err := json.Unmarshal(r.body, &t); err != nil {
		return nil, &TransportError{Phase: PhaseToken, Kind: KindBadReply,
			Problem: "the token reply is not valid JSON (" + describeBody(r) + ")"}
	}
	if t.AccessToken == "" {
		return nil, &TransportError{Phase: PhaseToken, Kind: KindBadReply, Problem: "the token reply has no access_token"}
	}
	u, err := url.Parse(strings.TrimSpace(t.InstanceURL))
	if t.InstanceURL == "" || err != nil || u.Host == "" {
		return nil, &TransportError{Phase: PhaseToken, Kind: KindBadReply, Problem: "the token reply has no usable instance_url"}
	}
	if err := safeInstance(u, login); err != nil {
		return nil, err
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	t.instanceURL = u
	t.instance = u.String()
	t.orgID, t.userID = idParts(t.ID)
	t.scope = safetext.Clean(t.Scope)
	return &t, nil
}

// safeInstance refuses an instance_url the access token must not go to:
// anything but https on a Salesforce host, except this machine over http or
// https when the login URL itself is this machine (the emulator).
func safeInstance(u *url.URL, login LoginURL) error {
	where := safetext.Clean(u.Scheme + "://" + u.Host)
	unsafe := func(why string) error {
		return &TransportError{Phase: PhaseToken, Kind: KindUnsafeHost, Problem: "the token reply's instance_url " +
			where + " " + why + ", so the access token will not be sent there"}
	}
	host := u.Hostname()
	switch {
	case u.User != nil:
		return unsafe("carries a user name")
	case login.Kind == Loopback && isLoopback(host) && (u.Scheme == "http" || u.Scheme == "https"):
		return nil
	case u.Scheme != "https":
		return unsafe("is not https")
	case !IsSalesforceHost(host):
		return unsafe("is not a Salesforce host")
	case !validName(strings.ToLower(host)):
		// Go's URL parser lets bidi overrides and C1 controls through in a
		// host name, and the suffix check alone would pass them.
		return unsafe("holds characters no host name has")
	}
	return nil
}

// idParts takes the org and user ids from an identity URL:
// https://login.salesforce.com/id/00D…/005…. Ids that are not Salesforce
// ids (15 or 18 letters and digits) count as absent, both of them: they are
// only shown, and a login that worked is not failed for them, but nothing
// else the server put there reaches a terminal.
func idParts(id string) (org, user string) {
	u, err := url.Parse(id)
	if err != nil {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "id" && isRecordID(parts[i+1]) && isRecordID(parts[i+2]) {
			return parts[i+1], parts[i+2]
		}
	}
	return "", ""
}

// isRecordID reports a Salesforce record id: 15 or 18 ASCII letters and
// digits.
func isRecordID(s string) bool {
	if len(s) < 15 || len(s) > 18 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// singleAccess turns the access token into a frontdoor URL. The token and
// clientID (the consumer key) are scrubbed from whatever the server says.
func (c *Client) singleAccess(ctx context.Context, tok *tokenReply, redirect, clientID string) (string, error) {
	form := url.Values{}
	if redirect != "" {
		form.Set("redirect_uri", redirect)
	}
	host := tok.instanceURL.Host
	r, err := c.post(ctx, PhaseSingleAccess, tok.instance+"/services/oauth2/singleaccess", form, tok.AccessToken)
	if err != nil {
		return "", err
	}
	switch {
	case r.status >= 200 && r.status < 300:
		return parseFrontdoor(r, tok.instanceURL)
	case r.status >= 300 && r.status < 400:
		return "", singleAccessRedirect(r, host)
	case r.status >= 400 && r.status < 500:
		return "", singleAccessRefusal(r, host, tok.AccessToken, clientID)
	}
	return "", serverError(PhaseSingleAccess, host, r, tok.AccessToken, clientID)
}

// singleAccessRedirect reports a redirect of the singleaccess request, which
// is never followed: the request carries the access token.
func singleAccessRedirect(r *reply, host string) error {
	te := &TransportError{Phase: PhaseSingleAccess, Kind: KindRedirect}
	to := ""
	if r.location != nil {
		loc := *r.location
		loc.RawQuery, loc.Fragment, loc.User = "", "", nil
		te.Location = loc.String() // percent-encoded: no control or bidi character survives
		to = " to " + safetext.Clean(te.Location)
	}
	te.Problem = fmt.Sprintf("%s redirected the singleaccess request (HTTP %d)%s instead of answering it; "+
		"tnjwt does not follow it, since the request carries the access token", host, r.status, to)
	return te
}

func parseFrontdoor(r *reply, instance *url.URL) (string, error) {
	var body struct {
		FrontdoorURI string `json:"frontdoor_uri"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return "", &TransportError{Phase: PhaseSingleAccess, Kind: KindBadReply,
			Problem: "the singleaccess reply is not valid JSON (" + describeBody(r) + ")"}
	}
	if body.FrontdoorURI == "" {
		return "", &TransportError{Phase: PhaseSingleAccess, Kind: KindBadReply,
			Problem: "the singleaccess reply has no frontdoor_uri: Salesforce could not make a frontdoor URL"}
	}
	if err := plainURL(body.FrontdoorURI); err != nil {
		return "", err
	}
	u, err := url.Parse(body.FrontdoorURI)
	if err != nil || u.Host == "" {
		return "", &TransportError{Phase: PhaseSingleAccess, Kind: KindBadReply, Problem: "the frontdoor_uri is not a web address"}
	}
	if !strings.EqualFold(u.Host, instance.Host) || u.Scheme != instance.Scheme || u.User != nil {
		// Go's URL parser lets bidi overrides and C1 controls through in a
		// host name: the host is cleaned before it goes into the message.
		return "", &TransportError{Phase: PhaseSingleAccess, Kind: KindUnsafeHost, Problem: fmt.Sprintf(
			"the frontdoor_uri points at %s, not the org's %s: refusing to use it",
			safetext.Clean(u.Scheme+"://"+u.Host), safetext.Clean(instance.Scheme+"://"+instance.Host))}
	}
	return body.FrontdoorURI, nil
}

// plainURL refuses a frontdoor_uri holding anything but printable ASCII:
// Salesforce percent-encodes its links, so a control character, an escape
// sequence or a bidi override there is not Salesforce's, and the URL is
// shown, copied and opened as it came. The character is named, never shown.
func plainURL(s string) error {
	pos := 0
	for _, r := range s {
		pos++
		if r > ' ' && r < 0x7f {
			continue
		}
		what := "a character that is not plain ASCII"
		if _, _, control := safetext.FirstControl(string(r)); control {
			what = "an invisible control character"
		} else if r == ' ' {
			what = "a space"
		}
		return &TransportError{Phase: PhaseSingleAccess, Kind: KindBadReply, Problem: fmt.Sprintf(
			"the frontdoor_uri holds %s (%U at position %d), which a Salesforce frontdoor URL never does: "+
				"tnjwt neither shows nor uses it. Check that the login URL is the org's own", what, r, pos)}
	}
	return nil
}

// singleAccessRefusal reads a 4xx from singleaccess. Salesforce's body there
// may be bare text or JSON; like sfdx-core, look for the code as a substring.
func singleAccessRefusal(r *reply, host string, secrets ...string) error {
	e := &RefusalError{Phase: PhaseSingleAccess, Status: r.status}
	var oe oauthError
	if code, msg, ok := restError(r.body); ok {
		e.Code, e.Description = scrub(code, secrets...), scrub(msg, secrets...)
	} else if json.Unmarshal(r.body, &oe) == nil && oe.Error != "" {
		e.Code, e.Description = scrub(oe.Error, secrets...), scrub(oe.Description, secrets...)
	} else {
		e.Description = bodyMessage(r.body, secrets...)
	}
	for _, code := range []string{"Bad_OAuth_Token", "Invalid_Scope"} {
		if bytes.Contains(r.body, []byte(code)) {
			if e.Description == code || e.Description == e.Code {
				e.Description = ""
			}
			e.Code = code
			return e
		}
	}
	if r.looksHTML() || e.Code == "" && e.Description == "" {
		return &TransportError{Phase: PhaseSingleAccess, Kind: KindBadReply, Problem: fmt.Sprintf(
			"%s answered the singleaccess request with HTTP %d %s, not a Salesforce answer", host, r.status, describeBody(r))}
	}
	return e
}

// restError reads Salesforce's REST error shape: [{"errorCode":…,"message":…}].
func restError(body []byte) (code, msg string, ok bool) {
	var list []struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	if json.Unmarshal(body, &list) != nil || len(list) == 0 || list[0].ErrorCode == "" {
		return "", "", false
	}
	return list[0].ErrorCode, list[0].Message, true
}

// bodyMessage is the reply text as the admin should see it: trimmed, one
// line, bounded, secrets removed.
func bodyMessage(body []byte, secrets ...string) string {
	s := strings.Join(strings.Fields(scrub(string(body), secrets...)), " ")
	// Cut between characters, never inside one.
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

func serverError(phase, host string, r *reply, secrets ...string) error {
	te := &TransportError{Phase: phase, Kind: KindServer}
	var oe oauthError
	words := ""
	if json.Unmarshal(r.body, &oe) == nil && oe.Error != "" {
		words = ": " + scrub(oe.Error, secrets...)
		if oe.Description != "" {
			words += ": " + scrub(oe.Description, secrets...)
		}
	}
	if r.status >= 500 {
		te.Problem = fmt.Sprintf("%s had a server error (HTTP %d %s)%s: try again in a few minutes, and check "+
			"status.salesforce.com if it persists", host, r.status, describeBody(r), words)
	} else {
		te.Problem = fmt.Sprintf("%s answered with an unexpected HTTP %d%s", host, r.status, words)
	}
	return te
}

// describeBody says what sort of body came back, without quoting it.
func describeBody(r *reply) string {
	ct := r.contentType()
	switch {
	case len(r.body) == 0:
		return "with an empty body"
	case r.looksHTML():
		return "with a web page"
	case ct != "":
		return "with " + safetext.Clean(ct) + " content"
	}
	return "with unrecognised content"
}

// scrubWindow is the shortest piece of a secret that scrub redacts: a
// server may echo a token in part, or URL-encoded.
const scrubWindow = 12

// scrub makes text the server sent back safe to show (safetext.Clean) and
// removes each secret from it (the assertion or access token, and the
// consumer key), whole, URL-encoded or any 12 or more characters of it, in
// case a server echoes what it was given.
func scrub(s string, secrets ...string) string {
	s = safetext.Clean(s)
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			s = strings.ReplaceAll(s, form, redacted)
		}
		if len(secret) >= scrubWindow {
			for i := 0; i+scrubWindow <= len(secret); i++ {
				s = strings.ReplaceAll(s, secret[i:i+scrubWindow], redacted)
			}
		}
	}
	for strings.Contains(s, redacted+redacted) {
		s = strings.ReplaceAll(s, redacted+redacted, redacted)
	}
	return s
}

const redacted = "[redacted]"

func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Host
	}
	return "the server"
}
