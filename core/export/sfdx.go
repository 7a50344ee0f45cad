package export

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// FormatSFDX is the Salesforce DX project: the External Client App and its
// permission set as metadata that `sf project deploy start` deploys
// (salesforce-jwt-spec.md §10.5).
const FormatSFDX = "sfdx"

// SFDXAPIVersion is the sourceApiVersion the project pins, and the version
// its package.xml names. The External Client App types exist from 59.0, the
// certificate and ExtlClntAppConfigurablePolicies from 60.0, and the format
// changed between 65.0 and 66.0: every element below is checked against
// the Salesforce CLI's registry and the practice org at this version.
const SFDXAPIVersion = "65.0"

// The permission set the checklist suggests (wizard.PermsetLabel and
// wizard.PermsetAPIName, which a test keeps equal to these).
const (
	DefaultPermsetName  = "TableauNextEmbeddingJWT"
	DefaultPermsetLabel = "Tableau Next Embedding JWT"
)

// SFDXCallbackURL is the app's callback URL. The JWT bearer flow never
// redirects, but an External Client App with OAuth needs one; this is
// Salesforce's own landing page for apps that have none of their own.
const SFDXCallbackURL = "https://login.salesforce.com/services/oauth2/success"

// SFDXWarning is said with every sfdx export: which file is secret.
const SFDXWarning = "Nothing in the project is secret but the consumer key, in " + sfdxGlobalDir +
	"/…: that file is written with mode 0600 and listed in .gitignore. The certificate is public."

// The project's folders, as the Salesforce CLI's registry names them
// (@salesforce/source-deploy-retrieve's metadataRegistry.json).
const (
	sfdxRoot          = "force-app/main/default"
	sfdxAppDir        = sfdxRoot + "/externalClientApps"
	sfdxOauthDir      = sfdxRoot + "/extlClntAppOauthSettings"
	sfdxGlobalDir     = sfdxRoot + "/extlClntAppGlobalOauthSets"
	sfdxOauthPlcyDir  = sfdxRoot + "/extlClntAppOauthPolicies"
	sfdxPlcyDir       = sfdxRoot + "/extlClntAppPolicies"
	sfdxPermsetDir    = sfdxRoot + "/permissionsets"
	metadataNamespace = "http://soap.sforce.com/2006/04/metadata"
	// maxAppName is the longest External Client App API name tnjwt
	// makes: Salesforce's developer names are at most 40 characters
	// for most types, and the policies' names add to it.
	maxAppName  = 40
	maxAppLabel = 80
)

// SFDX is what the project is made from. Nothing in it is secret but
// ConsumerKey.
type SFDX struct {
	Profile      string
	LoginURL     string // the org's login URL, for sfdcLoginUrl and sf org login web
	Username     string // the JWT subject, who is given the permission set
	CertPEM      string // the profile's certificate (public)
	ConsumerKey  string // the app's consumer key, chosen by tnjwt (NewConsumerKey)
	AppName      string // API name; default AppName(Profile)
	AppLabel     string // default AppLabel(Profile)
	ContactEmail string // default Username
	PermsetName  string // default DefaultPermsetName
	PermsetLabel string // default DefaultPermsetLabel
	Practice     bool
	Now          time.Time
}

// SFDXFrom fills an SFDX from a saved profile, with the consumer key the
// caller read from the keychain (or made with NewConsumerKey and stored).
func SFDXFrom(p profiles.Profile, consumerKey string, now time.Time) (SFDX, error) {
	login, err := salesforce.ParseLoginURL(p.LoginURL)
	if err != nil {
		return SFDX{}, err
	}
	if p.Username == "" {
		return SFDX{}, errors.New("the profile has no username yet")
	}
	if p.CertificatePEM == "" {
		return SFDX{}, errors.New("the profile has no certificate: make one on the Key and certificate step, or import it (tnjwt profile import --cert-file)")
	}
	s := SFDX{Profile: p.Name, LoginURL: login.URL, Username: p.Username, CertPEM: p.CertificatePEM,
		ConsumerKey: consumerKey, Practice: p.Practice, Now: now}
	return s, s.check()
}

func (s *SFDX) defaults() {
	if s.AppName == "" {
		s.AppName = AppName(s.Profile)
	}
	if s.AppLabel == "" {
		s.AppLabel = AppLabel(s.Profile)
	}
	if s.ContactEmail == "" {
		s.ContactEmail = s.Username
	}
	if s.PermsetName == "" {
		s.PermsetName = DefaultPermsetName
	}
	if s.PermsetLabel == "" {
		s.PermsetLabel = DefaultPermsetLabel
	}
}

// check refuses what Salesforce would refuse at deploy time, before any file
// is written.
func (s *SFDX) check() error {
	s.defaults()
	if err := CheckAPIName("the app's API name", s.AppName); err != nil {
		return err
	}
	if err := CheckAPIName("the permission set's API name", s.PermsetName); err != nil {
		return err
	}
	if _, _, err := salesforce.CheckConsumerKey(s.ConsumerKey); err != nil {
		return err
	}
	if _, err := certs.ParseCertificate([]byte(s.CertPEM)); err != nil {
		return err
	}
	for _, v := range []struct{ what, text string }{{"the app's label", s.AppLabel}, {"the permission set's label", s.PermsetLabel}, {"the contact email", s.ContactEmail}} {
		if strings.TrimSpace(v.text) == "" || strings.ContainsFunc(v.text, unicode.IsControl) {
			return fmt.Errorf("%s is empty or holds control characters", v.what)
		}
	}
	return nil
}

// CheckAPIName applies Salesforce's rule for developer names: letters,
// digits and single underscores, starting with a letter, not ending with an
// underscore, at most 40 characters.
func CheckAPIName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s is empty", what)
	case len(name) > maxAppName:
		return fmt.Errorf("%s %q is longer than %d characters", what, name, maxAppName)
	case !isLetter(rune(name[0])):
		return fmt.Errorf("%s %q must start with a letter", what, name)
	case strings.HasSuffix(name, "_") || strings.Contains(name, "__"):
		return fmt.Errorf("%s %q may not end with an underscore or hold two in a row", what, name)
	}
	for _, r := range name {
		if !isLetter(r) && !(r >= '0' && r <= '9') && r != '_' {
			return fmt.Errorf("%s %q may hold only letters, digits and underscores", what, name)
		}
	}
	return nil
}

func isLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// AppName is the External Client App API name tnjwt gives a profile's app:
// TableauNext_ and the profile name with every other character an
// underscore ("acme-prod" → "TableauNext_acme_prod"), at most 40 characters.
func AppName(profile string) string {
	mapped := strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (isLetter(r) || (r >= '0' && r <= '9')) {
			return r
		}
		return '_'
	}, profile)
	name := "TableauNext_" + mapped
	for strings.Contains(name, "__") {
		name = strings.ReplaceAll(name, "__", "_")
	}
	if len(name) > maxAppName {
		name = name[:maxAppName]
	}
	return strings.TrimRight(name, "_")
}

// AppLabel is the app's label as Setup lists it.
func AppLabel(profile string) string {
	label := "Tableau Next Embedding (" + profile + ")"
	if utf8.RuneCountInString(label) > maxAppLabel {
		label = string([]rune(label)[:maxAppLabel-1]) + ")"
	}
	return label
}

// consumerKeyBytes is how many random bytes a consumer key holds.
const consumerKeyBytes = 63 // 84 characters after base64, plus the prefix

// NewConsumerKey makes a consumer key for an app tnjwt deploys: the
// deployer chooses it, and it must be unique across Salesforce, so it is
// long and random (504 bits from crypto/rand). It has the shape of the keys
// Salesforce makes (3MVG9 and letters, digits, '.' and '_'), so every check
// of a key, tnjwt's and the Salesforce CLI's, takes it as one.
func NewConsumerKey() (string, error) {
	b := make([]byte, consumerKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot make a random consumer key: %w", err)
	}
	return "3MVG9" + strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(b), "-", "."), nil
}

// SFDXFile is a file of the project with its mode.
type SFDXFile struct {
	File
	Mode   fs.FileMode
	Secret bool // holds the consumer key
}

// SFDXProject is the whole project: sfdx-project.json, the six metadata
// files, a .gitignore that leaves out the one secret file, and a README
// with the commands in order. Each file but the secret one is 0644.
func SFDXProject(s SFDX) ([]SFDXFile, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	n := s.AppName
	public := func(name string, data []byte) SFDXFile { return SFDXFile{File{name, data}, 0o644, false} }
	global := SFDXFile{File{s.GlobalOauthFile(), s.globalOauthXML()}, 0o600, true}
	return []SFDXFile{
		public("sfdx-project.json", s.projectJSON()),
		public(".gitignore", []byte("# The one secret file: it holds the External Client App's consumer key.\n"+
			"# (tnjwt export --format sfdx writes it again from the keychain.)\n/"+global.Name+"\n")),
		public("README.md", s.readme()),
		public(sfdxAppDir+"/"+n+".eca-meta.xml", s.appXML()),
		public(sfdxOauthDir+"/"+n+"_OAuthSettings.ecaOauth-meta.xml", s.oauthXML()),
		global,
		public(sfdxOauthPlcyDir+"/"+n+"_defaultPolicy.ecaOauthPlcy-meta.xml", s.oauthPolicyXML()),
		public(sfdxPlcyDir+"/"+n+"_defaultPolicy.ecaPlcy-meta.xml", s.policyXML()),
		public(sfdxPermsetDir+"/"+s.PermsetName+".permissionset-meta.xml", s.permsetXML()),
	}, nil
}

// GlobalOauthFile is the project's one secret file, relative to the
// project folder.
func (s SFDX) GlobalOauthFile() string {
	s.defaults()
	return sfdxGlobalDir + "/" + s.AppName + "_GlblOAuth.ecaGlblOauth-meta.xml"
}

// xmlText escapes element text. Line breaks stay as they are (the
// certificate's PEM lines), where encoding/xml would write &#xA;.
var xmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// metadataXML writes one metadata file: the XML declaration, the root in
// the metadata namespace and its children, in the order given (every
// caller gives them in alphabetical order, as Salesforce writes them).
func metadataXML(root string, children [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, "<%s xmlns=%q>\n", root, metadataNamespace)
	for _, c := range children {
		fmt.Fprintf(&b, "    <%s>", c[0])
		b.WriteString(xmlText.Replace(c[1]))
		fmt.Fprintf(&b, "</%s>\n", c[0])
	}
	fmt.Fprintf(&b, "</%s>\n", root)
	return b.Bytes()
}

func (s SFDX) appXML() []byte {
	return metadataXML("ExternalClientApplication", [][2]string{
		{"contactEmail", s.ContactEmail},
		{"description", "Signs in to Salesforce with the OAuth 2.0 JWT bearer flow for Tableau Next embedding (set up by tnjwt)."},
		{"distributionState", "Local"},
		{"isProtected", "false"},
		{"label", s.AppLabel},
	})
}

func (s SFDX) oauthXML() []byte {
	return metadataXML("ExtlClntAppOauthSettings", [][2]string{
		{"commaSeparatedOauthScopes", "Web, RefreshToken"},
		{"externalClientApplication", s.AppName},
		{"label", s.AppName + "_OAuthSettings"},
	})
}

// globalOauthXML holds the certificate (which turns the JWT bearer flow on)
// and the consumer key; every other flow is off and no secret is needed.
func (s SFDX) globalOauthXML() []byte {
	return metadataXML("ExtlClntAppGlobalOauthSettings", [][2]string{
		{"callbackUrl", SFDXCallbackURL},
		{"certificate", strings.TrimSpace(strings.ReplaceAll(s.CertPEM, "\r\n", "\n"))},
		{"consumerKey", s.ConsumerKey},
		{"externalClientApplication", s.AppName},
		{"isClientCredentialsFlowEnabled", "false"},
		{"isCodeCredFlowEnabled", "false"},
		{"isCodeCredPostOnly", "false"},
		{"isConsumerSecretOptional", "true"},
		{"isDeviceFlowEnabled", "false"},
		{"isIntrospectAllTokens", "false"},
		{"isNamedUserJwtEnabled", "false"},
		{"isPkceRequired", "false"},
		{"isRefreshTokenRotationEnabled", "false"},
		{"isSecretRequiredForRefreshToken", "false"},
		{"isSecretRequiredForTokenExchange", "false"},
		{"isTokenExchangeEnabled", "false"},
		{"label", s.AppName + "_GlblOAuth"},
		{"shouldRotateConsumerKey", "false"},
		{"shouldRotateConsumerSecret", "false"},
	})
}

func (s SFDX) oauthPolicyXML() []byte {
	return metadataXML("ExtlClntAppOauthConfigurablePolicies", [][2]string{
		{"commaSeparatedPermissionSet", s.PermsetName},
		{"externalClientApplication", s.AppName},
		{"ipRelaxationPolicyType", "Enforce"},
		{"isClientCredentialsFlowEnabled", "false"},
		{"isGuestCodeCredFlowEnabled", "false"},
		{"isTokenExchangeFlowEnabled", "false"},
		{"label", s.AppName + "_defaultPolicy"},
		{"permittedUsersPolicyType", "AdminApprovedPreAuthorized"},
		{"requiredSessionLevel", "STANDARD"},
	})
}

func (s SFDX) policyXML() []byte {
	return metadataXML("ExtlClntAppConfigurablePolicies", [][2]string{
		{"externalClientApplication", s.AppName},
		{"isEnabled", "true"},
		{"isOauthPluginEnabled", "true"},
		{"label", s.AppName + "_defaultPolicy"},
	})
}

// permsetXML is the permission set with no licence and no permissions:
// what it grants in Tableau Next is the admin's to add (permset-access).
func (s SFDX) permsetXML() []byte {
	return metadataXML("PermissionSet", [][2]string{
		{"description", "Pre-authorizes users for the " + s.AppLabel + " External Client App (JWT bearer flow; set up by tnjwt)."},
		{"hasActivationRequired", "false"},
		{"label", s.PermsetLabel},
	})
}

func (s SFDX) projectJSON() []byte {
	return fmt.Appendf(nil, `{
  "name": %q,
  "namespace": "",
  "packageDirectories": [{ "path": "force-app", "default": true }],
  "sfdcLoginUrl": %q,
  "sourceApiVersion": %q
}
`, strings.ToLower(strings.ReplaceAll(s.AppName, "_", "-")), s.LoginURL, SFDXAPIVersion)
}

// SFDXCommands are the commands the README gives, in order, for an org
// known to the Salesforce CLI by alias.
func (s SFDX) SFDXCommands(alias string) []string {
	s.defaults()
	return []string{
		fmt.Sprintf("sf org login web --instance-url %s --alias %s", s.LoginURL, alias),
		fmt.Sprintf("sf project deploy start --source-dir force-app --target-org %s", alias),
		fmt.Sprintf("sf org assign permset --name %s --on-behalf-of %s --target-org %s", s.PermsetName, s.Username, alias),
		fmt.Sprintf("tnjwt test --profile %s --wait 10m", shellWordOf(s.Profile)),
	}
}

// SFDXAlias is the Salesforce CLI alias the README uses for the org.
func (s SFDX) SFDXAlias() string {
	return strings.ToLower(strings.ReplaceAll(AppName(s.Profile), "TableauNext_", ""))
}

// shellWordOf quotes a profile name for a shell when it needs it.
func shellWordOf(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(isLetter(r) || (r >= '0' && r <= '9') || strings.ContainsRune("-_.", r))
	}) {
		return s
	}
	return shellQuote(s)
}

func (s SFDX) readme() []byte {
	var b bytes.Buffer
	alias := s.SFDXAlias()
	fmt.Fprintf(&b, "# %s: the External Client App as metadata\n\n", s.AppLabel)
	fmt.Fprintf(&b, "Written by tnjwt on %s for the org %q. A Salesforce DX project (API %s) holding the External "+
		"Client App `%s` with the JWT bearer flow on and your certificate, its policies (admin-approved users "+
		"pre-authorized through the permission set), and the permission set `%s`.\n\n",
		s.Now.UTC().Format("2006-01-02"), s.Profile, SFDXAPIVersion, s.AppName, s.PermsetName)
	if s.Practice {
		b.WriteString("**Practice org:** these files point at tnjwt's built-in practice org, not at Salesforce. " +
			"There, log in with `sf org login jwt` as the practice org's admin user instead of `sf org login web`.\n\n")
	}
	b.WriteString("## Deploy it\n\nFrom this folder, with the Salesforce CLI (`npm install -g @salesforce/cli`), as an admin " +
		"who may deploy metadata:\n\n```sh\n")
	for _, c := range s.SFDXCommands(alias) {
		b.WriteString(c + "\n")
	}
	b.WriteString("```\n\n")
	b.WriteString("1. Log in to the org as an admin (a browser opens).\n" +
		"2. Deploy the app, its policies and the permission set.\n" +
		"3. Give the permission set to the JWT user, " + s.Username + ": only holders are pre-authorized.\n" +
		"4. Test the JWT bearer flow. A new app can take 2 to 10 minutes to reach every Salesforce server; `--wait` retries meanwhile.\n\n")
	b.WriteString("## What stays manual\n\n" +
		"- **Let the Metadata API take OAuth credentials.** Deploying the consumer key needs the org to allow " +
		"External Client App OAuth credentials through the Metadata API: Setup → Quick Find \"External Client App " +
		"Settings\". Without it the deploy fails on `" + s.AppName + "_GlblOAuth`.\n" +
		"- **Tableau Next access.** The permission set grants nothing yet: on its page (Setup → Permission Sets → " +
		s.PermsetLabel + ") add the system permissions, object settings and custom permissions your org requires for " +
		"Tableau Next.\n" +
		"- **Viewers.** Assign the permission set to the users who view the embedded assets.\n" +
		"- **Embedding settings.** CORS, Trusted Domains for Inline Frames (Lightning Out) and first-party cookies " +
		"(tnjwt's Embedding settings step).\n\n")
	b.WriteString("## The one secret\n\n" +
		"Nothing here is secret but the consumer key, in `" + s.GlobalOauthFile() + "` (mode 0600, left out by " +
		"`.gitignore`). The certificate is public. The key is also in this computer's keychain, under the profile " +
		"`" + s.Profile + "`; `tnjwt export --format sfdx` writes the file again from there.\n\n" +
		"The consumer key must be unique across Salesforce. Deploying this project to a second org (a sandbox, say) " +
		"would reuse it: export a project from that org's own profile instead.\n\n" +
		"The app's settings follow the checklist: scopes `web` and `refresh_token`; the JWT bearer flow on (the " +
		"certificate turns it on); every other flow off; no consumer secret required; IP restrictions enforced; " +
		"callback URL `" + SFDXCallbackURL + "` (never used by the JWT flow). Require secret for Refresh Token stays off.\n")
	return b.Bytes()
}

// WriteSFDX writes the project into dir (made 0700 when missing), each file
// atomically with its own mode. Without allow.Replace, an existing file
// stops the export before anything is written; without allow.SharedFolder,
// so does a folder another user could change (fsutil.CheckFolder): whoever
// could swap the project's certificate there would have Salesforce trust
// their key.
func WriteSFDX(dir string, files []SFDXFile, allow fsutil.Allow) ([]string, error) {
	replace := allow.Replace
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, filepath.FromSlash(f.Name))
	}
	if !allow.SharedFolder {
		for _, d := range foldersOf(dir, paths) {
			if err := fsutil.CheckFolder(d); err != nil {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot make the folder %s: %w", dir, err)
	}
	var existing []string
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cannot check %s: %w", p, err)
		}
	}
	if len(existing) > 0 && !replace {
		return nil, &ExistsError{Paths: existing}
	}
	for i, f := range files {
		// The project's folders are readable, as its files are: only the
		// secret file is private.
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o755); err != nil {
			return nil, fmt.Errorf("cannot make the folder %s: %w", filepath.Dir(paths[i]), err)
		}
		if err := fsutil.WriteFile(paths[i], f.Data, f.Mode, replace); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
