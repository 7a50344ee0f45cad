package emulator

import (
	"fmt"
	"github.com/tnjwt/tnjwt/core/safetext"
	"maps"
	"strings"
	"time"
)

// RequestRecord is what the request log keeps of one request: enough to see
// what a client sent and why it was refused. It never holds an assertion, a
// signature, an access token, a one-time link or a full consumer key.
type RequestRecord struct {
	Time        time.Time
	Method      string
	Path        string // without the query, which may hold a one-time link
	Status      int
	Error       string // e.g. invalid_grant, Bad_OAuth_Token, INVALID_SESSION_ID
	Description string // e.g. user hasn't approved this consumer
	// Header and Claims are the token request's decoded JWT header and
	// claims (unverified, as they arrived); iss is shortened.
	Header map[string]any
	Claims map[string]any
	User   string // the username the request acted as, when known
}

// String is the one-line form `tnjwt emulator` prints.
func (r RequestRecord) String() string {
	var b strings.Builder
	// The method, path and user come from the request: a client can put
	// escape sequences there, and this line goes to a terminal.
	fmt.Fprintf(&b, "%s %s %d", safetext.Clean(r.Method), safetext.Clean(r.Path), r.Status)
	if r.Error != "" {
		fmt.Fprintf(&b, " %s", r.Error)
	}
	if r.Description != "" {
		fmt.Fprintf(&b, " %q", r.Description)
	}
	if r.User != "" {
		fmt.Fprintf(&b, " user=%s", safetext.Clean(r.User))
	}
	return b.String()
}

// ring keeps the last size records.
type ring struct {
	size  int
	items []RequestRecord
	next  int
}

func (g *ring) add(r RequestRecord) {
	if len(g.items) < g.size {
		g.items = append(g.items, r)
		return
	}
	g.items[g.next] = r
	g.next = (g.next + 1) % g.size
}

func (g *ring) list() []RequestRecord {
	out := make([]RequestRecord, 0, len(g.items))
	out = append(out, g.items[g.next:]...)
	return append(out, g.items[:g.next]...)
}

// Requests returns the latest requests, oldest first.
func (e *Emulator) Requests() []RequestRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.log.list()
	for i := range out {
		out[i].Header = maps.Clone(out[i].Header)
		out[i].Claims = maps.Clone(out[i].Claims)
	}
	return out
}

func (e *Emulator) record(r RequestRecord) {
	e.mu.Lock()
	e.log.add(r)
	e.mu.Unlock()
	if e.opts.OnRequest != nil {
		e.opts.OnRequest(r)
	}
}

// maskKey shortens a consumer key for the log: enough to tell two apps apart
// or spot a truncated paste, not enough to reuse.
func maskKey(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if len(s) <= 12 {
		return fmt.Sprintf("(%d characters)", len(s))
	}
	return fmt.Sprintf("%s…%s (%d characters)", s[:5], s[len(s)-3:], len(s))
}
