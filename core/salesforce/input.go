package salesforce

import (
	"crypto/rsa"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/safetext"
)

// MinKeyBits is the smallest RSA key Salesforce takes for the JWT bearer flow.
// certs owns the rule (it refuses small keys and certificates when reading
// files); this is the same number, for callers that hold a parsed key.
const MinKeyBits = certs.MinImportBits

// ConsumerKeyPath is where Setup shows the consumer key; the wizard's
// Consumer key screen names the same path.
const ConsumerKeyPath = `Setup → Quick Find box: "External" → External Client App Manager → your app → Settings tab → Consumer Key and Secret`

const consumerKeyWhere = "Copy it again from " + ConsumerKeyPath

// consumerSecretShape is a consumer secret as Setup shows it (64 hex
// digits): pasted by mistake for the key, which the JWT flow needs.
var consumerSecretShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-Fa-f]{64}$`) })

// Compiled on first use, not at start-up (see safetext.ansi for why).
var consumerKeyShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^3MVG[A-Za-z0-9._]{40,}$`) })

// CheckConsumerKey trims a pasted consumer key. It refuses an empty key or one
// with spaces or line breaks inside, and warns (without refusing) when the key
// does not look like one Salesforce generates. Messages never quote the key.
func CheckConsumerKey(raw string) (key, warning string, err error) {
	// A key copied from a narrow page or a mail may come back broken over
	// lines: the key itself never holds a line break, so they go.
	key = strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(raw))
	if key == "" {
		return "", "", &InputError{Problem: "the consumer key is empty", Hint: consumerKeyWhere}
	}
	if err := refuseControls("consumer key", key); err != nil {
		return "", "", err
	}
	if i := strings.IndexFunc(key, unicode.IsSpace); i >= 0 {
		return "", "", &InputError{
			Problem: fmt.Sprintf("the consumer key has a space or line break inside it (after character %d)", i),
			Hint:    consumerKeyWhere + ", in one piece",
		}
	}
	if consumerSecretShape().MatchString(key) {
		return key, "this looks like the consumer secret (64 hexadecimal characters), which the JWT bearer flow does not use: " +
			"copy the Consumer Key, shown above the secret. " + consumerKeyWhere, nil
	}
	if !consumerKeyShape().MatchString(key) {
		warning = fmt.Sprintf("the consumer key doesn't look like one Salesforce generates: those start with 3MVG "+
			"and are about 85 characters of letters, digits, '.' and '_' (this one has %d characters). "+
			"A truncated key is refused with invalid_client_id. %s", len(key), consumerKeyWhere)
	}
	return key, warning, nil
}

// topLevelDomains are common public TLDs. A sandbox username normally carries
// the sandbox name after one of these (user@acme.com.uat).
var topLevelDomains = map[string]bool{
	"com": true, "org": true, "net": true, "edu": true, "gov": true, "mil": true, "int": true,
	"io": true, "co": true, "biz": true, "info": true, "app": true, "dev": true, "cloud": true,
	"ai": true, "tech": true, "online": true, "site": true,
}

// CheckUsername checks the run-as username (the JWT sub). It must look like
// an email address; a warning covers capital letters and a sandbox username
// that lacks the sandbox-name suffix.
func CheckUsername(raw string, sandbox bool) (user, warning string, err error) {
	user = strings.TrimSpace(raw)
	const where = "Use the Username shown in Setup → Quick Find 'Users' → Users (not the email address)"
	if user == "" {
		return "", "", &InputError{Problem: "the username is empty", Hint: where}
	}
	if err := refuseControls("username", user); err != nil {
		return "", "", err
	}
	if strings.IndexFunc(user, unicode.IsSpace) >= 0 {
		return "", "", &InputError{Problem: "the username contains a space", Hint: where}
	}
	local, domain, ok := strings.Cut(user, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", "", &InputError{Problem: "a Salesforce username has exactly one @, like embed@acme.com", Hint: where}
	}
	if local == "" || !validDomain(domain) {
		return "", "", &InputError{Problem: "a Salesforce username looks like an email address (embed@acme.com)", Hint: where}
	}
	var warnings []string
	if user != strings.ToLower(user) {
		warnings = append(warnings, "Salesforce usernames are lower case; "+strings.ToLower(user)+" is the usual form.")
	}
	if len(user) > 80 {
		warnings = append(warnings, "the username is longer than 80 characters, Salesforce's limit.")
	}
	if sandbox && !hasSandboxSuffix(domain) {
		warnings = append(warnings, "sandbox usernames usually end with .sandboxname ("+user+".uat for a sandbox named uat): "+
			"check the username in the sandbox's Setup → Users.")
	}
	return user, strings.Join(warnings, " "), nil
}

func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	return true
}

// hasSandboxSuffix guesses whether the domain ends with a sandbox name rather
// than a public top-level domain. A two-letter last label is taken as a
// country code.
func hasSandboxSuffix(domain string) bool {
	last := strings.ToLower(domain[strings.LastIndex(domain, ".")+1:])
	return !topLevelDomains[last] && len(last) != 2
}

// CheckKey refuses keys Salesforce will not take.
func CheckKey(key *rsa.PrivateKey) error {
	if key == nil {
		return &InputError{Problem: "no private key was given", Hint: "Give the sf_private_key.pem made with the certificate you uploaded"}
	}
	if bits := key.N.BitLen(); bits < MinKeyBits {
		return &InputError{
			Problem: fmt.Sprintf("the private key is RSA %d bits; Salesforce needs at least %d", bits, MinKeyBits),
			Hint:    "Make a new key and certificate with tnjwt keygen and upload the new sf_public_cert.crt to the External Client App",
		}
	}
	return nil
}

// CheckRedirect checks a --redirect value: a path inside the org (where the
// new session starts), never another site.
func CheckRedirect(raw string) (string, error) {
	p := strings.TrimSpace(raw)
	const hint = "Give a path inside the org, like /lightning/page/home"
	if p == "" {
		return "", nil
	}
	if strings.Contains(p, "://") || strings.HasPrefix(p, "//") || strings.HasPrefix(strings.ToLower(p), "javascript:") {
		return "", &InputError{Problem: "the redirect must be a relative path, not a full URL", Hint: hint}
	}
	if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
		return "", &InputError{Problem: "the redirect path contains a space", Hint: hint}
	}
	return p, nil
}

// refuseControls refuses typed or pasted text holding a control character
// or a bidirectional override, naming where it is (never quoting the text:
// it may be a secret).
func refuseControls(what, s string) error {
	pos, r, ok := safetext.FirstControl(s)
	if !ok {
		return nil
	}
	return &InputError{Problem: fmt.Sprintf("the %s has an invisible control character (%U) at position %d", what, r, pos),
		Hint: "Type or paste it again without it"}
}
