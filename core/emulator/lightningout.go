package emulator

import (
	"embed"
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Lightning Out 2.0, as the Tableau Next Embedding SDK 2.0.0 speaks it
// (salesforce-jwt-spec.md §10): the hidden frame loads the frontdoor link,
// which lands on the auth page; that page tells the host page the session
// is ready (lo.loaded), or that identity verification is needed
// (lo.redirect). Each embedded component is a visible frame on the
// container page, which asks the host for its data (lo.getComponentData),
// draws it, says lo.ready, and answers the SDK's requests. The pages'
// script is web/lightningout.js.

// The paths of the practice org's own pages and files.
const (
	stylePath     = "/practice/practice.css"
	scriptPath    = "/practice/lightningout.js"
	componentPath = "/practice/component"
	mfaPath       = "/identity/verification"
)

// The pages Lightning Out names besides the two LWR applications.
const (
	loLogoutPage    = "/lightning/lightning.out.logout.html"
	loAuthErrorPage = "/lightning/lightning.out.auth.error.html"
	loMessagePage   = "/lightning/lightning.out.message.html"
)

// The SDK's component names (analytics_embedding/<name>).
const (
	componentDashboard     = "dashboard3p"
	componentMetric        = "metric3p"
	componentVisualization = "visualization3p"
	componentAgent         = "agent3p"
)

// componentKinds names each component's asset in people's words.
var componentKinds = map[string]string{
	componentDashboard: "dashboard", componentMetric: "metric",
	componentVisualization: "visualization", componentAgent: "agent",
}

//go:embed web/lightningout.js web/practice.css
var webFiles embed.FS

// loPath matches the two LWR applications by their escaped path (the SDK
// writes lightningout%2Fauth; Go decodes %2F in r.URL.Path). The container
// may carry the page's language: l/en-US/.
var loPath = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^/lwr/application/amd/0/(?:l/[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*/)?ai/lightningout%2[Ff](auth|container)$`)
})

// parentIDPattern is the SDK's element id: a base-36 number.
var parentIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })

// loRequest is what every Lightning Out page is told in its query: the
// element it answers and the host page's origin, where its messages go.
type loRequest struct {
	parentID  string
	appOrigin string
}

func (x *exchange) loParams() (loRequest, string) {
	q := x.r.URL.Query()
	id := q.Get("parentElementId")
	if !parentIDPattern().MatchString(id) {
		return loRequest{}, "parentElementId is missing or not an element id"
	}
	o, err := parseOrigin(q.Get("loAppOrigin"))
	if err != nil {
		return loRequest{}, "loAppOrigin is missing or not an origin"
	}
	return loRequest{parentID: id, appOrigin: o}, ""
}

// serveLightningOut routes /lwr/… to the auth or container application.
func (e *Emulator) serveLightningOut(x *exchange) {
	m := loPath().FindStringSubmatch(x.r.URL.EscapedPath())
	if m == nil {
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	lo, problem := x.loParams()
	if problem != "" {
		x.note(problem)
		e.writePage(x, http.StatusBadRequest, "Lightning Out", "<p>"+html.EscapeString(problem)+".</p>")
		return
	}
	e.noteOrigins(x, lo.appOrigin)
	if m[1] == "auth" {
		e.serveLOAuth(x, lo)
		return
	}
	e.serveLOContainer(x, lo)
}

// serveLOAuth is the page the frontdoor link lands on inside the SDK's
// hidden frame.
func (e *Emulator) serveLOAuth(x *exchange, lo loRequest) {
	u, why := e.browserUser(x, lo.appOrigin)
	if u == nil {
		e.setEmbedResult(EmbedLinkUnusable)
		if strings.Contains(why, "first-party") {
			e.setEmbedResult(EmbedCookieKept)
		}
		x.note(why)
		e.writePage(x, http.StatusUnauthorized, "Not signed in",
			"<p>Lightning Out found no usable session: "+html.EscapeString(why)+".</p>")
		return
	}
	x.rec.User = u.username
	if e.needsMFA(u) {
		e.setEmbedResult(EmbedMFA)
		x.note("lo.redirect to identity verification: the org requires MFA for direct UI logins and the user has no MFA waiver")
		e.writeLOPage(x, "Identity verification", map[string]string{
			"role": "auth", "outcome": "redirect", "redirect-url": mfaPath,
		}, "<p>Salesforce asks this user to verify their identity before the session opens.</p>")
		return
	}
	x.note("lo.loaded")
	if e.frameTrusted(x, lo.appOrigin) {
		e.setEmbedResult(EmbedOpened)
	} else {
		e.setEmbedResult(EmbedFrameRefused)
	}
	e.writeLOPage(x, "Lightning Out", map[string]string{
		"role": "auth", "outcome": "loaded", "lightning-domain": e.origin(x.r),
	}, "<p>Signed in to the practice org.</p>")
}

func (e *Emulator) needsMFA(u *user) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.embed.mfaForUILogins && !u.mfaWaiver
}

// serveLOContainer is the visible frame of one embedded component.
func (e *Emulator) serveLOContainer(x *exchange, lo loRequest) {
	u, why := e.browserUser(x, lo.appOrigin)
	if u == nil {
		x.note(why)
		e.writePage(x, http.StatusUnauthorized, "Not signed in",
			"<p>Lightning Out found no usable session: "+html.EscapeString(why)+".</p>")
		return
	}
	x.rec.User = u.username
	name := x.r.URL.Query().Get("componentName")
	x.note("component " + name)
	e.writeLOPage(x, "Tableau Next", map[string]string{
		"role": "container", "component": strings.TrimPrefix(name, "analytics_embedding/"),
		"lightning-domain": e.origin(x.r),
	}, `<div id="component"><p class="practice-wait">Loading…</p></div>`)
}

// frameTrusted reports whether the browser will show the org's page in a
// frame of appOrigin.
func (e *Emulator) frameTrusted(x *exchange, appOrigin string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return appOrigin == e.origin(x.r) || e.embed.frameTrusts(appOrigin)
}

// noteOrigins says in the log what a browser will do with the host
// page's origin: refuse the frame when the org does not trust it for
// frames, and refuse cross-origin requests when CORS does not list it.
func (e *Emulator) noteOrigins(x *exchange, appOrigin string) {
	if appOrigin == e.origin(x.r) {
		return
	}
	e.mu.Lock()
	frames, cors := e.embed.frameTrusts(appOrigin), e.embed.corsTrusts(appOrigin)
	e.mu.Unlock()
	if !frames {
		x.note("frame-ancestors leaves out " + appOrigin + " (not a Trusted Domain for Inline Frames of type Lightning Out): the browser refuses this frame")
	}
	if !cors {
		x.note("the CORS allowlist leaves out " + appOrigin + " (the SDK 2.0.0 makes no cross-origin request, so nothing fails yet)")
	}
}

// note adds a sentence to the request's log line.
func (x *exchange) note(s string) {
	if x.rec.Description != "" {
		x.rec.Description += "; "
	}
	x.rec.Description += s
}

// pageHeaders are every practice org page's: its own files only, and
// frames allowed in the trusted origins alone, as Salesforce's clickjack
// protection and Trusted Domains for Inline Frames do.
func (e *Emulator) pageHeaders(x *exchange) {
	csp := "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"
	e.mu.Lock()
	if !e.embed.anyOrigin {
		csp += "; frame-ancestors " + strings.Join(append([]string{"'self'"}, e.embed.frameOrigins...), " ")
	}
	e.mu.Unlock()
	h := x.w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "origin")
}

// writePage sends one of the org's HTML pages.
func (e *Emulator) writePage(x *exchange, status int, title, body string) {
	e.pageHeaders(x)
	x.write(status, htmlType, page(title, body))
}

// writeLOPage sends a Lightning Out page: data holds what its script
// needs (as data-* attributes of <body>), body what a person sees.
func (e *Emulator) writeLOPage(x *exchange, title string, data map[string]string, body string) {
	var attrs strings.Builder
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&attrs, ` data-%s="%s"`, k, html.EscapeString(data[k]))
	}
	e.pageHeaders(x)
	x.write(http.StatusOK, htmlType, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"+
		html.EscapeString(title)+" · tnjwt practice org</title><link rel=\"stylesheet\" href=\""+stylePath+"\">"+
		"<script src=\""+scriptPath+"\" defer></script></head>\n<body class=\"lo\""+attrs.String()+">\n"+body+"\n</body></html>\n")
}

// serveLOPage serves the three small pages Lightning Out loads by name:
// after logout (it says lo.logout), after a failed sign-in, and a message
// shown in a component's frame when it never loaded.
func (e *Emulator) serveLOPage(x *exchange) {
	if _, problem := x.loParams(); problem != "" {
		x.note(problem)
		e.writePage(x, http.StatusBadRequest, "Lightning Out", "<p>"+html.EscapeString(problem)+".</p>")
		return
	}
	switch x.r.URL.Path {
	case loLogoutPage:
		e.writeLOPage(x, "Logged out", map[string]string{"role": "logout"}, "<p>Logged out of the practice org.</p>")
	case loAuthErrorPage:
		e.writeLOPage(x, "Sign-in failed", map[string]string{"role": "error"},
			"<p>Lightning Out could not sign in to the practice org.</p>")
	default:
		msg := x.r.URL.Query().Get("message")
		e.writeLOPage(x, "Lightning Out", map[string]string{"role": "message"},
			`<p class="practice-error">`+html.EscapeString(msg)+"</p>")
	}
}

// serveMFA is where lo.redirect sends the person: Salesforce would ask for
// a verification code here.
func (e *Emulator) serveMFA(x *exchange) {
	e.writePage(x, http.StatusOK, "Verify your identity",
		"<p>Practice org: Salesforce would ask the user for a verification code here, because the org requires "+
			"multi-factor authentication for direct UI logins and this user has no MFA waiver. A session "+
			"opened with a frontdoor URL counts as a direct UI login.</p>")
}

// serveWebFile serves the pages' script and style sheet.
func (e *Emulator) serveWebFile(x *exchange, name, contentType string) {
	data, err := webFiles.ReadFile("web/" + name)
	if err != nil {
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	x.w.Header().Set("X-Content-Type-Options", "nosniff")
	x.write(http.StatusOK, contentType, string(data))
}

// asset is what the container page draws: a practice stand-in, labelled
// as such, for one Tableau Next dashboard, metric or visualization.
type asset struct {
	Kind    string   `json:"kind"`
	APIName string   `json:"apiName"`
	Label   string   `json:"label"`
	Pages   []string `json:"pages,omitempty"`
	Tiles   []tile   `json:"tiles"`
	Note    string   `json:"note"`
}

type tile struct {
	Label string `json:"label"`
	Value int    `json:"value"`
}

// serveComponent answers the container page's request for the asset its
// host asked for, or Salesforce-style words when the org has no such
// asset.
func (e *Emulator) serveComponent(x *exchange) {
	q := x.r.URL.Query()
	appOrigin, _ := parseOrigin(q.Get("loAppOrigin"))
	u, why := e.browserUser(x, appOrigin)
	if u == nil {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid: "+why)
		return
	}
	x.rec.User = u.username
	component, name := q.Get("component"), q.Get("idOrApiName")
	kind, known := componentKinds[component]
	e.mu.Lock()
	held := slices.Contains(e.assets[component], name)
	e.mu.Unlock()
	switch {
	case !known:
		x.restError(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Unknown Tableau Next component %q.", component))
	case component == componentAgent:
		x.restError(http.StatusNotFound, "NOT_FOUND", "The practice org has no agents; embed a dashboard, metric or visualization.")
	case !held:
		x.restError(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("No %s with the API name or id %q exists in this org, or this user cannot see it.", kind, name))
	default:
		x.note(kind + " " + name + " shown to " + appOrigin)
		x.writeJSON(http.StatusOK, practiceAsset(kind, name))
	}
}

// practiceAsset makes up an asset's figures from its name, so the same
// name always looks the same.
func practiceAsset(kind, name string) asset {
	h := fnv.New32a()
	h.Write([]byte(name))
	seed := int(h.Sum32())
	a := asset{Kind: kind, APIName: name, Label: strings.ReplaceAll(name, "_", " "),
		Note: "Practice org: no real data"}
	for i, label := range []string{"North", "South", "East", "West"} {
		a.Tiles = append(a.Tiles, tile{Label: label, Value: 20 + (seed>>(i*5))%80})
	}
	if kind == "dashboard" {
		a.Pages = []string{"Overview", "Details"}
	}
	return a
}
