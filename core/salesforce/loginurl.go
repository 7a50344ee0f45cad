// Package salesforce knows the Salesforce side of the JWT bearer flow: which
// login URLs and audiences are right, how to sign the assertion, how to run the
// token + singleaccess exchange, and what each refusal means for the admin who
// set the org up. It never imports Fyne.
package salesforce

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/tnjwt/tnjwt/core/problem"
)

// OrgKind says what sort of login host a LoginURL names.
type OrgKind int

// The kinds of login host.
const (
	Production      OrgKind = iota // login.salesforce.com
	Sandbox                        // test.salesforce.com
	MyDomain                       // acme.my.salesforce.com (and the gov / other variants)
	MyDomainSandbox                // acme--uat.sandbox.my.salesforce.com
	ExperienceSite                 // acme.my.site.com/customers, acme.force.com/customers
	Loopback                       // the local emulator
)

func (k OrgKind) String() string {
	switch k {
	case Production:
		return "production"
	case Sandbox:
		return "sandbox"
	case MyDomain:
		return "My Domain"
	case MyDomainSandbox:
		return "sandbox My Domain"
	case ExperienceSite:
		return "Experience Cloud site"
	case Loopback:
		return "local emulator"
	}
	return "unknown"
}

// The audiences Salesforce accepts for orgs (spec §1.4).
const (
	ProductionAudience = "https://login.salesforce.com"
	SandboxAudience    = "https://test.salesforce.com"
)

// LoginURL is a checked login URL. URL is normalised to scheme://host with the
// site path for Experience Cloud sites (and the emulator), never a trailing
// slash, so URL + "/services/oauth2/token" is the token endpoint.
type LoginURL struct {
	URL     string
	Host    string // host[:port], lower case
	Kind    OrgKind
	Sandbox bool
}

// InputError is a value an admin typed or pasted that cannot be used. Problem
// says what is wrong, Hint what to do (often the URL to use instead). Neither
// ever quotes a secret. It is the shared input error, the same type as
// certs.InputError; salesforce leaves Kind empty.
type InputError = problem.Input

const loginHint = "Use https://login.salesforce.com (production), https://test.salesforce.com (sandbox) " +
	"or your org's My Domain URL (Setup → Quick Find 'My Domain' → Current My Domain URL)"

// My Domain suffixes and the Lightning suffix each maps to (sfdx-core
// SfdcUrl.toLightningDomain, spec §4.6).
var myDomainSuffixes = []struct{ my, lightning string }{
	{".my.salesforce.com", ".lightning.force.com"},
	{".my-salesforce.com", ".my-lightning.com"},
	{".my.salesforce.mil", ".lightning.crmforce.mil"},
	{".my.sfcrmproducts.cn", ".lightning.sfcrmapps.cn"},
}

// oauthPathMarker starts the part of a pasted endpoint URL that is not part of
// the login URL: /services/oauth2/token, /services/oauth2/authorize, ...
const oauthPathMarker = "/services/oauth2"

// looksLikeEmail is a username typed where the login URL goes: name@domain,
// with no scheme and no path.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.ContainsAny(s, "/:") && strings.Contains(domain, ".")
}

// ParseLoginURL checks a login URL as an admin would paste it and returns it
// normalised. Refusals are *InputError naming the URL to use instead.
func ParseLoginURL(raw string) (LoginURL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return LoginURL{}, &InputError{Problem: "the login URL is empty", Hint: loginHint}
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return LoginURL{}, &InputError{Problem: "the login URL contains spaces", Hint: loginHint}
	}
	if looksLikeConsumerKey(s) {
		return LoginURL{}, notAURL(s)
	}
	if looksLikeEmail(s) {
		return LoginURL{}, &InputError{Problem: "that looks like an email address, which belongs in Username, not the login URL",
			Hint: loginHint}
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return LoginURL{}, notAURL(raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return LoginURL{}, &InputError{Problem: "the login URL must start with https://, not " + scheme + "://", Hint: loginHint}
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if err := lookAlikeHost(host); err != nil {
		return LoginURL{}, err
	}
	if err := notThisMachine(scheme, host, port); err != nil {
		return LoginURL{}, err
	}
	loop := isLoopback(host)
	if !loop && (!validName(host) || !strings.Contains(host, ".")) {
		return LoginURL{}, notAURL(raw)
	}

	l := LoginURL{Host: joinHostPort(host, port)}
	// onPage: the address is a site page (its login page, say), copied from
	// the browser; its query belongs to the page, so it is dropped, not refused.
	onPage := false
	if loop {
		l.Kind = Loopback
		l.URL = scheme + "://" + l.Host + cleanPath(u.EscapedPath())
	} else {
		if onPage, err = classify(&l, host, u.EscapedPath()); err != nil {
			return LoginURL{}, err
		}
		if port != "" && port != "443" {
			return LoginURL{}, &InputError{Problem: "Salesforce login URLs have no port number (" + port + ")", Hint: "Use " + l.URL}
		}
	}
	if u.User != nil {
		return LoginURL{}, &InputError{Problem: "the login URL contains a user name or password", Hint: "Remove them and use " + l.URL}
	}
	if !onPage && (u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#")) {
		return LoginURL{}, &InputError{Problem: "the login URL has a query (?…) or fragment (#…) part", Hint: "Use " + l.URL}
	}
	if scheme == "http" && !loop {
		return LoginURL{}, &InputError{Problem: "the login URL uses plain http://; Salesforce only answers over https://", Hint: "Use " + l.URL}
	}
	return l, nil
}

// asciiHostHint says what a login host is made of.
const asciiHostHint = "Salesforce login hosts use only the letters a–z, digits, '-' and '.': type the address " +
	"rather than copying it from a message or web page. "

// lookAlikeHost refuses a host that is not plain ASCII, or has an
// internationalised (xn--) label: either can imitate a Salesforce host
// (a Cyrillic "а" in salesforce). The host is not quoted; the message names
// the first odd character by code point and position instead.
func lookAlikeHost(host string) error {
	pos := 0
	for _, r := range host {
		pos++
		if r > 0x7e || r < 0x21 {
			return &InputError{Problem: fmt.Sprintf("the login URL's host has a character that is not plain ASCII (%U) "+
				"at position %d: it may be a look-alike of a Salesforce host", r, pos), Hint: asciiHostHint + loginHint}
		}
	}
	for _, label := range strings.Split(host, ".") {
		if strings.HasPrefix(label, "xn--") {
			return &InputError{Problem: "the login URL's host has an internationalised (xn--) name in it: " +
				"it may be a look-alike of a Salesforce host", Hint: asciiHostHint + loginHint}
		}
	}
	return nil
}

// notThisMachine refuses, with the URL to use, the hosts that look like this
// machine but that isLoopback does not count: names under .localhost, and
// IP addresses in IPv6 form other than ::1 (such as ::ffff:127.0.0.1).
func notThisMachine(scheme, host, port string) error {
	if name, ok := strings.CutSuffix(host, ".localhost"); ok && validName(name) {
		return &InputError{Problem: host + " does not count as this machine: only localhost, 127.0.0.1 and [::1] do, " +
			"because Go may send a name under .localhost through a proxy or DNS",
			Hint: "Use " + scheme + "://" + joinHostPort("localhost", port)}
	}
	ip := net.ParseIP(host)
	if ip == nil || !strings.Contains(host, ":") || isLoopback(host) {
		return nil
	}
	if v4 := ip.To4(); v4 != nil && v4.IsLoopback() {
		return &InputError{Problem: "[" + host + "] is an IPv4-mapped address, which tnjwt does not count as this machine",
			Hint: "Use " + scheme + "://" + joinHostPort(v4.String(), port)}
	}
	return &InputError{Problem: "[" + host + "] is an IP address, not a Salesforce login host", Hint: loginHint}
}

// classify fills l for a non-loopback host, or explains why the host is not a
// login host and which one to use. Only a site keeps a path; onPage reports
// that the pasted path went on to one of the site's pages.
func classify(l *LoginURL, host, path string) (onPage bool, err error) {
	origin := "https://" + host
	switch host {
	case "login.salesforce.com":
		l.Kind, l.URL = Production, origin
		return false, nil
	case "test.salesforce.com":
		l.Kind, l.URL, l.Sandbox = Sandbox, origin, true
		return false, nil
	}
	if right, what, ok := wrongSalesforceHost(host); ok {
		return false, &InputError{Problem: host + " is " + what + ", not a login host", Hint: hintFor(right)}
	}
	for _, s := range myDomainSuffixes {
		if name, ok := strings.CutSuffix(host, s.my); ok && validName(name) {
			l.Kind, l.URL = MyDomain, origin
			if isSandboxName(name) {
				l.Kind, l.Sandbox = MyDomainSandbox, true
			}
			return false, nil
		}
	}
	if isSiteHost(host) {
		site, onPage := sitePath(path)
		l.Kind, l.URL = ExperienceSite, origin+site
		l.Sandbox = strings.Contains(host, ".sandbox.")
		return onPage, nil
	}
	return false, &InputError{Problem: host + " is not a Salesforce login host", Hint: loginHint +
		". For an Experience Cloud site on a custom domain, use the site's *.my.site.com address"}
}

// sitePath keeps the site's own path (/customers) from an address copied
// while on one of its pages: an Experience Builder page (/customers/s/login,
// /customers/s/), a Visualforce login page (/customers/login,
// /customers/secur/login_portal.jsp), or an API endpoint
// (/customers/services/oauth2/token). onPage is true for the pages people
// browse, whose query (?startURL=…) goes with them; an endpoint pasted with a
// query is still refused, as on every other host.
func sitePath(p string) (site string, onPage bool) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i, seg := range segs {
		switch strings.ToLower(seg) {
		case "s", "secur":
			return joinPath(segs[:i]), true
		case "services":
			return joinPath(segs[:i]), false
		}
	}
	if last := len(segs) - 1; strings.EqualFold(segs[last], "login") {
		return joinPath(segs[:last]), true
	}
	return joinPath(segs), false
}

// joinPath makes "/a/b" from path segments, never with a trailing slash, and
// "" from none (or only empty ones).
func joinPath(segs []string) string {
	p := strings.Trim(strings.Join(segs, "/"), "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// notAURL refuses input that is not a web address. It does not quote the input:
// people paste the consumer key into the wrong box, and it must not be echoed.
func notAURL(raw string) error {
	if looksLikeConsumerKey(strings.TrimSpace(raw)) {
		return &InputError{Problem: "the login URL looks like a consumer key", Hint: loginHint}
	}
	return &InputError{Problem: "the login URL is not a web address", Hint: loginHint}
}

func looksLikeConsumerKey(s string) bool {
	return strings.HasPrefix(s, "3MVG") && len(s) >= 40
}

func hintFor(right string) string {
	if right == "" {
		return loginHint
	}
	return "Use " + right + " (your My Domain login URL)"
}

// wrongSalesforceHost recognises Salesforce hosts people copy from the browser
// that cannot take a token request, and maps them to the My Domain login URL
// when the host says what it is.
func wrongSalesforceHost(host string) (right, what string, ok bool) {
	for _, s := range myDomainSuffixes {
		if name, found := strings.CutSuffix(host, s.lightning); found && validName(name) {
			return "https://" + name + s.my, "a Lightning Experience address", true
		}
	}
	if name, found := strings.CutSuffix(host, ".my.salesforce-setup.com"); found && validName(name) {
		return "https://" + name + ".my.salesforce.com", "a Setup address", true
	}
	if name, found := strings.CutSuffix(host, ".vf.force.com"); found && validName(name) {
		return myDomainFromPackaged(name, true), "a Visualforce address", true
	}
	if name, found := strings.CutSuffix(host, ".file.force.com"); found && validName(name) {
		return myDomainFromPackaged(name, false), "a file (content) address", true
	}
	if strings.HasSuffix(host, ".visual.force.com") || strings.HasSuffix(host, ".visualforce.com") {
		return "", "a Visualforce address", true
	}
	if strings.HasSuffix(host, ".salesforce-experience.com") {
		return "", "an Experience Builder preview address", true
	}
	if strings.HasSuffix(host, ".content.force.com") || strings.HasSuffix(host, ".container.force.com") {
		return "", "a content address", true
	}
	return "", "", false
}

// myDomainFromPackaged turns the name part of an enhanced-domain Visualforce or
// file host into the My Domain URL: acme--c (Visualforce, package "c") →
// acme; acme--uat--c.sandbox → acme--uat.sandbox.
func myDomainFromPackaged(name string, hasPackage bool) string {
	base, sandbox := strings.CutSuffix(name, ".sandbox")
	if strings.Contains(base, ".") {
		return ""
	}
	if hasPackage {
		i := strings.LastIndex(base, "--")
		if i <= 0 {
			return ""
		}
		base = base[:i]
	}
	if sandbox {
		return "https://" + base + ".sandbox.my.salesforce.com"
	}
	return "https://" + base + ".my.salesforce.com"
}

// isSandboxName reports a My Domain name part of a sandbox or scratch org:
// acme--uat.sandbox, acme-dev.scratch.
func isSandboxName(name string) bool {
	return strings.HasSuffix(name, ".sandbox") || strings.HasSuffix(name, ".scratch")
}

// isSiteHost recognises Experience Cloud site hosts: *.my.site.com, and the
// legacy *.force.com site domains (Lightning, Visualforce and file hosts are
// refused before this is asked).
func isSiteHost(host string) bool {
	for _, suffix := range []string{".my.site.com", ".force.com"} {
		if name, ok := strings.CutSuffix(host, suffix); ok && validName(name) {
			return true
		}
	}
	return false
}

// validName checks the part of a host before a known suffix: DNS labels only.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// cleanPath drops what admins paste after the emulator's URL: an OAuth
// endpoint path and trailing slashes.
func cleanPath(p string) string {
	if i := strings.Index(strings.ToLower(p), oauthPathMarker); i >= 0 {
		p = p[:i]
	}
	return strings.TrimRight(p, "/")
}

// isLoopback is true for localhost and loopback addresses: the emulator's home.

func joinHostPort(host, port string) string {
	if port == "" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// Audience is the JWT aud for a login URL: the override when given, the site
// URL for an Experience Cloud site, test.salesforce.com for a sandbox (by URL
// or by the sandbox flag), login.salesforce.com otherwise. The emulator checks
// aud the same way Salesforce does, so loopback follows the sandbox flag.
func Audience(l LoginURL, sandbox bool, override string) string {
	if o := strings.TrimRight(strings.TrimSpace(override), "/"); o != "" {
		return o
	}
	if l.Kind == ExperienceSite {
		return l.URL
	}
	if sandbox || l.Sandbox {
		return SandboxAudience
	}
	return ProductionAudience
}

// Audiences is the order in which a test tries audiences for l: the
// override alone when there is one; an Experience Cloud site's own URL;
// for a My Domain the one that last worked, else the My Domain URL itself
// (what Spring '26 External Client Apps want), then the legacy login or
// test host (what older orgs and Connected Apps want); for
// login/test.salesforce.com that host alone. A test moves to the second
// only when the first is refused as the wrong audience.
//
// A login URL on this computer gets its own URL alone, whatever was
// remembered: an assertion for login or test.salesforce.com is one Salesforce
// accepts for 3 minutes, and whatever holds a local port (another user's
// program, say) would get it. Only an override sends one there, on purpose.
func Audiences(l LoginURL, sandbox bool, override, remembered string) []string {
	if o := strings.TrimRight(strings.TrimSpace(override), "/"); o != "" {
		return []string{o}
	}
	legacy := Audience(l, sandbox, "")
	switch l.Kind {
	case Loopback:
		return []string{l.URL}
	case MyDomain, MyDomainSandbox:
	default:
		return []string{legacy}
	}
	own := l.URL
	if strings.TrimRight(remembered, "/") == legacy {
		return []string{legacy, own}
	}
	return []string{own, legacy}
}

// PreferredAudience is the audience a test tries first, and the one the
// exports hand to the app's servers.
func PreferredAudience(l LoginURL, sandbox bool, override, remembered string) string {
	return Audiences(l, sandbox, override, remembered)[0]
}

// CheckAudience checks an --audience override: an https URL (or loopback
// http), normalised without a trailing slash.
func CheckAudience(raw string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &InputError{Problem: "the audience is not a plain https:// URL",
			Hint: "Leave it out to use " + ProductionAudience + " (production) or " + SandboxAudience + " (sandbox)"}
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", &InputError{Problem: "the audience must be an https:// URL",
			Hint: "Salesforce accepts " + ProductionAudience + ", " + SandboxAudience + " or an Experience Cloud site URL"}
	}
	return s, nil
}

// LightningURL maps an org's instance URL (its My Domain) to the Lightning
// host the Tableau Next SDK wants as orgUrl (sfdx-core toLightningDomain). A
// loopback instance (the emulator) maps to itself.
func LightningURL(instanceURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(instanceURL))
	if err != nil || u.Host == "" {
		return "", &InputError{Problem: "the instance URL " + quote(instanceURL) + " is not a web address"}
	}
	host := strings.ToLower(u.Hostname())
	if isLoopback(host) {
		return u.Scheme + "://" + strings.ToLower(u.Host), nil
	}
	for _, s := range myDomainSuffixes {
		if name, ok := strings.CutSuffix(host, s.my); ok && validName(name) {
			return "https://" + name + s.lightning, nil
		}
		if strings.HasSuffix(host, s.lightning) {
			return "https://" + host, nil
		}
	}
	return "", &InputError{Problem: "cannot tell the Lightning URL of " + host + " (it is not a My Domain host)",
		Hint: "Open the org in a browser and use the https://….lightning.force.com address as orgUrl"}
}

func quote(s string) string {
	const max = 80
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = s[:max] + "…"
	}
	return "\"" + s + "\""
}
