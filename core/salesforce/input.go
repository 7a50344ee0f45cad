package salesforce

import (
	"crypto/rsa"
	"fmt"
	"net/url"
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
// new session starts), never another site. It must start with one "/" that
// is not followed by "/" or "\" (browsers read "//host" and "/\host" as
// another site), hold no backslash, and be printable ASCII; the same holds
// once percent-decoded, in case the org decodes it again.
func CheckRedirect(raw string) (string, error) {
	p := strings.TrimSpace(raw)
	if p == "" {
		return "", nil
	}
	if problem := redirectProblem(p); problem != "" {
		return "", &InputError{Problem: problem, Hint: redirectHint(p)}
	}
	decoded, err := url.PathUnescape(p)
	if err != nil {
		return "", &InputError{Problem: "the redirect path has a % that is not followed by two hexadecimal digits",
			Hint: redirectHint(p)}
	}
	if problem := redirectProblem(decoded); problem != "" {
		return "", &InputError{Problem: problem + " once its %-escapes are decoded", Hint: redirectHint(p)}
	}
	return p, nil
}

// redirectProblem says what makes p unsafe as a path in the org, or "".
func redirectProblem(p string) string {
	pos := 0
	for _, r := range p {
		pos++
		if r > ' ' && r < 0x7f {
			continue
		}
		_, _, control := safetext.FirstControl(string(r))
		switch {
		case r == ' ':
			return "the redirect path contains a space"
		case control:
			return fmt.Sprintf("the redirect path has an invisible control character (%U) at position %d", r, pos)
		}
		return fmt.Sprintf("the redirect path has a character that is not plain ASCII (%U) at position %d: percent-encode it", r, pos)
	}
	switch {
	case strings.Contains(p, `\`):
		return `the redirect path has a backslash, which browsers read as "/" (and "/\host" as another site)`
	case redirectScheme(p):
		return "the redirect must be a relative path, not a full URL"
	case !strings.HasPrefix(p, "/"):
		return `the redirect path must start with "/"`
	case strings.HasPrefix(p, "//"):
		return `the redirect path starts with "//", which browsers read as another site`
	}
	return ""
}

// redirectScheme reports a URL scheme ("https:", "data:", "javascript:")
// before the first "/".
func redirectScheme(p string) bool {
	before, _, found := strings.Cut(p, ":")
	if !found || before == "" || strings.Contains(before, "/") {
		return false
	}
	for i, r := range before {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// redirectHint gives the path to use: a plain relative path gets its
// leading "/", anything else the example.
func redirectHint(p string) string {
	const example = "Give a path inside the org, like /lightning/page/home"
	if !strings.HasPrefix(p, "/") && !redirectScheme(p) && redirectProblem("/"+p) == "" {
		return "Start it with /: /" + p
	}
	return example
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
