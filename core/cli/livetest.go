package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/retest"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// `tnjwt test`: the live JWT bearer exchange, with the org details from the
// flags or a saved profile. What it prints is in livetest_report.go.

const testSynopsis = "test [--profile NAME | --login-url URL --client-id KEY|- | --client-id-file FILE --username USER --key-file FILE] " +
	"[--sandbox] [--audience URL] [--redirect PATH] [--wait DURATION] [--timeout DURATION] [--json]\n" +
	"       tnjwt test --all | --profile NAME --profile NAME … [--parallel 4] [--prometheus FILE] [--wait DURATION] [--timeout DURATION] [--json]\n\n" +
	"With --all (every saved profile but practice ones) or several --profile, tests the orgs a few at a time and prints\n" +
	"one table row per org (or, with --json, one JSON object per line per org), in name order as results arrive; each\n" +
	"result is recorded in its profile. Exit 0 when all passed, 3 when any was refused, 4 when any failed on the\n" +
	"network (3 wins), 1 for a keychain or disk failure."

type testOptions struct {
	profiles                             profileList // --profile, given once or more
	all                                  bool
	parallel                             int
	prometheus                           string
	profile, loginURL, username, keyFile string
	clientID                             clientIDFlags
	audience, redirect                   string
	sandbox, json                        bool
	wait, timeout                        time.Duration
	saved                                *profiles.Profile // the --profile, once read
	pending                              bool              // testing the new key of a rotation in progress
}

func parseTest(args []string, stdout io.Writer) (runner, error) {
	o := &testOptions{}
	fs := newFlagSet("test")
	fs.Var(&o.profiles, "profile", "saved org profile to test (secrets come from the OS keychain); give it again to test several")
	fs.BoolVar(&o.all, "all", false, "test every saved profile (practice ones left out); a table, or one JSON line per org")
	fs.IntVar(&o.parallel, "parallel", retest.DefaultParallel, "with --all or several --profile: how many orgs are tested at once")
	fs.StringVar(&o.prometheus, "prometheus", "", "with --all or several --profile: also write a Prometheus textfile-collector FILE")
	fs.StringVar(&o.loginURL, "login-url", "", "the org's login URL: https://login.salesforce.com, https://test.salesforce.com or the My Domain URL")
	o.clientID.register(fs)
	fs.StringVar(&o.username, "username", "", "the run-as user's Salesforce username")
	fs.StringVar(&o.keyFile, "key-file", "", "the private key (PEM) that matches the certificate uploaded to the app")
	fs.BoolVar(&o.sandbox, "sandbox", false, "the org is a sandbox (audience https://test.salesforce.com)")
	fs.StringVar(&o.audience, "audience", "", "override the JWT audience")
	fs.StringVar(&o.redirect, "redirect", "", "path in the org where the frontdoor session starts, e.g. /lightning/page/home")
	fs.DurationVar(&o.wait, "wait", 0, "keep retrying 'invalid_client_id' this long while a new or edited app propagates (e.g. 10m)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit for one attempt (sign, token, singleaccess)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the report")
	if err := parseFlags(fs, testSynopsis, args, stdout); err != nil {
		return nil, err
	}
	if len(o.profiles) == 1 {
		o.profile = o.profiles[0]
	}
	if o.prometheus != "" && !o.many() {
		return nil, usageErrorf("test: --prometheus goes with --all or several --profile")
	}
	return o, nil
}

// run tests the exchange and reports it on stdout. A failed exchange comes
// back as a silentError: the report has said what went wrong, and the
// error's kind gives the exit code (refused 3, transport 4).
func (o *testOptions) run(env *Env) error {
	if o.many() {
		return o.runMany(env)
	}
	req, warnings, err := o.request(env)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "tnjwt: warning: %s\n", w)
	}
	client := env.client(o.timeout)
	req.OnAttempt = func(a salesforce.Attempt) { reportAttempt(env.Stderr, a, o.wait) }

	if o.pending {
		fmt.Fprintf(env.Stderr, "tnjwt: %s has a rotation in progress: testing its new (pending) key\n", o.profile)
	}
	res, err := client.Exchange(env.Ctx, req)
	diag := salesforce.Diagnose(err)
	addCLIHints(diag, req, o.sandbox)
	key := o.keyOutcome(env, err)
	if o.json {
		writeResultJSON(env.Stdout, res, err, diag, key)
	} else {
		writeReport(env.Stdout, req, res, err, diag)
		if key.Note != "" {
			fmt.Fprintf(env.Stdout, "\n%s\n", key.Note)
		}
	}
	if o.profile != "" {
		o.afterProfileTest(env, res, err, diag)
	}
	if err != nil {
		return &silentError{err}
	}
	return nil
}

// afterProfileTest offers the My Domain URL an earlier test learned, and
// records the outcome in the profile. A stopped test is not recorded: it
// says nothing about the setup, and the last real result stays, as in the
// window.
func (o *testOptions) afterProfileTest(env *Env, res *salesforce.Result, err error, diag *salesforce.Diagnosis) {
	if own := o.myDomainOffer(err); own != "" {
		fmt.Fprintf(env.Stderr, "tnjwt: an earlier test of %s learned its My Domain URL, %s: use it as the login URL "+
			"(tnjwt profile import --replace --name %s --login-url %s …)\n", o.profile, own, o.profile, own)
	}
	if salesforce.Cancelled(err) {
		return
	}
	if rerr := recordProfileTest(env, o.profile, o.pending && err != nil, profiles.TestResultOf(env.now(), res, err, diag)); rerr != nil {
		fmt.Fprintf(env.Stderr, "tnjwt: warning: the result was not saved in profile %q: %v\n", o.profile, rerr)
	}
}

// request checks every input before anything is sent; a problem is a
// usage error. Warnings are returned, to be shown only when the test runs.
func (o *testOptions) request(env *Env) (req salesforce.Request, warnings []string, err error) {
	if err := o.checkTimes(); err != nil {
		return salesforce.Request{}, nil, err
	}
	t, err := o.target(env)
	if err != nil {
		return salesforce.Request{}, nil, err
	}
	return o.requestFrom(t)
}

func (o *testOptions) checkTimes() error {
	if o.wait < 0 {
		return usageErrorf("test: --wait must not be negative")
	}
	if o.timeout <= 0 {
		return usageErrorf("test: --timeout must be more than zero, e.g. 30s")
	}
	return nil
}

// requestFrom checks a target's details and makes its request; a problem
// is a usage error, warnings are returned.
func (o *testOptions) requestFrom(t testTarget) (req salesforce.Request, warnings []string, err error) {
	fail := func(format string, a ...any) (salesforce.Request, []string, error) {
		return salesforce.Request{}, nil, usageErrorf("test: "+format, a...)
	}
	warn := func(w string) {
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	login, err := salesforce.ParseLoginURL(t.LoginURL)
	if err != nil {
		return fail("%v", err)
	}
	sandbox := t.Sandbox || login.Sandbox
	if o.sandbox && login.Kind == salesforce.Production {
		warn(sandboxAtProductionWarning)
	}
	clientID, w, err := salesforce.CheckConsumerKey(t.ClientID)
	if err != nil {
		return fail("%v", err)
	}
	warn(w)
	user, w, err := salesforce.CheckUsername(t.Username, sandbox)
	if err != nil {
		return fail("%v", err)
	}
	warn(w)
	// ParsePrivateKey also refuses keys under salesforce.MinKeyBits.
	key, err := certs.ParsePrivateKey(t.KeyPEM)
	if err != nil {
		return fail("%v", err)
	}
	audience := ""
	if t.Audience != "" {
		if audience, err = salesforce.CheckAudience(t.Audience); err != nil {
			return fail("%v", err)
		}
	}
	redirect, err := salesforce.CheckRedirect(o.redirect)
	if err != nil {
		return fail("%v", err)
	}
	return salesforce.Request{
		LoginURL: login.URL, ClientID: clientID, Username: user, Audience: audience, Remembered: t.Remembered,
		RedirectPath: redirect, Sandbox: sandbox, Key: key, Wait: o.wait, NewCertificate: o.pending,
	}, warnings, nil
}

// target gathers the org details from --profile or from the flags.
func (o *testOptions) target(env *Env) (testTarget, error) {
	direct := o.loginURL != "" || o.clientID.given() || o.username != "" || o.keyFile != ""
	if o.profile != "" {
		if direct {
			return testTarget{}, usageErrorf("test: use either --profile or --login-url/--client-id/--username/--key-file, not both")
		}
		t, err := openTarget(env, o.profile, true)
		if err != nil {
			return testTarget{}, targetError("test", o.profile, err)
		}
		o.saved, o.pending = t.Profile, t.Pending
		t.Sandbox = t.Sandbox || o.sandbox
		if o.audience != "" {
			t.Audience = o.audience
		}
		return t, nil
	}
	clientID, err := o.clientID.read(env.Stdin)
	if err != nil {
		return testTarget{}, usageErrorf("test: %v", err)
	}
	for _, f := range []struct{ name, value, what string }{
		{"--login-url", o.loginURL, "the org's login URL, e.g. https://login.salesforce.com"},
		{"--client-id", clientID, "the External Client App's consumer key (or --client-id-file)"},
		{"--username", o.username, "the run-as user's Salesforce username"},
		{"--key-file", o.keyFile, "the private key file, e.g. sf_private_key.pem"},
	} {
		if strings.TrimSpace(f.value) == "" {
			return testTarget{}, usageErrorf("test: missing %s (%s), or use --profile NAME", f.name, f.what)
		}
	}
	keyPEM, err := readPEMFlag("--key-file", o.keyFile)
	if err != nil {
		return testTarget{}, usageErrorf("test: cannot read %v", err)
	}
	return testTarget{LoginURL: o.loginURL, ClientID: clientID, Username: o.username,
		Audience: o.audience, Sandbox: o.sandbox, KeyPEM: keyPEM}, nil
}

// addCLIHints appends to the fix the command-line way to act on it.
// salesforce keeps Fix free of flags because the GUI shows it as it is.
// sandboxFlag is whether --sandbox was given: only then is leaving it out
// the way to choose production (a profile or a sandbox login URL can also
// make the test use the sandbox audience).
func addCLIHints(d *salesforce.Diagnosis, req salesforce.Request, sandboxFlag bool) {
	if d == nil {
		return
	}
	var hints []string
	if d.Retry && req.Wait <= 0 {
		hints = append(hints, "On the command line: add --wait 10m to keep retrying for up to 10 minutes while the app propagates.")
	}
	switch {
	case d.OrgType && sandboxFlag:
		hints = append(hints, "On the command line: if this org is production, leave out --sandbox.")
	case d.OrgType && !req.Sandbox:
		hints = append(hints, "On the command line: if this org is a sandbox, add --sandbox.")
	}
	if d.Audience != "" {
		hints = append(hints, "On the command line: add --audience "+d.Audience+".")
	}
	if len(hints) > 0 {
		d.Fix += " " + strings.Join(hints, " ")
	}
}

// reportAttempt tells the admin, on stderr, that a try failed and another is
// coming.
func reportAttempt(w io.Writer, a salesforce.Attempt, budget time.Duration) {
	switch {
	case a.Err != nil && a.Audience != "":
		fmt.Fprintf(w, "tnjwt: %s\n", report.Discovering(a))
	case a.Err != nil && a.Next > 0:
		fmt.Fprintf(w, "tnjwt: %s\n", report.Retrying(a, budget))
	}
}

// myDomainOffer is the My Domain an earlier passing test of the --profile
// learned, when this test's legacy login host got app_not_found.
func (o *testOptions) myDomainOffer(err error) string {
	if o.saved == nil {
		return ""
	}
	return o.saved.MyDomainOffer(err)
}

// keyOutcome is which key a test used and what became of it.
type keyOutcome struct {
	Key      string // current, pending or file
	Promoted bool
	Note     string // for the text report
}

// keyOutcome promotes a pending key that passed, or says that the current
// key is untouched when it did not.
func (o *testOptions) keyOutcome(env *Env, err error) keyOutcome {
	switch {
	case o.profile == "":
		return keyOutcome{Key: "file"}
	case !o.pending:
		return keyOutcome{Key: "current"}
	}
	store, serr := openProfiles(env)
	if serr != nil {
		return promotionFailed(env, serr)
	}
	return pendingOutcome(env, store, o.profile, err, o.wait)
}

// pendingOutcome is keyOutcome for a profile whose rotation's new key was
// tested, on an open store.
func pendingOutcome(env *Env, store *profiles.Store, name string, err error, wait time.Duration) keyOutcome {
	out := keyOutcome{Key: "pending"}
	sh := shellWord(name)
	if err != nil {
		out.Note = rotation.PendingFailed
		if wait <= 0 {
			out.Note += " " + rotation.StillPropagating + " tnjwt test --profile " + sh + " --wait 10m retries through it."
		}
		return out
	}
	if serr := newManager(store, env).Promote(env.Ctx, name); serr != nil {
		return promotionFailed(env, serr)
	}
	out.Promoted = true
	out.Note = rotation.Promoted + " Exports with the new key: tnjwt export --profile " + sh + " …; " +
		"discard the previous key: tnjwt profile discard-previous " + sh + "."
	return out
}

func promotionFailed(env *Env, err error) keyOutcome {
	out := keyOutcome{Key: "pending"}
	out.Note = "The new key passed, but could not be made current: " + err.Error() + ". Run the test again to finish."
	fmt.Fprintf(env.Stderr, "tnjwt: warning: %s\n", out.Note)
	return out
}

// sandboxAtProductionWarning is what `test` and `profile import` say for
// --sandbox with the production login URL: the test.salesforce.com audience
// it brings rarely suits that login.
const sandboxAtProductionWarning = "--sandbox with https://login.salesforce.com: " +
	"sandboxes usually log in at https://test.salesforce.com or their My Domain URL"

// recordProfileTest saves the outcome of a test run into the profile.
// A pending key's failure is kept with the pending key: the current key's
// own last test still describes what the app's servers use.
func recordProfileTest(env *Env, name string, pendingFailed bool, r profiles.TestResult) error {
	store, err := openProfiles(env)
	if err != nil {
		return err
	}
	return recordIn(store, name, pendingFailed, r)
}

// recordIn is recordProfileTest on an open store.
func recordIn(store *profiles.Store, name string, pendingFailed bool, r profiles.TestResult) error {
	return store.Update(name, func(p *profiles.Profile) error {
		if pendingFailed && p.Pending != nil {
			p.Pending.RecordFailure(r)
			return nil
		}
		p.RecordTest(r)
		return nil
	})
}
