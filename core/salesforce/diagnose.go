package salesforce

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Diagnosis names the checklist step (an id of docs/cli.md) that fixes a refusal,
// with a title and a fix written for the admin: the Setup path and the value.
// Fix is shown word for word by both the CLI and the GUI, so it names no
// command-line flag or button; the flags below tell each front end which of
// its own controls to point at.
type Diagnosis struct {
	Step  string
	Title string
	Fix   string
	// Retry: the app may still be propagating, and retrying for a while
	// (the CLI's --wait) may succeed without changing anything.
	Retry bool
	// OrgType: the fix may be choosing the other org type (sandbox or
	// production), which sets the audience.
	OrgType bool
	// Also lists other checklist items that get exactly this answer from
	// Salesforce: a front end that knows which items are still unticked
	// points at the first of Step and Also that is.
	Also []string
	// Audience is one tnjwt does not try on its own and the admin may send
	// on purpose: the legacy Salesforce audience, for a login URL on this
	// computer. A front end offers it with its own control.
	Audience string
}

// sameAnswer is, by diagnosis step, the other checklist items whose absence
// Salesforce answers in the same words.
var sameAnswer = map[string][]string{
	"eca-cert-upload":     {"eca-jwt-enable"},
	"eca-permitted-users": {"eca-app-policies", "permset-assign", "permset-create", "eca-scopes"},
	"eca-app-policies":    {"permset-assign", "permset-create"},
}

// Setup paths, as an admin clicks them.
const (
	ecaManager    = "Setup → Quick Find 'External' → External Client App Manager → your app"
	ecaOAuth      = ecaManager + " → Edit Settings → OAuth Settings"
	ecaPolicies   = ecaManager + " → Edit → OAuth Policies"
	ecaAppPolicy  = ecaManager + " → Edit → App Policies → Select Permission Sets"
	ecaKey        = ecaManager + " → Settings → OAuth Settings → Consumer Key and Secret"
	usersPage     = "Setup → Quick Find 'Users' → Users"
	permsetAssign = "Setup → Quick Find 'Permission Sets' → your permission set (e.g. Tableau Next Embedding JWT) → " +
		"Manage Assignments → Add Assignment"
	propagation = "Salesforce takes up to 10 minutes to roll out a new or edited External Client App: after saving, " +
		"wait, then test again."
)

// rule matches one row of the refusal catalogue (spec §3.2 and §4.3).
type rule struct {
	phase string // "" matches both
	code  string // matched case-insensitively; "" matches any
	desc  string // a substring of the description, case-insensitive; "" matches any
	diag  func(e *RefusalError) Diagnosis
}

func fixed(step, title, fix string) func(*RefusalError) Diagnosis {
	return func(*RefusalError) Diagnosis { return Diagnosis{Step: step, Title: title, Fix: fix} }
}

// catalogue is checked in order; the first match wins.
var catalogue = []rule{
	{PhaseToken, "invalid_client_id", "", clientIDDiagnosis},
	{PhaseToken, "invalid_grant", "invalid assertion", fixed("eca-cert-upload",
		"Salesforce could not verify the signed assertion with the app's certificate",
		"Open "+ecaOAuth+". Under Flow Enablement, tick 'Enable JWT Bearer Flow' and upload sf_public_cert.crt: "+
			"the certificate made together with the private key this test signs with (a certificate from another "+
			"key pair gives exactly this answer). Save, and allow a few minutes for the change to apply. "+
			"If the certificate is right, check the username: one that does not exist in this org (for example a "+
			"sandbox username without its .sandboxname ending) can be refused the same way.")},
	{PhaseToken, "invalid_grant", "audience is invalid", audienceDiagnosis},
	{PhaseToken, "app_not_found", "", appNotFoundDiagnosis},
	{PhaseToken, "invalid_grant", "expired authorization code", clockDiagnosis},
	{PhaseToken, "invalid_grant", "user hasn't approved this consumer", fixed("eca-permitted-users",
		"The user is not pre-authorized for the app",
		"Open "+ecaPolicies+" and set Permitted Users to 'Admin approved users are pre-authorized'. Then, in "+
			ecaAppPolicy+", add your permission set (e.g. TableauNextEmbeddingJWT), and assign that permission set "+
			"to the run-as user ("+permsetAssign+"). Save. Also check the username exactly matches the user's "+
			"Username in "+usersPage+" (sandbox usernames end with .sandboxname).")},
	{PhaseToken, "invalid_app_access", "", fixed("eca-app-policies",
		"The user is not admin-approved for the app",
		"Open "+ecaAppPolicy+" and add the permission set that pre-authorizes the user (e.g. TableauNextEmbeddingJWT); "+
			"then assign it to the run-as user ("+permsetAssign+"). A permission set with the 'Salesforce API "+
			"Integration' license cannot be listed there: use a second permission set without a license, or the "+
			"user's profile. Save, and allow a few minutes for the change to apply.")},
	{PhaseToken, "inactive_user", "", inactiveUser},
	{PhaseToken, "invalid_grant", "inactive user", inactiveUser},
	{PhaseToken, "invalid_grant", "user is inactive", inactiveUser},
	{PhaseToken, "invalid_grant", "ip restricted or invalid login hours", fixed("jwt-user",
		"The user's profile blocks this login (IP ranges or login hours)",
		"The run-as user's profile limits where or when it may log in. Either open Setup → Quick Find 'Profiles' → "+
			"the user's profile → Login IP Ranges / Login Hours and allow this machine's address and the current "+
			"time, or open "+ecaPolicies+" and set IP Relaxation to 'Relax IP restrictions'.")},
	{PhaseToken, "invalid_grant", "user is locked", fixed("jwt-user",
		"The run-as user is locked out",
		"Open "+usersPage+" → the run-as user and click Unlock (shown after too many failed logins). "+
			"Also check the user's Frozen state on the same page.")},
	{PhaseToken, "inactive_org", "", fixed("org-login-url",
		"The org is locked, closed or suspended",
		"Salesforce says this org cannot accept logins. Check that the login URL names the org you mean "+
			"(a deleted sandbox or expired trial gives this answer); if it does, the org's billing contact or "+
			"Salesforce Support has to reactivate it.")},
	{PhaseToken, "rate_limit_exceeded", "", fixed("live-test",
		"Too many logins for this user",
		"Salesforce limits how often one user may log in per hour. Wait an hour before testing again. In your "+
			"app, reuse an access token until it expires instead of requesting a new one for every page.")},
	{PhaseToken, "unsupported_grant_type", "", fixed("org-login-url",
		"The server does not take the JWT bearer grant",
		"tnjwt sent grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer exactly as Salesforce documents it, "+
			"so the answer most likely came from something that is not the org's OAuth endpoint. Check that the "+
			"login URL is the org's own (Setup → Quick Find 'My Domain') and that no proxy in between rewrites "+
			"the request.")},
	{PhaseSingleAccess, "Bad_OAuth_Token", "", fixed("jwt-user",
		"The user may not open a browser session",
		"Salesforce issued an access token but refused to turn it into a browser session. The usual cause is "+
			"the 'API Only User' permission on the run-as user: open "+usersPage+" → the user, check the profile "+
			"and every assigned permission set for 'API Only User' (System Permissions) and remove it. Then test again.")},
	{PhaseSingleAccess, "Invalid_Scope", "", fixed("eca-scopes",
		"The app's OAuth scopes do not allow a browser session",
		"Open "+ecaOAuth+" and, under OAuth Scopes, add 'Manage user data via Web browsers (web)' and "+
			"'Perform requests at any time (refresh_token, offline_access)'. Save, and allow a few minutes "+
			"for the change to apply.")},
}

// Diagnose maps an error from Exchange to the step that fixes it. It returns
// nil when the cause is not known: then the server's own words are all there
// is, and nothing is invented.
func Diagnose(err error) *Diagnosis {
	var re *RefusalError
	if errors.As(err, &re) {
		for _, r := range catalogue {
			if r.matches(re) {
				d := r.diag(re)
				d.Also = sameAnswer[d.Step]
				return &d
			}
		}
		return nil
	}
	var te *TransportError
	// Only a redirected token request points at the login URL; a redirected
	// singleaccess request is the instance's doing, with no checklist step.
	if errors.As(err, &te) && te.Kind == KindRedirect && te.Phase == PhaseToken {
		return &Diagnosis{Step: "org-login-url", Title: "The login URL redirects somewhere else",
			Fix: "Salesforce answers token requests on the org's own login URL without redirecting. " + te.Problem}
	}
	return nil
}

func (r rule) matches(e *RefusalError) bool {
	if r.phase != "" && r.phase != e.Phase {
		return false
	}
	if r.code != "" && !strings.EqualFold(r.code, e.Code) {
		return false
	}
	return r.desc == "" || strings.Contains(strings.ToLower(e.Description), r.desc)
}

func clientIDDiagnosis(e *RefusalError) Diagnosis {
	waited := ""
	if e.Waited > 0 && e.Attempts > 1 {
		waited = fmt.Sprintf("Salesforce kept answering this for %s (%d attempts), so the app has had time to propagate. ",
			PlainDuration(e.Waited), e.Attempts)
	}
	return Diagnosis{
		Step:  "eca-consumer-key",
		Retry: true,
		Title: "Salesforce does not recognise the consumer key",
		Fix: waited + "Copy the consumer key again from " + ecaKey + " and paste all of it (about 85 characters, " +
			"starting 3MVG). It must come from the org at this login URL: a production app's key does not work on a " +
			"sandbox. " + propagation,
	}
}

// appNotFoundDiagnosis names both causes of app_not_found: a Spring '26
// External Client App asked through login/test.salesforce.com, and an app
// that lives in another org.
func appNotFoundDiagnosis(e *RefusalError) Diagnosis {
	if d, ok := localAudienceDiagnosis(e); ok {
		return d
	}
	legacyHost := false
	if l, err := ParseLoginURL(e.LoginURL); err == nil {
		legacyHost = l.Kind == Production || l.Kind == Sandbox
	}
	otherOrg := "Check that the consumer key was copied from the org where you created the External Client App " +
		"(its address is under Setup → Quick Find 'My Domain'): a production app does not exist in its sandboxes " +
		"unless it is created there too. Right after creating the app or refreshing a sandbox, " + propagation
	if legacyHost {
		return Diagnosis{Step: "org-login-url",
			Title: "The External Client App can't be reached through " + e.LoginURL,
			Fix: "Since Spring '26 many orgs no longer reach External Client Apps through " + ProductionAudience + " or " +
				SandboxAudience + ". Use the org's My Domain URL as the login URL instead (Setup → Quick Find 'My Domain', " +
				"for example https://acme.my.salesforce.com, or https://acme--uat.sandbox.my.salesforce.com for a sandbox): " +
				"tnjwt then finds the audience the org wants by itself. If the My Domain URL gives the same answer: " + otherOrg}
	}
	tried := ""
	if e.Audience != "" {
		tried = " (last tried with aud = " + e.Audience + ")"
	}
	return Diagnosis{Step: "org-login-url",
		Title: "The External Client App is not installed in the org at this login URL",
		Fix: "The token request reached an org that does not have this app" + tried + ". " + otherOrg +
			" Also check that the login URL is that org's own My Domain URL."}
}

func audienceDiagnosis(e *RefusalError) Diagnosis {
	if d, ok := localAudienceDiagnosis(e); ok {
		return d
	}
	sent := ""
	if e.Audience != "" {
		sent = "This test sent aud = " + e.Audience + ". "
	}
	return Diagnosis{
		Step:    "org-login-url",
		OrgType: true,
		Title:   "Wrong audience: sandbox or production?",
		Fix: sent + "Older orgs want " + ProductionAudience + " for production and Developer Edition orgs and " +
			SandboxAudience + " for sandboxes, even when the login URL is the org's My Domain; since Spring '26 many " +
			"External Client Apps want the My Domain URL itself. With a My Domain login URL tnjwt tries both; if " +
			"both were refused, check that the org type matches this org: sandbox for a sandbox, production " +
			"otherwise. For an Experience Cloud site the audience is the site URL.",
	}
}

// localAudienceDiagnosis explains a wrong-audience answer from a login URL
// on this computer that was sent its own URL: tnjwt does not try the legacy
// audience there by itself (see Audiences), so it says how to on purpose.
func localAudienceDiagnosis(e *RefusalError) (Diagnosis, bool) {
	l, err := ParseLoginURL(e.LoginURL)
	if err != nil || l.Kind != Loopback || e.Audience == ProductionAudience || e.Audience == SandboxAudience {
		return Diagnosis{}, false
	}
	legacy := Audience(l, e.Sandbox, "")
	return Diagnosis{
		Step:     "org-login-url",
		Title:    "The org on this computer wants another audience",
		Audience: legacy,
		Fix: "This test sent aud = " + e.Audience + ", the login URL itself, and " + e.LoginURL + " refused it. " +
			"An older org (the practice org's legacy login hosts) wants " + legacy + " instead, but tnjwt does not " +
			"try " + legacy + " against a local address on its own: whatever program holds that port would get " +
			"an assertion that Salesforce itself accepts for 3 minutes. If the program on this port is your own " +
			"practice org, send " + legacy + " as the audience on purpose.",
	}, true
}

func clockDiagnosis(e *RefusalError) Diagnosis {
	d := Diagnosis{Step: "system-clock", Title: "Salesforce says the assertion has already expired"}
	skew := e.ClockSkew
	if skew > time.Minute || skew < -time.Minute {
		dir := "behind"
		if skew < 0 {
			dir, skew = "ahead of", -skew
		}
		d.Title = "This computer's clock is wrong"
		d.Fix = fmt.Sprintf("Your clock is %s %s Salesforce's. The assertion is valid for 3 minutes from this "+
			"computer's time, so Salesforce sees it as expired. Turn on automatic time (NTP) in the system's date "+
			"and time settings, check the time zone, and test again.", PlainDuration(skew.Round(time.Minute)), dir)
		return d
	}
	d.Fix = "The assertion is valid for 3 minutes. This computer's clock agrees with Salesforce's, so check that the " +
		"system's time zone is set correctly and that automatic time (NTP) is on; if a proxy holds requests " +
		"for minutes, that also expires the assertion."
	return d
}

func inactiveUser(*RefusalError) Diagnosis {
	return Diagnosis{Step: "jwt-user", Title: "The run-as user is inactive",
		Fix: "Open " + usersPage + " → the run-as user → Edit, tick Active, and Save. If the user was " +
			"deactivated on purpose, pick an active user and put its Username in the test."}
}
