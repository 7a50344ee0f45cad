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
	store  wizard.Store
	jobs   *jobs
	report func(name string, err error) // on the UI goroutine after each batch; nil err: every profile is on disk

	mu      sync.Mutex
	pending map[string]profiles.Profile
	running bool
	known   map[string]profiles.Profile // by lower-case name: what the Welcome list last read, plus saves since
	failed  map[string]error            // by name: the last write failed, and none has succeeded since
}

func newSaver(store wizard.Store, j *jobs, report func(name string, err error)) *saver {
	return &saver{store: store, jobs: j, report: report, pending: map[string]profiles.Profile{},
		known: map[string]profiles.Profile{}, failed: map[string]error{}}
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

// holdsAny reports whether any profile is known: listed, or saved since.
func (s *saver) holdsAny() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.known) > 0
}

// remember records the profiles the Welcome screen read.
func (s *saver) remember(list []profiles.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range list {
		s.known[strings.ToLower(p.Name)] = p
	}
}

// Save queues p and always returns nil: the write happens on a background
// goroutine, and its failure reaches report through fyne.Do.
func (s *saver) Save(p profiles.Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[p.Name] = p
	s.known[strings.ToLower(p.Name)] = p
	if !s.running {
		s.running = true
		background(s.jobs, s.drain, func(f saveFailure) { s.report(f.name, f.err) })
	}
	return nil
}

// saveFailure is a profile whose latest write failed; err is nil when none.
type saveFailure struct {
	name string
	err  error
}

// drain writes until nothing is pending, then names a profile still unsaved.
func (s *saver) drain() saveFailure {
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
			f := s.firstFailure()
			s.mu.Unlock()
			return f
		}
		s.mu.Unlock()
		err := s.store.Save(p)
		s.mu.Lock()
		if err != nil {
			s.failed[p.Name] = err
		} else {
			delete(s.failed, p.Name)
		}
		s.mu.Unlock()
	}
}

// firstFailure picks one unsaved profile, the same one each time; s.mu is held.
func (s *saver) firstFailure() saveFailure {
	var f saveFailure
	for name, err := range s.failed {
		if f.err == nil || name < f.name {
			f = saveFailure{name, err}
		}
	}
	return f
}

// forget drops a queued write for a profile that is being deleted.
func (s *saver) forget(name string) {
	s.mu.Lock()
	delete(s.pending, name)
	delete(s.known, strings.ToLower(name))
	delete(s.failed, name)
	s.mu.Unlock()
}
