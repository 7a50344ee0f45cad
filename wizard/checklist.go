package wizard

import (
	"path/filepath"

	"github.com/tnjwt/tnjwt/core/salesforce"
)

// Checklist ids from docs/cli.md. The wording people see is ours; these ids
// are fixed because profiles, `tnjwt test --json` and diagnoses use them.
const (
	IDOrgLoginURL       = "org-login-url"
	IDKeyGenerate       = "key-generate"
	IDECAScopes         = "eca-scopes"
	IDECAJWTEnable      = "eca-jwt-enable"
	IDECACertUpload     = "eca-cert-upload"
	IDECARefreshSecret  = "eca-refresh-secret"
	IDECAConsumerKey    = "eca-consumer-key"
	IDPermsetCreate     = "permset-create"
	IDPermsetAccess     = "permset-access"
	IDPermsetAssign     = "permset-assign"
	IDECAPermittedUsers = "eca-permitted-users"
	IDECAAppPolicies    = "eca-app-policies"
	IDViewerAssign      = "viewer-assign"
	IDKeyStore          = "key-store"
)

// The permission set the seed procedure names; people may choose another, but
// these are what we suggest and what the practice org expects.
const (
	PermsetLabel   = "Tableau Next Embedding JWT"
	PermsetAPIName = "TableauNextEmbeddingJWT"
)

// Item is one thing the admin does (or tnjwt does for them), with everything
// needed to do it without another document open.
type Item struct {
	ID          string
	Label       string  // a few words, shown next to the tick box
	Instruction string  // what to do, in Setup's own words
	Path        string  // where in Setup, when it differs from the screen's
	Values      []Value // exact text to type or pick in Setup, ready to copy
	Why         string  // one sentence: what breaks without it
	Optional    bool    // only some orgs need it; never asked about when unticked
	Auto        bool    // tnjwt ticks it itself when the screen's work is done
}

// Value is one exact value to enter in Setup.
type Value struct {
	Name string // what Setup calls the field
	Text string // the exact text; empty when From fills it
	From Source
}

// Source says where a Value's text comes from when it is not fixed.
type Source int

// Where a Value's text comes from.
const (
	Fixed                 Source = iota
	FromUsername                 // the JWT subject username on the Org screen
	FromCertFile                 // the file the current certificate was saved as ("" until it is)
	FromFingerprint              // the current certificate's SHA-256 fingerprint, as Setup shows it
	FromProductionOrigin         // the app's production web address (Embedding settings)
	FromDevelopmentOrigin        // the app's development web address (Embedding settings)
)

// Resolve returns the text to copy, filled from the session where needed;
// "" when there is nothing yet (a certificate not saved as a file).
func (v Value) Resolve(st *State) string {
	switch v.From {
	case FromUsername:
		return st.Profile.Username
	case FromCertFile:
		if st.CertPath == "" {
			return ""
		}
		return filepath.Base(st.CertPath)
	case FromFingerprint:
		return st.Profile.Fingerprint
	case FromProductionOrigin, FromDevelopmentOrigin:
		e := st.Profile.Embedding
		if e == nil {
			return ""
		}
		if v.From == FromProductionOrigin {
			return e.ProductionOrigin
		}
		return e.DevelopmentOrigin
	}
	return v.Text
}

// Setup paths shown at the top of the checklist screens.
const (
	whereECASettings = `Setup → Quick Find box: "External" → External Client App Manager → ▾ next to your app → Edit Settings → OAuth Settings`
	whereECAPolicies = `Setup → Quick Find box: "External" → External Client App Manager → your app → Edit`
	wherePermsets    = `Setup → Quick Find box: "Permission Sets" → Permission Sets`
	whereConsumerKey = salesforce.ConsumerKeyPath
)

var orgItems = []Item{{
	ID:          IDOrgLoginURL,
	Label:       "Login URL",
	Instruction: "Pick the kind of org and its login URL.",
	Why:         "The token request goes to this address and the JWT names its audience; a wrong one gives “audience is invalid”.",
	Auto:        true,
}}

var keyItems = []Item{{
	ID:          IDKeyGenerate,
	Label:       "Key and certificate",
	Instruction: "Generate a key and certificate here, or import the pair you already use.",
	Why:         "tnjwt signs each JWT with the private key; Salesforce checks the signature with the certificate.",
	Auto:        true,
}}

var ecaItems = []Item{{
	ID:          IDECAScopes,
	Label:       "OAuth scopes",
	Instruction: "Under OAuth Scopes, move these two scopes to Selected OAuth Scopes.",
	Values: []Value{
		{Name: "Scope", Text: "Manage user data via Web browsers (web)"},
		{Name: "Scope", Text: "Perform requests at any time (refresh_token, offline_access)"},
	},
	Why: "Without the web scope the frontdoor URL can't open an embedding session (Salesforce answers Invalid_Scope).",
}, {
	ID:          IDECAJWTEnable,
	Label:       "JWT Bearer Flow",
	Instruction: "In the Flow Enablement section, select Enable JWT Bearer Flow.",
	Values:      []Value{{Name: "Flow", Text: "JWT Bearer Flow"}},
	Why:         "Salesforce refuses signed JWTs for this app until the flow is switched on.",
}, {
	ID:          IDECACertUpload,
	Label:       "Upload the certificate",
	Instruction: "Under JWT Bearer Flow, upload the certificate file you saved on the Key and certificate step.",
	Values:      []Value{{Name: "File", From: FromCertFile}, {Name: "SHA-256 fingerprint", From: FromFingerprint}},
	Why:         "Salesforce checks every JWT's signature against this certificate; a missing or different one gives “invalid assertion”.",
}, {
	ID:          IDECARefreshSecret,
	Label:       "Require secret for Refresh Token (if your policy says so)",
	Instruction: "Under Security, select Require secret for Refresh Token and any other options, only if your security policy requires them. Otherwise leave them as they are.",
	Values:      []Value{{Name: "Option", Text: "Require secret for Refresh Token"}},
	Why:         "It only affects refresh-token requests; the JWT bearer flow sends no consumer secret, so tnjwt works either way.",
	Optional:    true,
}}

var permsetItems = []Item{{
	ID:          IDPermsetCreate,
	Label:       "Create the permission set",
	Path:        wherePermsets + " → New",
	Instruction: "Click New, enter this label and API name, leave License set to None (unless your org needs a specific user license), and save.",
	Values: []Value{
		{Name: "Label", Text: PermsetLabel},
		{Name: "API Name", Text: PermsetAPIName},
		{Name: "License", Text: "None"},
	},
	Why: "The app pre-authorizes users through a permission set; a dedicated one gives the JWT user only the access it needs.",
}, {
	ID:    IDPermsetAccess,
	Label: "Give it Tableau Next access",
	Path:  wherePermsets + " → " + PermsetLabel,
	Instruction: "On the permission set's page, grant: System Permissions your org requires for Tableau Next API access; " +
		"Object Settings: Read on the Tableau Next objects your app reads; Custom Permissions: the Tableau Next custom permissions your app needs.",
	Why: "The access token carries these permissions; without them the embedded assets don't load.",
}, {
	ID:          IDPermsetAssign,
	Label:       "Assign it to the JWT subject user",
	Path:        wherePermsets + " → " + PermsetLabel + " → Manage Assignments",
	Instruction: "Click Manage Assignments, then Add Assignment, select the JWT subject user (or a profile whose users act as JWT subjects), click Assign, then Done.",
	Values:      []Value{{Name: "Username", From: FromUsername}},
	Why:         "Only holders of the permission set are pre-authorized, and the JWT subject must be one of them.",
}, {
	ID:          IDECAPermittedUsers,
	Label:       "Permitted Users: admin approved",
	Path:        whereECAPolicies + " → OAuth Policies panel",
	Instruction: "On the OAuth Policies panel, set Permitted Users to this value.",
	Values:      []Value{{Name: "Permitted Users", Text: "Admin approved users are pre-authorized"}},
	Why:         "The JWT flow has no login page where a user could approve the app; without this Salesforce answers “user hasn't approved this consumer”.",
}, {
	ID:          IDECAAppPolicies,
	Label:       "Add the permission set to App Policies",
	Path:        whereECAPolicies + " → App Policies panel",
	Instruction: "On the App Policies panel, add the permission set to the Select Permission Sets list, then Save and close.",
	Values:      []Value{{Name: "Permission set", Text: PermsetLabel}},
	Why:         "This links the permission set to the app; without it Salesforce answers “invalid_app_access”.",
}, {
	ID:          IDViewerAssign,
	Label:       "Assign it to viewing users",
	Path:        wherePermsets + " → " + PermsetLabel + " → Manage Assignments",
	Instruction: "Assign the permission set to the users who view embedded Tableau Next assets in your web app.",
	Values:      []Value{{Name: "Permission set", Text: PermsetLabel}},
	Why:         "This adds those users to the pre-authorized list, so their embedded sessions are allowed.",
}}

var consumerKeyItems = []Item{{
	ID:          IDECAConsumerKey,
	Label:       "Consumer key",
	Instruction: "Copy the consumer key from the app's Settings tab and paste it here.",
	Why:         "The consumer key is the JWT's issuer (iss); a wrong or cut-off one gives “client identifier invalid”.",
	Auto:        true,
}}

var keychainItems = []Item{{
	ID:          IDKeyStore,
	Label:       "Secrets in the keychain",
	Instruction: "Store the consumer key and private key in this computer's keychain.",
	Why:         "tnjwt and `tnjwt test --profile` read them from there; nothing secret is written to the profile file.",
	Auto:        true,
}}
