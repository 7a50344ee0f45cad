package salesforce

import (
	"strings"
	"testing"
)

func TestSetupHostComesFromTheMyDomain(t *testing.T) {
	for _, c := range []struct{ login, known, want string }{
		{"https://acme.my.salesforce.com", "", "https://acme.my.salesforce-setup.com"},
		{"https://ACME.my.salesforce.com/", "", "https://acme.my.salesforce-setup.com"},
		{"https://acme--uat.sandbox.my.salesforce.com", "", "https://acme--uat.sandbox.my.salesforce-setup.com"},
		{"https://acme.my.salesforce.mil", "", "https://acme.lightning.crmforce.mil"},
		{"https://acme.my-salesforce.com", "", "https://acme.my-lightning.com"},
		{"https://acme.my.sfcrmproducts.cn", "", "https://acme.lightning.sfcrmapps.cn"},
		{"http://localhost:41234", "", "http://localhost:41234"},
		{"https://login.salesforce.com", "https://acme.my.salesforce.com", "https://acme.my.salesforce-setup.com"},
	} {
		got, err := SetupHost(c.login, c.known)
		if err != nil || got != c.want {
			t.Errorf("SetupHost(%q, %q) = %q, %v; want %q", c.login, c.known, got, err, c.want)
		}
	}
}

func TestNoSetupHostForHostsSharedByEveryOrg(t *testing.T) {
	for login, why := range map[string]string{
		"https://login.salesforce.com":          "shared by every Salesforce org",
		"https://test.salesforce.com":           "shared by every Salesforce org",
		"https://acme.my.site.com/customers":    "Experience Cloud site",
		"https://login.salesforce.com/?x=1#top": "",
	} {
		host, err := SetupHost(login, "")
		if err == nil || host != "" || !strings.Contains(err.Error(), why) {
			t.Errorf("SetupHost(%q) = %q, %v; want an error saying %q", login, host, err, why)
		}
	}
	if _, err := SetupHost("https://login.salesforce.com", "https://evil.example"); err == nil {
		t.Error("a learned address that is not a My Domain gave Setup links")
	}
}

func TestSetupLinks(t *testing.T) {
	host := "https://acme.my.salesforce-setup.com"
	for id, want := range map[string]string{
		"eca-scopes":     host + "/lightning/setup/ManageExternalClientApplication/home",
		"permset-create": host + "/lightning/setup/PermSets/home",
		"jwt-user":       host + "/lightning/setup/ManageUsers/home",
		"embed-cors":     host + "/lightning/setup/CorsWhitelistEntries/home",
		"embed-frames":   host + "/lightning/setup/SecuritySession/home",
		"embed-cookies":  host + "/lightning/setup/OrgDomain/home",
		"key-generate":   "",
		"live-test":      "",
	} {
		if got := SetupLink(host, id); got != want {
			t.Errorf("SetupLink(%s) = %q, want %q", id, got, want)
		}
	}
	if SetupLink("", "eca-scopes") != "" {
		t.Error("a link without a host")
	}
}
