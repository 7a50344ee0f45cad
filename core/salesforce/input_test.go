package salesforce

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

func TestCheckConsumerKey(t *testing.T) {
	key, warn, err := CheckConsumerKey("  " + emulatortest.ConsumerKey + "\r\n")
	if err != nil || key != emulatortest.ConsumerKey || warn != "" {
		t.Errorf("good key: %q, %q, %v", key, warn, err)
	}
	// A key broken over lines by the page it was copied from is put back
	// together; a space inside it is still refused.
	for _, broken := range []string{emulatortest.ConsumerKey[:40] + "\n" + emulatortest.ConsumerKey[40:], emulatortest.ConsumerKey[:40] + "\r\n" + emulatortest.ConsumerKey[40:] + "\n"} {
		if key, warn, err := CheckConsumerKey(broken); err != nil || key != emulatortest.ConsumerKey || warn != "" {
			t.Errorf("a key broken over lines: %q, %q, %v", key, warn, err)
		}
	}
	secret := "D4A5E1C0F3B2A1908D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2918F7E6D5C4B3A2"
	if key, warn, err := CheckConsumerKey(secret); err != nil || key != secret || !strings.Contains(warn, "consumer secret") ||
		strings.Contains(warn, secret[:12]) {
		t.Errorf("the consumer secret pasted as the key: %q, %v", warn, err)
	}
	for _, bad := range []string{"", " \n\t", emulatortest.ConsumerKey[:10] + " " + emulatortest.ConsumerKey[10:]} {
		_, _, err := CheckConsumerKey(bad)
		if err == nil {
			t.Errorf("CheckConsumerKey(%q) accepted it", bad)
			continue
		}
		if len(bad) > 20 && strings.Contains(err.Error(), bad[:20]) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
	truncated := emulatortest.ConsumerKey[:30]
	key, warn, err = CheckConsumerKey(truncated)
	if err != nil || key != truncated {
		t.Fatalf("a short key is warned about, not refused: %v", err)
	}
	if !strings.Contains(warn, "truncated") || !strings.Contains(warn, "3MVG") || !strings.Contains(warn, "30 characters") {
		t.Errorf("warning = %q", warn)
	}
	if strings.Contains(warn, truncated) {
		t.Errorf("warning quotes the key: %q", warn)
	}
	if _, warn, _ := CheckConsumerKey("MyCustomKey12345"); warn == "" {
		t.Error("a custom-looking key gets a warning")
	}
}

func TestCheckUsername(t *testing.T) {
	good := []struct {
		in      string
		sandbox bool
		warn    string // substring; "" means no warning
	}{
		{"embed@acme.com", false, ""},
		{" embed@acme.com\n", false, ""},
		{"embed@acme.com.uat", true, ""},
		{"embed@acme.co.uk.qa1", true, ""},
		{"embed@acme.com", true, ".sandboxname"},
		{"embed@acme.de", true, ".sandboxname"},
		{"Embed@Acme.com", false, "lower case"},
	}
	for _, c := range good {
		user, warn, err := CheckUsername(c.in, c.sandbox)
		if err != nil || user != strings.TrimSpace(c.in) {
			t.Errorf("CheckUsername(%q) = %q, %v", c.in, user, err)
			continue
		}
		if c.warn == "" && warn != "" || c.warn != "" && !strings.Contains(warn, c.warn) {
			t.Errorf("CheckUsername(%q, %v) warning = %q, want %q", c.in, c.sandbox, warn, c.warn)
		}
	}
	for _, bad := range []string{"", "embed", "embed@", "@acme.com", "embed@acme", "em bed@acme.com", "a@b@acme.com", "embed@acme..com"} {
		if _, _, err := CheckUsername(bad, false); err == nil {
			t.Errorf("CheckUsername(%q) accepted it", bad)
		}
	}
}

func TestCheckKeyRefusesSmallKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKey(small); err == nil || !strings.Contains(err.Error(), "1024") {
		t.Errorf("CheckKey(1024) = %v", err)
	}
	if _, err := SignAssertion(small, emulatortest.ConsumerKey, emulatortest.Username, ProductionAudience, fixedNow); err == nil {
		t.Error("SignAssertion signed with a 1024-bit key")
	}
	if err := CheckKey(nil); err == nil {
		t.Error("CheckKey(nil) = nil")
	}
	if err := CheckKey(emulatortest.Keys().Key); err != nil {
		t.Errorf("CheckKey(2048) = %v", err)
	}
}

func TestCheckRedirect(t *testing.T) {
	for _, ok := range []string{"", "/lightning/page/home", "/apex/Foo?x=1", " /lightning/setup/FlexiPageList/home ",
		"/lightning/r/Account/001/view#top", "/secur/x?retURL=%2Fhome"} {
		if _, err := CheckRedirect(ok); err != nil {
			t.Errorf("CheckRedirect(%q) = %v", ok, err)
		}
	}
}

// A redirect that leaves the org, or reads differently in a browser or
// once the org decodes it, is refused, naming what is wrong.
func TestCheckRedirectRefusesWaysOutOfTheOrg(t *testing.T) {
	for _, c := range []struct{ in, problem, hint string }{
		{"https://evil.example.com", "not a full URL", "like /lightning/page/home"},
		{"https:evil.example", "not a full URL", "like /lightning/page/home"},
		{"data:text/html,<script>alert(1)</script>", "not a full URL", "like /lightning/page/home"},
		{"javascript:alert(1)", "not a full URL", ""},
		{"//evil.example.com/x", `starts with "//"`, ""},
		{`/\evil.example/x`, "backslash", ""},
		{`\\evil.example`, "backslash", ""},
		{`/lightning\..\..\x`, "backslash", ""},
		{"/%2F%2Fevil.example", `starts with "//", which browsers read as another site once its %-escapes are decoded`, ""},
		{"/%5Cevil.example", "backslash", ""},
		{"/home%0d%0aSet-Cookie:x", "control character (U+000D) at position 6 once its %-escapes are decoded", ""},
		{"/home%zz", "two hexadecimal digits", ""},
		{"/a b", "space", ""},
		{"/home\x1b[2J", "control character (U+001B) at position 6", ""},
		{"/home\u202e", "control character (U+202E) at position 6", ""},
		{"/ho\u0085me", "control character (U+0085) at position 4", ""},
		{"/caf\u00e9", "not plain ASCII (U+00E9) at position 5", ""},
		{"lightning/page/home", `must start with "/"`, "Start it with /: /lightning/page/home"},
	} {
		_, err := CheckRedirect(c.in)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Problem, c.problem) || !strings.Contains(ie.Hint, c.hint) {
			t.Errorf("CheckRedirect(%q) = %v, want %q (hint %q)", c.in, err, c.problem, c.hint)
		}
	}
}
