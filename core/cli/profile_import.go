package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const importSynopsis = "profile import --name NAME --login-url URL --username USER --client-id KEY|- | --client-id-file FILE --key-file FILE " +
	"[--cert-file FILE] [--sandbox] [--audience URL] [--replace]\n\n" +
	"Saves an org set up earlier (or by hand) as a profile: the consumer key and the private key go to the\n" +
	"keychain, the rest to the profile. Everything is checked first; on bad input nothing is stored.\n" +
	"Without --cert-file the profile records no certificate, so its expiry cannot be shown."

type importOptions struct {
	importInput // consumerKey is read from clientID once the flags are checked
	clientID    clientIDFlags
	replace     bool
}

func parseImport(args []string, stdout io.Writer) (runner, error) {
	o := &importOptions{}
	fs := newFlagSet("profile import")
	fs.StringVar(&o.name, "name", "", "profile name: 1-64 letters, digits, spaces, '-', '_' or '.' (required)")
	fs.StringVar(&o.loginURL, "login-url", "", "login URL: https://login.salesforce.com, https://test.salesforce.com or the My Domain URL (required)")
	fs.StringVar(&o.username, "username", "", "run-as Salesforce username, the JWT subject (required)")
	o.clientID.register(fs)
	fs.StringVar(&o.keyFile, "key-file", "", "PEM private key, PKCS#1 or PKCS#8 (required)")
	fs.StringVar(&o.certFile, "cert-file", "", "the certificate uploaded to the External Client App (checked against the key)")
	fs.BoolVar(&o.sandbox, "sandbox", false, "the org is a sandbox (implied by a test.salesforce.com or .sandbox. login URL)")
	fs.StringVar(&o.audience, "audience", "", "JWT audience override (rarely needed)")
	fs.BoolVar(&o.replace, "replace", false, "replace a saved profile of the same name")
	if err := parseFlags(fs, importSynopsis, args, stdout); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *importOptions) run(env *Env) error {
	for _, req := range []struct{ flag, value string }{
		{"--name", o.name}, {"--login-url", o.loginURL}, {"--username", o.username}, {"--key-file", o.keyFile},
	} {
		if strings.TrimSpace(req.value) == "" {
			return usageErrorf("profile import: %s is required (see tnjwt profile import --help)", req.flag)
		}
	}
	if !o.clientID.given() {
		return usageErrorf("profile import: --client-id or --client-id-file is required (see tnjwt profile import --help)")
	}
	var err error
	if o.consumerKey, err = o.clientID.read(env.Stdin); err != nil {
		return usageErrorf("profile import: %v; nothing was stored", err)
	}
	p, items, warnings, err := checkImport(o.importInput)
	if err != nil {
		return usageErrorf("profile import: %v; nothing was stored", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "tnjwt: profile import: warning: %s\n", w)
	}
	markImported(&p, env.now())
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile import: %v", err)
	}
	if err := store.Import(env.Ctx, p, items, o.replace); err != nil {
		if errors.Is(err, profiles.ErrExists) {
			return usageErrorf("profile import: %v (--replace); nothing was stored", err)
		}
		return failuref("profile import: %v", err)
	}
	o.printSaved(env.Stdout, p, env.now())
	return nil
}

func (o *importOptions) printSaved(w io.Writer, p profiles.Profile, now time.Time) {
	verb := "Saved"
	if o.replace {
		verb = "Saved (replacing any earlier one)"
	}
	fmt.Fprintf(w, "%s profile %q: %s as %s.\n", verb, p.Name, p.LoginURL, p.Username)
	fmt.Fprintf(w, "The consumer key and the private key are in the %s.\n", secrets.Location())
	if p.CertificatePEM == "" {
		fmt.Fprintln(w, "No certificate was given, so the profile cannot show when it expires; "+
			"import again with --cert-file sf_public_cert.crt --replace to record it.")
	} else {
		v := profileViewOf(p, now)
		fmt.Fprintf(w, "Certificate %s, SHA-256 %s.\n", v.Certificate.summary(), v.Certificate.Fingerprint)
	}
	fmt.Fprintf(w, "Test it with: tnjwt test --profile %s\n", shellWord(p.Name))
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

// importInput is what `profile import` checks before it stores anything,
// as it was given: consumerKey comes from --client-id, a file or stdin.
type importInput struct {
	name, loginURL, username, consumerKey, keyFile, certFile, audience string
	sandbox                                                            bool
}

// checkImport validates every input of `profile import` and builds the
// profile and its secrets. Messages never quote the key or consumer key.
func checkImport(in importInput) (profiles.Profile, map[secrets.Purpose][]byte, []string, error) {
	var warnings []string
	var none profiles.Profile
	if err := profiles.ValidateName(in.name); err != nil {
		return none, nil, nil, err
	}
	l, err := salesforce.ParseLoginURL(in.loginURL)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--login-url: %v", err)
	}
	if in.sandbox && l.Kind == salesforce.Production {
		warnings = append(warnings, sandboxAtProductionWarning)
	}
	sandbox := in.sandbox || l.Sandbox
	user, warn, err := salesforce.CheckUsername(in.username, sandbox)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--username: %v", err)
	}
	if warn != "" {
		warnings = append(warnings, warn)
	}
	consumerKey, warn, err := salesforce.CheckConsumerKey(in.consumerKey)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--client-id: %v", err)
	}
	if warn != "" {
		warnings = append(warnings, warn)
	}
	audience := ""
	if strings.TrimSpace(in.audience) != "" {
		if audience, err = salesforce.CheckAudience(in.audience); err != nil {
			return none, nil, nil, fmt.Errorf("--audience: %v", err)
		}
	}
	keyData, err := readPEMFlag("--key-file", in.keyFile)
	if err != nil {
		return none, nil, nil, err
	}
	_, keyPEM, err := certs.KeyOnly(keyData) // refuses keys Salesforce would (under 2048 bits)
	if err != nil {
		return none, nil, nil, fmt.Errorf("--key-file %s: %v", in.keyFile, err)
	}
	p := profiles.Profile{Name: in.name, LoginURL: l.URL, Sandbox: sandbox, Audience: audience, Username: user}
	if in.certFile != "" {
		certData, err := readPEMFlag("--cert-file", in.certFile)
		if err != nil {
			return none, nil, nil, err
		}
		b, err := certs.Load(keyPEM, certData)
		if err != nil {
			return none, nil, nil, fmt.Errorf("--cert-file %s: %v", in.certFile, err)
		}
		p.CertificatePEM = string(b.CertPEM)
		p.Fingerprint = certs.Fingerprint(b.Cert)
		p.CertNotAfter = b.Cert.NotAfter
	}
	items := map[secrets.Purpose][]byte{secrets.ConsumerKey: []byte(consumerKey), secrets.PrivateKey: keyPEM}
	return p, items, warnings, nil
}
