package salesforce

import (
	"net/url"
	"strings"
)

// SetupPage is a page of Salesforce Setup with a stable address.
type SetupPage struct {
	Name string // as Setup titles it
	Path string // after the org's Setup host
}

// The Setup pages the checklist sends the admin to (salesforce-jwt-spec.md
// §10.4). A new permission set or an app's Policies tab has no stable
// address, so the items for those open the list they start from.
var (
	SetupECAManager      = SetupPage{"External Client App Manager", "/lightning/setup/ManageExternalClientApplication/home"}
	SetupPermissionSets  = SetupPage{"Permission Sets", "/lightning/setup/PermSets/home"}
	SetupMyDomain        = SetupPage{"My Domain", "/lightning/setup/OrgDomain/home"}
	SetupUsers           = SetupPage{"Users", "/lightning/setup/ManageUsers/home"}
	SetupCORS            = SetupPage{"CORS", "/lightning/setup/CorsWhitelistEntries/home"}
	SetupSessionSettings = SetupPage{"Session Settings", "/lightning/setup/SecuritySession/home"}
)

// SetupPages is where each checklist item (docs/cli.md ids) is done in
// Setup; items done in tnjwt, or without a page of their own, are absent.
var SetupPages = map[string]SetupPage{
	"eca-scopes":          SetupECAManager,
	"eca-jwt-enable":      SetupECAManager,
	"eca-cert-upload":     SetupECAManager,
	"eca-refresh-secret":  SetupECAManager,
	"eca-consumer-key":    SetupECAManager,
	"eca-permitted-users": SetupECAManager,
	"eca-app-policies":    SetupECAManager,
	"permset-create":      SetupPermissionSets,
	"permset-access":      SetupPermissionSets,
	"permset-assign":      SetupPermissionSets,
	"viewer-assign":       SetupPermissionSets,
	"jwt-user":            SetupUsers,
	"embed-cors":          SetupCORS,
	"embed-frames":        SetupSessionSettings,
	"embed-cookies":       SetupMyDomain,
	"embed-mfa":           SetupPermissionSets,
}

// SetupHost is the address that opens the org's Setup, from its My Domain:
// <name>.my.salesforce-setup.com for the commercial cloud (as the Salesforce
// CLI's tooling does), the Lightning host for the other clouds (it serves
// Setup too), the practice org itself on loopback. known is an address a
// passing test learned (the instance URL), used when the login URL cannot
// tell the org: login.salesforce.com, test.salesforce.com and Experience
// Cloud sites are shared by many orgs. The error (*InputError) says why.
func SetupHost(loginURL, known string) (string, error) {
	l, err := ParseLoginURL(loginURL)
	if err != nil {
		return "", err
	}
	switch l.Kind {
	case Loopback:
		u, _ := url.Parse(l.URL)
		return u.Scheme + "://" + u.Host, nil
	case MyDomain, MyDomainSandbox:
		return myDomainSetupHost(l.Host)
	}
	if known != "" {
		if k, err := ParseLoginURL(known); err == nil && (k.Kind == MyDomain || k.Kind == MyDomainSandbox) {
			return myDomainSetupHost(k.Host)
		}
	}
	why := l.Host + " is shared by every Salesforce org, so it cannot tell tnjwt which org's Setup to open"
	if l.Kind == ExperienceSite {
		why = l.Host + " is an Experience Cloud site, not the org's own address, so it cannot tell tnjwt where the org's Setup is"
	}
	return "", &InputError{Problem: "no Setup links: " + why,
		Hint: "Use the org's My Domain URL as the login URL, or pass a live test: it learns the org's address"}
}

func myDomainSetupHost(host string) (string, error) {
	if name, ok := strings.CutSuffix(host, ".my.salesforce.com"); ok && validName(name) {
		return "https://" + name + ".my.salesforce-setup.com", nil
	}
	return LightningURL("https://" + host)
}

// SetupLink is the address of checklist item id's Setup page on host, or
// "" when the item has no page.
func SetupLink(host, id string) string {
	p, ok := SetupPages[id]
	if !ok || host == "" {
		return ""
	}
	return host + p.Path
}
