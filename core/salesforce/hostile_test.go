package salesforce

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
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
