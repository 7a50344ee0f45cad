package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Permitted-users policies, as the External Client App's OAuth Policies panel
// offers them.
const (
	AdminApproved    = "admin_approved"
	AllSelfAuthorize = "all_self_authorize"
)

// The two audiences Salesforce accepts in a JWT bearer assertion.
const (
	LoginAudience = "https://login.salesforce.com"
	TestAudience  = "https://test.salesforce.com"
)

// maxConfigBytes and maxCertBytes bound what LoadConfig reads: a practice org
// config is a few kilobytes, a certificate well under 4 KB.
const (
	maxConfigBytes = 1 << 20
	maxCertBytes   = 64 << 10
)

// Config is the practice org: each field mirrors one setting an admin makes in
// Salesforce Setup (docs/cli.md, "Emulator configuration (JSON)").
type Config struct {
	Sandbox bool `json:"sandbox"`
	// LegacyLoginHosts is which kind of org this is. True (the default when
	// left out): the JWT aud must be https://login.salesforce.com (or
	// test.salesforce.com for a sandbox), as Connected Apps and older orgs
	// want. False: the Spring '26 External Client App behaviour, where those
	// hosts get app_not_found ("External client app is not installed in
	// this org") and the aud must be the org's own My Domain URL (here, the
	// emulator's own base URL).
	LegacyLoginHosts *bool `json:"legacy_login_hosts,omitempty"`
	// PermissionSets, when given, lists the permission sets that exist in the
	// org (Setup → Permission Sets); every name an app or a user mentions must
	// be one of them. When nil, the sets the apps list are the org's sets, and
	// a user may only hold one of those. Either way a typo is an error, not a
	// silently unapproved user.
	PermissionSets []string     `json:"permission_sets,omitempty"`
	Apps           []AppConfig  `json:"apps"`
	Users          []UserConfig `json:"users"`
	// Embedding is what the org allows a web app that embeds Tableau Next
	// (embedding.go). Nil: a permissive org, where every origin is trusted,
	// cookies work in frames and no MFA step-up is asked.
	Embedding *EmbeddingConfig `json:"embedding,omitempty"`
	// The Tableau Next assets the org holds, by API name. Nil: the
	// default lists (DefaultDashboards and the rest); [] holds none.
	Dashboards     []string `json:"dashboards,omitempty"`
	Metrics        []string `json:"metrics,omitempty"`
	Visualizations []string `json:"visualizations,omitempty"`
}

// EmbeddingConfig mirrors the Setup settings the Tableau Next Embedding SDK
// depends on (salesforce-jwt-spec.md §10.3). Origins are web origins such
// as https://app.acme.com or http://localhost:3000.
type EmbeddingConfig struct {
	CORSOrigins               []string `json:"cors_origins"`                 // Setup → CORS
	FrameOrigins              []string `json:"frame_origins"`                // Trusted Domains for Inline Frames, type Lightning Out
	FirstPartyCookiesRequired bool     `json:"first_party_cookies_required"` // My Domain → Routing and Policies
	MFAForUILogins            bool     `json:"mfa_for_ui_logins"`            // Require MFA for all direct UI logins
}

// AppConfig is one External Client App.
type AppConfig struct {
	Name        string `json:"name"`
	ConsumerKey string `json:"consumer_key"`
	// CertificateFile is relative to the config file's folder. After
	// LoadConfig, Certificate holds the file's PEM text.
	CertificateFile    string   `json:"certificate_file,omitempty"`
	Certificate        string   `json:"certificate,omitempty"`
	JWTBearerEnabled   bool     `json:"jwt_bearer_enabled"`
	Scopes             []string `json:"scopes"`
	PermittedUsers     string   `json:"permitted_users"` // empty: all_self_authorize, Salesforce's default
	PermissionSets     []string `json:"permission_sets"`
	PropagationSeconds int      `json:"propagation_seconds"`
}

// UserConfig is one user of the org.
type UserConfig struct {
	Username string `json:"username"`
	// Active is nil when the config leaves it out: a new Salesforce user is
	// active, so that is the default.
	Active         *bool    `json:"active,omitempty"`
	APIOnly        bool     `json:"api_only"`
	PermissionSets []string `json:"permission_sets"`
	// MFAWaiver is the "Waive Multi-Factor Authentication for Exempt
	// Users" permission: an org that requires MFA for UI logins does not
	// send this user's browser sessions to identity verification.
	MFAWaiver bool `json:"mfa_waiver"`
	// Admin is a System Administrator: the user may deploy metadata
	// (Modify Metadata) and assign permission sets, as `sf project deploy
	// start` and `sf org assign permset` need.
	Admin bool `json:"admin,omitempty"`
}

// IsActive reports whether the user is active (the default).
func (u UserConfig) IsActive() bool { return u.Active == nil || *u.Active }

// ConfigError is a configuration problem, naming the file and the field.
type ConfigError struct {
	File    string // empty for a Config built in code
	Field   string // e.g. apps[0].certificate_file; empty for the whole file
	Problem string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

func fieldErr(field, format string, a ...any) *ConfigError {
	return &ConfigError{Field: field, Problem: fmt.Sprintf(format, a...)}
}

// LoadConfig reads and checks a practice org configuration file.
func LoadConfig(path string) (*Config, error) {
	data, err := readBounded(path, maxConfigBytes)
	if err != nil {
		return nil, &ConfigError{File: path, Problem: err.Error()}
	}
	return ParseConfig(data, path, filepath.Dir(path))
}

// ParseConfig checks configuration JSON. name is used in messages;
// certificate_file paths are relative to dir.
func ParseConfig(data []byte, name, dir string) (*Config, error) {
	cfg, err := parseConfig(data, dir)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = name
			return nil, ce
		}
		return nil, &ConfigError{File: name, Problem: err.Error()}
	}
	return cfg, nil
}

func parseConfig(data []byte, dir string) (*Config, error) {
	raw, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	if err := checkShape(raw); err != nil {
		return nil, err
	}
	var cfg Config
	// The shape is checked, so this cannot fail on types or unknown fields.
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	sources := make([]string, len(cfg.Apps))
	for i := range cfg.Apps {
		src, err := resolveCertificate(&cfg.Apps[i], i, dir)
		if err != nil {
			return nil, err
		}
		sources[i] = src
	}
	if err := cfg.validate(sources); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// decodeJSON decodes one JSON value, reporting syntax errors by line and
// column so an admin can find them in a text editor.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the offending character; report that character.
			line, col := position(data, se.Offset-1)
			return nil, fmt.Errorf("line %d, column %d: invalid JSON: %v", line, col, se)
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if dec.More() {
		next := dec.InputOffset()
		for next < int64(len(data)) && strings.ContainsRune(" \t\r\n", rune(data[next])) {
			next++
		}
		line, col := position(data, next)
		return nil, fmt.Errorf("line %d, column %d: unexpected text after the JSON object", line, col)
	}
	return v, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

type kind int

const (
	kindBool kind = iota
	kindString
	kindStrings
	kindInt
	kindApps
	kindUsers
	kindEmbedding
)

var (
	topFields = map[string]kind{"sandbox": kindBool, "legacy_login_hosts": kindBool, "permission_sets": kindStrings, "apps": kindApps, "users": kindUsers,
		"embedding": kindEmbedding, "dashboards": kindStrings, "metrics": kindStrings, "visualizations": kindStrings}
	appFields       = map[string]kind{"name": kindString, "consumer_key": kindString, "certificate_file": kindString, "certificate": kindString, "jwt_bearer_enabled": kindBool, "scopes": kindStrings, "permitted_users": kindString, "permission_sets": kindStrings, "propagation_seconds": kindInt}
	userFields      = map[string]kind{"username": kindString, "active": kindBool, "api_only": kindBool, "permission_sets": kindStrings, "mfa_waiver": kindBool, "admin": kindBool}
	embeddingFields = map[string]kind{"cors_origins": kindStrings, "frame_origins": kindStrings, "first_party_cookies_required": kindBool, "mfa_for_ui_logins": kindBool}
)

// checkShape walks the decoded JSON so an unknown field or a wrong type is
// reported with its full path (apps[1].scopes), which encoding/json cannot do.
func checkShape(v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return errors.New("the file must hold one JSON object, like {\"sandbox\": false, \"apps\": [...], \"users\": [...]}")
	}
	return checkObject(obj, topFields, "")
}

func checkObject(obj map[string]any, fields map[string]kind, path string) error {
	for _, name := range sortedKeys(obj) {
		k, known := fields[name]
		field := join(path, name)
		if !known {
			return fieldErr(strings.TrimSuffix(path, "."), "unknown field %q (known fields: %s)", name, strings.Join(sortedKeys(fields), ", "))
		}
		if err := checkValue(obj[name], k, field); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(v any, k kind, field string) error {
	switch k {
	case kindBool:
		if _, ok := v.(bool); !ok {
			return fieldErr(field, "must be true or false")
		}
	case kindString:
		if _, ok := v.(string); !ok {
			return fieldErr(field, "must be a string in double quotes")
		}
	case kindInt:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return fieldErr(field, "must be a whole number")
		}
	case kindStrings:
		list, ok := v.([]any)
		if !ok && v != nil {
			return fieldErr(field, `must be a list of strings, like ["a", "b"]`)
		}
		for i, item := range list {
			if _, ok := item.(string); !ok {
				return fieldErr(fmt.Sprintf("%s[%d]", field, i), "must be a string in double quotes")
			}
		}
	case kindApps, kindUsers:
		return checkList(v, k, field)
	case kindEmbedding:
		obj, ok := v.(map[string]any)
		if !ok {
			return fieldErr(field, `must be an object in braces, like {"frame_origins": ["http://localhost:3000"]}`)
		}
		return checkObject(obj, embeddingFields, field+".")
	}
	return nil
}

func checkList(v any, k kind, field string) error {
	list, ok := v.([]any)
	if !ok && v != nil {
		return fieldErr(field, "must be a list of objects, like [{...}]")
	}
	fields := appFields
	if k == kindUsers {
		fields = userFields
	}
	for i, item := range list {
		path := fmt.Sprintf("%s[%d]", field, i)
		obj, ok := item.(map[string]any)
		if !ok {
			return fieldErr(path, "must be an object in braces {...}")
		}
		if err := checkObject(obj, fields, path+"."); err != nil {
			return err
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	if strings.HasSuffix(path, ".") {
		return path + name
	}
	return path + "." + name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// resolveCertificate reads certificate_file into Certificate and returns the
// field name later messages about the certificate should use.
func resolveCertificate(app *AppConfig, i int, dir string) (string, error) {
	fileField := fmt.Sprintf("apps[%d].certificate_file", i)
	if app.CertificateFile == "" {
		return fmt.Sprintf("apps[%d].certificate", i), nil
	}
	if app.Certificate != "" {
		return "", fieldErr(fileField, "give certificate_file or certificate, not both")
	}
	path := app.CertificateFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	data, err := readBounded(path, maxCertBytes)
	if err != nil {
		return "", fieldErr(fileField, "%v", err)
	}
	app.Certificate = string(data)
	return fileField, nil
}

// readBounded reads a file, refusing ones larger than limit, with messages
// that say what to do rather than Go's raw error text.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("file %q does not exist (check the path and spelling)", path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("file %q cannot be read: permission denied", path)
	case err != nil:
		return nil, fmt.Errorf("file %q cannot be read: %v", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%q is a folder, not a file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("file %q cannot be read: %v", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file %q is larger than %d KB; is it the right file?", path, limit>>10)
	}
	return data, nil
}

// Validate checks a Config built in code the way LoadConfig checks a file.
func (c *Config) Validate() error {
	sources := make([]string, len(c.Apps))
	for i := range c.Apps {
		sources[i] = fmt.Sprintf("apps[%d].certificate", i)
	}
	return c.validate(sources)
}

// validate checks meaning; certField names where app i's certificate came from.
// It fills in the default permitted-users policy.
func (c *Config) validate(certField []string) error {
	keys := map[string]int{}
	names := map[string]int{}
	for i := range c.Apps {
		if err := c.validateApp(i, certField[i], keys, names); err != nil {
			return err
		}
	}
	users := map[string]int{}
	for i := range c.Users {
		if err := validateUser(c.Users[i], i, users); err != nil {
			return err
		}
	}
	if err := c.validatePermissionSets(); err != nil {
		return err
	}
	if err := c.Embedding.validate(); err != nil {
		return err
	}
	return c.validateAssets()
}

func (c *Config) validateApp(i int, certField string, keys, names map[string]int) error {
	app := &c.Apps[i]
	at := func(f string) string { return fmt.Sprintf("apps[%d].%s", i, f) }
	if strings.TrimSpace(app.Name) == "" {
		return fieldErr(at("name"), "missing: give the External Client App's name as shown in Setup")
	}
	if j, dup := names[app.Name]; dup {
		return fieldErr(at("name"), "apps[%d] already has the name %q; app names must be unique", j, app.Name)
	}
	names[app.Name] = i
	if err := checkConsumerKey(app.ConsumerKey); err != nil {
		return fieldErr(at("consumer_key"), "%v", err)
	}
	if j, dup := keys[app.ConsumerKey]; dup {
		// The key itself is a secret: name the apps, never the value.
		return fieldErr(at("consumer_key"), "same consumer key as apps[%d] (%q); each app has its own key", j, c.Apps[j].Name)
	}
	keys[app.ConsumerKey] = i
	if err := checkCertificate(app, certField); err != nil {
		return err
	}
	for j, s := range app.Scopes {
		if err := checkScope(s); err != nil {
			return fieldErr(fmt.Sprintf("apps[%d].scopes[%d]", i, j), "%v", err)
		}
	}
	switch app.PermittedUsers {
	case "":
		app.PermittedUsers = AllSelfAuthorize
	case AdminApproved, AllSelfAuthorize:
	default:
		return fieldErr(at("permitted_users"), "%q is not a policy: use %q (Admin approved users are pre-authorized) or %q (All users may self-authorize)", app.PermittedUsers, AdminApproved, AllSelfAuthorize)
	}
	if app.PropagationSeconds < 0 || app.PropagationSeconds > 86400 {
		return fieldErr(at("propagation_seconds"), "must be between 0 and 86400 (one day); Salesforce takes 2 to 10 minutes, so 120 to 600 is realistic")
	}
	return nil
}

// checkCertificate refuses a certificate the client could not use, naming
// the field and, for certificate_file, the file as written in the config.
func checkCertificate(app *AppConfig, certField string) error {
	if app.Certificate == "" {
		return nil
	}
	_, _, err := ParseCertificate([]byte(app.Certificate))
	switch {
	case err == nil:
		return nil
	case app.CertificateFile != "":
		return fieldErr(certField, "%s: %v", app.CertificateFile, err)
	}
	return fieldErr(certField, "%v", err)
}

func checkConsumerKey(key string) error {
	switch {
	case key == "":
		return errors.New("missing: copy the Consumer Key from the app's Settings tab (Consumer Key and Secret)")
	case strings.ContainsAny(key, " \t\r\n"):
		return errors.New("contains spaces or line breaks; paste the Consumer Key again without them")
	}
	return nil
}

func validateUser(u UserConfig, i int, seen map[string]int) error {
	field := fmt.Sprintf("users[%d].username", i)
	if err := checkUsername(u.Username); err != nil {
		return fieldErr(field, "%v", err)
	}
	lower := strings.ToLower(u.Username)
	if j, dup := seen[lower]; dup {
		return fieldErr(field, "users[%d] already has the username %q; usernames are unique", j, u.Username)
	}
	seen[lower] = i
	return nil
}

// checkUsername applies the client's rule (salesforce.CheckUsername, which
// this package cannot import): name@domain with a dot in the domain, so the
// practice org never holds a user the client would refuse to sign in as.
func checkUsername(name string) error {
	local, domain, _ := strings.Cut(name, "@")
	switch {
	case name == "":
		return errors.New("missing: give the Salesforce username, which looks like an email address")
	case strings.ContainsAny(name, " \t\r\n"):
		return fmt.Errorf("%q contains spaces; a Salesforce username has none", name)
	case local == "" || strings.Count(name, "@") != 1 || !dottedDomain(domain):
		return fmt.Errorf("%q is not a Salesforce username: it must look like an email address, "+
			"with a dot in the part after the @ (name@company.com)", name)
	}
	return nil
}

// dottedDomain: at least two labels, none empty (acme.com, acme.com.uat).
func dottedDomain(d string) bool {
	labels := strings.Split(d, ".")
	return len(labels) >= 2 && !slices.Contains(labels, "")
}

// validatePermissionSets makes every permission set an app or user mentions
// one the org has, so a typo in either place fails here and not at login.
func (c *Config) validatePermissionSets() error {
	declared := map[string]bool{}
	for i, ps := range c.PermissionSets {
		if strings.TrimSpace(ps) == "" {
			return fieldErr(fmt.Sprintf("permission_sets[%d]", i), "empty permission set name")
		}
		declared[ps] = true
	}
	explicit := c.PermissionSets != nil
	for i, app := range c.Apps {
		for j, ps := range app.PermissionSets {
			field := fmt.Sprintf("apps[%d].permission_sets[%d]", i, j)
			if strings.TrimSpace(ps) == "" {
				return fieldErr(field, "empty permission set name")
			}
			if explicit && !declared[ps] {
				return fieldErr(field, "unknown permission set %q: it is not in the top-level permission_sets list (%s)", ps, quoteList(c.PermissionSets))
			}
			if !explicit {
				declared[ps] = true
			}
		}
	}
	for i, u := range c.Users {
		for j, ps := range u.PermissionSets {
			if declared[ps] {
				continue
			}
			field := fmt.Sprintf("users[%d].permission_sets[%d]", i, j)
			if explicit {
				return fieldErr(field, "unknown permission set %q: it is not in the top-level permission_sets list (%s)", ps, quoteList(c.PermissionSets))
			}
			return fieldErr(field, "unknown permission set %q: no app lists it (apps list: %s); fix the spelling, or declare the org's permission sets in a top-level \"permission_sets\" list", ps, quoteList(keysOf(declared)))
		}
	}
	return nil
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quoteList(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// knownScopes are the OAuth scope names Salesforce uses on the wire. An
// unknown name in the config is almost always a typo (or the Setup label
// pasted instead of the name).
var knownScopes = []string{
	"address", "api", "cdp_api", "cdp_calculated_insight_api", "cdp_identityresolution_api",
	"cdp_ingest_api", "cdp_profile_api", "cdp_query_api", "cdp_segment_api", "chatter_api",
	"content", "custom_permissions", "eclair_api", "email", "forgot_password", "full", "id",
	"interaction_api", "lightning", "offline_access", "openid", "pardot_api", "phone", "profile",
	"pwdless_login_api", "refresh_token", "sfap_api", "user_registration_api", "visualforce",
	"wave_api", "web",
}

func checkScope(s string) error {
	if slices.Contains(knownScopes, s) {
		return nil
	}
	if lower := strings.ToLower(s); slices.Contains(knownScopes, lower) {
		return fmt.Errorf("unknown scope %q: did you mean %q? (scopes are written in lower case)", s, lower)
	}
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "refreshtoken", "offlineaccess":
		return fmt.Errorf("unknown scope %q: did you mean \"refresh_token\"?", s)
	}
	return fmt.Errorf("unknown scope %q: use Salesforce's scope names, e.g. web, refresh_token, api, full", s)
}
