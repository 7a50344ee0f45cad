package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// newVault opens the OS keychain for the profile commands and for
// `tnjwt test --profile`. CLI unit tests replace it with a Memory-backed vault;
// the TestKeyring… tests (make keychain-test) use the real one.
var newVault = func() *secrets.Vault {
	return secrets.NewVault(secrets.NewKeyring(), secrets.DefaultTimeout)
}

const profileHelp = `Usage:
  tnjwt profile list [--json] [--expiring DAYS]
  tnjwt profile show NAME [--json]
  tnjwt profile delete NAME
  tnjwt profile import --name NAME --login-url URL --username USER --client-id KEY --key-file FILE
                       [--cert-file FILE] [--sandbox] [--audience URL] [--replace]
  tnjwt profile renew NAME --out DIR [--days N]             new certificate, same key
  tnjwt profile rotate NAME --out DIR [--days N] [--bits N] new key, staged as pending
  tnjwt profile rollback NAME --out DIR                     back to the previous key
  tnjwt profile discard-previous NAME
  tnjwt profile abandon NAME                                drop a pending rotation

A profile remembers one org: login URL, run-as username, certificate and its
expiry, checklist progress and the last test. The consumer key and the private
key are kept in the %s, never in the profile file.
Test a saved profile with: tnjwt test --profile NAME

Profiles are saved in %s
(set %s to use another folder).
Run 'tnjwt profile COMMAND --help' for a command's flags.
`

func runProfile(args []string, env *Env) int {
	if len(args) == 0 {
		return usageErr(env, "profile: say what to do: list, show NAME, delete NAME, import, renew NAME, rotate NAME, "+
			"rollback NAME, discard-previous NAME or abandon NAME (see tnjwt profile --help)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		dir, err := profiles.DefaultDir()
		if err != nil {
			dir = "(unknown: " + err.Error() + ")"
		}
		fmt.Fprintf(env.Stdout, profileHelp, secrets.Location(), dir, profiles.EnvDir)
		return ExitOK
	case "list":
		return runProfileList(args[1:], env)
	case "show":
		return runProfileShow(args[1:], env)
	case "delete":
		return runProfileDelete(args[1:], env)
	case "import":
		return runProfileImport(args[1:], env)
	case "renew":
		return runProfileRenew(args[1:], env)
	case "rotate":
		return runProfileRotate(args[1:], env)
	case "rollback":
		return runProfileRollback(args[1:], env)
	case "discard-previous":
		return runProfileKeyChange("discard-previous", discardSynopsis, args[1:], env)
	case "abandon":
		return runProfileKeyChange("abandon", abandonSynopsis, args[1:], env)
	}
	return usageErr(env, "profile: unknown command %q (use list, show, delete, import, renew, rotate, rollback, "+
		"discard-previous or abandon)", args[0])
}

func openProfiles(env *Env) (*profiles.Store, error) {
	dir, err := profiles.DefaultDir()
	if err != nil {
		return nil, err
	}
	s := profiles.Open(dir, newVault())
	if env.Now != nil {
		s.Now = env.Now
	}
	return s, nil
}

func profileNow(env *Env) time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// profileFailure prints a one-line error and returns exit 1: something local went
// wrong (keychain, disk) that is not the caller's input.
func profileFailure(env *Env, format string, a ...any) int {
	usageErr(env, format, a...)
	return ExitFailure
}

// profileExitCode sorts an error from the profile store or keychain: a profile
// that does not exist (or is incomplete) is bad input, anything else a failure.
func profileExitCode(err error) int {
	if errors.Is(err, profiles.ErrNotFound) || errors.Is(err, profiles.ErrExists) || errors.Is(err, errIncomplete) {
		return ExitUsage
	}
	return ExitFailure
}

// parseWithName parses flags that may come before or after one positional
// profile name (`show NAME --json` as well as `show --json NAME`).
func parseWithName(fs *flag.FlagSet, synopsis string, args []string, env *Env) (name string, code int, done bool) {
	var names []string
	for {
		code, done := parseFlags(fs, synopsis, args, env, true)
		if done {
			return "", code, true
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(names) {
	case 0:
		return "", usageErr(env, "%s: which profile? Give its name (see tnjwt profile list)", fs.Name()), true
	case 1:
		return names[0], 0, false
	}
	return "", usageErr(env, "%s: unexpected argument %q (put a name with spaces in quotes)", fs.Name(), names[1]), true
}

// profileView is a profile as `list` and `show` print it (JSON and text).
// It carries no secret.
type profileView struct {
	Name        string                        `json:"name"`
	LoginURL    string                        `json:"login_url"`
	Sandbox     bool                          `json:"sandbox"`
	Audience    string                        `json:"audience"`
	AudienceSet bool                          `json:"audience_override"`
	Username    string                        `json:"username"`
	Practice    bool                          `json:"practice,omitempty"` // set up against tnjwt's practice org
	Certificate *profCertView                 `json:"certificate"`
	LastTest    *profTestView                 `json:"last_test"`
	Checklist   map[string]profiles.StepState `json:"checklist,omitempty"`
	Keychain    *profKeychainView             `json:"keychain,omitempty"`
	Pending     *profKeyView                  `json:"pending,omitempty"`  // a rotation's new key, not confirmed yet
	Previous    *profKeyView                  `json:"previous,omitempty"` // the key the last rotation replaced
	Rotation    string                        `json:"rotation,omitempty"` // the two above in words
	Created     time.Time                     `json:"created"`
	Updated     time.Time                     `json:"updated"`
}

type profCertView struct {
	Fingerprint string    `json:"fingerprint"`
	Subject     string    `json:"subject,omitempty"`
	NotAfter    time.Time `json:"not_after"`
	DaysLeft    int       `json:"days_left"`
	Renew       bool      `json:"renew"` // within 30 days of expiry (or past two thirds of its validity), or expired
}

type profKeyView struct {
	Fingerprint string    `json:"fingerprint"`
	NotAfter    time.Time `json:"not_after"`
	Since       time.Time `json:"since"`
}

func keyViewOf(k *profiles.KeyCert) *profKeyView {
	if k == nil {
		return nil
	}
	return &profKeyView{Fingerprint: k.Fingerprint, NotAfter: k.NotAfter, Since: k.Since}
}

type profTestView struct {
	When          time.Time          `json:"when"`
	OK            bool               `json:"ok"`
	Error         *string            `json:"error"`
	Description   *string            `json:"error_description"`
	DiagnosisStep *string            `json:"diagnosis_step"`
	TimingsMS     map[string]float64 `json:"timings_ms,omitempty"`
}

type profKeychainView struct {
	Location string            `json:"location"`
	Items    map[string]string `json:"items"` // purpose → stored | missing | damaged | unknown
	Problem  *string           `json:"problem"`
}

func profileViewOf(p profiles.Profile, at time.Time) profileView {
	v := profileView{
		Name: p.Name, LoginURL: p.LoginURL, Sandbox: p.Sandbox, Username: p.Username, Practice: p.Practice,
		Audience: p.Audience, AudienceSet: p.Audience != "",
		Created: p.Created, Updated: p.Updated,
		Pending: keyViewOf(p.Pending), Previous: keyViewOf(p.Previous), Rotation: rotation.Describe(p),
	}
	if l, err := salesforce.ParseLoginURL(p.LoginURL); err == nil {
		v.Audience = salesforce.PreferredAudience(l, p.Sandbox, p.Audience, p.WorkingAudience)
	}
	if p.CertificatePEM != "" || !p.CertNotAfter.IsZero() {
		c := &profCertView{Fingerprint: p.Fingerprint, NotAfter: p.CertNotAfter}
		if cert, err := certs.ParseCertificate([]byte(p.CertificatePEM)); err == nil {
			info := certs.Describe(cert, at)
			c.Fingerprint, c.Subject, c.NotAfter, c.DaysLeft = info.Fingerprint, info.Subject, info.NotAfter, info.DaysLeft
			c.Renew = certs.ExpiryOf(cert.NotBefore, cert.NotAfter, at).Urgency != certs.Fine
		} else {
			c.DaysLeft = certs.DaysLeft(p.CertNotAfter, at)
			c.Renew = certs.ExpiryOf(time.Time{}, p.CertNotAfter, at).Urgency != certs.Fine
		}
		v.Certificate = c
	}
	if t := p.LastTest; t != nil {
		v.LastTest = &profTestView{When: t.When, OK: t.OK, Error: profNonEmpty(t.Error), Description: profNonEmpty(t.Description),
			DiagnosisStep: profNonEmpty(t.DiagnosisStep), TimingsMS: t.TimingsMS}
	}
	return v
}

func profNonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func writeProfileJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func profWhen(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func (c *profCertView) summary() string {
	day := c.NotAfter.UTC().Format("2006-01-02")
	switch {
	case c.DaysLeft < 0:
		// DaysLeft is rounded down, so -1 means "expired less than a day ago".
		switch ago := -c.DaysLeft - 1; ago {
		case 0:
			return fmt.Sprintf("EXPIRED %s (today)", day)
		case 1:
			return fmt.Sprintf("EXPIRED %s (1 day ago)", day)
		default:
			return fmt.Sprintf("EXPIRED %s (%d days ago)", day, ago)
		}
	case c.DaysLeft == 1:
		return fmt.Sprintf("expires %s (1 day left)", day)
	}
	return fmt.Sprintf("expires %s (%d days left)", day, c.DaysLeft)
}

func (t *profTestView) summary() string {
	if t == nil {
		return "never"
	}
	if t.OK {
		return "ok, " + profWhen(t.When)
	}
	s := "failed, " + profWhen(t.When)
	if t.Error != nil {
		s += ": " + *t.Error
	}
	if t.Description != nil {
		s += ": " + *t.Description
	}
	if t.DiagnosisStep != nil {
		s += " (fix checklist step " + *t.DiagnosisStep + ")"
	}
	return s
}

const listSynopsis = "profile list [--json] [--expiring DAYS]\n\n" +
	"Lists the saved org profiles. With --expiring DAYS, only those whose certificate expires within DAYS days (or has " +
	"expired), and exit 1 when there is any: a scheduled reminder (cron, Task Scheduler, launchd)."

func runProfileList(args []string, env *Env) int {
	fs := newFlagSet("profile list")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	expiring := fs.String("expiring", "", "only profiles whose certificate expires within this many days; exit 1 when there is any")
	if code, done := parseFlags(fs, listSynopsis, args, env, false); done {
		return code
	}
	within := -1
	if *expiring != "" {
		n, err := strconv.Atoi(strings.TrimSpace(*expiring))
		if err != nil || n < 0 {
			return usageErr(env, "profile list: --expiring wants a whole number of days, 0 or more (e.g. 30), not %q", *expiring)
		}
		within = n
	}
	store, err := openProfiles(env)
	if err != nil {
		return profileFailure(env, "profile list: %v", err)
	}
	list, err := store.List()
	if err != nil {
		return profileFailure(env, "profile list: %v", err)
	}
	at := profileNow(env)
	views := make([]profileView, 0, len(list))
	for _, p := range list {
		v := profileViewOf(p, at)
		if within >= 0 && (v.Certificate == nil || v.Certificate.DaysLeft > within) {
			continue
		}
		views = append(views, v)
	}
	code := ExitOK
	if within >= 0 && len(views) > 0 {
		code = ExitFailure
	}
	if *asJSON {
		writeProfileJSON(env.Stdout, struct {
			Folder   string        `json:"folder"`
			Profiles []profileView `json:"profiles"`
		}{store.Dir(), views})
		return code
	}
	switch {
	case within >= 0 && len(views) == 0:
		fmt.Fprintf(env.Stdout, "No saved profile has a certificate that expires within %d days.\n", within)
		return code
	case len(views) == 0:
		fmt.Fprintf(env.Stdout, "No saved profiles in %s.\nSave one from the wizard or with `tnjwt profile import`.\n", store.Dir())
		return code
	}
	printProfileTable(env.Stdout, views)
	if within >= 0 {
		fmt.Fprintf(env.Stdout, "\n%d of %d profiles have a certificate that expires within %d days. %s\n"+
			"Renew one (same key, no downtime): tnjwt profile renew NAME --out DIR\n", len(views), len(list), within, rotation.DeadlineNote)
	}
	return code
}

func printProfileTable(w io.Writer, views []profileView) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLOGIN URL\tUSERNAME\tCERTIFICATE\tLAST TEST")
	for _, v := range views {
		cert := "none recorded"
		if v.Certificate != nil {
			cert = v.Certificate.summary()
		}
		if v.Pending != nil {
			cert += "; rotation pending"
		}
		name := v.Name
		if v.Practice {
			name += " (practice org)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, profOrDash(v.LoginURL), profOrDash(v.Username), cert, v.LastTest.summary())
	}
	tw.Flush()
}

func profOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runProfileShow(args []string, env *Env) int {
	fs := newFlagSet("profile show")
	asJSON := fs.Bool("json", false, "print one JSON object")
	name, code, done := parseWithName(fs, "profile show NAME [--json]\n\n"+
		"Shows a saved profile, and whether its secrets are in the keychain (they are never printed).", args, env)
	if done {
		return code
	}
	store, err := openProfiles(env)
	if err != nil {
		return profileFailure(env, "profile show: %v", err)
	}
	p, err := store.Get(name)
	if err != nil {
		usageErr(env, "profile show: %v", err)
		return profileExitCode(err)
	}
	v := profileViewOf(p, profileNow(env))
	v.Checklist = p.Checklist
	v.Keychain = checkProfileKeychain(env, store.Vault(), p.Name)
	if *asJSON {
		writeProfileJSON(env.Stdout, v)
		return ExitOK
	}
	printProfile(env.Stdout, v, store.Path())
	return ExitOK
}

// checkProfileKeychain reads each secret (checking its checksum) without printing it.
// The consumer and private keys are always listed; the rotation keys only
// when present.
func checkProfileKeychain(env *Env, vault *secrets.Vault, name string) *profKeychainView {
	kv := &profKeychainView{Location: secrets.Location(), Items: map[string]string{}}
	for _, purpose := range secrets.Purposes() {
		if kv.Problem != nil {
			kv.Items[string(purpose)] = "unknown"
			continue
		}
		_, err := vault.Get(env.Ctx, name, purpose)
		state := "stored"
		switch {
		case err == nil:
		case secrets.KindOf(err) == secrets.NotFound:
			state = "missing"
		case secrets.KindOf(err) == secrets.Corrupt:
			state = "damaged"
		default:
			msg := err.Error()
			kv.Problem = &msg
			state = "unknown"
		}
		kv.Items[string(purpose)] = state
	}
	for _, optional := range []secrets.Purpose{secrets.PendingPrivateKey, secrets.PreviousPrivateKey} {
		if kv.Items[string(optional)] == "missing" {
			delete(kv.Items, string(optional))
		}
	}
	return kv
}

func printProfile(w io.Writer, v profileView, path string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("Profile", "%s", v.Name)
	row("Login URL", "%s", profOrDash(v.LoginURL))
	row("Sandbox", "%s", profYesNo(v.Sandbox))
	if v.AudienceSet {
		row("Audience", "%s (set for this profile)", v.Audience)
	} else {
		row("Audience", "%s (from the login URL)", profOrDash(v.Audience))
	}
	row("Username", "%s", profOrDash(v.Username))
	if c := v.Certificate; c != nil {
		row("Certificate", "%s", c.summary())
		if c.Fingerprint != "" {
			row("", "SHA-256 %s", c.Fingerprint)
		}
	} else {
		row("Certificate", "none recorded (import with --cert-file to track its expiry)")
	}
	if v.Pending != nil {
		row("New key", "pending since %s, not confirmed yet; certificate SHA-256 %s", profWhen(v.Pending.Since), v.Pending.Fingerprint)
	}
	if v.Previous != nil {
		row("Previous key", "kept since %s; certificate SHA-256 %s", profWhen(v.Previous.Since), v.Previous.Fingerprint)
	}
	if k := v.Keychain; k != nil {
		var parts []string
		for _, p := range secrets.Purposes() {
			if st, ok := k.Items[string(p)]; ok {
				parts = append(parts, p.Describe()+" "+st)
			}
		}
		row("Keychain", "%s (%s)", strings.Join(parts, ", "), k.Location)
		if k.Problem != nil {
			row("", "%s", *k.Problem)
		}
	}
	var done []string
	for id, st := range v.Checklist {
		if st.Done {
			done = append(done, id)
		}
	}
	sort.Strings(done)
	if len(done) == 0 {
		row("Checklist", "no steps marked done")
	} else {
		row("Checklist", "%d done: %s", len(done), strings.Join(done, ", "))
	}
	row("Last test", "%s", v.LastTest.summary())
	row("Created", "%s", profWhen(v.Created))
	row("Updated", "%s", profWhen(v.Updated))
	row("Saved in", "%s", path)
	tw.Flush()
}

func profYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func runProfileDelete(args []string, env *Env) int {
	fs := newFlagSet("profile delete")
	name, code, done := parseWithName(fs, "profile delete NAME\n\n"+
		"Deletes a saved profile and its secrets in the keychain. Key files you exported stay where they are.", args, env)
	if done {
		return code
	}
	store, err := openProfiles(env)
	if err != nil {
		return profileFailure(env, "profile delete: %v", err)
	}
	p, err := store.Get(name)
	if err == nil {
		err = store.Delete(env.Ctx, p.Name)
	}
	if err != nil {
		usageErr(env, "profile delete: %v", err)
		return profileExitCode(err)
	}
	fmt.Fprintf(env.Stdout, "Deleted profile %q and its secrets in the %s.\n", p.Name, secrets.Location())
	return ExitOK
}

const importSynopsis = "profile import --name NAME --login-url URL --username USER --client-id KEY|- | --client-id-file FILE --key-file FILE " +
	"[--cert-file FILE] [--sandbox] [--audience URL] [--replace]\n\n" +
	"Saves an org set up earlier (or by hand) as a profile: the consumer key and the private key go to the\n" +
	"keychain, the rest to the profile. Everything is checked first; on bad input nothing is stored.\n" +
	"Without --cert-file the profile records no certificate, so its expiry cannot be shown."

func runProfileImport(args []string, env *Env) int {
	fs := newFlagSet("profile import")
	name := fs.String("name", "", "profile name: 1-64 letters, digits, spaces, '-', '_' or '.' (required)")
	loginURL := fs.String("login-url", "", "login URL: https://login.salesforce.com, https://test.salesforce.com or the My Domain URL (required)")
	username := fs.String("username", "", "run-as Salesforce username, the JWT subject (required)")
	var cid clientIDFlags
	cid.register(fs)
	keyFile := fs.String("key-file", "", "PEM private key, PKCS#1 or PKCS#8 (required)")
	certFile := fs.String("cert-file", "", "the certificate uploaded to the External Client App (checked against the key)")
	sandbox := fs.Bool("sandbox", false, "the org is a sandbox (implied by a test.salesforce.com or .sandbox. login URL)")
	audience := fs.String("audience", "", "JWT audience override (rarely needed)")
	replace := fs.Bool("replace", false, "replace a saved profile of the same name")
	if code, done := parseFlags(fs, importSynopsis, args, env, false); done {
		return code
	}
	for _, req := range []struct{ flag, value string }{
		{"--name", *name}, {"--login-url", *loginURL}, {"--username", *username}, {"--key-file", *keyFile},
	} {
		if strings.TrimSpace(req.value) == "" {
			return usageErr(env, "profile import: %s is required (see tnjwt profile import --help)", req.flag)
		}
	}
	if !cid.given() {
		return usageErr(env, "profile import: --client-id or --client-id-file is required (see tnjwt profile import --help)")
	}
	clientID, err := cid.read(env.Stdin)
	if err != nil {
		return usageErr(env, "profile import: %v; nothing was stored", err)
	}
	p, items, warnings, err := checkImport(*name, *loginURL, *username, clientID, *keyFile, *certFile, *audience, *sandbox)
	if err != nil {
		return usageErr(env, "profile import: %v; nothing was stored", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "tnjwt: profile import: warning: %s\n", w)
	}
	markImported(&p, profileNow(env))
	store, err := openProfiles(env)
	if err != nil {
		return profileFailure(env, "profile import: %v", err)
	}
	if err := store.Import(env.Ctx, p, items, *replace); err != nil {
		if errors.Is(err, profiles.ErrExists) {
			return usageErr(env, "profile import: %v (--replace); nothing was stored", err)
		}
		return profileFailure(env, "profile import: %v", err)
	}
	verb := "Saved"
	if *replace {
		verb = "Saved (replacing any earlier one)"
	}
	fmt.Fprintf(env.Stdout, "%s profile %q: %s as %s.\n", verb, p.Name, p.LoginURL, p.Username)
	fmt.Fprintf(env.Stdout, "The consumer key and the private key are in the %s.\n", secrets.Location())
	if p.CertificatePEM == "" {
		fmt.Fprintln(env.Stdout, "No certificate was given, so the profile cannot show when it expires; "+
			"import again with --cert-file sf_public_cert.crt --replace to record it.")
	} else {
		v := profileViewOf(p, profileNow(env))
		fmt.Fprintf(env.Stdout, "Certificate %s, SHA-256 %s.\n", v.Certificate.summary(), v.Certificate.Fingerprint)
	}
	fmt.Fprintf(env.Stdout, "Test it with: tnjwt test --profile %s\n", profShellWord(p.Name))
	return ExitOK
}

// markImported ticks the checklist steps that an import proves, so the
// wizard opens an imported profile where work is left (the Setup checklists)
// instead of asking again for what is already in the keychain.
func markImported(p *profiles.Profile, now time.Time) {
	done := []string{"org-login-url", "eca-consumer-key", "key-store"}
	if p.CertificatePEM != "" {
		done = append(done, "key-generate")
	}
	p.Checklist = map[string]profiles.StepState{}
	for _, id := range done {
		p.Checklist[id] = profiles.StepState{Done: true, At: now}
	}
}

// checkImport validates every input of `profile import` and builds the
// profile and its secrets. Messages never quote the key or consumer key.
func checkImport(name, rawURL, rawUser, rawKey, keyFile, certFile, rawAudience string, sandbox bool) (
	profiles.Profile, map[secrets.Purpose][]byte, []string, error) {
	var warnings []string
	var none profiles.Profile
	if err := profiles.ValidateName(name); err != nil {
		return none, nil, nil, err
	}
	l, err := salesforce.ParseLoginURL(rawURL)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--login-url: %v", err)
	}
	if sandbox && l.Kind == salesforce.Production {
		warnings = append(warnings, sandboxAtProductionWarning)
	}
	sandbox = sandbox || l.Sandbox
	user, warn, err := salesforce.CheckUsername(rawUser, sandbox)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--username: %v", err)
	}
	if warn != "" {
		warnings = append(warnings, warn)
	}
	consumerKey, warn, err := salesforce.CheckConsumerKey(rawKey)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--client-id: %v", err)
	}
	if warn != "" {
		warnings = append(warnings, warn)
	}
	audience := ""
	if strings.TrimSpace(rawAudience) != "" {
		if audience, err = salesforce.CheckAudience(rawAudience); err != nil {
			return none, nil, nil, fmt.Errorf("--audience: %v", err)
		}
	}
	keyData, err := readImportFile(keyFile, "--key-file")
	if err != nil {
		return none, nil, nil, err
	}
	_, keyPEM, err := certs.KeyOnly(keyData) // refuses keys Salesforce would (under 2048 bits)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--key-file %s: %v", keyFile, err)
	}
	p := profiles.Profile{Name: name, LoginURL: l.URL, Sandbox: sandbox, Audience: audience, Username: user}
	if certFile != "" {
		certData, err := readImportFile(certFile, "--cert-file")
		if err != nil {
			return none, nil, nil, err
		}
		b, err := certs.Load(keyPEM, certData)
		if err != nil {
			return none, nil, nil, fmt.Errorf("--cert-file %s: %v", certFile, err)
		}
		p.CertificatePEM = string(b.CertPEM)
		p.Fingerprint = certs.Fingerprint(b.Cert)
		p.CertNotAfter = b.Cert.NotAfter
	}
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte(consumerKey), secrets.PrivateKey: keyPEM}
	return p, items, warnings, nil
}

// readImportFile reads a key or certificate file; certs words what is wrong
// with it ("PATH: no such file") and this adds which flag named it.
func readImportFile(path, flag string) ([]byte, error) {
	data, err := certs.ReadPEMFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %w", flag, err)
	}
	return data, nil
}

// shellWord quotes a profile name for a command line a person can paste.
func profShellWord(s string) string {
	if strings.ContainsAny(s, " ") {
		return "'" + s + "'"
	}
	return s
}

var errIncomplete = errors.New("profile is incomplete")

// openProfileTarget loads a saved profile and its secrets for
// `tnjwt export --profile` (and tests). A missing or incomplete profile wraps
// profiles.ErrNotFound or errIncomplete (bad input, see profileExitCode); a
// keychain failure is a *secrets.Error with its own remedy.
func openProfileTarget(env *Env, name string) (testTarget, error) {
	return openTarget(env, name, false)
}

// openTarget is openProfileTarget that, with pending, takes the new key of a
// rotation in progress (and its certificate) instead of the current one:
// `tnjwt test --profile` always does, `export --pending` on request. An
// interrupted promotion or rollback is finished first (rotation.Recover).
func openTarget(env *Env, name string, pending bool) (testTarget, error) {
	store, err := openProfiles(env)
	if err != nil {
		return testTarget{}, err
	}
	if _, err := newManager(store, env).Recover(env.Ctx, name); err != nil {
		return testTarget{}, err
	}
	p, err := store.Get(name)
	if err != nil {
		return testTarget{}, err
	}
	var missing []string
	if p.LoginURL == "" {
		missing = append(missing, "login URL")
	}
	if p.Username == "" {
		missing = append(missing, "username")
	}
	if len(missing) > 0 {
		return testTarget{}, fmt.Errorf("%w: profile %q has no %s yet; finish it in the wizard or run `tnjwt profile import --replace`",
			errIncomplete, p.Name, strings.Join(missing, " or "))
	}
	clientID, err := store.Vault().Get(env.Ctx, p.Name, secrets.ConsumerKey)
	if err != nil {
		return testTarget{}, err
	}
	t := testTarget{LoginURL: p.LoginURL, ClientID: string(clientID), Username: p.Username,
		Audience: p.Audience, Remembered: p.WorkingAudience, Sandbox: p.Sandbox, Profile: &p}
	if pending && p.Pending != nil {
		t.KeyPEM, err = newManager(store, env).PendingKey(env.Ctx, p)
		t.Pending = err == nil
		return t, err
	}
	if t.KeyPEM, err = store.Vault().Get(env.Ctx, p.Name, secrets.PrivateKey); err != nil {
		return testTarget{}, err
	}
	if p.CertificatePEM != "" {
		// Checked here, before anything is sent: Salesforce would only say
		// "invalid assertion".
		if _, err := certs.Load(t.KeyPEM, []byte(p.CertificatePEM)); err != nil {
			return testTarget{}, fmt.Errorf("%w: the private key in the keychain does not belong to the certificate saved in "+
				"profile %q (%s): store the key that goes with it (tnjwt profile import --replace), or finish the wizard's "+
				"Keychain step", errIncomplete, p.Name, p.Fingerprint)
		}
	}
	return t, nil
}

// recordProfileTest saves the outcome of a test run into the profile.
// A pending key's failure is kept with the pending key: the current key's
// own last test still describes what the app's servers use.
func recordProfileTest(env *Env, name string, pendingFailed bool, r profiles.TestResult) error {
	store, err := openProfiles(env)
	if err != nil {
		return err
	}
	return store.Update(name, func(p *profiles.Profile) error {
		if pendingFailed && p.Pending != nil {
			p.Pending.RecordFailure(r)
			return nil
		}
		p.RecordTest(r)
		return nil
	})
}
