package embedding

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/tnjwt/tnjwt/core/problem"
)

// DevelopmentOrigin is the origin offered for a developer's machine: where
// the exported app and the preview serve their page.
const DevelopmentOrigin = "http://localhost:3000"

// maxOrigin bounds an origin as typed.
const maxOrigin = 300

// ParseOrigin checks a web origin as an admin types it (the address the
// app's page is served from: scheme, host and port, nothing after) and
// returns it as browsers write it: lower case, without the default port.
// Only localhost may use http: Salesforce trusts https origins for
// embedding. Refusals are *problem.Input saying what to type instead.
func ParseOrigin(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	bad := func(problemText, hint string) (string, error) {
		return "", &problem.Input{Problem: problemText, Hint: hint}
	}
	switch {
	case s == "":
		return bad("no web address given", "Type the address your app's pages are served from, such as https://app.acme.com")
	case len(s) > maxOrigin:
		return bad("the address is longer than "+strconv.Itoa(maxOrigin)+" characters", "Type only scheme, host and port, such as https://app.acme.com")
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || r == ' ' }):
		return bad("the address holds a space or a control character", "Type it again as one word, such as https://app.acme.com")
	case !strings.Contains(s, "://"):
		hostPort, _, _ := strings.Cut(s, "/")
		return bad(quoted(s)+" has no https:// in front", "Type https://"+hostPort)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return bad(quoted(s)+" is not a web address", "Type it as https://app.acme.com or http://localhost:3000")
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	local := isLocal(host)
	switch {
	case scheme != "https" && scheme != "http":
		return bad(quoted(s)+" starts with "+scheme+"://; a web page's address starts with https://", "Type https://"+u.Host)
	case scheme == "http" && !local:
		return bad(quoted(s)+" uses http://, which Salesforce trusts only for localhost", "Type https://"+u.Host+", the address your users open")
	case u.User != nil:
		return bad(quoted(s)+" holds a user name or password", "Type only scheme, host and port: "+scheme+"://"+u.Host)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return bad(quoted(s)+" has a path, ? or #: Setup trusts whole origins, not pages", "Type "+scheme+"://"+u.Host+" (without "+strings.TrimPrefix(s, scheme+"://"+u.Host)+")")
	case strings.Contains(host, "*"):
		return bad(quoted(s)+" holds a wildcard", "Type one exact address, such as https://app.acme.com; add each address your app uses")
	case !local && !validHostName(host):
		return bad(quoted(host)+" is not a host name", "Type a name such as app.acme.com (an international name in its xn-- form)")
	}
	port := u.Port()
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad(quoted(s)+" has the port "+quoted(port), "Use a port from 1 to 65535, or none")
		}
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHostName: dot-separated labels of letters, digits and hyphens, at
// least two labels, none starting or ending with a hyphen.
func validHostName(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func quoted(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "“" + s + "”"
}
