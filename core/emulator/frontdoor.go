package emulator

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The browser side of the org: the frontdoor link that opens a session, the
// session cookie, the signed-in pages and logout.

// sessionCookie is the practice org's browser session, like Salesforce's sid.
const sessionCookie = "sid"

// browserTTL is how long a browser session lasts, as Salesforce's default
// session timeout of two hours.
const browserTTL = 2 * time.Hour

// homePath is where a frontdoor link lands when it names nowhere else.
const homePath = "/home"

// maxLanding bounds a startURL or retURL.
const maxLanding = 2048

// browserSession is a session a frontdoor link opened in a browser.
type browserSession struct {
	user    *user
	expires time.Time
}

// serveFrontdoor is where a browser lands with the frontdoor link. As on
// Salesforce, the link sets the session cookie and sends the browser on
// into the org, to its startURL (retURL for links without otp=), where the
// cookie is what signs it in. The Embedding SDK relies on this: it loads
// the link in a hidden frame with startURL set to Lightning Out's sign-in
// page. The link works once, whatever the outcome.
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
		if strings.Contains(x.r.Form.Get("startURL")+x.r.Form.Get("retURL"), "lightningout") {
			e.setEmbedResult(EmbedLinkUnusable)
		}
		x.note("one-time link unknown, already used or expired")
		e.writePage(x, http.StatusBadRequest, "Link expired",
			"<p>This sign-in link is not valid: it was already used, it expired, or it was never issued.</p>"+
				"<p>Frontdoor links work once and only for a few minutes. Ask for a new one.</p>")
		return
	}
	x.rec.User = o.user.username
	sid := randomToken(48)
	e.mu.Lock()
	evict(e.browsers, maxSessions, x.now, func(v browserSession) time.Time { return v.expires })
	e.browsers[sid] = browserSession{user: o.user, expires: x.now.Add(browserTTL)}
	e.mu.Unlock()
	http.SetCookie(x.w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	next := landing(x.r.Form, o.startURL)
	x.w.Header().Set("Location", next)
	x.write(http.StatusFound, htmlType, page("Signing in",
		fmt.Sprintf(`<p>Signing you in: <a href="%s">continue</a>.</p>`, html.EscapeString(next))))
}

// landing is where a frontdoor link sends the browser: startURL (or
// retURL), else the one singleaccess stored, when it is a path on this
// org; anything else goes to the signed-in page.
func landing(form url.Values, stored string) string {
	for _, candidate := range []string{form.Get("startURL"), form.Get("retURL"), stored} {
		if candidate == "" {
			continue
		}
		if relativePath(candidate) {
			return candidate
		}
		return homePath
	}
	return homePath
}

// relativePath accepts a path on this origin: one leading slash not
// followed by another or by a backslash, no backslash or control character
// anywhere, and no scheme or host once parsed.
func relativePath(s string) bool {
	if len(s) > maxLanding || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") ||
		strings.ContainsAny(s, "\\") || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// browserUser is the user whose session cookie came with the request, or
// nil and why not. appOrigin is the web page the request's frame sits in
// ("" for a page of the org's own): with first-party cookies required, the
// cookie does not reach a frame of another site. Browsers count every
// loopback port as one site, so the practice org applies that rule itself
// to any other origin, as a real org's page always is.
func (e *Emulator) browserUser(x *exchange, appOrigin string) (*user, string) {
	c, err := x.r.Cookie(sessionCookie)
	if err != nil {
		return nil, "no session cookie: this browser has not opened a frontdoor URL"
	}
	e.mu.Lock()
	s, ok := e.browsers[c.Value]
	firstParty := e.embed.firstPartyCookies
	e.mu.Unlock()
	switch {
	case !ok || !x.now.Before(s.expires):
		return nil, "the session cookie is unknown or expired"
	case !s.user.active:
		return nil, "the session's user is inactive"
	case firstParty && appOrigin != "" && appOrigin != e.origin(x.r):
		return nil, "the session cookie is not sent inside a frame of " + appOrigin +
			": the org requires first-party use of Salesforce cookies"
	}
	return s.user, ""
}

// origin is the org's own web origin, as a browser writes it.
func (e *Emulator) origin(r *http.Request) string {
	o, err := parseOrigin(e.baseURL(r))
	if err != nil {
		return e.baseURL(r)
	}
	return o
}

// serveHome is the org's signed-in page (/home, and any Lightning page
// the practice org does not have): only a browser holding the session
// cookie a frontdoor link set gets in.
func (e *Emulator) serveHome(x *exchange) {
	u, why := e.browserUser(x, "")
	if u == nil {
		x.note(why)
		e.writePage(x, http.StatusUnauthorized, "Not signed in",
			"<p>This browser has no practice org session. Open a frontdoor link to sign in.</p>")
		return
	}
	x.rec.User = u.username
	body := fmt.Sprintf("<p>You are signed in to the practice org as <b>%s</b>, with a session cookie.</p>",
		html.EscapeString(u.username))
	if p := x.r.URL.EscapedPath(); p != homePath {
		body += fmt.Sprintf("<p>Salesforce would show <code>%s</code> here; the practice org has no such page.</p>",
			html.EscapeString(p))
	}
	e.writePage(x, http.StatusOK, "Signed in", body)
}

// serveLogout is /secur/logout.jsp: it ends the browser's session and goes
// on to redirect-uri when that is a path on this org.
func (e *Emulator) serveLogout(x *exchange) {
	if c, err := x.r.Cookie(sessionCookie); err == nil {
		e.mu.Lock()
		if s, ok := e.browsers[c.Value]; ok {
			x.rec.User = s.user.username
			delete(e.browsers, c.Value)
		}
		e.mu.Unlock()
	}
	http.SetCookie(x.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if next := x.r.URL.Query().Get("redirect-uri"); relativePath(next) {
		x.w.Header().Set("Location", next)
		x.write(http.StatusFound, htmlType, page("Logged out", "<p>You are logged out.</p>"))
		return
	}
	e.writePage(x, http.StatusOK, "Logged out", "<p>You are logged out of the practice org.</p>")
}

func page(title, body string) string {
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
		" · tnjwt practice org</title><link rel=\"stylesheet\" href=\"" + stylePath + "\"></head>\n<body><h1>" +
		title + "</h1>\n" + body + "\n</body></html>\n"
}

// setupPrefix starts the address of every Setup page.
const setupPrefix = "/lightning/setup/"

// serveSetup is where tnjwt's Open in Setup lands in practice mode: the
// practice org has no Setup pages, and needs no session to say so.
func (e *Emulator) serveSetup(x *exchange) {
	e.writePage(x, http.StatusOK, "Setup",
		fmt.Sprintf("<p>Practice org: Salesforce would open its Setup page <code>%s</code> here.</p>", html.EscapeString(x.r.URL.EscapedPath()))+
			"<p>The practice org has no Setup pages. Tick the item in tnjwt instead: the practice org applies the setting at once.</p>")
}
