package wizard

import (
	"errors"
	"strings"

	"github.com/tnjwt/tnjwt/core/problem"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// OrgType is the kind of org as the Org screen offers it. Production and
// Sandbox fix the login URL; My Domain and Experience Cloud site take the
// admin's own URL and check that it is of that kind.
type OrgType int

// The org types, in the order the Org screen lists them.
const (
	OrgProduction OrgType = iota
	OrgSandbox
	OrgMyDomain
	OrgExperience
)

// OrgTypes lists the choices of the Org screen, My Domain first: since
// Spring '26 it is the one address that reaches every External Client App.
func OrgTypes() []OrgType {
	return []OrgType{OrgMyDomain, OrgProduction, OrgSandbox, OrgExperience}
}

func (t OrgType) String() string {
	switch t {
	case OrgSandbox:
		return "Sandbox"
	case OrgMyDomain:
		return "My Domain"
	case OrgExperience:
		return "Experience Cloud site"
	}
	return "Production"
}

// FixedURL is the login URL the type implies, or "" when the admin types it.
func (t OrgType) FixedURL() string {
	switch t {
	case OrgProduction:
		return salesforce.ProductionAudience
	case OrgSandbox:
		return salesforce.SandboxAudience
	}
	return ""
}

// Placeholder is an example login URL for the types the admin types in.
func (t OrgType) Placeholder() string {
	switch t {
	case OrgMyDomain:
		return "https://yourcompany.my.salesforce.com"
	case OrgExperience:
		return "https://yourcompany.my.site.com/yoursite"
	}
	return t.FixedURL()
}

// Help says, under the choice, what the type means for the login URL.
func (t OrgType) Help() string {
	switch t {
	case OrgSandbox:
		return "Uses https://test.salesforce.com: only for sandboxes whose app still answers there (older orgs, Connected Apps). " +
			"My Domain works for every org. Sandbox usernames usually end with the sandbox name, like embed@acme.com.uat."
	case OrgMyDomain:
		return "Recommended. Your org's own address, for production or a sandbox (like https://acme.my.salesforce.com or " +
			"https://acme--uat.sandbox.my.salesforce.com): Setup → Quick Find “My Domain” → Current My Domain URL. " +
			"Since Spring '26 many External Client Apps answer only there; tnjwt finds the audience your org wants."
	case OrgExperience:
		return "The Experience Cloud site's address, with its path, as your users open it."
	}
	return "Uses https://login.salesforce.com: only for orgs whose app still answers there (older orgs, Connected Apps). " +
		"My Domain works for every org."
}

// OrgTypeFor picks the Org screen choice that a saved login URL belongs to.
func OrgTypeFor(loginURL string) OrgType {
	l, err := salesforce.ParseLoginURL(loginURL)
	if err != nil {
		return OrgMyDomain
	}
	switch l.Kind {
	case salesforce.Production:
		return OrgProduction
	case salesforce.Sandbox:
		return OrgSandbox
	case salesforce.ExperienceSite:
		return OrgExperience
	}
	return OrgMyDomain
}

// OrgDraft is what the Org screen holds, as typed.
type OrgDraft struct {
	Name     string
	Type     OrgType
	URL      string // ignored for the types with a fixed URL
	Username string
}

// Field is what the screen shows under one field: an error that blocks Next,
// or a warning that doesn't.
type Field struct {
	Err  string
	Warn string
}

// OrgCheck is the verdict on an OrgDraft, field by field.
type OrgCheck struct {
	Name, URL, Username Field
	Login               salesforce.LoginURL // valid when URL.Err is ""
	User                string              // trimmed username
	Sandbox             bool
}

// OK reports whether every field is usable.
func (c OrgCheck) OK() bool {
	return c.Name.Err == "" && c.URL.Err == "" && c.Username.Err == ""
}

// FirstProblem is the first blocking message, for the Next refusal.
func (c OrgCheck) FirstProblem() string {
	for _, f := range []Field{c.Name, c.URL, c.Username} {
		if f.Err != "" {
			return f.Err
		}
	}
	return ""
}

func takenBy(nameTaken func(string) string, name string) string {
	if nameTaken == nil {
		return ""
	}
	return nameTaken(name)
}

// CheckOrg judges a draft with the same rules `tnjwt test` applies.
// nameTaken gives the saved name a name clashes with, "" when it is free.
func CheckOrg(d OrgDraft, nameTaken func(string) string) OrgCheck {
	var c OrgCheck
	name := strings.TrimSpace(d.Name)
	if err := profiles.ValidateName(name); err != nil {
		c.Name.Err = Sentence(err.Error())
	} else if saved := takenBy(nameTaken, name); saved != "" {
		c.Name.Err = "A saved org is already called " + saved + ". Choose another name, or continue that one from the Welcome screen."
	}

	raw := d.URL
	if fixed := d.Type.FixedURL(); fixed != "" {
		raw = fixed
	}
	l, err := salesforce.ParseLoginURL(raw)
	switch {
	case err != nil && strings.TrimSpace(raw) == "" && d.Type.FixedURL() == "":
		// The general hint would suggest login.salesforce.com, which this
		// org type does not take.
		c.URL.Err = "The login URL is empty: type your " + d.Type.String() + " address, like " + d.Type.Placeholder() + "."
	case err != nil:
		c.URL.Err = Sentence(typeAdvice(d.Type, err))
	case typeMismatch(d.Type, l) != "":
		c.URL.Err = typeMismatch(d.Type, l)
	default:
		c.Login = l
		c.Sandbox = l.Sandbox || d.Type == OrgSandbox
	}

	user, warn, err := salesforce.CheckUsername(d.Username, c.Sandbox)
	if err != nil {
		c.Username.Err = Sentence(err.Error())
	} else {
		c.User = user
		if warn != "" {
			c.Username.Warn = Sentence(warn)
		}
	}
	return c
}

// typeAdvice is a refused login URL's message for the org type chosen: the
// general advice (login.salesforce.com, test.salesforce.com or a My Domain)
// names addresses that My Domain and Experience Cloud site refuse, so for
// those types it names the type's own address instead.
func typeAdvice(t OrgType, err error) string {
	var in *problem.Input
	if t.FixedURL() != "" || !errors.As(err, &in) {
		return err.Error()
	}
	general := generalLoginAdvice()
	if general == "" || !strings.Contains(in.Hint, general) {
		return err.Error()
	}
	own := "Type your My Domain URL, like " + OrgMyDomain.Placeholder() +
		" (Setup → Quick Find “My Domain” → Current My Domain URL)"
	if t == OrgExperience {
		own = "Type the Experience Cloud site's address with its path, like " + OrgExperience.Placeholder()
	}
	return in.Problem + ". " + strings.Replace(in.Hint, general, own, 1)
}

// generalLoginAdvice is the advice salesforce.ParseLoginURL gives with any
// refusal, read from its answer to an empty URL.
func generalLoginAdvice() string {
	var in *problem.Input
	if _, err := salesforce.ParseLoginURL(""); errors.As(err, &in) {
		return in.Hint
	}
	return ""
}

// typeMismatch explains a valid login URL that is not of the chosen type.
func typeMismatch(t OrgType, l salesforce.LoginURL) string {
	if l.Kind == salesforce.Loopback {
		return "" // the practice org runs on this computer, whatever it imitates
	}
	switch t {
	case OrgMyDomain:
		switch l.Kind {
		case salesforce.Production, salesforce.Sandbox:
			return "That is the general login address, not a My Domain URL. Choose Production or Sandbox above, or enter your My Domain URL (Setup → Quick Find “My Domain” → Current My Domain URL)."
		case salesforce.ExperienceSite:
			return "That is an Experience Cloud site address. Choose “Experience Cloud site” above, or enter your My Domain URL."
		}
	case OrgExperience:
		if l.Kind != salesforce.ExperienceSite {
			return "That is not an Experience Cloud site address. Enter the site URL with its path, like https://yourcompany.my.site.com/yoursite, or choose another org type above."
		}
	}
	return ""
}

// Sentence turns a lower-case error message into one to show on screen:
// capital first letter, final full stop.
func Sentence(msg string) string { return report.Sentence(msg) }

// ConsumerKeyDoubt is what the Consumer key step warns about key, as a
// sentence (the consumer secret pasted instead, or a shape Salesforce does
// not make), or "" when it looks right. A live test answered
// invalid_client_id with such a key most likely means the key, not an app
// still propagating.
func ConsumerKeyDoubt(key string) string {
	_, warn, err := checkConsumerKey(key)
	if err != nil {
		return ""
	}
	return warn
}

// checkConsumerKey is salesforce.CheckConsumerKey with messages for the
// screen: the refusal is a *Blocked, as Next would be.
func checkConsumerKey(raw string) (key, warning string, err error) {
	key, warning, err = salesforce.CheckConsumerKey(raw)
	if err != nil {
		return "", "", &Blocked{Text: Sentence(err.Error())}
	}
	return key, Sentence(warning), nil
}
