package retest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// gate holds each exchange until the test lets it go, counting how many
// run at once.
type gate struct {
	mu       sync.Mutex
	running  int
	most     int
	release  chan struct{}
	arrived  chan string
	recorded []string
}

func newGate() *gate { return &gate{release: make(chan struct{}), arrived: make(chan string, 100)} }

func (g *gate) options(parallel int) Options {
	return Options{
		Parallel: parallel,
		Prepare: func(_ context.Context, name string) (Test, error) {
			if name == "no-secrets" {
				return Test{}, errors.New("nothing in the keychain")
			}
			return Test{Request: salesforce.Request{Username: name}}, nil
		},
		Exchange: func(ctx context.Context, t Test) (*salesforce.Result, error) {
			g.mu.Lock()
			g.running++
			g.most = max(g.most, g.running)
			g.mu.Unlock()
			defer func() { g.mu.Lock(); g.running--; g.mu.Unlock() }()
			g.arrived <- t.Request.Username
			select {
			case <-g.release:
				return &salesforce.Result{}, nil
			case <-ctx.Done():
				return nil, &salesforce.TransportError{Kind: salesforce.KindCancelled, Err: ctx.Err()}
			}
		},
		Record: func(r Result) error {
			g.mu.Lock()
			g.recorded = append(g.recorded, r.Name)
			g.mu.Unlock()
			return nil
		},
	}
}

func TestRunKeepsToParallelAndTheOrderOfNames(t *testing.T) {
	g := newGate()
	names := []string{"a", "b", "c", "d", "e", "no-secrets"}
	done := make(chan []Result)
	go func() { done <- Run(context.Background(), names, g.options(2)) }()
	<-g.arrived
	<-g.arrived // two under way, both held
	go func() {
		for range 3 {
			<-g.arrived
		}
	}()
	for range 5 {
		g.release <- struct{}{}
	}
	results := <-done
	if g.most != 2 {
		t.Errorf("%d exchanges ran at once, want at most (and at some point) 2", g.most)
	}
	for i, r := range results {
		if r.Name != names[i] || r.Index != i {
			t.Errorf("result %d is %s (index %d)", i, r.Name, r.Index)
		}
	}
	if results[5].Kind != Local || results[0].Kind != Passed || Worst(results) != Local {
		t.Errorf("kinds %v %v, worst %v", results[5].Kind, results[0].Kind, Worst(results))
	}
}

func TestStoppedRunRecordsNothingUnfinished(t *testing.T) {
	g := newGate()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Result)
	go func() { done <- Run(ctx, []string{"a", "b", "c"}, g.options(1)) }()
	<-g.arrived
	g.release <- struct{}{} // a passes
	<-g.arrived             // b is under way
	cancel()
	results := <-done
	if results[0].Kind != Passed || results[1].Kind != Stopped || results[2].Kind != Stopped {
		t.Errorf("kinds %v %v %v", results[0].Kind, results[1].Kind, results[2].Kind)
	}
	if strings.Join(g.recorded, ",") != "a" {
		t.Errorf("recorded %v, want a alone", g.recorded)
	}
}

func TestWorstPutsRefusalsFirst(t *testing.T) {
	for _, c := range []struct {
		kinds []Kind
		want  Kind
	}{
		{[]Kind{Passed, Passed}, Passed},
		{[]Kind{Passed, Local}, Local},
		{[]Kind{Local, Network}, Network},
		{[]Kind{Network, Refused, Local}, Refused},
	} {
		var rs []Result
		for _, k := range c.kinds {
			rs = append(rs, Result{Kind: k})
		}
		if got := Worst(rs); got != c.want {
			t.Errorf("Worst(%v) = %v, want %v", c.kinds, got, c.want)
		}
	}
}

func TestMetricsEscapeLabelsAndSkipPractice(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	list := []profiles.Profile{
		{Name: `a "b" \c`, CertNotAfter: now.AddDate(0, 0, 10), LastTest: &profiles.TestResult{When: now, OK: true}},
		{Name: "practice", Practice: true, CertNotAfter: now},
		{Name: "never", CertNotAfter: now.AddDate(0, 0, -2)},
	}
	got := string(Metrics(list, now))
	for _, want := range []string{`tnjwt_cert_days_left{org="a \"b\" \\c"} 10`, `tnjwt_last_test_success{org="a \"b\" \\c"} 1`,
		`tnjwt_last_test_timestamp_seconds{org="a \"b\" \\c"} 1796378400`, `tnjwt_cert_days_left{org="never"} -2`} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "practice") || strings.Contains(got, `success{org="never"}`) {
		t.Errorf("metrics:\n%s", got)
	}
}
