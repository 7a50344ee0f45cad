package salesforce

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/safetext"
)

// FuzzParseLoginURL: whatever an admin pastes, the parser answers without
// panicking; what it accepts is https (or plain http on this machine), has
// no user part, and parses back to itself.
func FuzzParseLoginURL(f *testing.F) {
	for _, s := range []string{"https://login.salesforce.com", "https://acme.my.salesforce.com/", "https://acme.lightning.force.com/lightning/setup",
		"http://127.0.0.1:8787", "https://acme.my.site.com/s/login?x=1", "admin@acme.com", "https://user@acme.my.salesforce.com",
		"http://[::ffff:127.0.0.1]:1", "http://a.localhost", "https://xn--acm-5na.my.salesforce.com", " ", "\x00", "https://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		l, err := ParseLoginURL(raw)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("%q: error %T is not an InputError", raw, err)
			}
			return
		}
		u, perr := url.Parse(l.URL)
		if perr != nil || u.User != nil || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
			t.Fatalf("%q accepted as %q", raw, l.URL)
		}
		if again, err := ParseLoginURL(l.URL); err != nil || again.URL != l.URL {
			t.Fatalf("%q → %q does not parse back (%v)", raw, l.URL, err)
		}
	})
}

// FuzzReplies: the token reply, the singleaccess reply and both refusal
// parsers take any body; an accepted instance is safe for the token, and
// every string they keep is clean.
func FuzzReplies(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"00Dx!abc","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","scope":"web"}`,
		`{"access_token":"x","instance_url":"https://evil.example.com"}`, `{"access_token":"x","instance_url":"http://127.0.0.1:1"}`,
		`{"frontdoor_uri":"https://acme.my.salesforce.com/secur/frontdoor.jsp?otp=x"}`, `{"frontdoor_uri":"javascript:alert(1)"}`,
		`{"frontdoor_uri":"https://acme.my.salesforce.com/secur/frontdoor.jsp?otp=x\u009b2J\u202e"}`,
		`{"access_token":"x","instance_url":"https://acme.my.salesforce.com","id":"https://x/id/%1B[2J00D5g00000ACMEAAA/0055g00000EMBEDAAA","scope":"web\u001b[2J"}`,
		`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, `{"error":"invalid_grant","error_description":"x\u001b[31m"}`,
		"Bad_OAuth_Token", "<html>oops</html>", "", "{", `{"instance_url":"https://u:p@acme.my.salesforce.com"}`,
	} {
		f.Add([]byte(s))
	}
	login, _ := ParseLoginURL("https://acme.my.salesforce.com")
	instance, _ := url.Parse("https://acme.my.salesforce.com")
	f.Fuzz(func(t *testing.T, body []byte) {
		r := &reply{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: body}
		if tok, err := parseToken(r, login); err == nil {
			if safeInstance(tok.instanceURL, login) != nil || plainURL(tok.instance) != nil {
				t.Fatalf("unsafe instance accepted: %q", tok.instance)
			}
			if safetext.Clean(tok.scope) != tok.scope || plainURL("x"+tok.orgID+tok.userID) != nil {
				t.Fatalf("scope %q or ids %q / %q kept raw", tok.scope, tok.orgID, tok.userID)
			}
		}
		if fd, err := parseFrontdoor(r, instance); err == nil && (!strings.HasPrefix(fd, "https://acme.my.salesforce.com") || plainURL(fd) != nil) {
			t.Fatalf("frontdoor on another host, or not plain ASCII, accepted: %q", fd)
		}
		r.status = 400
		if err, ok := singleAccessRefusal(r, "acme.my.salesforce.com", "SECRET-TOKEN-VALUE").(*RefusalError); ok {
			for _, s := range []string{err.Code, err.Description} {
				if safetext.Clean(s) != s || strings.Contains(s, "SECRET-TOKEN-VALUE") {
					t.Fatalf("refusal keeps %q", s)
				}
			}
		}
		code, msg, _ := restError(body)
		_ = code + msg
	})
}
