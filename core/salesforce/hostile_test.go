package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/safetext"
)

// The access token goes only to https on a Salesforce host, or to this
// machine when the login URL is this machine.
func TestInstanceURLMustBeSalesforce(t *testing.T) {
	myDomain, _ := ParseLoginURL("https://acme.my.salesforce.com")
	loop, _ := ParseLoginURL("http://127.0.0.1:8787")
	for _, c := range []struct {
		login    LoginURL
		instance string
		ok       bool
	}{
		{myDomain, "https://acme.my.salesforce.com", true},
		{myDomain, "https://acme--uat.sandbox.my.salesforce.com", true},
		{myDomain, "https://acme.my.site.com", true},
		{myDomain, "https://acme.my.salesforce.mil", true},
		{myDomain, "https://evil.example.com", false},
		{myDomain, "https://acme.my.salesforce.com.evil.example.com", false},
		{myDomain, "https://salesforce.com", false}, // the bare domain is no org
		{myDomain, "http://acme.my.salesforce.com", false},
		{myDomain, "http://127.0.0.1:8787", false}, // loopback after an https login
		{myDomain, "https://user@acme.my.salesforce.com", false},
		{loop, "http://127.0.0.1:8787", true},
		{loop, "http://localhost:9000", true},
		{loop, "http://[::1]:9000", true},
		{loop, "http://evil.localhost:9000", false},
		{loop, "http://[::ffff:127.0.0.1]:9000", false},
		{loop, "https://evil.example.com", false},
	} {
		u, _ := url.Parse(c.instance)
		err := safeInstance(u, c.login)
		var te *TransportError
		if c.ok != (err == nil) || (err != nil && (!errors.As(err, &te) || te.Kind != KindUnsafeHost)) {
			t.Errorf("login %s, instance %s: %v", c.login.URL, c.instance, err)
		}
	}
}

// A token reply naming another host: no request goes there, exit 4.
func TestNoRequestGoesToAHostileInstance(t *testing.T) {
	evilHost := "https://evil.example.com"
	f := newFake(t)
	f.token = answer(200, jsonCT, `{"access_token":"`+testToken+`","instance_url":"`+evilHost+`","id":"x","token_type":"Bearer"}`)
	res, err := testClient().Exchange(context.Background(), f.request(t))
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindUnsafeHost || !strings.Contains(te.Problem, "not a Salesforce host") || res.FrontdoorURI != "" {
		t.Fatalf("err = %v", err)
	}
	if f.saHits.Load() != 0 {
		t.Error("the singleaccess request (with the access token) went out")
	}
}

func TestLoopbackIsOnlyLocalhostAnd127AndV6One(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true,
		"foo.localhost": false, "localhost.": false, "::ffff:127.0.0.1": false, "0.0.0.0": false, "10.0.0.1": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
	if _, err := ParseLoginURL("http://emulator.localhost:8787"); err == nil {
		t.Error("a *.localhost login URL over plain http was accepted")
	}
}

// Text a server sends back is cleaned of escapes and control characters,
// and any echo of a secret, whole, URL-encoded or in part, is redacted.
func TestServerTextIsCleanedAndSecretsRedacted(t *testing.T) {
	secret := "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.SECRET"
	for in, bad := range map[string]string{
		"echo " + secret:                        secret,
		"echo " + url.QueryEscape(secret):       url.QueryEscape(secret),
		"part " + secret[10:30] + " end":        secret[10:30],
		"red \x1b[31mALERT\x1b[0m \u202eevil":   "\x1b",
		"bell\x07 newline\n tab\t and \u202e x": "\u202e",
	} {
		out := scrub(in, secret)
		if strings.Contains(out, bad) || strings.ContainsAny(out, "\x1b\x07\n\t\u202e") {
			t.Errorf("scrub(%q) = %q", in, out)
		}
	}
	f := newFake(t)
	f.token = answer(400, jsonCT, `{"error":"invalid_grant\u001b[2J","error_description":"bad \u001b]0;pwned\u0007 thing\r\nInjected: yes"}`)
	_, err := testClient().Exchange(context.Background(), f.request(t))
	var re *RefusalError
	if !errors.As(err, &re) || re.Code != "invalid_grant" || re.Description != "bad thing Injected: yes" {
		t.Errorf("refusal = %q / %q", re.Code, re.Description)
	}
}

func TestControlCharactersInUsernamesAndKeysAreRefused(t *testing.T) {
	if _, _, err := CheckUsername("embed\u202e@acme.com", false); err == nil || !strings.Contains(err.Error(), "(U+202E) at position 6") {
		t.Errorf("username: %v", err)
	}
	key := "3MVG9" + strings.Repeat("A", 40) + "\x1b" + strings.Repeat("B", 40)
	if _, _, err := CheckConsumerKey(key); err == nil || !strings.Contains(err.Error(), "(U+001B) at position 46") || strings.Contains(err.Error(), "AAAA") {
		t.Errorf("consumer key: %v", err)
	}
}

// clean fails the test if s holds an escape, a control character or a bidi
// override: what a server sends must not reach the admin's terminal raw.
func clean(t *testing.T, what, s string) {
	t.Helper()
	if pos, r, ok := safetext.FirstControl(s); ok {
		t.Errorf("%s holds %U at position %d: %q", what, r, pos, s)
	}
}

// jsonBody encodes v, hostile characters and all, as a server would send it.
func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A captive portal or a proxy's sign-in page answers 200 with HTML: a bad
// reply in plain words, with nothing of the page in the message.
func TestHTMLPageWithStatus200IsABadReply(t *testing.T) {
	page := "<html><head><title>Sign in to CoffeeWiFi</title></head><body>\x1b[2J\u202e<script>alert(1)</script></body></html>"
	for _, c := range []struct {
		name, phase, contentType, body string
	}{
		{"token text/html", PhaseToken, "text/html; charset=utf-8", page},
		{"token no content type", PhaseToken, "", "<!DOCTYPE html>" + page},
		{"singleaccess text/html", PhaseSingleAccess, "text/html", page},
		{"singleaccess labelled JSON", PhaseSingleAccess, jsonCT, page},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			h := func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{c.contentType} // even "": no sniffing
				w.WriteHeader(200)
				fmt.Fprint(w, c.body)
			}
			if c.phase == PhaseToken {
				f.token = h
			} else {
				f.sa = h
			}
			res, err := testClient().Exchange(context.Background(), f.request(t))
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindBadReply || te.Phase != c.phase {
				t.Fatalf("err = %v (%T), want a %s bad reply", err, err, c.phase)
			}
			want := "the token reply is not valid JSON (with a web page)"
			if c.phase == PhaseSingleAccess {
				want = "the singleaccess reply is not valid JSON (with a web page)"
			}
			if te.Problem != want {
				t.Errorf("problem = %q, want %q", te.Problem, want)
			}
			for _, bad := range []string{"<", "CoffeeWiFi", "script", "alert"} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("error quotes the page (%q): %s", bad, err)
				}
			}
			clean(t, "error", err.Error())
			if res.FrontdoorURI != "" || Diagnose(err) != nil {
				t.Errorf("frontdoor %q, diagnosis %+v", res.FrontdoorURI, Diagnose(err))
			}
			if c.phase == PhaseToken && f.saHits.Load() != 0 {
				t.Error("singleaccess was called after an HTML token reply")
			}
		})
	}
}

// A server that sends the headers and then drips the body, or stalls after a
// few bytes, does not hold the exchange past the client's timeout, and the
// message says the reply began.
func TestDrippingReplyTimesOut(t *testing.T) {
	for _, c := range []struct {
		name, phase, start string
		drip               bool // a byte every 20 ms; else nothing more
	}{
		{"token drips", PhaseToken, `{"access_token":"`, true},
		{"token stalls", PhaseToken, `{"access_token":"`, false},
		{"singleaccess drips", PhaseSingleAccess, `{"frontdoor_uri":"https://`, true},
		{"singleaccess stalls", PhaseSingleAccess, `{"frontdoor_uri":"https://`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			h := func(w http.ResponseWriter, r *http.Request) {
				_, _ = r.Body.Read(make([]byte, 1<<10))
				w.Header().Set("Content-Type", jsonCT)
				w.WriteHeader(200)
				fmt.Fprint(w, c.start)
				w.(http.Flusher).Flush()
				var tick <-chan time.Time
				if c.drip {
					tk := time.NewTicker(20 * time.Millisecond) // the pace of the drip, not a wait for state
					defer tk.Stop()
					tick = tk.C
				}
				giveUp := time.After(20 * time.Second) // a broken client fails the test rather than hanging it
				for {
					select {
					case <-r.Context().Done(): // the client hung up
						return
					case <-f.stop:
						return
					case <-giveUp:
						return
					case <-tick:
						if _, err := w.Write([]byte("x")); err != nil {
							return
						}
						w.(http.Flusher).Flush()
					}
				}
			}
			if c.phase == PhaseToken {
				f.token = h
			} else {
				f.sa = h
			}
			cl := testClient()
			cl.Timeout = 200 * time.Millisecond // this timeout must expire
			// A body that never ends would hang here: the test's own
			// deadline is the check, not a timed assertion.
			res, err := cl.Exchange(context.Background(), f.request(t))
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindTimeout || te.Phase != c.phase {
				t.Fatalf("err = %v (%T), want a %s timeout", err, err, c.phase)
			}
			if !strings.Contains(te.Problem, "began to answer (HTTP 200) but the rest of its reply did not arrive within 200 milliseconds") {
				t.Errorf("problem = %q", te.Problem)
			}
			if res.FrontdoorURI != "" {
				t.Error("a frontdoor URL came out of a timeout")
			}
		})
	}
}

// An endless body with no Content-Length is read no further than the 1 MiB
// cap: the client hangs up, and the server sees its writes fail.
func TestEndlessReplyStopsAtTheCap(t *testing.T) {
	for _, phase := range []string{PhaseToken, PhaseSingleAccess} {
		t.Run(phase, func(t *testing.T) {
			f := newFake(t)
			written := make(chan int64, 1)
			h := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", jsonCT)
				w.WriteHeader(200)
				chunk := bytes.Repeat([]byte("x"), 32<<10)
				var n int64
				defer func() { written <- n }()
				for {
					select {
					case <-f.stop:
						return
					default:
					}
					m, err := w.Write(chunk)
					n += int64(m)
					if err != nil {
						return // the client stopped reading and hung up
					}
				}
			}
			if phase == PhaseToken {
				f.token = h
			} else {
				f.sa = h
			}
			_, err := testClient().Exchange(context.Background(), f.request(t))
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindTooLarge || te.Phase != phase || !strings.Contains(te.Problem, "reply too large") {
				t.Fatalf("err = %v, want a %s reply too large", err, phase)
			}
			// Exchange has returned, so the client has closed the connection:
			// the server's next writes fail. Waiting for that is no race.
			select {
			case n := <-written:
				if n <= MaxReplyBytes || n > 64<<20 {
					t.Errorf("the server wrote %d bytes before the client hung up", n)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the server is still writing: the client did not hang up")
			}
		})
	}
}

// The consumer key echoed by a server, whole, URL-encoded or in part, is
// redacted from refusals and faults in every phase, as the token is.
func TestConsumerKeyEchoIsRedacted(t *testing.T) {
	key := emulatortest.ConsumerKey
	for _, c := range []struct {
		name, phase string
		status      int
		ct, body    string
	}{
		{"token description", PhaseToken, 400, jsonCT, jsonBody(t, map[string]string{"error": "invalid_client",
			"error_description": "client " + key + " is not approved"})},
		{"token code", PhaseToken, 400, jsonCT, jsonBody(t, map[string]string{"error": key, "error_description": "unknown app"})},
		{"token URL-encoded", PhaseToken, 400, jsonCT, jsonBody(t, map[string]string{"error": "invalid_client",
			"error_description": "client_id=" + url.QueryEscape(key+"/=") + " unknown"})},
		{"token piece", PhaseToken, 400, jsonCT, jsonBody(t, map[string]string{"error": "invalid_client",
			"error_description": "client ..." + key[30:50] + "... is not approved"})},
		{"token 503", PhaseToken, 503, jsonCT, jsonBody(t, map[string]string{"error": "unknown_error",
			"error_description": "retry " + key})},
		{"singleaccess text", PhaseSingleAccess, 403, "text/plain", "Forbidden for client " + key},
		{"singleaccess REST", PhaseSingleAccess, 401, jsonCT, jsonBody(t, []map[string]string{{"errorCode": "INVALID_SESSION_ID",
			"message": "session of " + key + " expired"}})},
		{"singleaccess 500", PhaseSingleAccess, 500, jsonCT, jsonBody(t, map[string]string{"error": "server_error",
			"error_description": key[5:40]})},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			if c.phase == PhaseToken {
				f.token = answer(c.status, c.ct, c.body)
			} else {
				f.sa = answer(c.status, c.ct, c.body)
			}
			_, err := testClient().Exchange(context.Background(), f.request(t))
			if err == nil {
				t.Fatal("no error")
			}
			code, desc := ErrorFields(err)
			fields := jsonBody(t, map[string]string{"error": code, "error_description": desc})
			texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fields}
			if d := Diagnose(err); d != nil {
				texts = append(texts, d.Fix)
			}
			for _, s := range texts {
				for i := 0; i+scrubWindow <= len(key); i++ {
					if strings.Contains(s, key[i:i+scrubWindow]) {
						t.Errorf("the consumer key leaked (%q): %s", key[i:i+scrubWindow], s)
						break
					}
				}
			}
			if !strings.Contains(fields, "[redacted]") {
				t.Errorf("fields %s, want the echoed key redacted", fields)
			}
		})
	}
}

// A frontdoor_uri is shown, copied and opened as it came, so it must be
// printable ASCII throughout: an escape sequence, a C1 control (which Go's
// URL parser lets through, even in a host name), a bidi override or any
// other non-ASCII character is a bad reply (exit 4) that names the
// character and where it is, never showing it.
func TestFrontdoorURIHoldsOnlyPlainASCII(t *testing.T) {
	for _, c := range []struct {
		name, uri, mention string
	}{
		{"bidi in the host", "https://evil\u202emoc.example.com/secur/frontdoor.jsp?otp=x", "invisible control character (U+202E at position 13)"},
		{"8-bit CSI in the host", "https://evil\u009b31m.example.com/x", "invisible control character (U+009B at position 13)"},
		{"ESC in the host", "https://evil\x1b[2J.example.com/x", "invisible control character (U+001B at position 13)"},
		{"clear screen in the query", "ORG/secur/frontdoor.jsp?otp=x\x1b[2J\x1b]0;pwned\x07", "(U+001B at position"},
		{"8-bit CSI in the query", "ORG/secur/frontdoor.jsp?otp=x\u009b2J", "(U+009B at position"},
		{"bidi in the path", "ORG/secur/\u202efrontdoor.jsp?otp=x", "(U+202E at position"},
		{"space", "ORG/secur/frontdoor.jsp?otp=x y", "a space (U+0020"},
		{"look-alike letter", "ORG/secur/fr\u043entdoor.jsp?otp=x", "not plain ASCII (U+043E"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			uri := strings.Replace(c.uri, "ORG", f.srv.URL, 1)
			f.sa = answer(200, jsonCT, jsonBody(t, map[string]string{"frontdoor_uri": uri}))
			res, err := testClient().Exchange(context.Background(), f.request(t))
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindBadReply || te.Phase != PhaseSingleAccess ||
				!strings.Contains(te.Problem, c.mention) || !strings.Contains(te.Problem, "neither shows nor uses it") {
				t.Fatalf("err = %v, want a bad reply mentioning %q", err, c.mention)
			}
			clean(t, "error", err.Error())
			if res.FrontdoorURI != "" || Diagnose(err) != nil {
				t.Errorf("frontdoor %q given, diagnosis %+v", res.FrontdoorURI, Diagnose(err))
			}
		})
	}
}

// The token reply's scope and the org and user ids of its id URL are shown
// as they came: the scope is cleaned, and ids that are not 15 or 18
// letters and digits (percent-decoded escapes, a bidi override, a path)
// count as absent. An instance_url host that passes as a Salesforce host
// but holds a bidi override is refused before the access token goes there.
func TestTokenReplyFieldsAreCleanedOrLeftOut(t *testing.T) {
	const org, user = "00D5g00000ACMEAAA", "0055g00000EMBEDAAA"
	for _, c := range []struct {
		name, scope, id      string
		wantScope, org, user string
	}{
		{"as Salesforce sends them", "web refresh_token", "https://login.salesforce.com/id/" + org + "/" + user,
			"web refresh_token", org, user},
		{"escapes in the scope", "web\x1b[2J\x1b]0;pwned\x07 \u009b31mrefresh_token\u202e", "https://login.salesforce.com/id/" + org + "/" + user,
			"web refresh_token", org, user},
		{"percent-encoded ESC in the org id", "web", "https://login.salesforce.com/id/%1B%5B2J" + org + "/" + user, "web", "", ""},
		{"bidi in the user id", "web", "https://login.salesforce.com/id/" + org + "/%E2%80%AE" + user, "web", "", ""},
		{"8-bit CSI in the user id", "web", "https://login.salesforce.com/id/" + org + "/" + user[:10] + "%C2%9B2J", "web", "", ""},
		{"ids too short", "web", "https://login.salesforce.com/id/00D/005", "web", "", ""},
		{"ids too long", "web", "https://login.salesforce.com/id/" + org + "XX/" + user, "web", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.token = answer(200, jsonCT, jsonBody(t, map[string]string{"access_token": testToken, "instance_url": f.srv.URL,
				"id": c.id, "token_type": "Bearer", "scope": c.scope}))
			f.sa = answer(200, jsonCT, `{"frontdoor_uri":"`+f.srv.URL+`/secur/frontdoor.jsp?otp=x"}`)
			res, err := testClient().Exchange(context.Background(), f.request(t))
			if err != nil {
				t.Fatalf("a login with odd ids failed: %v", err)
			}
			if res.Scope != c.wantScope || res.OrgID != c.org || res.UserID != c.user {
				t.Errorf("scope %q, ids %q / %q; want %q, %q / %q", res.Scope, res.OrgID, res.UserID, c.wantScope, c.org, c.user)
			}
			clean(t, "scope", res.Scope)
		})
	}
	f := newFake(t)
	f.token = answer(200, jsonCT, jsonBody(t, map[string]string{"access_token": testToken,
		"instance_url": "https://\u202eacme.my.salesforce.com", "id": "x", "token_type": "Bearer"}))
	_, err := testClient().Exchange(context.Background(), f.request(t))
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindUnsafeHost || !strings.Contains(te.Problem, "holds characters no host name has") {
		t.Errorf("bidi in a Salesforce-looking instance host: %v", err)
	}
	clean(t, "instance refusal", err.Error())
	if f.saHits.Load() != 0 {
		t.Error("the access token was sent to a host holding a bidi override")
	}
}

// The instance_url host in its refusal, and a 5xx answer's words and
// content type, reach the error text only cleaned.
func TestInstanceHostAndServerWordsAreCleaned(t *testing.T) {
	for _, host := range []string{"evil\u202emoc.example.com", "evil\u009b31m.example.com", "\u202e\u2066acme.my.salesforce.com.example.com"} {
		f := newFake(t)
		f.token = answer(200, jsonCT, jsonBody(t, map[string]string{"access_token": testToken, "instance_url": "https://" + host,
			"id": "https://login.salesforce.com/id/00D/005", "token_type": "Bearer"}))
		_, err := testClient().Exchange(context.Background(), f.request(t))
		var te *TransportError
		if !errors.As(err, &te) || te.Kind != KindUnsafeHost || !strings.Contains(te.Problem, "not a Salesforce host") ||
			!strings.Contains(te.Problem, "example.com") {
			t.Errorf("%q: err = %v, want an unsafe host", host, err)
			continue
		}
		clean(t, "instance refusal", err.Error())
		if f.saHits.Load() != 0 {
			t.Errorf("%q: the access token was sent", host)
		}
	}

	words := map[string]string{"error": "unknown\x1b[2J_error\u009b31m",
		"error_description": "retry \x1b]0;pwned\x07 \u202eworg\u202c \u009b2J later\r\nX-Injected: yes\u0085\x00"}
	for _, c := range []struct {
		name, phase, ct, body, mention string
	}{
		{"token JSON 503", PhaseToken, jsonCT, jsonBody(t, words), "retry worg later X-Injected: yes"},
		{"singleaccess JSON 503", PhaseSingleAccess, jsonCT, jsonBody(t, words), "retry worg later X-Injected: yes"},
		{"token odd content type", PhaseToken, "text/x-\u202ered\u009b31m", "upstream \x1b[2J down", "HTTP 502 with unrecognised content"},
		{"singleaccess odd content type", PhaseSingleAccess, "application/json; q=\u202e\u2066", "down", "HTTP 502"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			status := 502
			if c.ct == jsonCT {
				status = 503
			}
			h := func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{c.ct}
				w.WriteHeader(status)
				fmt.Fprint(w, c.body)
			}
			if c.phase == PhaseToken {
				f.token = h
			} else {
				f.sa = h
			}
			_, err := testClient().Exchange(context.Background(), f.request(t))
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindServer || te.Phase != c.phase || !strings.Contains(te.Problem, c.mention) {
				t.Fatalf("err = %v, want a server fault mentioning %q", err, c.mention)
			}
			clean(t, "server fault", err.Error())
			code, desc := ErrorFields(err)
			clean(t, "error fields", code+desc)
		})
	}
	// An ESC in a header line is refused by Go's HTTP client itself, as a
	// broken connection; its error quotes the line escaped.
	f := newFake(t)
	f.token = func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"text/x-\x1b[31mred\u202e"}
		w.WriteHeader(502)
	}
	_, err := testClient().Exchange(context.Background(), f.request(t))
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindConnect {
		t.Fatalf("ESC in Content-Type: err = %v, want a connection fault", err)
	}
	clean(t, "ESC in Content-Type", err.Error())
}

// A redirect answer to singleaccess (which carries the access token) is not
// followed, even with the caller's own http.Client or none: a transport
// fault of kind redirect, saying where it points, without its query.
func TestSingleAccessRedirectIsReportedNotFollowed(t *testing.T) {
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	clients := []*Client{testClient(), {HTTP: &http.Client{}}, {}}
	for i, c := range []struct {
		location, want, mention string
	}{
		{target.URL + "/secur/frontdoor.jsp?otp=x&sid=abc", target.URL + "/secur/frontdoor.jsp", "to " + target.URL + "/secur/frontdoor.jsp instead"},
		{target.URL + "/login#x", target.URL + "/login", "to " + target.URL + "/login instead"},
		{"https://evil\u202emoc.example.com/x", "https://evil%E2%80%AEmoc.example.com/x", "to https://evil%E2%80%AEmoc.example.com/x instead"},
	} {
		f := newFake(t)
		f.sa = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", c.location)
			w.WriteHeader(http.StatusFound)
		}
		res, err := clients[i].Exchange(context.Background(), f.request(t))
		var te *TransportError
		if !errors.As(err, &te) || te.Kind != KindRedirect || te.Phase != PhaseSingleAccess || te.Location != c.want {
			t.Fatalf("%s: err = %+v, want a singleaccess redirect to %s", c.location, err, c.want)
		}
		if !strings.Contains(te.Problem, "redirected the singleaccess request (HTTP 302) "+c.mention) ||
			strings.Contains(te.Problem, "otp=") || strings.Contains(te.Problem, "sid=") {
			t.Errorf("problem = %q", te.Problem)
		}
		clean(t, "redirect", err.Error())
		if res.FrontdoorURI != "" || Diagnose(err) != nil {
			t.Errorf("frontdoor %q, diagnosis %+v", res.FrontdoorURI, Diagnose(err))
		}
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("the redirect was followed (%d hits)", n)
	}
}
