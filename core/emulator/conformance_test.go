package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator"
)

func oauthBody(code, desc string) string {
	return `{"error":"` + code + `","error_description":"` + desc + `"}`
}

const (
	notApproved  = `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`
	badAssertion = `{"error":"invalid_grant","error_description":"invalid assertion"}`
	badClient    = `{"error":"invalid_client_id","error_description":"client identifier invalid"}`
	badAudience  = `{"error":"invalid_grant","error_description":"audience is invalid"}`
	expired      = `{"error":"invalid_grant","error_description":"expired authorization code"}`
	inactive     = `{"error":"invalid_grant","error_description":"inactive user"}`
	badGrant     = `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`
	invalidSess  = `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`
	notFound     = `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`
)

// The wire capture in the spec (SE 207685) shows Content-Length 82 for the
// "not approved" answer: the compact form, with no trailing newline.
func TestNotApprovedBodyIsTheCapturedLength(t *testing.T) {
	if len(notApproved) != 82 {
		t.Fatalf("fixture drifted: %d bytes", len(notApproved))
	}
	cfg := goodConfig(t)
	cfg.Users[0].PermissionSets = nil
	o := startOrg(t, cfg)
	r := o.postToken(sign(t, rightKey, o.claims()))
	if r.header.Get("Content-Length") != "82" || r.body != notApproved {
		t.Fatalf("got Content-Length %q body %q", r.header.Get("Content-Length"), r.body)
	}
}

// unsigned builds a JWS by hand, for algorithms golang-jwt will not sign.
func unsigned(t *testing.T, header string, claims jwt.MapClaims, sig string) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload) + "." + sig
}

// Each row of the spec's token error catalogue the emulator produces, plus
// success: status, content type and exact body.
func TestTokenConformance(t *testing.T) {
	type tc struct {
		name   string
		config func(c *emulator.Config)
		send   func(o *org) reply
		status int
		body   string // exact; empty: success, checked separately
	}
	withClaims := func(edit func(c jwt.MapClaims)) func(o *org) reply {
		return func(o *org) reply {
			c := o.claims()
			edit(c)
			return o.postToken(sign(t, rightKey, c))
		}
	}
	good := withClaims(func(jwt.MapClaims) {})
	cases := []tc{
		{name: "success", send: good, status: 200},
		{name: "13 grant_type misspelled", send: func(o *org) reply {
			form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt_bearer"}, "assertion": {sign(t, rightKey, o.claims())}}
			return o.request("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), nil)
		}, status: 400, body: badGrant},
		{name: "13 grant_type missing", send: func(o *org) reply {
			form := url.Values{"assertion": {sign(t, rightKey, o.claims())}}
			return o.request("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), nil)
		}, status: 400, body: badGrant},
		{name: "13 body sent as JSON", send: func(o *org) reply {
			body := `{"grant_type":"` + jwtGrant + `","assertion":"` + sign(t, rightKey, o.claims()) + `"}`
			return o.request("POST", "/services/oauth2/token", "application/json", body, nil)
		}, status: 400, body: badGrant},
		{name: "GET instead of POST", send: func(o *org) reply {
			return o.request("GET", "/services/oauth2/token?grant_type="+url.QueryEscape(jwtGrant), "", "", nil)
		}, status: 400, body: oauthBody("invalid_request", "must use HTTP POST")},
		{name: "4 assertion is not a JWT", send: func(o *org) reply {
			return o.postToken("not-a-jwt")
		}, status: 400, body: badAssertion},
		{name: "4 private key sent as the assertion", send: func(o *org) reply {
			return o.postToken("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n")
		}, status: 400, body: badAssertion},
		{name: "4 assertion missing", send: func(o *org) reply {
			form := url.Values{"grant_type": {jwtGrant}}
			return o.request("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), nil)
		}, status: 400, body: badAssertion},
		{name: "6 iss unknown", send: withClaims(func(c jwt.MapClaims) { c["iss"] = consumerKey[:40] }), status: 400, body: badClient},
		{name: "6 iss missing", send: withClaims(func(c jwt.MapClaims) { delete(c, "iss") }), status: 400, body: badClient},
		{name: "6 app still propagating", config: func(c *emulator.Config) { c.Apps[0].PropagationSeconds = 600 }, send: good, status: 400, body: badClient},
		{name: "4 signed with another key", send: func(o *org) reply {
			return o.postToken(sign(t, badKey, o.claims()))
		}, status: 400, body: badAssertion},
		{name: "4 alg none", send: func(o *org) reply {
			return o.postToken(unsigned(t, `{"alg":"none"}`, o.claims(), ""))
		}, status: 400, body: badAssertion},
		{name: "4 HS256 keyed with the certificate", send: func(o *org) reply {
			s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, o.claims()).SignedString(rightCertPEM)
			if err != nil {
				t.Fatal(err)
			}
			return o.postToken(s)
		}, status: 400, body: badAssertion},
		{name: "4 RS256 signature with alg PS256", send: func(o *org) reply {
			parts := strings.Split(sign(t, rightKey, o.claims()), ".")
			return o.postToken(unsigned(t, `{"alg":"PS256"}`, o.claims(), parts[2]))
		}, status: 400, body: badAssertion},
		{name: "4 JWT bearer flow off", config: func(c *emulator.Config) { c.Apps[0].JWTBearerEnabled = false }, send: good, status: 400, body: badAssertion},
		{name: "4 no certificate uploaded", config: func(c *emulator.Config) { c.Apps[0].Certificate = "" }, send: good, status: 400, body: badAssertion},
		{name: "4 a different certificate uploaded", config: func(c *emulator.Config) { c.Apps[0].Certificate = string(otherCertPEM) }, send: good, status: 400, body: badAssertion},
		{name: "3 My Domain as aud", send: withClaims(func(c jwt.MapClaims) { c["aud"] = "https://acme.my.salesforce.com" }), status: 400, body: badAudience},
		{name: "3 aud as an array", send: withClaims(func(c jwt.MapClaims) { c["aud"] = []string{emulator.LoginAudience} }), status: 400, body: badAudience},
		{name: "3 aud missing", send: withClaims(func(c jwt.MapClaims) { delete(c, "aud") }), status: 400, body: badAudience},
		{name: "3 sandbox with the login aud", config: func(c *emulator.Config) { c.Sandbox = true }, send: good, status: 400, body: badAudience},
		{name: "3 production with the test aud", send: withClaims(func(c jwt.MapClaims) { c["aud"] = emulator.TestAudience }), status: 400, body: badAudience},
		{name: "5 exp in the past", send: func(o *org) reply {
			c := o.claims()
			c["exp"] = o.clock.Now().Add(-time.Second).Unix()
			return o.postToken(sign(t, rightKey, c))
		}, status: 400, body: expired},
		{name: "5 exp missing", send: withClaims(func(c jwt.MapClaims) { delete(c, "exp") }), status: 400, body: expired},
		{name: "5 exp not a number", send: withClaims(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), status: 400, body: expired},
		{name: "1 unknown username", send: withClaims(func(c jwt.MapClaims) { c["sub"] = "embed@acme.com.uat" }), status: 400, body: notApproved},
		{name: "1 sub missing", send: withClaims(func(c jwt.MapClaims) { delete(c, "sub") }), status: 400, body: notApproved},
		{name: "1 all users may self-authorize", config: func(c *emulator.Config) { c.Apps[0].PermittedUsers = emulator.AllSelfAuthorize }, send: good, status: 400, body: notApproved},
		{name: "1 permission set not on the app", config: func(c *emulator.Config) {
			c.PermissionSets = []string{permSet}
			c.Apps[0].PermissionSets = nil
		}, send: good, status: 400, body: notApproved},
		{name: "1 permission set not assigned", config: func(c *emulator.Config) { c.Users[0].PermissionSets = nil }, send: good, status: 400, body: notApproved},
		{name: "1 refresh_token scope missing", config: func(c *emulator.Config) { c.Apps[0].Scopes = []string{"web", "api"} }, send: good, status: 400, body: notApproved},
		{name: "9 user deactivated", config: func(c *emulator.Config) {
			off := false
			c.Users[0].Active = &off
		}, send: good, status: 400, body: inactive},
	}
	idPattern := regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/id/00D[0-9A-Za-z]{15}/005[0-9A-Za-z]{15}$`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := startEdited(t, c.config)
			r := c.send(o)
			if r.status != c.status {
				t.Fatalf("status %d, want %d (body %s)", r.status, c.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != jsonType {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := r.header.Get("Cache-Control"); cc != noCache {
				t.Errorf("Cache-Control %q", cc)
			}
			if r.header.Get("Date") == "" {
				t.Error("no Date header")
			}
			if c.body != "" {
				if r.body != c.body {
					t.Fatalf("body\n got %s\nwant %s", r.body, c.body)
				}
				return
			}
			checkSuccess(t, o, r, idPattern)
		})
	}
}

func checkSuccess(t *testing.T, o *org, r reply, idPattern *regexp.Regexp) {
	t.Helper()
	var fields map[string]string
	if err := json.Unmarshal([]byte(r.body), &fields); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if len(fields) != 5 {
		t.Fatalf("want exactly 5 fields, got %v", fields)
	}
	keyOrder := regexp.MustCompile(`^\{"access_token":"[^"]+","scope":"[^"]*","instance_url":"[^"]+","id":"[^"]+","token_type":"Bearer"\}$`)
	if !keyOrder.MatchString(r.body) {
		t.Errorf("not the documented compact shape: %s", r.body)
	}
	if !regexp.MustCompile(`^00D5g00000PRACT![A-Za-z0-9._]{90,}$`).MatchString(fields["access_token"]) {
		t.Errorf("access_token shape: %q", fields["access_token"])
	}
	if fields["scope"] != "web refresh_token" || fields["instance_url"] != o.url {
		t.Errorf("scope %q instance_url %q (server %s)", fields["scope"], fields["instance_url"], o.url)
	}
	if !idPattern.MatchString(fields["id"]) {
		t.Errorf("id %q", fields["id"])
	}
	uid, _ := o.e.UserID(username)
	if !strings.HasSuffix(fields["id"], "/"+o.e.OrgID()+"/"+uid) {
		t.Errorf("id %q does not name org %s user %s", fields["id"], o.e.OrgID(), uid)
	}
}

// singleaccess, frontdoor and REST answers, each with status, type and body.
func TestSessionConformance(t *testing.T) {
	type tc struct {
		name        string
		config      func(c *emulator.Config)
		send        func(o *org, token string) reply
		status      int
		contentType string
		body        string // exact, or a regexp when it starts with ^
	}
	get := func(path string) func(o *org, token string) reply {
		return func(o *org, token string) reply {
			return o.request("GET", path, "", "", map[string]string{"Authorization": "Bearer " + token})
		}
	}
	frontdoor := `^\{"frontdoor_uri":"http://127\.0\.0\.1:[0-9]+/secur/frontdoor\.jsp\?otp=[A-Za-z0-9._]{64}&cshc=[A-Za-z0-9._]{16}%s"\}$`
	withAPI := func(c *emulator.Config) { c.Apps[0].Scopes = append(c.Apps[0].Scopes, "api") }
	cases := []tc{
		{name: "singleaccess GET", send: get("/services/oauth2/singleaccess"), status: 200, contentType: jsonType,
			body: strings.Replace(frontdoor, "%s", "", 1)},
		{name: "singleaccess GET with redirect_uri", send: get("/services/oauth2/singleaccess?redirect_uri=%2Flightning%2Fpage%2Fhome"), status: 200, contentType: jsonType,
			body: strings.Replace(frontdoor, "%s", `&startURL=%2Flightning%2Fpage%2Fhome`, 1)},
		{name: "singleaccess POST form redirect_uri", send: func(o *org, token string) reply {
			return o.request("POST", "/services/oauth2/singleaccess", "application/x-www-form-urlencoded", "redirect_uri=%2Fapex%2FFoo",
				map[string]string{"Authorization": "Bearer " + token})
		}, status: 200, contentType: jsonType, body: strings.Replace(frontdoor, "%s", `&startURL=%2Fapex%2FFoo`, 1)},
		{name: "singleaccess POST empty body", send: func(o *org, token string) reply {
			return o.request("POST", "/services/oauth2/singleaccess", "", "", map[string]string{"Authorization": "Bearer " + token})
		}, status: 200, contentType: jsonType, body: strings.Replace(frontdoor, "%s", "", 1)},
		{name: "singleaccess unknown token", send: func(o *org, token string) reply {
			return o.singleAccess(token+"x", "")
		}, status: 403, contentType: "text/plain;charset=UTF-8", body: "Bad_OAuth_Token"},
		{name: "singleaccess no token", send: func(o *org, _ string) reply {
			return o.request("GET", "/services/oauth2/singleaccess", "", "", nil)
		}, status: 403, contentType: "text/plain;charset=UTF-8", body: "Bad_OAuth_Token"},
		{name: "singleaccess expired token", send: func(o *org, token string) reply {
			o.clock.Add(2*time.Hour + time.Second)
			return o.singleAccess(token, "")
		}, status: 403, contentType: "text/plain;charset=UTF-8", body: "Bad_OAuth_Token"},
		{name: "singleaccess API-only user", config: func(c *emulator.Config) { c.Users[0].APIOnly = true },
			send: get("/services/oauth2/singleaccess"), status: 403, contentType: "text/plain;charset=UTF-8", body: "Bad_OAuth_Token"},
		{name: "singleaccess user deactivated after login", send: func(o *org, token string) reply {
			if err := o.e.SetUserActive(username, false); err != nil {
				t.Fatal(err)
			}
			return o.singleAccess(token, "")
		}, status: 403, contentType: "text/plain;charset=UTF-8", body: "Bad_OAuth_Token"},
		{name: "singleaccess without web or full", config: func(c *emulator.Config) { c.Apps[0].Scopes = []string{"api", "refresh_token"} },
			send: get("/services/oauth2/singleaccess"), status: 403, contentType: "text/plain;charset=UTF-8", body: "Invalid_Scope"},
		{name: "singleaccess with full instead of web", config: func(c *emulator.Config) { c.Apps[0].Scopes = []string{"full", "refresh_token"} },
			send: get("/services/oauth2/singleaccess"), status: 200, contentType: jsonType, body: strings.Replace(frontdoor, "%s", "", 1)},
		{name: "REST versions", send: get("/services/data"), status: 200, contentType: jsonType,
			body: `^\[\{"label":"Summer '14","url":"/services/data/v31\.0","version":"31\.0"\},.*\{"label":"Spring '26","url":"/services/data/v66\.0","version":"66\.0"\}\]$`},
		{name: "REST versions bad token", send: func(o *org, token string) reply {
			return get("/services/data/")(o, "nope")
		}, status: 401, contentType: jsonType, body: invalidSess},
		{name: "REST version with api scope", config: withAPI, send: get("/services/data/v66.0"), status: 200, contentType: jsonType,
			body: `^\{"identity":"http://127\.0\.0\.1:[0-9]+/id/00D[0-9A-Za-z]{15}/005[0-9A-Za-z]{15}"\}$`},
		{name: "REST version without api scope", send: get("/services/data/v62.0"), status: 401, contentType: jsonType,
			body: `[{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]`},
		{name: "REST version bad token", config: withAPI, send: func(o *org, _ string) reply {
			return get("/services/data/v66.0")(o, "00D5g00000PRACT!forged")
		}, status: 401, contentType: jsonType, body: invalidSess},
		{name: "REST version unknown", config: withAPI, send: get("/services/data/v99.0"), status: 404, contentType: jsonType, body: notFound},
		{name: "REST resource the practice org lacks", config: withAPI, send: get("/services/data/v66.0/sobjects"), status: 404, contentType: jsonType, body: notFound},
		{name: "REST POST", config: withAPI, send: func(o *org, token string) reply {
			return o.request("POST", "/services/data/v66.0", "application/json", "{}", map[string]string{"Authorization": "Bearer " + token})
		}, status: 405, contentType: jsonType, body: `[{"errorCode":"METHOD_NOT_ALLOWED","message":"HTTP Method 'POST' not allowed. Allowed are GET,HEAD"}]`},
		{name: "unknown path", send: get("/services/apexrest/whatever"), status: 404, contentType: jsonType, body: notFound},
		{name: "frontdoor unknown otp", send: get("/secur/frontdoor.jsp?otp=made-up"), status: 400, contentType: "text/html;charset=UTF-8",
			body: `(?s)^<!DOCTYPE html>.*This sign-in link is not valid`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := startEdited(t, c.config)
			r := c.send(o, o.login())
			if r.status != c.status {
				t.Fatalf("status %d, want %d (body %s)", r.status, c.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != c.contentType {
				t.Errorf("Content-Type %q, want %q", ct, c.contentType)
			}
			if r.header.Get("Date") == "" {
				t.Error("no Date header")
			}
			if strings.HasPrefix(c.body, "^") || strings.HasPrefix(c.body, "(?s)") {
				if !regexp.MustCompile(c.body).MatchString(r.body) {
					t.Fatalf("body %s\ndoes not match %s", r.body, c.body)
				}
			} else if r.body != c.body {
				t.Fatalf("body\n got %s\nwant %s", r.body, c.body)
			}
		})
	}
}
