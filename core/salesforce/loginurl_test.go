package salesforce

import (
	"errors"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/safetext"
)

func TestParseLoginURLAccepts(t *testing.T) {
	cases := []struct {
		in, url string
		kind    OrgKind
		sandbox bool
	}{
		{"https://login.salesforce.com", "https://login.salesforce.com", Production, false},
		{"  https://login.salesforce.com/ \n", "https://login.salesforce.com", Production, false},
		{"https://LOGIN.Salesforce.com", "https://login.salesforce.com", Production, false},
		{"login.salesforce.com", "https://login.salesforce.com", Production, false},
		{"https://login.salesforce.com:443", "https://login.salesforce.com", Production, false},
		{"https://test.salesforce.com/services/oauth2/token", "https://test.salesforce.com", Sandbox, true},
		{"https://test.salesforce.com/services/oauth2/authorize", "https://test.salesforce.com", Sandbox, true},
		{"https://acme.my.salesforce.com", "https://acme.my.salesforce.com", MyDomain, false},
		{"https://acme.my.salesforce.com/services/oauth2/token/", "https://acme.my.salesforce.com", MyDomain, false},
		{"https://acme.my.salesforce.com/home/home.jsp", "https://acme.my.salesforce.com", MyDomain, false},
		{"https://acme-dev-ed.develop.my.salesforce.com", "https://acme-dev-ed.develop.my.salesforce.com", MyDomain, false},
		{"https://acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com", MyDomainSandbox, true},
		{"https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token", "https://acme--uat.sandbox.my.salesforce.com", MyDomainSandbox, true},
		{"https://ability-fun-1234.scratch.my.salesforce.com", "https://ability-fun-1234.scratch.my.salesforce.com", MyDomainSandbox, true},
		{"https://acme.my-salesforce.com", "https://acme.my-salesforce.com", MyDomain, false},
		{"https://acme.my.salesforce.mil", "https://acme.my.salesforce.mil", MyDomain, false},
		{"https://acme--uat.sandbox.my.salesforce.mil", "https://acme--uat.sandbox.my.salesforce.mil", MyDomainSandbox, true},
		{"https://acme.my.sfcrmproducts.cn", "https://acme.my.sfcrmproducts.cn", MyDomain, false},
		{"https://acme.my.site.com/customers", "https://acme.my.site.com/customers", ExperienceSite, false},
		{"https://acme.my.site.com/customers/services/oauth2/token", "https://acme.my.site.com/customers", ExperienceSite, false},
		{"https://acme--uat.sandbox.my.site.com/partners/", "https://acme--uat.sandbox.my.site.com/partners", ExperienceSite, true},
		{"https://acme.force.com/customers", "https://acme.force.com/customers", ExperienceSite, false},
		{"https://acme.secure.force.com/customers", "https://acme.secure.force.com/customers", ExperienceSite, false},
		{"http://127.0.0.1:8443", "http://127.0.0.1:8443", Loopback, false},
		{"http://127.0.0.5:8443/", "http://127.0.0.5:8443", Loopback, false},
		{"http://localhost:9000/services/oauth2/token", "http://localhost:9000", Loopback, false},
		{"http://[::1]:9000", "http://[::1]:9000", Loopback, false},
		{"https://localhost", "https://localhost", Loopback, false},
	}
	for _, c := range cases {
		l, err := ParseLoginURL(c.in)
		if err != nil {
			t.Errorf("ParseLoginURL(%q): %v", c.in, err)
			continue
		}
		if l.URL != c.url || l.Kind != c.kind || l.Sandbox != c.sandbox {
			t.Errorf("ParseLoginURL(%q) = %+v, want URL %s kind %v sandbox %v", c.in, l, c.url, c.kind, c.sandbox)
		}
	}
}

func TestParseLoginURLRefuses(t *testing.T) {
	cases := []struct {
		in   string
		want []string // all must appear in the message
	}{
		{"", []string{"empty", "https://login.salesforce.com"}},
		{"   \n", []string{"empty"}},
		{"https://acme.lightning.force.com", []string{"Lightning", "https://acme.my.salesforce.com"}},
		{"https://acme.lightning.force.com/lightning/page/home", []string{"Lightning", "https://acme.my.salesforce.com"}},
		{"https://acme--uat.sandbox.lightning.force.com", []string{"Lightning", "https://acme--uat.sandbox.my.salesforce.com"}},
		{"https://acme.my-lightning.com", []string{"Lightning", "https://acme.my-salesforce.com"}},
		{"https://acme.lightning.crmforce.mil", []string{"Lightning", "https://acme.my.salesforce.mil"}},
		{"https://acme.lightning.sfcrmapps.cn", []string{"Lightning", "https://acme.my.sfcrmproducts.cn"}},
		{"https://acme.my.salesforce-setup.com", []string{"Setup", "https://acme.my.salesforce.com"}},
		{"https://acme--uat.sandbox.my.salesforce-setup.com", []string{"Setup", "https://acme--uat.sandbox.my.salesforce.com"}},
		{"https://acme--c.vf.force.com", []string{"Visualforce", "https://acme.my.salesforce.com"}},
		{"https://acme--uat--c.sandbox.vf.force.com", []string{"Visualforce", "https://acme--uat.sandbox.my.salesforce.com"}},
		{"https://acme.file.force.com", []string{"file", "https://acme.my.salesforce.com"}},
		{"https://acme--uat.sandbox.file.force.com", []string{"file", "https://acme--uat.sandbox.my.salesforce.com"}},
		{"http://login.salesforce.com", []string{"http://", "https://login.salesforce.com"}},
		{"http://acme.my.salesforce.com/services/oauth2/token", []string{"http://", "https://acme.my.salesforce.com"}},
		{"https://user:pass@acme.my.salesforce.com", []string{"password", "https://acme.my.salesforce.com"}},
		{"https://acme.my.salesforce.com/services/oauth2/token?grant_type=x", []string{"query", "https://acme.my.salesforce.com"}},
		{"https://acme.my.salesforce.com/#frag", []string{"fragment", "https://acme.my.salesforce.com"}},
		{"https://acme.my.salesforce.com:8443", []string{"port", "https://acme.my.salesforce.com"}},
		{"not a url", []string{"spaces"}},
		{"ftp://login.salesforce.com", []string{"https://"}},
		{"https://", []string{"not a web address"}},
		{"https://na85.salesforce.com", []string{"not a Salesforce login host", "My Domain"}},
		{"https://www.salesforce.com", []string{"not a Salesforce login host"}},
		{"https://example.com", []string{"not a Salesforce login host", "my.site.com"}},
		{"https://acme.my.salesforce.co", []string{"not a Salesforce login host"}},
	}
	for _, c := range cases {
		_, err := ParseLoginURL(c.in)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("ParseLoginURL(%q) = %v, want an *InputError", c.in, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseLoginURL(%q) = %q, want it to mention %q", c.in, err, w)
			}
		}
	}
}

// A consumer key pasted into the login URL box must not be echoed back.
func TestParseLoginURLDoesNotEchoConsumerKey(t *testing.T) {
	for _, in := range []string{emulatortest.ConsumerKey, "https://" + emulatortest.ConsumerKey, "3MVG9abcdefghijklmnopqrstuvwxyz0123456789.ABCDEF"} {
		_, err := ParseLoginURL(in)
		if err == nil {
			t.Fatalf("ParseLoginURL(consumer key) accepted it")
		}
		if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(strings.TrimPrefix(in, "https://"))[:20]) {
			t.Errorf("error quotes the consumer key: %v", err)
		}
	}
}

func TestAudience(t *testing.T) {
	must := func(s string) LoginURL {
		l, err := ParseLoginURL(s)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	cases := []struct {
		login    string
		sandbox  bool
		override string
		want     string
	}{
		{"https://login.salesforce.com", false, "", ProductionAudience},
		{"https://login.salesforce.com", true, "", SandboxAudience},
		{"https://test.salesforce.com", false, "", SandboxAudience},
		{"https://acme.my.salesforce.com", false, "", ProductionAudience},
		{"https://acme.my.salesforce.com", true, "", SandboxAudience},
		{"https://acme--uat.sandbox.my.salesforce.com", false, "", SandboxAudience},
		{"https://acme.my.site.com/customers", false, "", "https://acme.my.site.com/customers"},
		{"http://127.0.0.1:9000", false, "", ProductionAudience},
		{"http://127.0.0.1:9000", true, "", SandboxAudience},
		{"https://acme.my.salesforce.com", false, " https://gs1.salesforce.com/ ", "https://gs1.salesforce.com"},
	}
	for _, c := range cases {
		if got := Audience(must(c.login), c.sandbox, c.override); got != c.want {
			t.Errorf("Audience(%s, %v, %q) = %s, want %s", c.login, c.sandbox, c.override, got, c.want)
		}
	}
}

func TestCheckAudience(t *testing.T) {
	if got, err := CheckAudience("https://acme.my.site.com/customers/"); err != nil || got != "https://acme.my.site.com/customers" {
		t.Errorf("CheckAudience(site) = %q, %v", got, err)
	}
	if got, err := CheckAudience("http://127.0.0.1:8000"); err != nil || got != "http://127.0.0.1:8000" {
		t.Errorf("CheckAudience(loopback) = %q, %v", got, err)
	}
	for _, bad := range []string{"login.salesforce.com", "http://login.salesforce.com", "https://x.com/?a=b", "", "https://u:p@x.com"} {
		if _, err := CheckAudience(bad); err == nil {
			t.Errorf("CheckAudience(%q) accepted it", bad)
		}
	}
}

func TestLightningURL(t *testing.T) {
	cases := map[string]string{
		"https://acme.my.salesforce.com":                "https://acme.lightning.force.com",
		"https://acme.my.salesforce.com/":               "https://acme.lightning.force.com",
		"https://acme--uat.sandbox.my.salesforce.com":   "https://acme--uat.sandbox.lightning.force.com",
		"https://acme-dev-ed.develop.my.salesforce.com": "https://acme-dev-ed.develop.lightning.force.com",
		"https://acme.my-salesforce.com":                "https://acme.my-lightning.com",
		"https://acme.my.salesforce.mil":                "https://acme.lightning.crmforce.mil",
		"https://acme.my.sfcrmproducts.cn":              "https://acme.lightning.sfcrmapps.cn",
		"https://acme.lightning.force.com":              "https://acme.lightning.force.com",
		"http://127.0.0.1:8443":                         "http://127.0.0.1:8443",
		"http://localhost:8443/":                        "http://localhost:8443",
	}
	for in, want := range cases {
		got, err := LightningURL(in)
		if err != nil || got != want {
			t.Errorf("LightningURL(%s) = %q, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"https://na1.salesforce.com", "not a url", ""} {
		if got, err := LightningURL(bad); err == nil {
			t.Errorf("LightningURL(%q) = %q, want an error", bad, got)
		}
	}
}

// Admins copy an Experience Cloud site's address from the browser while on its
// login page. The page part (and the query the page carries, e.g. ?startURL=)
// is not part of the site URL, which is both the token URL's base and the aud.
func TestParseLoginURLSiteLoginPages(t *testing.T) {
	cases := []struct{ in, url string }{
		{"https://acme.my.site.com/customers/s/login", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/s/login/", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/s/", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/s", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/s/login?x=1", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/s/login/?startURL=%2Fcustomers%2Fs%2F&language=en_US", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/s/article/how-to#top", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/login", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/login?startURL=%2Fcustomers", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/secur/login_portal.jsp?orgId=1", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/services/oauth2/authorize", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/services/apexrest/x", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers//s/login", "https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/s/login", "https://acme.my.site.com"},
		{"https://acme.my.site.com/login", "https://acme.my.site.com"},
		{"https://acme.force.com/partners/s/login/?language=en_US", "https://acme.force.com/partners"},
		{"https://acme--uat.sandbox.my.site.com/partners/s/login", "https://acme--uat.sandbox.my.site.com/partners"},
	}
	for _, c := range cases {
		l, err := ParseLoginURL(c.in)
		if err != nil {
			t.Errorf("ParseLoginURL(%q): %v", c.in, err)
			continue
		}
		if l.URL != c.url || l.Kind != ExperienceSite {
			t.Errorf("ParseLoginURL(%q) = %s (%v), want %s", c.in, l.URL, l.Kind, c.url)
		}
		if aud := Audience(l, false, ""); aud != c.url {
			t.Errorf("Audience(%q) = %s, want %s", c.in, aud, c.url)
		}
	}
}

// A query is only forgiven on a site's login page; elsewhere it is refused as
// before, and the hint names the site URL, never the page.
func TestParseLoginURLSiteQueriesElsewhere(t *testing.T) {
	cases := []struct{ in, hint string }{
		{"https://acme.my.site.com/customers?x=1", "Use https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/#top", "Use https://acme.my.site.com/customers"},
		{"https://acme.my.site.com/customers/services/oauth2/token?grant_type=x", "Use https://acme.my.site.com/customers"},
		{"https://acme.my.salesforce.com/s/login?x=1", "Use https://acme.my.salesforce.com"},
	}
	for _, c := range cases {
		_, err := ParseLoginURL(c.in)
		if err == nil || !strings.Contains(err.Error(), "query") || !strings.HasSuffix(err.Error(), c.hint) {
			t.Errorf("ParseLoginURL(%q) = %v, want a query refusal ending %q", c.in, err, c.hint)
		}
	}
}

// Hosts that look right but are not: a user part without a password, IDN
// look-alikes in Unicode or punycode, a bidi override, and loopback-looking
// addresses that tnjwt does not count as this machine. Each is refused with
// a message that says which it is, and none is quoted raw.
func TestParseLoginURLRefusesLookAlikesAndOtherMachines(t *testing.T) {
	cases := []struct {
		in      string
		want    []string // all must appear in the message
		notWant string
	}{
		{"https://user@acme.my.salesforce.com", []string{"contains a user name or password", "use https://acme.my.salesforce.com"}, "user@"},
		{"https://3MVG9abcdefghijklmnop@acme.my.salesforce.com", []string{"user name or password", "use https://acme.my.salesforce.com"}, "3MVG9"},
		{"https://acme.my.s\u0430lesforce.com", []string{"not plain ASCII (U+0430) at position 10", "look-alike", "only the letters a–z"}, "acme.my"},
		{"https://acme.my.s%D0%B0lesforce.com", []string{"not plain ASCII (U+0430) at position 10", "look-alike"}, "acme.my"},
		{"https://\u0430cme.my.salesforce.com", []string{"not plain ASCII (U+0430) at position 1", "look-alike"}, "cme.my"},
		{"https://acme.my.salesforce.com\u202e", []string{"not plain ASCII (U+202E) at position 23"}, "acme"},
		{"https://acme.my.xn--slesforce-0yh.com", []string{"internationalised (xn--)", "look-alike", "https://login.salesforce.com"}, "xn--slesforce"},
		{"https://xn--acm-5na.my.salesforce.com", []string{"internationalised (xn--)", "look-alike"}, "xn--acm"},
		{"http://[::ffff:127.0.0.1]:8080", []string{"[::ffff:127.0.0.1] is an IPv4-mapped address", "not count as this machine", "Use http://127.0.0.1:8080"}, ""},
		{"http://[::ffff:10.0.0.1]:8080", []string{"[::ffff:10.0.0.1] is an IP address, not a Salesforce login host"}, ""},
		{"http://foo.localhost:8080", []string{"foo.localhost does not count as this machine", "proxy or DNS", "Use http://localhost:8080"}, ""},
		{"https://emulator.localhost", []string{"emulator.localhost does not count as this machine", "Use https://localhost"}, ""},
	}
	for _, c := range cases {
		_, err := ParseLoginURL(c.in)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("ParseLoginURL(%q) = %v, want an *InputError", c.in, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseLoginURL(%q) = %q, want it to mention %q", c.in, err, w)
			}
		}
		if c.notWant != "" && strings.Contains(err.Error(), c.notWant) {
			t.Errorf("ParseLoginURL(%q) = %q quotes %q", c.in, err, c.notWant)
		}
		if pos, r, bad := safetext.FirstControl(err.Error()); bad {
			t.Errorf("ParseLoginURL(%q): message holds %U at %d", c.in, r, pos)
		}
	}
	// The real hosts next to them are still accepted.
	for _, in := range []string{"https://acme.my.salesforce.com", "http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"} {
		if _, err := ParseLoginURL(in); err != nil {
			t.Errorf("ParseLoginURL(%q): %v", in, err)
		}
	}
}

// A username typed into the login URL field is named as such.
func TestEmailAsLoginURLSaysItBelongsInUsername(t *testing.T) {
	for _, s := range []string{"admin@acme.com", " embed@acme.com.uat "} {
		_, err := ParseLoginURL(s)
		if err == nil || !strings.Contains(err.Error(), "looks like an email address, which belongs in Username") {
			t.Errorf("%q: %v", s, err)
		}
	}
}
