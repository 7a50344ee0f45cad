package salesforce

import (
	"net"
	"strings"
)

// salesforceDomains are the registrable domains under which Salesforce
// serves orgs, My Domains, Experience Cloud sites and their instances: the
// only hosts the access token is sent to. Source: Salesforce Help, "My
// Domain URL Formats" and "Allow the Required Domains" (salesforce.com,
// force.com, site.com and their government-cloud and China variants).
// Keep the list here and nowhere else.
var salesforceDomains = []string{
	"salesforce.com", "force.com", "site.com", "my-salesforce.com", "my-lightning.com",
	"salesforce-sites.com", "cloudforce.com", "visualforce.com", "salesforce-setup.com",
	"salesforce.mil", "crmforce.mil", "sfcrmproducts.cn", "sfcrmapps.cn",
}

// IsSalesforceHost reports a host name under one of Salesforce's domains.
func IsSalesforceHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range salesforceDomains {
		if strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// isLoopback reports this machine by a name that never leaves it: the name
// localhost, an IPv4 address in 127.0.0.0/8, or ::1. Names under
// .localhost and IPv4-mapped forms such as ::ffff:127.0.0.1 are not
// counted: Go may send such names through HTTP_PROXY or look them up in DNS.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if strings.Contains(host, ":") {
		return ip.Equal(net.IPv6loopback)
	}
	return ip.To4() != nil && ip.IsLoopback()
}

// DomainSources are Salesforce's domains as Content-Security-Policy
// sources (https://*.force.com, …): what a page embedding an org may frame.
func DomainSources() []string {
	out := make([]string, len(salesforceDomains))
	for i, d := range salesforceDomains {
		out[i] = "https://*." + d
	}
	return out
}
