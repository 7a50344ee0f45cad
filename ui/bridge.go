package ui

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/wizard"
)

// jobs is the one place where work done off the UI goroutine (key
// generation, the keychain, files, the live test) meets the widgets: results
// and progress reports come back through fyne.Do, nowhere else.
type jobs struct {
	wg sync.WaitGroup
	// onUI runs a result on the UI goroutine: fyne.Do when nil. Tests pass
	// a queue they drain themselves, because the test driver's fyne.Do runs
	// the function at once on the calling goroutine, beside the test's own.
	onUI func(func())
}

// background runs work on its own goroutine, then apply with its result on
// the UI goroutine. work must not touch widgets.
func background[T any](j *jobs, work func() T, apply func(T)) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		v := work()
		j.post(func() { apply(v) })
	}()
}

// post runs f on the UI goroutine; work under way uses it to report
// progress (a retry, an attempt) before its result is ready.
func (j *jobs) post(f func()) {
	if j.onUI != nil {
		j.onUI(f)
		return
	}
	fyne.Do(f)
}

// wait blocks until every job started so far has handed over its result;
// tests and the shutdown path use it.
func (j *jobs) wait() { j.wg.Wait() }

// saver writes profiles in the background so a slow disk never stalls a
// tick box. Saves coalesce: only the newest copy of a profile is written.
type saver struct {
	store   wizard.Store
	jobs    *jobs
	onError func(error) // on the UI goroutine; nil error: saved again

	mu      sync.Mutex
	pending map[string]profiles.Profile
	running bool
	known   map[string]profiles.Profile // by lower-case name: what the Welcome list last read, plus saves since
}

func newSaver(store wizard.Store, j *jobs, onError func(error)) *saver {
	return &saver{store: store, jobs: j, onError: onError,
		pending: map[string]profiles.Profile{}, known: map[string]profiles.Profile{}}
}

// Get answers from memory: the wizard asks on every keystroke of a profile
// name, and the store would take a file lock each time.
func (s *saver) Get(name string) (profiles.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.known[strings.ToLower(name)]; ok {
		return p, nil
	}
	return profiles.Profile{}, profiles.ErrNotFound
}

// remember records the profiles the Welcome screen read.
func (s *saver) remember(list []profiles.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range list {
		s.known[strings.ToLower(p.Name)] = p
	}
}

// Save queues p; the write happens on a background goroutine. The error, if
// any, reaches onError through fyne.Do.
func (s *saver) Save(p profiles.Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[p.Name] = p
	s.known[strings.ToLower(p.Name)] = p
	if !s.running {
		s.running = true
		background(s.jobs, s.drain, s.report)
	}
	return nil
}

// drain writes until nothing is pending and returns the last failure.
func (s *saver) drain() error {
	var last error
	for {
		s.mu.Lock()
		var p profiles.Profile
		found := false
		for name, q := range s.pending {
			p, found = q, true
			delete(s.pending, name)
			break
		}
		if !found {
			s.running = false
			s.mu.Unlock()
			return last
		}
		s.mu.Unlock()
		last = s.store.Save(p)
	}
}

func (s *saver) report(err error) {
	if s.onError != nil {
		s.onError(err)
	}
}

// forget drops a queued write for a profile that is being deleted.
func (s *saver) forget(name string) {
	s.mu.Lock()
	delete(s.pending, name)
	delete(s.known, strings.ToLower(name))
	s.mu.Unlock()
}
