// Package retest re-tests many saved orgs at once, a few at a time: after a
// certificate renewal, a sandbox refresh or a Salesforce release, and on a
// schedule. `tnjwt test --all` and the window's Re-test all both run it; each
// says what it sees in its own way.
package retest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tnjwt/tnjwt/core/salesforce"
)

// DefaultParallel is how many orgs are tested at once unless asked.
const DefaultParallel = 4

// MaxParallel bounds --parallel: each test holds a connection and a
// goroutine, and the orgs' login limits are per user, not per tnjwt.
const MaxParallel = 64

// Kind is how one org's test ended.
type Kind string

// The kinds, from best to worst for a scheduler (Worst picks among them).
const (
	Passed  Kind = "passed"  // a frontdoor URL was obtained
	Local   Kind = "local"   // this computer could not run it: the keychain, the disk, the profile
	Network Kind = "network" // timeout, refused connection, TLS, 5xx, a reply that makes no sense
	Refused Kind = "refused" // Salesforce refused: a setup problem, diagnosed
	Stopped Kind = "stopped" // the run was stopped before this org finished; nothing recorded
)

// Test is one org to test, prepared: what its exchange sends. Prepare reads
// the keychain once per org; every attempt of the exchange reuses it.
type Test struct {
	Request salesforce.Request
	Pending bool // the new key of a rotation in progress
}

// Result is one org's outcome.
type Result struct {
	Name      string
	Index     int // the org's place in the list Run was given
	Kind      Kind
	Err       error // nil when it passed
	Res       *salesforce.Result
	Diagnosis *salesforce.Diagnosis
	Pending   bool
	Started   time.Time
	Took      time.Duration
	// RecordErr is why a finished test could not be saved in its profile;
	// the result stands.
	RecordErr error
}

// Options are what Run needs from its caller.
type Options struct {
	Parallel int
	// Prepare reads an org's profile and secrets. An error is a Local
	// result: the org is not tested.
	Prepare func(ctx context.Context, name string) (Test, error)
	// Exchange runs the test.
	Exchange func(ctx context.Context, t Test) (*salesforce.Result, error)
	// Record keeps a finished test in the org's profile; a stopped one is
	// never recorded. An error is reported with the result, which stands.
	Record func(r Result) error
	// OnStart and OnResult hear of each org as it starts and ends; they may
	// be called from several goroutines at once.
	OnStart  func(name string, index int)
	OnResult func(Result)
	Now      func() time.Time
}

// Run tests the named orgs, at most Parallel at a time, and returns every
// result in the order of names. When ctx ends, the tests under way stop and
// the others do not start; all of them are Stopped.
func Run(ctx context.Context, names []string, o Options) []Result {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	results := make([]Result, len(names))
	slots := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	// Orgs start in the order given, as slots free up.
	for i, name := range names {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			for j := i; j < len(names); j++ {
				results[j] = o.finish(Result{Name: names[j], Index: j, Kind: Stopped, Err: ctx.Err()})
			}
			wg.Wait()
			return results
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			results[i] = o.finish(o.one(ctx, name, i))
		}()
	}
	wg.Wait()
	return results
}

// one tests one org.
func (o Options) one(ctx context.Context, name string, i int) Result {
	r := Result{Name: name, Index: i, Started: o.Now()}
	if ctx.Err() != nil {
		r.Kind, r.Err = Stopped, ctx.Err()
		return r
	}
	if o.OnStart != nil {
		o.OnStart(name, i)
	}
	t, err := o.Prepare(ctx, name)
	if err != nil {
		r.Kind, r.Err = Local, err
		r.Took = o.Now().Sub(r.Started)
		return r
	}
	r.Pending = t.Pending
	r.Res, r.Err = o.Exchange(ctx, t)
	r.Took = o.Now().Sub(r.Started)
	r.Kind = kindOf(r.Err)
	if r.Kind == Refused || r.Kind == Network {
		r.Diagnosis = salesforce.Diagnose(r.Err)
	}
	if r.Kind != Stopped && o.Record != nil {
		r.RecordErr = o.Record(r)
	}
	return r
}

func (o Options) finish(r Result) Result {
	if o.OnResult != nil {
		o.OnResult(r)
	}
	return r
}

// kindOf sorts an exchange's error.
func kindOf(err error) Kind {
	var refused *salesforce.RefusalError
	var input *salesforce.InputError
	switch {
	case err == nil:
		return Passed
	case salesforce.Cancelled(err):
		return Stopped
	case errors.As(err, &refused):
		return Refused
	case errors.As(err, &input):
		return Local
	}
	return Network
}

// Worst is the kind a scheduler acts on: a refusal (a setup to fix) first,
// then a network failure, then a local one; Passed only when all passed. A
// stopped run counts as a network failure, as a stopped single test does.
func Worst(results []Result) Kind {
	worst := Passed
	rank := map[Kind]int{Passed: 0, Local: 1, Stopped: 2, Network: 2, Refused: 3}
	for _, r := range results {
		if rank[r.Kind] > rank[worst] {
			worst = r.Kind
		}
	}
	return worst
}
