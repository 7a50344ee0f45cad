package secrets

import (
	"context"
	"sync"
	"time"
)

// turnstile hands out the backend: to any number of readers at once, or to
// one writer alone. Reads of different secrets never conflict, and a run
// over many profiles reads them side by side (a Secret Service answers
// several at once about three times faster than in turn); a write still
// never overlaps anything, so a late write cannot land after a newer one. A
// waiting writer holds new readers back, so reads cannot starve it.
type turnstile struct {
	mu      sync.Mutex
	readers int
	writer  bool
	queued  int           // writers waiting
	changed chan struct{} // closed (and replaced) whenever the state changes
}

func newTurnstile() *turnstile { return &turnstile{changed: make(chan struct{})} }

// acquire waits for a shared (read) or exclusive turn until the timer fires
// or ctx ends; it reports whether it got one.
func (t *turnstile) acquire(ctx context.Context, timer *time.Timer, shared bool) bool {
	t.mu.Lock()
	if !shared {
		t.queued++
		defer func() { t.mu.Lock(); t.queued--; t.signal(); t.mu.Unlock() }()
	}
	for {
		if t.free(shared) {
			if shared {
				t.readers++
			} else {
				t.writer = true
			}
			t.mu.Unlock()
			return true
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
			t.mu.Lock()
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// free: t.mu is held.
func (t *turnstile) free(shared bool) bool {
	if shared {
		return !t.writer && t.queued == 0
	}
	return !t.writer && t.readers == 0
}

func (t *turnstile) release(shared bool) {
	t.mu.Lock()
	if shared {
		t.readers--
	} else {
		t.writer = false
	}
	t.signal()
	t.mu.Unlock()
}

// signal wakes every waiter to look again; t.mu is held.
func (t *turnstile) signal() {
	close(t.changed)
	t.changed = make(chan struct{})
}
