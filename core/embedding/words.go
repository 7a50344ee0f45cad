package embedding

import (
	"strconv"
	"strings"

	"github.com/tnjwt/tnjwt/core/problem"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// Checklist ids of the embedding settings (docs/cli.md).
const (
	StepOrigins = "embed-origins"
	StepCORS    = "embed-cors"
	StepFrames  = "embed-frames"
	StepCookies = "embed-cookies"
	StepMFA     = "embed-mfa"
	// StepAccess is the permission set's Tableau Next access, a step of
	// the JWT setup that only embedding puts to the test.
	StepAccess = "permset-access"
)

// Setting is one thing in the org that embedding depends on, as the
// checklist and every failure message name it. In Fix, {origin} stands for
// the web page's origin.
type Setting struct {
	Step  string `json:"step"`  // its checklist id
	Name  string `json:"name"`  // what Setup calls it
	Where string `json:"where"` // how to get there in Setup
	Fix   string `json:"fix"`   // what to set
	Why   string `json:"-"`     // what breaks without it, for the checklist
	// SetupPath is its page after the org's Lightning host (from
	// salesforce.SetupPages), for the page's Open in Setup links.
	SetupPath string `json:"setupPath,omitempty"`
}

// The settings (salesforce-jwt-spec.md §10.3, paths §10.4).
var (
	CORS = Setting{
		Step: StepCORS, Name: "CORS allowlist",
		Where: `Setup → Quick Find box: "CORS" → CORS`,
		Fix:   "Click New and add {origin} as the Origin URL Pattern.",
		Why: "Salesforce lists it as required for embedding, and your page's own calls to Salesforce need it; " +
			"the SDK 2.0.0 itself makes none, so leaving it out shows only later.",
	}
	Frames = Setting{
		Step: StepFrames, Name: "Trusted Domains for Inline Frames",
		Where: `Setup → Quick Find box: "Session Settings" → Session Settings → Trusted Domains for Inline Frames`,
		Fix:   "Click Add Domain, enter {origin} and pick the iFrame Type Lightning Out.",
		Why: "Without it the browser refuses to show Salesforce inside your page, and the SDK reports " +
			"INITIALIZATION_ERROR after 60 seconds.",
	}
	Cookies = Setting{
		Step: StepCookies, Name: "Require first-party use of Salesforce cookies",
		Where: `Setup → Quick Find box: "My Domain" → My Domain → Routing and Policies → Edit`,
		Fix:   "Untick Require first-party use of Salesforce cookies and save: with it, the session cookie never reaches a frame inside your app.",
		Why:   "The session the frontdoor URL opens lives in that cookie; without it the frame is not signed in.",
	}
	MFA = Setting{
		Step: StepMFA, Name: "MFA waiver for the JWT user",
		Where: `Setup → Quick Find box: "Permission Sets" → the permission set assigned to the JWT user → System Permissions`,
		Fix: "Enable Waive Multi-Factor Authentication for Exempt Users in a permission set assigned to the JWT user. " +
			"A session opened with a frontdoor URL counts as a direct UI login, so an org that requires MFA " +
			"for those logins sends it to identity verification, which no one can answer in a hidden frame.",
		Why: "Only for orgs that require MFA for all direct UI logins (new production orgs do): check this item " +
			"when the preview reports an identity-verification redirect.",
	}
	Access = Setting{
		Step: StepAccess, Name: "Tableau Next access",
		Where: `Setup → Quick Find box: "Permission Sets" → the permission set assigned to the JWT user`,
		Fix:   "Give it access to the dashboard, and assign a permission set that does to each user who views it.",
	}
)

// Outcome is how an attempt to embed ended, as the page reports it.
type Outcome string

// The outcomes, in the order an attempt can reach them.
const (
	SDKNotLoaded      Outcome = "sdk-not-loaded"     // the SDK's module did not load
	CredentialRefused Outcome = "credential-refused" // the app's server got no frontdoor URL
	NoAnswer          Outcome = "no-answer"          // the SDK never reported back
	InitError         Outcome = "init-error"         // INITIALIZATION_ERROR: Lightning Out never said it was ready
	AuthRedirect      Outcome = "auth-redirect"      // AUTH_REDIRECT: identity verification (MFA)
	AssetFailed       Outcome = "asset-failed"       // signed in, but the dashboard failed
	SignedIn          Outcome = "signed-in"          // signed in, no dashboard asked for
	Embedded          Outcome = "embedded"           // the dashboard is on the page
)

// Advice is what to tell a person about an outcome. Placeholders in
// braces: {origin} the page's origin, {dashboard} the API name, {orgUrl},
// {redirect} where Salesforce sent the session, {seconds}.
type Advice struct {
	Title   string    `json:"title"`
	Said    string    `json:"said"` // introduces Salesforce's or the SDK's own words, {words}
	Explain string    `json:"explain"`
	Checks  []Setting `json:"checks"`
	Tip     string    `json:"tip"`
	Failed  bool      `json:"failed"`
}

// Who said the words an outcome quotes.
const (
	salesforceSaid = "Salesforce said: {words}"
	sdkSaid        = "The Embedding SDK reported: {words}"
)

// testAlone says how to tell a credential problem from an embedding one.
const testAlone = "To test the credential alone: tnjwt's Live test gets a frontdoor URL the same way, and its " +
	"Open in browser should land in Salesforce, signed in (once: it is single use). For your app, open its " +
	"/auth-credential address, then the authCredential address it shows, in the same way."

// Advices holds the words for every outcome.
var Advices = map[Outcome]Advice{
	SDKNotLoaded: {
		Title: "The Tableau Next Embedding SDK did not load, so nothing could be embedded.",
		Said:  "The browser said: {words}",
		Explain: "The page loads the SDK from {sdk}. This browser could not fetch it (no connection to that address, " +
			"or a proxy in the way), or the file it got was not the one pinned by its integrity hash.",
		Tip: "For the exported app, run npm install beside server.js. For tnjwt's preview on a machine that cannot " +
			"reach the CDN, use a local copy of the SDK: npm install " + SDKPackage + "@" + SDKVersion + ", then pick its " +
			SDKBundle + ".",
		Failed: true,
	},
	CredentialRefused: {
		Title:   "The app's server could not get a frontdoor URL from Salesforce.",
		Said:    salesforceSaid,
		Explain: "Nothing was embedded: the sign-in failed before the page could start the SDK.",
		Tip:     "Run tnjwt's Live test for this org: it names the setup step to fix.",
		Failed:  true,
	},
	NoAnswer: {
		Title: "Salesforce did not answer within {seconds} seconds, and the SDK never reported back.",
		Said:  sdkSaid,
		Explain: "The hidden frame that opens the session never finished loading: {orgUrl} did not answer, " +
			"or something between this browser and it (a proxy, a firewall, an extension) holds the request.",
		Tip:    "Check that this browser can open {orgUrl}, then reload the page.",
		Failed: true,
	},
	InitError: {
		Title: "The Salesforce session could not be opened inside this page (the SDK reported INITIALIZATION_ERROR).",
		Said:  sdkSaid,
		Explain: "The SDK loads the frontdoor URL in a hidden frame and waits for Salesforce's Lightning Out page, " +
			"which never said it was ready. The org must let {origin} frame it, and let its session cookie work " +
			"inside that frame. Check, in this order:",
		Checks: []Setting{Frames, Cookies, CORS},
		Tip: "A frontdoor URL works once, for a few minutes: one already used or expired fails the same way, so " +
			"reload the page for a fresh one. " + testAlone,
		Failed: true,
	},
	AuthRedirect: {
		Title: "Salesforce wants the JWT user to verify their identity (MFA) before it opens the session.",
		Explain: "Salesforce sent the session to {redirect}, an identity verification page that no one can " +
			"answer inside a hidden frame, so nothing can be embedded.",
		Checks: []Setting{MFA},
		Tip:    "After the change, reload this page: each load asks for a fresh frontdoor URL.",
		Failed: true,
	},
	AssetFailed: {
		Title: "The dashboard {dashboard} could not be embedded.",
		Said:  salesforceSaid,
		Explain: "The session opened, but Salesforce did not show {dashboard}. Check its API name (in Tableau " +
			"Next, the dashboard's API Name), and that the JWT user can see it.",
		Checks: []Setting{Access},
		Failed: true,
	},
	SignedIn: {
		Title:   "Signed in to {orgUrl}: the Salesforce session is open in this page.",
		Explain: "Add ?dashboard=API_NAME to this page's address to embed a dashboard.",
	},
	Embedded: {
		Title:   "The dashboard {dashboard} is embedded.",
		Explain: "It is shown with the JWT user's access, through a session opened with a single-use frontdoor URL.",
	},
}

// pageText is every sentence the page shows, for words.mjs.
type pageText struct {
	Origin       string             `json:"origin"`
	Fetching     string             `json:"fetching"`
	Opening      string             `json:"opening"`
	Rendering    string             `json:"rendering"`
	CheckHeading string             `json:"checkHeading"`
	OpenInSetup  string             `json:"openInSetup"`
	Outcomes     map[Outcome]Advice `json:"outcomes"`
}

func pageWords() pageText {
	outcomes := map[Outcome]Advice{}
	for o, a := range Advices {
		checks := []Setting{} // [] for the page, not null
		for _, c := range a.Checks {
			c.SetupPath = salesforce.SetupPages[c.Step].Path
			checks = append(checks, c)
		}
		a.Checks = checks
		outcomes[o] = a
	}
	return pageText{
		Origin: "This page runs on {origin}. The org must trust this origin for embedding: " +
			"in its CORS allowlist and its Trusted Domains for Inline Frames (type Lightning Out).",
		Fetching: "Asking the app's server for a frontdoor URL…",
		Opening: "Opening the Salesforce session… {seconds} s (the Embedding SDK gives up after " +
			strconv.Itoa(SDKTimeout) + " s).",
		Rendering:    "Embedding {dashboard}… {seconds} s",
		CheckHeading: "Where to fix it",
		OpenInSetup:  "Open in Setup",
		Outcomes:     outcomes,
	}
}

// Fill puts values into a template's {placeholders}; an unknown one stays
// as it is, as app.mjs does.
func Fill(template string, values map[string]string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(template, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(template[open:], '}')
		if end < 0 {
			break
		}
		key := template[open+1 : open+end]
		v, ok := values[key]
		if !ok || !isWord(key) {
			v = template[open : open+end+1]
		}
		b.WriteString(template[:open])
		b.WriteString(v)
		template = template[open+end+1:]
	}
	b.WriteString(template)
	return b.String()
}

func isWord(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
}

// maxAPIName bounds an API name, as Salesforce does.
const maxAPIName = 80

// CheckAPIName checks a Tableau Next asset's API name (or id) as typed.
func CheckAPIName(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", &problem.Input{Problem: "no dashboard named", Hint: "Type the dashboard's API name, shown in Tableau Next on the dashboard's details, such as Sales_Overview"}
	case len(s) > maxAPIName:
		return "", &problem.Input{Problem: "the API name is longer than " + strconv.Itoa(maxAPIName) + " characters", Hint: "Type the dashboard's API name, such as Sales_Overview"}
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune(`/\?#&"'<>`, r) }):
		return "", &problem.Input{Problem: quoted(s) + " is not an API name: it has a space or a character API names never hold",
			Hint: "Type the API name (letters, digits and _), such as Sales_Overview, not the dashboard's label"}
	}
	return s, nil
}
