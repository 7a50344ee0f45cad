package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

const testSynopsis = "test [--profile NAME | --login-url URL --client-id KEY|- | --client-id-file FILE --username USER --key-file FILE] " +
	"[--sandbox] [--audience URL] [--redirect PATH] [--wait DURATION] [--timeout DURATION] [--json]"

// newTestClient makes the client; tests swap it to make waits instant.
var newTestClient = salesforce.NewClient

type testOptions struct {
	profile, loginURL, username, keyFile string
	clientID                             clientIDFlags
	audience, redirect                   string
	sandbox, json                        bool
	wait, timeout                        time.Duration
	saved                                *profiles.Profile // the --profile, once read
	pending                              bool              // testing the new key of a rotation in progress
}

func runTest(args []string, env *Env) int {
	var o testOptions
	fs := newFlagSet("test")
	fs.StringVar(&o.profile, "profile", "", "saved org profile to test (secrets come from the OS keychain)")
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
	if code, done := parseFlags(fs, testSynopsis, args, env, false); done {
		return code
	}

	req, warnings, code := o.request(env)
	if code != ExitOK {
		return code
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "tnjwt: warning: %s\n", w)
	}
	client := newTestClient(o.timeout)
	if env.Now != nil {
		client.Now = env.Now
	}
	req.OnAttempt = func(a salesforce.Attempt) { testReportAttempt(env.Stderr, a, o.wait) }

	if o.pending {
		fmt.Fprintf(env.Stderr, "tnjwt: %s has a rotation in progress: testing its new (pending) key\n", o.profile)
	}
	res, err := client.Exchange(env.Ctx, req)
	diag := salesforce.Diagnose(err)
	testAddCLIHints(diag, req, o.sandbox)
	key := o.keyOutcome(env, err)
	if o.json {
		writeTestJSON(env.Stdout, res, err, diag, key)
	} else {
		writeTestReport(env.Stdout, req, res, err, diag)
		if key.Note != "" {
			fmt.Fprintf(env.Stdout, "\n%s\n", key.Note)
		}
	}
	if o.profile != "" {
		if own := o.myDomainOffer(err); own != "" {
			fmt.Fprintf(env.Stderr, "tnjwt: an earlier test of %s learned its My Domain URL, %s: use it as the login URL "+
				"(tnjwt profile import --replace --name %s --login-url %s …)\n", o.profile, own, o.profile, own)
		}
		if rerr := recordProfileTest(env, o.profile, o.pending && err != nil, profiles.TestResultOf(profileNow(env), res, err, diag)); rerr != nil {
			fmt.Fprintf(env.Stderr, "tnjwt: warning: the result was not saved in profile %q: %v\n", o.profile, rerr)
		}
	}
	return testExitCode(err)
}

// request checks every input before anything is sent; a problem is a one-line
// error and exit 2. Warnings are returned, to be shown only when the test runs.
func (o *testOptions) request(env *Env) (req salesforce.Request, warnings []string, code int) {
	fail := func(format string, a ...any) (salesforce.Request, []string, int) {
		return salesforce.Request{}, nil, usageErr(env, "test: "+format, a...)
	}
	warn := func(w string) {
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	if o.wait < 0 {
		return fail("--wait must not be negative")
	}
	if o.timeout <= 0 {
		return fail("--timeout must be more than zero, e.g. 30s")
	}
	t, code := o.target(env)
	if code != ExitOK {
		return salesforce.Request{}, nil, code
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
	}, warnings, ExitOK
}

// target gathers the org details from --profile or from the flags.
func (o *testOptions) target(env *Env) (testTarget, int) {
	direct := o.loginURL != "" || o.clientID.given() || o.username != "" || o.keyFile != ""
	if o.profile != "" {
		if direct {
			return testTarget{}, usageErr(env, "test: use either --profile or --login-url/--client-id/--username/--key-file, not both")
		}
		t, err := openTarget(env, o.profile, true)
		if err != nil {
			code := usageErr(env, "test: profile %q: %v", o.profile, err)
			// A keychain that is locked or unreachable is a local failure, not bad input.
			var se *secrets.Error
			if errors.As(err, &se) && se.Kind != secrets.NotFound {
				code = ExitFailure
			}
			return testTarget{}, code
		}
		o.saved, o.pending = t.Profile, t.Pending
		t.Sandbox = t.Sandbox || o.sandbox
		if o.audience != "" {
			t.Audience = o.audience
		}
		return t, ExitOK
	}
	clientID, err := o.clientID.read(env.Stdin)
	if err != nil {
		return testTarget{}, usageErr(env, "test: %v", err)
	}
	for _, f := range []struct{ name, value, what string }{
		{"--login-url", o.loginURL, "the org's login URL, e.g. https://login.salesforce.com"},
		{"--client-id", clientID, "the External Client App's consumer key (or --client-id-file)"},
		{"--username", o.username, "the run-as user's Salesforce username"},
		{"--key-file", o.keyFile, "the private key file, e.g. sf_private_key.pem"},
	} {
		if strings.TrimSpace(f.value) == "" {
			return testTarget{}, usageErr(env, "test: missing %s (%s), or use --profile NAME", f.name, f.what)
		}
	}
	keyPEM, err := testReadKeyFile(o.keyFile)
	if err != nil {
		return testTarget{}, usageErr(env, "test: %v", err)
	}
	return testTarget{LoginURL: o.loginURL, ClientID: clientID, Username: o.username,
		Audience: o.audience, Sandbox: o.sandbox, KeyPEM: keyPEM}, ExitOK
}

func testReadKeyFile(path string) ([]byte, error) {
	data, err := certs.ReadPEMFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read --key-file %w", err)
	}
	return data, nil
}

// testAddCLIHints appends to the fix the command-line way to act on it.
// salesforce keeps Fix free of flags because the GUI shows it as it is.
// sandboxFlag is whether --sandbox was given: only then is leaving it out
// the way to choose production (a profile or a sandbox login URL can also
// make the test use the sandbox audience).
func testAddCLIHints(d *salesforce.Diagnosis, req salesforce.Request, sandboxFlag bool) {
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
	if len(hints) > 0 {
		d.Fix += " " + strings.Join(hints, " ")
	}
}

// testReportAttempt tells the admin, on stderr, that a try failed and another is
// coming.
func testReportAttempt(w io.Writer, a salesforce.Attempt, budget time.Duration) {
	switch {
	case a.Err != nil && a.Audience != "":
		fmt.Fprintf(w, "tnjwt: %s\n", report.Discovering(a))
	case a.Err != nil && a.Next > 0:
		fmt.Fprintf(w, "tnjwt: %s\n", report.Retrying(a, budget))
	}
}

func testExitCode(err error) int {
	var (
		re *salesforce.RefusalError
		te *salesforce.TransportError
		ie *salesforce.InputError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &re):
		return ExitRefused
	case errors.As(err, &te):
		return ExitTransport
	case errors.As(err, &ie):
		return ExitUsage
	}
	return ExitFailure
}

// testJSON is the --json shape of contract.md; nil pointers print as null.
type testJSON struct {
	OK               bool               `json:"ok"`
	LoginURL         *string            `json:"login_url"`
	Audience         *string            `json:"audience"`
	AudiencesTried   []string           `json:"audiences_tried"`
	InstanceURL      *string            `json:"instance_url"`
	LightningURL     *string            `json:"lightning_url"`
	OrgID            *string            `json:"org_id"`
	UserID           *string            `json:"user_id"`
	Scope            *string            `json:"scope"`
	FrontdoorURI     *string            `json:"frontdoor_uri"`
	Attempts         int                `json:"attempts"`
	TimingsMS        testTimingsJSON    `json:"timings_ms"`
	Error            *string            `json:"error"`
	ErrorDescription *string            `json:"error_description"`
	Diagnosis        *testDiagnosisJSON `json:"diagnosis"`
	Key              string             `json:"key"`      // "current" or "pending" (a rotation's new key); "file" for --key-file
	Promoted         bool               `json:"promoted"` // the pending key passed and is now current
}

type testTimingsJSON struct {
	Sign         *float64 `json:"sign,omitempty"`
	Token        *float64 `json:"token,omitempty"`
	SingleAccess *float64 `json:"singleaccess,omitempty"`
	Total        float64  `json:"total"`
}

type testDiagnosisJSON struct {
	Step  string `json:"step"`
	Title string `json:"title"`
	Fix   string `json:"fix"`
}

func testOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func writeTestJSON(w io.Writer, res *salesforce.Result, err error, d *salesforce.Diagnosis, key keyOutcome) {
	ms := res.Timings.MS()
	phase := func(name string) *float64 {
		if v, ok := ms[name]; ok {
			return &v
		}
		return nil
	}
	code, desc := salesforce.ErrorFields(err)
	out := testJSON{
		OK:             err == nil,
		LoginURL:       testOrNull(res.LoginURL),
		Audience:       testOrNull(res.Audience),
		AudiencesTried: append([]string{}, res.AudiencesTried...),
		InstanceURL:    testOrNull(res.InstanceURL),
		LightningURL:   testOrNull(res.LightningURL),
		OrgID:          testOrNull(res.OrgID),
		UserID:         testOrNull(res.UserID),
		Scope:          testOrNull(res.Scope),
		FrontdoorURI:   testOrNull(res.FrontdoorURI),
		Attempts:       res.Attempts,
		TimingsMS: testTimingsJSON{Sign: phase("sign"), Token: phase("token"),
			SingleAccess: phase("singleaccess"), Total: ms["total"]},
		Error:            testOrNull(code),
		ErrorDescription: testOrNull(desc),
		Key:              key.Key,
		Promoted:         key.Promoted,
	}
	if d != nil {
		out.Diagnosis = &testDiagnosisJSON{Step: d.Step, Title: d.Title, Fix: d.Fix}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}

// writeTestReport prints the human report: each phase with its time, then
// the frontdoor URL, orgUrl and SDK snippet, or what went wrong and the fix.
func writeTestReport(w io.Writer, req salesforce.Request, res *salesforce.Result, err error, d *salesforce.Diagnosis) {
	kind := ""
	if l, perr := salesforce.ParseLoginURL(res.LoginURL); perr == nil {
		kind = " (" + l.Kind.String() + ")"
	}
	fmt.Fprintf(w, "Testing the JWT bearer flow\n  login URL  %s%s\n  audience   %s\n  username   %s\n",
		res.LoginURL, kind, res.Audience, req.Username)
	if tried := report.AudiencesTried(res); tried != "" {
		fmt.Fprint(w, testWrap(tried, 96, "  "))
	}
	fmt.Fprintln(w)
	testWritePhases(w, res, err)
	if err == nil {
		testWriteSuccess(w, res)
		return
	}
	testWriteFailure(w, err, d)
}

func testWritePhases(w io.Writer, res *salesforce.Result, err error) {
	failed := report.FailedPhase(err)
	took := map[string]time.Duration{salesforce.PhaseSign: res.Timings.Sign, salesforce.PhaseToken: res.Timings.Token,
		salesforce.PhaseSingleAccess: res.Timings.SingleAccess}
	for _, p := range report.Phases {
		mark := "✓"
		if p.ID == failed {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %-34s %11s\n", mark, p.Label, report.Took(took[p.ID]))
		if p.ID == failed {
			break
		}
	}
	fmt.Fprintf(w, "  %-34s %11s", "total", report.Took(res.Timings.Total))
	if res.Attempts > 1 {
		fmt.Fprintf(w, " (%d attempts)", res.Attempts)
	}
	fmt.Fprintln(w)
	if sent := report.WhatWasSent(res.Sent); sent != nil {
		fmt.Fprintln(w, "\nWhat was sent:")
		for _, f := range sent {
			fmt.Fprintf(w, "  %-20s %s\n", f.Label, f.Value)
		}
	}
}

func testWriteSuccess(w io.Writer, res *salesforce.Result) {
	fmt.Fprintf(w, "\nInstance URL:  %s\n", res.InstanceURL)
	if res.OrgID != "" {
		fmt.Fprintf(w, "Org / user:    %s / %s\n", res.OrgID, res.UserID)
	}
	fmt.Fprintf(w, "Scope:         %s\n", res.Scope)
	fmt.Fprintf(w, "\nFrontdoor URL (%s):\n  %s\n", report.FrontdoorNote, res.FrontdoorURI)
	orgURL, known := report.OrgURL(res)
	if known {
		fmt.Fprintf(w, "\nLightning orgUrl:\n  %s\n", orgURL)
	} else {
		fmt.Fprintf(w, "\nLightning orgUrl: %s\n", report.NoLightningURL(res.InstanceURL))
	}
	fmt.Fprintf(w, "\nTableau Next Embedding SDK (%s):\n  %s\n", report.SDKPackage, report.SDKCall(res.FrontdoorURI, orgURL))
}

func testWriteFailure(w io.Writer, err error, d *salesforce.Diagnosis) {
	var (
		re *salesforce.RefusalError
		te *salesforce.TransportError
	)
	switch {
	case errors.As(err, &re):
		fmt.Fprintf(w, "\n%s:\n", re.Summary())
		fmt.Fprintf(w, "  error:             %s\n", testOrDash(re.Code))
		fmt.Fprintf(w, "  error_description: %s\n", testOrDash(re.Description))
	case errors.As(err, &te):
		fmt.Fprint(w, "\nThe test could not finish.\n"+testWrap(report.Transport(te), 96, "  "))
		fmt.Fprint(w, testWrap(report.TransportAdvice, 96, "  "))
	default:
		fmt.Fprintf(w, "\nThe test could not finish: %v\n", err)
	}
	if d == nil {
		if re != nil {
			fmt.Fprintln(w, "\n"+report.UnknownRefusal)
		}
		return
	}
	fmt.Fprintf(w, "\nDiagnosis (checklist step %q): %s\n", d.Step, d.Title)
	fmt.Fprint(w, testWrap("Fix: "+d.Fix, 96, "  "))
}

func testOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// testWrap breaks text into lines of at most width runes, each indented.
func testWrap(text string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		if i > 0 && line+1+n > width {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString(indent)
		} else {
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += n
	}
	b.WriteString("\n")
	return b.String()
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
	out := keyOutcome{Key: "pending"}
	sh := profShellWord(o.profile)
	if err != nil {
		out.Note = rotation.PendingFailed
		if o.wait <= 0 {
			out.Note += " " + rotation.StillPropagating + " tnjwt test --profile " + sh + " --wait 10m retries through it."
		}
		return out
	}
	store, serr := openProfiles(env)
	if serr == nil {
		serr = newManager(store, env).Promote(env.Ctx, o.profile)
	}
	if serr != nil {
		out.Note = "The new key passed, but could not be made current: " + serr.Error() + ". Run the test again to finish."
		fmt.Fprintf(env.Stderr, "tnjwt: warning: %s\n", out.Note)
		return out
	}
	out.Promoted = true
	out.Note = rotation.Promoted + " Exports with the new key: tnjwt export --profile " + sh + " …; " +
		"discard the previous key: tnjwt profile discard-previous " + sh + "."
	return out
}
