package report

import (
	"fmt"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// PlaceholderOrgURL stands in the SDK snippet when the Lightning address
// can't be told from the instance URL.
const PlaceholderOrgURL = "https://YOUR-ORG.lightning.force.com"

// FrontdoorNote is said wherever a frontdoor URL is shown.
const FrontdoorNote = "Single use, and it expires within minutes: treat it like a password. " +
	"tnjwt never saves or logs it."

// maskKeepFrontdoor is how much of a frontdoor URL shows before Reveal: the
// org's address, never the one-time code.
const maskKeepFrontdoor = 30

// IssuerKeep is how much of the consumer key (the JWT iss) shows masked.
const IssuerKeep = 8

// Mask hides a secret but its first keep characters (and never more than
// half of it).
func Mask(s string, keep int) string {
	r := []rune(s)
	return string(r[:min(keep, len(r)/2)]) + "••••••"
}

// MaskFrontdoor hides a frontdoor URL but the org's address.
func MaskFrontdoor(url string) string { return Mask(url, maskKeepFrontdoor) }

// OrgURL is the SDK's orgUrl for a result: the Lightning URL, or the
// placeholder (known false) when it can't be told.
func OrgURL(res *salesforce.Result) (url string, known bool) {
	if res != nil && res.LightningURL != "" {
		return res.LightningURL, true
	}
	return PlaceholderOrgURL, false
}

// NoLightningURL explains the placeholder.
func NoLightningURL(instanceURL string) string {
	return "It can't be told from the instance URL " + instanceURL + ": open the org in a browser " +
		"and use its https://….lightning.force.com address."
}

// SDKPackage is the npm package of the Tableau Next Embedding SDK.
const SDKPackage = embedding.SDKPackage

// SDKCall is the call that starts the Tableau Next Embedding SDK.
func SDKCall(authCredential, orgURL string) string {
	return fmt.Sprintf("await initializeAnalyticsSdk({ authCredential: %q, orgUrl: %q });", authCredential, orgURL)
}

// Field is one labelled value of "What was sent".
type Field struct {
	Label, Value string
}

// WhatWasSent lists the token request as it went out: the decoded JWT
// header and claims (iss masked, no signature), the endpoint, the
// audience and the username, so the admin can compare them with Setup.
func WhatWasSent(s *salesforce.Sent) []Field {
	if s == nil {
		return nil
	}
	return []Field{
		{"Token endpoint", s.TokenEndpoint},
		{"JWT header", fmt.Sprintf(`{"alg": %q, "typ": %q}`, s.Alg, s.Typ)},
		{"iss (consumer key)", Mask(s.Iss, IssuerKeep)},
		{"sub (username)", s.Sub},
		{"aud (audience)", s.Aud},
		{"exp", s.Exp.UTC().Format(time.RFC3339) + " (3 minutes after signing)"},
	}
}
