package secrets

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Per-item size limits of the real keychains, for NewMemory.
const (
	// LimitWindows is CRED_MAX_CREDENTIAL_BLOB_SIZE: go-keyring refuses a
	// value longer than this on Windows.
	LimitWindows = 2560
	// LimitMacOS is roughly the largest value macOS takes with a short
	// service and user name; NewMacOSMemory applies go-keyring's exact rule.
	LimitMacOS = 3000
)

// Memory is an in-memory Backend for tests. Unlike go-keyring's own mock it is
// safe for concurrent use, and it can refuse large items the way macOS or
// Windows do.
type Memory struct {
	mu    sync.Mutex
	items map[memKey]string
	fits  func(service, user, value string) bool
	hook  func(op, service, user string) error
}

type memKey struct{ service, user string }

// NewMemory makes an empty fake. limit > 0 refuses (with ErrSetDataTooBig)
// any value longer than limit bytes, as Windows does at LimitWindows.
func NewMemory(limit int) *Memory {
	m := &Memory{items: map[memKey]string{}}
	if limit > 0 {
		m.fits = func(_, _, value string) bool { return len(value) <= limit }
	}
	return m
}

// NewMacOSMemory makes a fake that refuses items exactly as go-keyring v0.2.8
// does on macOS: the whole `security -i` command line, with the value
// base64-encoded behind a prefix, must not exceed 4096 bytes.
func NewMacOSMemory() *Memory {
	m := NewMemory(0)
	m.fits = func(service, user, value string) bool { return len(macOSCommand(service, user, value)) <= 4096 }
	return m
}

func macOSCommand(service, user, value string) string {
	pw := "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(value))
	return fmt.Sprintf("add-generic-password -U -s %s -a %s -w %s\n", shellQuote(service), shellQuote(user), shellQuote(pw))
}

// Compiled on first use, not at start-up (see safetext.ansi for why).
var shellUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\w@%+=:,./-]`) })

// shellQuote is go-keyring's internal shellescape.Quote.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if shellUnsafe().MatchString(s) {
		return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
	}
	return s
}

// SetHook installs fn, called before every Set ("set"), Get ("get") and
// Delete ("delete") without the fake's lock held. A non-nil result fails the
// call with that error and changes nothing; fn may also block, to play a
// keychain that never answers. nil removes the hook.
func (m *Memory) SetHook(fn func(op, service, user string) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hook = fn
}

func (m *Memory) runHook(op, service, user string) error {
	m.mu.Lock()
	hook := m.hook
	m.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(op, service, user)
}

// Set stores value, replacing any item with the same service and user.
func (m *Memory) Set(service, user, value string) error {
	if err := m.runHook("set", service, user); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fits != nil && !m.fits(service, user, value) {
		return ErrSetDataTooBig
	}
	m.items[memKey{service, user}] = value
	return nil
}

// Get returns the stored value or ErrNotFound.
func (m *Memory) Get(service, user string) (string, error) {
	if err := m.runHook("get", service, user); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[memKey{service, user}]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Delete removes the item or returns ErrNotFound.
func (m *Memory) Delete(service, user string) error {
	if err := m.runHook("delete", service, user); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey{service, user}
	if _, ok := m.items[k]; !ok {
		return ErrNotFound
	}
	delete(m.items, k)
	return nil
}

// Users lists the item names stored under service, sorted.
func (m *Memory) Users(service string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.items {
		if k.service == service {
			out = append(out, k.user)
		}
	}
	sort.Strings(out)
	return out
}

// Len is the number of items stored, across services.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}
