package embedding

import (
	"strings"
	"testing"
)

func TestParseOriginWritesOriginsAsBrowsersDo(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.acme.com":          "https://app.acme.com",
		" HTTPS://App.Acme.com/ ":       "https://app.acme.com",
		"https://app.acme.com:443":      "https://app.acme.com",
		"https://app.acme.com:8443":     "https://app.acme.com:8443",
		"http://localhost:3000":         "http://localhost:3000",
		"http://127.0.0.1:8080":         "http://127.0.0.1:8080",
		"http://[::1]:3000":             "http://[::1]:3000",
		"https://xn--bcher-kva.example": "https://xn--bcher-kva.example",
	} {
		got, err := ParseOrigin(in)
		if err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestParseOriginRefusesWithWhatToType(t *testing.T) {
	for in, want := range map[string][]string{
		"":                                             {"no web address", "https://app.acme.com"},
		"app.acme.com":                                 {"no https:// in front", "Type https://app.acme.com"},
		"http://app.acme.com":                          {"http://, which Salesforce trusts only for localhost", "Type https://app.acme.com"},
		"https://app.acme.com/embed":                   {"has a path", "Type https://app.acme.com (without /embed)"},
		"https://app.acme.com/?x=1":                    {"has a path, ? or #"},
		"https://app.acme.com#top":                     {"has a path, ? or #"},
		"ftp://app.acme.com":                           {"starts with ftp://", "Type https://app.acme.com"},
		"https://bob:pw@app.acme.com":                  {"user name or password"},
		"https://*.acme.com":                           {"wildcard"},
		"https://app.acme.com:70000":                   {"port", "1 to 65535"},
		"https://intranet":                             {"not a host name"},
		"https://bücher.example":                       {"not a host name", "xn--"},
		"https://app.acme.com\n":                       {},
		"https://app.acme.com\x1b[2J":                  {"control character"},
		"https://app acme.com":                         {"space"},
		"https://" + strings.Repeat("a", 400) + ".com": {"longer than 300"},
	} {
		got, err := ParseOrigin(in)
		if len(want) == 0 {
			if err != nil {
				t.Errorf("ParseOrigin(%q): %v", in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseOrigin(%q) = %q, want a refusal", in, got)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseOrigin(%q): %q lacks %q", in, err, w)
			}
		}
	}
}
