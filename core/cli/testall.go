package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/retest"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// `tnjwt test --all` and `test --profile A --profile B …`: many saved orgs,
// a few at a time (core/retest), one table or one JSON line per org.

// profileList is --profile given any number of times.
type profileList []string

func (l *profileList) String() string { return strings.Join(*l, ",") }

func (l *profileList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// many reports whether the options name more than one profile.
func (o *testOptions) many() bool { return o.all || len(o.profiles) > 1 }

// checkMany refuses what makes no sense for many orgs at once.
func (o *testOptions) checkMany() error {
	if err := o.checkTimes(); err != nil {
		return err
	}
	direct := o.loginURL != "" || o.clientID.given() || o.username != "" || o.keyFile != ""
	switch {
	case o.all && len(o.profiles) > 0:
		return usageErrorf("test: use --all or --profile NAME, not both")
	case direct:
		return usageErrorf("test: --all and several --profile test saved profiles; leave out --login-url, --client-id, --username and --key-file")
	case o.audience != "" || o.sandbox || o.redirect != "":
		return usageErrorf("test: --audience, --sandbox and --redirect are for one org: give one --profile with them")
	case o.parallel < 1 || o.parallel > retest.MaxParallel:
		return usageErrorf("test: --parallel must be from 1 to %d", retest.MaxParallel)
	}
	return nil
}

// runMany tests every chosen profile and prints their results as they
// come, in the order of their names.
func (o *testOptions) runMany(env *Env) error {
	if err := o.checkMany(); err != nil {
		return err
	}
	store, err := openProfiles(env)
	if err != nil {
		return failuref("test: %v", err)
	}
	names, err := o.chosen(store)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(env.Stderr, "tnjwt: no saved profiles to test (practice profiles are left out); save one with the wizard or tnjwt profile import")
		return nil
	}
	loaded, err := store.List()
	if err != nil {
		return failuref("test: %v", err)
	}
	b := &batch{o: o, env: env, store: store, names: names, out: newBatchPrinter(env, names, o.json),
		loaded: map[string]profiles.Profile{}, rec: &recorder{store: store}}
	for _, p := range loaded {
		b.loaded[p.Name] = p
	}
	b.env = &Env{Ctx: env.Ctx, Stdin: env.Stdin, Stdout: env.Stdout, Stderr: b.out.stderr, Now: env.Now,
		NewVault: env.NewVault, NewClient: env.NewClient}
	results := retest.Run(env.Ctx, names, retest.Options{
		Parallel: o.parallel, Prepare: b.prepare, Exchange: b.exchange, Record: b.record,
		OnStart: b.out.started, OnResult: b.printResult, Now: env.now,
	})
	b.out.done(results)
	if o.prometheus != "" {
		if err := writeMetrics(env, store, o.prometheus); err != nil {
			return failuref("test: --prometheus: %v", err)
		}
	}
	return batchError(results)
}

// chosen lists the profiles to test: --profile's, each checked to exist,
// or with --all every saved one but practice profiles, by name.
func (o *testOptions) chosen(store *profiles.Store) ([]string, error) {
	if !o.all {
		var names []string
		for _, n := range o.profiles {
			p, err := store.Get(n)
			if err != nil {
				return nil, storeError("test", err)
			}
			if slices.Contains(names, p.Name) {
				return nil, usageErrorf("test: profile %q is named twice", p.Name)
			}
			names = append(names, p.Name)
		}
		return names, nil
	}
	list, err := store.List()
	if err != nil {
		return nil, failuref("test: %v", err)
	}
	var names []string
	for _, p := range list {
		if !p.Practice {
			names = append(names, p.Name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return names, nil
}

// batch is one run over many profiles.
type batch struct {
	o      *testOptions
	env    *Env
	store  *profiles.Store
	names  []string
	out    *batchPrinter
	loaded map[string]profiles.Profile // every profile, read once at the start
	rec    *recorder
}

// prepare reads a profile's secrets, once: every attempt reuses them. Only
// a profile with a rotation under way is read again, after Recover.
func (b *batch) prepare(ctx context.Context, name string) (retest.Test, error) {
	var (
		t   testTarget
		err error
	)
	if p := b.loaded[name]; p.Pending == nil && p.Previous == nil {
		t, err = targetOf(b.env, b.store, p, true)
	} else {
		t, err = openTargetIn(b.env, b.store, name, true)
	}
	if err != nil {
		return retest.Test{}, targetError("test", name, err)
	}
	req, _, err := b.o.requestFrom(t)
	if err != nil {
		return retest.Test{}, err
	}
	req.Wait = b.o.wait
	req.NewCertificate = t.Pending
	return retest.Test{Request: req, Pending: t.Pending}, nil
}

func (b *batch) exchange(ctx context.Context, t retest.Test) (*salesforce.Result, error) {
	return b.env.client(b.o.timeout).Exchange(ctx, t.Request)
}

// record keeps a finished test as a single test keeps it, and promotes a
// rotation's new key that passed.
func (b *batch) record(r retest.Result) error {
	if r.Kind == retest.Local {
		return nil // nothing was tested
	}
	err := b.rec.record(r.Name, r.Pending && r.Err != nil, profiles.TestResultOf(b.env.now(), r.Res, r.Err, r.Diagnosis))
	if err == nil && r.Pending {
		pendingOutcome(b.env, b.store, r.Name, r.Err, b.o.wait)
	}
	return err
}

func (b *batch) printResult(r retest.Result) {
	if d := r.Diagnosis; d != nil && d.Retry && b.o.wait <= 0 {
		d.Fix += " On the command line: add --wait 10m to keep retrying while the app propagates."
	}
	p := b.loaded[r.Name]
	if r.Pending {
		p, _ = b.store.Get(r.Name) // a promotion changed it
	}
	b.out.result(r, p)
}

// recorder saves results as they come, several in one write: whoever finds
// no write under way writes everything waiting, and those who arrive
// meanwhile go in the next write (a group commit). Rewriting the profiles
// file once per org is what would make a run over many orgs slow.
type recorder struct {
	store   *profiles.Store
	mu      sync.Mutex
	waiting []recording
	writing bool
}

type recording struct {
	name          string
	pendingFailed bool
	result        profiles.TestResult
	done          chan error
}

func (r *recorder) record(name string, pendingFailed bool, tr profiles.TestResult) error {
	done := make(chan error, 1)
	r.mu.Lock()
	r.waiting = append(r.waiting, recording{name, pendingFailed, tr, done})
	if r.writing {
		r.mu.Unlock()
		return <-done
	}
	r.writing = true
	r.mu.Unlock()
	for {
		r.mu.Lock()
		group := r.waiting
		r.waiting = nil
		if len(group) == 0 {
			r.writing = false
			r.mu.Unlock()
			break
		}
		r.mu.Unlock()
		r.write(group)
	}
	return <-done
}

// write saves one group and tells each of its callers how it went.
func (r *recorder) write(group []recording) {
	fns := map[string]func(*profiles.Profile) error{}
	for _, g := range group {
		fns[g.name] = func(p *profiles.Profile) error {
			if g.pendingFailed && p.Pending != nil {
				p.Pending.RecordFailure(g.result)
				return nil
			}
			p.RecordTest(g.result)
			return nil
		}
	}
	failed, err := r.store.UpdateMany(fns)
	for _, g := range group {
		g.done <- cmp.Or(err, failed[g.name])
	}
}

// batchError is the run's exit: 0 when every org passed, 3 when any was
// refused, 4 when any failed on the network (3 wins), 1 for a local
// failure. The table has said which, so nothing more is printed.
func batchError(results []retest.Result) error {
	switch retest.Worst(results) {
	case retest.Refused:
		return &silentError{&salesforce.RefusalError{Phase: salesforce.PhaseToken, Code: "refused"}}
	case retest.Network, retest.Stopped:
		return &silentError{&salesforce.TransportError{Phase: salesforce.PhaseToken, Problem: "network", Err: errors.New("network")}}
	case retest.Local:
		return &silentError{errors.New("local failure")}
	}
	return nil
}

// batchPrinter prints results in the order of the names as they arrive,
// and on a terminal a progress line on stderr.
type batchPrinter struct {
	mu       sync.Mutex
	env      *Env
	json     bool
	names    []string
	rows     map[int]string
	next     int // the next row to print
	running  int
	finished int
	progress bool
	stderr   io.Writer
}

func newBatchPrinter(env *Env, names []string, json bool) *batchPrinter {
	p := &batchPrinter{env: env, json: json, names: names, rows: map[int]string{}, progress: isTerminal(env.Stderr)}
	p.stderr = &lockedWriter{p: p}
	if !json {
		// Column widths are fixed up front, so rows can go out one by one.
		fmt.Fprintf(env.Stdout, "%-*s  %-8s  %-20s  %-10s  %s\n", p.nameWidth(), "ORG", "RESULT", "STEP", "CERT", "TIME")
	}
	return p
}

func (p *batchPrinter) nameWidth() int {
	width := 4
	for _, n := range p.names {
		width = max(width, len([]rune(n)))
	}
	return width
}

func (p *batchPrinter) started(string, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running++
	p.showProgress()
}

func (p *batchPrinter) result(r retest.Result, prof profiles.Profile) {
	row := p.format(r, prof)
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Kind != retest.Stopped || r.Started.IsZero() {
		p.running = max(0, p.running-1)
	}
	p.finished++
	p.rows[r.Index] = row
	p.clearProgress()
	for ; p.next < len(p.names); p.next++ {
		row, ok := p.rows[p.next]
		if !ok {
			break
		}
		fmt.Fprint(p.env.Stdout, row)
	}
	p.showProgress()
}

// format is one org's row (or JSON line), with its details below it.
func (p *batchPrinter) format(r retest.Result, prof profiles.Profile) string {
	days := certDays(prof, p.env.now())
	if p.json {
		return jsonLine(batchJSON(r, prof, days))
	}
	step, cert := "-", "-"
	if r.Diagnosis != nil && r.Kind == retest.Refused {
		step = r.Diagnosis.Step
	}
	if days != nil {
		cert = fmt.Sprintf("%d days", *days)
	}
	width := p.nameWidth()
	line := fmt.Sprintf("%-*s  %-8s  %-20s  %-10s  %s\n", width, r.Name, r.Kind, step, cert, tookText(r.Took))
	if detail := batchDetail(r); detail != "" {
		line += strings.TrimRight(wrap(detail, 96, strings.Repeat(" ", width+2)), "\n") + "\n"
	}
	return line
}

// batchDetail says why an org did not pass, and what to do.
func batchDetail(r retest.Result) string {
	var parts []string
	switch {
	case r.Kind == retest.Passed:
	case r.Diagnosis != nil:
		if code, desc := salesforce.ErrorFields(r.Err); code != "" && r.Kind == retest.Refused {
			parts = append(parts, "Salesforce: "+code+strings.TrimSuffix(" ("+desc+")", " ()")+".")
		}
		parts = append(parts, r.Diagnosis.Title+". "+r.Diagnosis.Fix)
	case r.Err != nil:
		msg := oneLine(r.Err)
		if _, rest, ok := strings.Cut(msg, fmt.Sprintf("test: profile %q: ", r.Name)); ok {
			msg = rest
		}
		parts = append(parts, sentence(msg))
	}
	if r.Pending && r.Kind == retest.Passed {
		parts = append(parts, "Its rotation's new key passed and is now current.")
	}
	if r.RecordErr != nil {
		parts = append(parts, "The result was not saved in the profile: "+oneLine(r.RecordErr)+".")
	}
	return strings.Join(parts, " ")
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	s = strings.ToUpper(string(r[0])) + string(r[1:])
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func tookText(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// certDays is the profile's certificate's days left, nil when it has none.
func certDays(p profiles.Profile, now time.Time) *int {
	if p.CertNotAfter.IsZero() {
		return nil
	}
	d := certs.DaysLeft(p.CertNotAfter, now)
	return &d
}

// batchView is one org's JSON line: what a monitoring job acts on.
type batchView struct {
	Profile        string    `json:"profile"`
	OK             bool      `json:"ok"`
	Result         string    `json:"result"` // passed, refused, network, local, stopped
	Error          *string   `json:"error"`
	Description    *string   `json:"error_description"`
	DiagnosisStep  *string   `json:"diagnosis_step"`
	DiagnosisTitle *string   `json:"diagnosis_title"`
	CertDaysLeft   *int      `json:"cert_days_left"`
	CertNotAfter   *string   `json:"cert_not_after"`
	Key            string    `json:"key"` // current or pending
	Promoted       bool      `json:"promoted"`
	TestedAt       time.Time `json:"tested_at"`
	TookMS         float64   `json:"took_ms"`
	Recorded       bool      `json:"recorded"`
}

func batchJSON(r retest.Result, p profiles.Profile, days *int) batchView {
	v := batchView{Profile: r.Name, OK: r.Kind == retest.Passed, Result: string(r.Kind), CertDaysLeft: days,
		Key: "current", TestedAt: r.Started.UTC(), TookMS: float64(r.Took.Microseconds()) / 1000,
		Recorded: r.Kind != retest.Stopped && r.Kind != retest.Local && r.RecordErr == nil}
	if r.Pending {
		v.Key, v.Promoted = "pending", r.Kind == retest.Passed && p.Pending == nil
	}
	if !p.CertNotAfter.IsZero() {
		v.CertNotAfter = orNull(p.CertNotAfter.UTC().Format(time.RFC3339))
	}
	if r.Err != nil {
		code, desc := salesforce.ErrorFields(r.Err)
		if code == "" {
			code, desc = string(r.Kind), oneLine(r.Err)
		}
		v.Error, v.Description = orNull(code), orNull(desc)
	}
	if d := r.Diagnosis; d != nil {
		v.DiagnosisStep, v.DiagnosisTitle = orNull(d.Step), orNull(d.Title)
	}
	return v
}

// done ends the run: the progress line goes, and under the table a line
// says how many passed and which need work.
func (p *batchPrinter) done(results []retest.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearProgress()
	if p.json {
		return
	}
	byKind := map[retest.Kind][]string{}
	for _, r := range results {
		byKind[r.Kind] = append(byKind[r.Kind], r.Name)
	}
	line := fmt.Sprintf("%d of %d orgs passed.", len(byKind[retest.Passed]), len(results))
	for _, k := range []struct {
		kind retest.Kind
		say  string
	}{{retest.Refused, "Refused (fix in Setup)"}, {retest.Network, "No answer or a bad one"},
		{retest.Local, "Not tested (this computer)"}, {retest.Stopped, "Stopped before the end"}} {
		if names := byKind[k.kind]; len(names) > 0 {
			line += " " + k.say + ": " + strings.Join(names, ", ") + "."
		}
	}
	fmt.Fprintf(p.env.Stdout, "\n%s", wrap(line, 100, ""))
}

// showProgress writes the progress line; p.mu is held.
func (p *batchPrinter) showProgress() {
	if !p.progress {
		return
	}
	fmt.Fprintf(p.env.Stderr, "\r\x1b[K%d of %d done, %d running…", p.finished, len(p.names), p.running)
}

// clearProgress rubs the progress line out; p.mu is held.
func (p *batchPrinter) clearProgress() {
	if p.progress {
		fmt.Fprint(p.env.Stderr, "\r\x1b[K")
	}
}

// lockedWriter is stderr for the tests running at once: whole writes, and
// the progress line out of the way.
type lockedWriter struct{ p *batchPrinter }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	w.p.clearProgress()
	n, err := w.p.env.Stderr.Write(b)
	w.p.showProgress()
	return n, err
}

// isTerminal reports a writer that is a terminal, where a progress line
// that rewrites itself makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// jsonLine is v as one compact line of JSON.
func jsonLine(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("cli: a result does not encode: " + err.Error()) // fixed types only
	}
	return b.String()
}

// writeMetrics writes the profiles' Prometheus textfile, atomically: the
// collector never reads half a file.
func writeMetrics(env *Env, store *profiles.Store, path string) error {
	list, err := store.List()
	if err != nil {
		return err
	}
	return fsutil.WriteFile(path, retest.Metrics(list, env.now()), 0o644, true)
}
