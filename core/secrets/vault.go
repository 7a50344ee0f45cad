package secrets

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	// Service is the keychain service every tnjwt item is filed under.
	Service = "tnjwt"
	// DefaultTimeout leaves a person time to type a keychain password.
	DefaultTimeout = 30 * time.Second
	// ChunkSize is the most secret bytes one item holds: well under the
	// Windows limit (2560) and the macOS one (about 3000 once go-keyring
	// base64-encodes the value and adds the service and item name).
	ChunkSize = 1800
	// MaxSecretSize bounds what Put accepts; keys and consumer keys are far smaller.
	MaxSecretSize = 64 << 10
	// MaxProfileBytes bounds a profile name in item names. It must take every
	// name profiles.ValidateName allows (64 letters of up to 4 UTF-8 bytes), or
	// a saved profile could never store nor delete its secrets; even then the
	// longest chunk item stays well inside macOS's 4096-byte command line
	// (see NewMacOSMemory and the tests).
	MaxProfileBytes = 64 * utf8.UTFMax

	manifestVersion = 1
	maxChunks       = (MaxSecretSize*4/3)/ChunkSize + 2 // base64 inflates binary secrets by 4/3
)

// Vault stores each secret of a profile as a small manifest item (JSON:
// version, generation, chunk count, size, SHA-256 of the whole) plus chunk
// items of at most ChunkSize bytes, all under Service:
//
//	PROFILE/PURPOSE                 the manifest
//	PROFILE/PURPOSE/gGEN/INDEX      chunk INDEX of generation GEN
//
// Put writes the new chunks under generation+1, then switches the manifest,
// then deletes the old chunks, so an interruption at any point leaves the old
// or the new secret whole. Stale chunks from an interrupted Put are removed
// by the next Put (or Delete) of the same secret.
//
// Every backend call runs on its own goroutine and is abandoned after the
// timeout or when ctx ends; calls are issued one at a time, and an abandoned
// call keeps its turn until it really returns, so a late write can never land
// after a newer one. Reads may share the backend; a write has it alone.
type Vault struct {
	backend Backend
	timeout time.Duration
	goos    string
	turn    *turnstile // readers together, or one writer alone
	// OnOrphans, when set, hears of chunks a damaged index left behind that
	// a replace or delete has just removed (what: "the private key of
	// profile \"acme\"").
	OnOrphans func(what string, n int)
	// lock, when set, serialises writes and deletes of one profile's
	// secrets across processes (two windows, a window and a command).
	lock func(profile string) (unlock func(), err error)
}

// SetProfileLock makes every write and delete of a profile's secrets hold
// lock(profile) first; core/profiles sets one that works across processes.
func (v *Vault) SetProfileLock(lock func(profile string) (unlock func(), err error)) { v.lock = lock }

// locked runs fn holding the profile's cross-process lock, if there is one.
func (v *Vault) locked(profile string, fn func() error) error {
	if v.lock == nil {
		return fn()
	}
	unlock, err := v.lock(profile)
	if err != nil {
		return &Error{Kind: Other, Message: "Another tnjwt window or command is changing these secrets: " + err.Error() + ".",
			Remedy: "Finish or close it, then try again.", Err: err}
	}
	defer unlock()
	return fn()
}

// NewVault wraps b. timeout <= 0 means DefaultTimeout.
func NewVault(b Backend, timeout time.Duration) *Vault {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Vault{backend: b, timeout: timeout, goos: runtime.GOOS, turn: newTurnstile()}
}

// Timeout is how long one keychain call may take.
func (v *Vault) Timeout() time.Duration { return v.timeout }

type manifest struct {
	Version    int    `json:"tnjwt_secret"`
	Generation uint64 `json:"generation"`
	Chunks     int    `json:"chunks"`
	Size       int    `json:"size"`
	Encoding   string `json:"encoding"` // "text" (UTF-8 as is) or "base64"
	SHA256     string `json:"sha256"`
}

func (m manifest) check() error {
	switch {
	case m.Version != manifestVersion:
		return fmt.Errorf("unknown format version %d", m.Version)
	case m.Generation == 0, m.Chunks < 1, m.Chunks > maxChunks, m.Size < 1, m.Size > MaxSecretSize:
		return errors.New("its index item is not valid")
	case m.Encoding != "text" && m.Encoding != "base64":
		return fmt.Errorf("unknown encoding %q", m.Encoding)
	case len(m.SHA256) != 64:
		return errors.New("its checksum is missing")
	}
	return nil
}

func manifestName(profile string, p Purpose) string { return profile + "/" + string(p) }

func chunkName(profile string, p Purpose, gen uint64, i int) string {
	return fmt.Sprintf("%s/%s/g%d/%d", profile, p, gen, i)
}

// Put stores secret as the profile's p, replacing what was there.
func (v *Vault) Put(ctx context.Context, profile string, p Purpose, secret []byte) error {
	return v.locked(profile, func() error { return v.put(ctx, profile, p, secret) })
}

func (v *Vault) put(ctx context.Context, profile string, p Purpose, secret []byte) error {
	what, err := describeItem(profile, p)
	if err != nil {
		return err
	}
	if len(secret) == 0 {
		return fmt.Errorf("refusing to store an empty %s", what)
	}
	if len(secret) > MaxSecretSize {
		return &Error{Kind: TooBig, Message: fmt.Sprintf("The %s is %d bytes; tnjwt stores at most %d.", what, len(secret), MaxSecretSize),
			Remedy: "Check that the file is a single PEM private key."}
	}
	o, err := v.begin(ctx, "saving", p, what)
	if err != nil {
		return err
	}
	defer o.end()

	old, found, err := o.readManifest(profile, p)
	if err != nil {
		return o.failOr(err)
	}
	m, chunks := encode(secret)
	m.Generation = old.Generation + 1
	for i, c := range chunks {
		if err := o.set(chunkName(profile, p, m.Generation, i), c); err != nil {
			return o.fail(err)
		}
	}
	// A longer write of this generation that was interrupted may have left
	// chunks beyond ours; they are contiguous, so stop at the first gap.
	if err := o.sweep(profile, p, m.Generation, len(chunks)); err != nil {
		return o.fail(err)
	}
	data, _ := json.Marshal(m)
	if err := o.set(manifestName(profile, p), string(data)); err != nil {
		return o.fail(err)
	}
	// The new secret is in place. What follows only tidies up: a failure
	// leaves unreferenced chunks that the next Put removes.
	if found {
		if o.deleteChunks(profile, p, old.Generation, old.Chunks) == nil {
			_ = o.sweep(profile, p, old.Generation-1, 0)
		}
	}
	return nil
}

// Get returns the profile's p. A missing secret is an *Error of Kind
// NotFound that wraps ErrNotFound; one whose items do not add up is Corrupt.
func (v *Vault) Get(ctx context.Context, profile string, p Purpose) ([]byte, error) {
	what, err := describeItem(profile, p)
	if err != nil {
		return nil, err
	}
	o, err := v.begin(ctx, verbReading, p, what)
	if err != nil {
		return nil, err
	}
	defer o.end()
	secret, gen, err := o.read(profile, p)
	if err != nil && KindOf(err) == Corrupt && gen != 0 {
		// Another process may have replaced the secret while we read it
		// (its old parts go once its new index is in place): if the index
		// moved on, read once more.
		if m, ok, _ := o.currentIndex(profile, p); ok && m.Generation != gen {
			secret, _, err = o.read(profile, p)
		}
	}
	return secret, err
}

// currentIndex reads the index item alone; ok is false when it is absent
// or not valid.
func (o *op) currentIndex(profile string, p Purpose) (manifest, bool, error) {
	raw, err := o.get(manifestName(profile, p))
	if err != nil {
		return manifest{}, false, err
	}
	var m manifest
	if json.Unmarshal([]byte(raw), &m) != nil || m.check() != nil {
		return manifest{}, false, nil
	}
	return m, true, nil
}

// read reads the secret once; gen is the generation its index named (0
// when the index itself could not be used).
func (o *op) read(profile string, p Purpose) ([]byte, uint64, error) {
	what := o.what
	raw, err := o.get(manifestName(profile, p))
	if err != nil {
		return nil, 0, o.fail(err)
	}
	var m manifest
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, 0, corrupt(p, what, "its index item cannot be read")
	}
	if m.Version > manifestVersion {
		return nil, 0, newerFormat(what, m.Version)
	}
	if err := m.check(); err != nil {
		return nil, 0, corrupt(p, what, err.Error())
	}
	var b strings.Builder
	for i := 0; i < m.Chunks; i++ {
		c, err := o.get(chunkName(profile, p, m.Generation, i))
		if errors.Is(err, ErrNotFound) {
			return nil, m.Generation, corrupt(p, what, fmt.Sprintf("part %d of %d is missing", i+1, m.Chunks))
		}
		if err != nil {
			return nil, m.Generation, o.fail(err)
		}
		b.WriteString(c)
	}
	secret, err := decode(m.Encoding, b.String())
	if err != nil {
		return nil, m.Generation, corrupt(p, what, "its parts cannot be decoded")
	}
	sum := sha256.Sum256(secret)
	if len(secret) != m.Size || hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, m.Generation, corrupt(p, what, "its parts do not match the checksum saved with it")
	}
	return secret, m.Generation, nil
}

// Delete removes the profile's p and all its chunks. Deleting what is not
// there is not an error. Chunks go before the manifest, so an interrupted
// Delete can simply be run again.
func (v *Vault) Delete(ctx context.Context, profile string, p Purpose) error {
	return v.locked(profile, func() error { return v.deleteOne(ctx, profile, p) })
}

func (v *Vault) deleteOne(ctx context.Context, profile string, p Purpose) error {
	what, err := describeItem(profile, p)
	if err != nil {
		return err
	}
	o, err := v.begin(ctx, "deleting", p, what)
	if err != nil {
		return err
	}
	defer o.end()
	return o.delete(profile, p)
}

// DeleteProfile removes every secret of profile.
func (v *Vault) DeleteProfile(ctx context.Context, profile string) error {
	return v.locked(profile, func() error { return v.deleteProfile(ctx, profile) })
}

func (v *Vault) deleteProfile(ctx context.Context, profile string) error {
	if _, err := describeItem(profile, PrivateKey); err != nil {
		return err
	}
	o, err := v.begin(ctx, "deleting", "", fmt.Sprintf("the secrets of profile %q", profile))
	if err != nil {
		return err
	}
	defer o.end()
	for _, p := range Purposes() {
		o.purpose = p
		o.what, _ = describeItem(profile, p)
		if err := o.delete(profile, p); err != nil {
			return err
		}
	}
	return nil
}

func describeItem(profile string, p Purpose) (string, error) {
	if !p.valid() {
		return "", fmt.Errorf("unknown secret purpose %q", p)
	}
	if profile == "" || len(profile) > MaxProfileBytes || !utf8.ValidString(profile) || strings.ContainsFunc(profile, func(r rune) bool {
		return r == '/' || unicode.IsControl(r)
	}) {
		return "", fmt.Errorf("profile name %q cannot name a keychain item", profile)
	}
	return fmt.Sprintf("the %s of profile %q", p.Describe(), profile), nil
}

func corrupt(p Purpose, what, detail string) *Error {
	return &Error{
		Kind:    Corrupt,
		Message: fmt.Sprintf("The keychain entry for %s is damaged (%s).", what, detail),
		Remedy:  storeAgainRemedy(p),
	}
}

// encode splits secret into chunks of at most ChunkSize bytes. go-keyring
// v0.2.8 sends every value as text/plain, so anything that is not clean UTF-8
// text is base64-encoded first, and text is cut only between characters.
func encode(secret []byte) (manifest, []string) {
	sum := sha256.Sum256(secret)
	m := manifest{Version: manifestVersion, Size: len(secret), SHA256: hex.EncodeToString(sum[:]), Encoding: "text"}
	s := string(secret)
	if !utf8.Valid(secret) || strings.ContainsRune(s, 0) {
		m.Encoding = "base64"
		s = base64.StdEncoding.EncodeToString(secret)
	}
	var chunks []string
	for len(s) > 0 {
		n := min(ChunkSize, len(s))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		chunks = append(chunks, s[:n])
		s = s[n:]
	}
	m.Chunks = len(chunks)
	return m, chunks
}

func decode(encoding, s string) ([]byte, error) {
	if encoding == "base64" {
		return base64.StdEncoding.DecodeString(s)
	}
	return []byte(s), nil
}

// op is one Vault operation: it owns the backend's turn from begin to end.
type op struct {
	v          *Vault
	ctx        context.Context
	verb, what string
	purpose    Purpose // picks the remedy for a missing secret; empty for several
	holds      bool    // false once a call was abandoned: its goroutine gives the turn back
	shared     bool    // a read, which shares the backend with other reads
}

var errTimedOut = errors.New("the keychain did not answer in time")

func (v *Vault) begin(ctx context.Context, verb string, p Purpose, what string) (*op, error) {
	o := &op{v: v, ctx: ctx, verb: verb, purpose: p, what: what, shared: verb == verbReading}
	t := time.NewTimer(v.timeout)
	defer t.Stop()
	if v.turn.acquire(ctx, t, o.shared) {
		o.holds = true
		return o, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, o.fail(err)
	}
	return nil, o.fail(errTimedOut)
}

// verbReading names the operations that only read, and so may share the
// backend.
const verbReading = "reading"

func (o *op) end() {
	if o.holds {
		o.holds = false
		o.v.turn.release(o.shared)
	}
}

// call runs fn off the caller's goroutine and waits at most the timeout.
func (o *op) call(fn func() error) error {
	if !o.holds {
		return errTimedOut
	}
	done := make(chan error, 1)
	go func() { done <- safely(fn) }()
	t := time.NewTimer(o.v.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		o.abandon(done)
		return errTimedOut
	case <-o.ctx.Done():
		o.abandon(done)
		return o.ctx.Err()
	}
}

// abandon hands the turn to the stuck call, which returns it when (if ever)
// the backend answers.
func (o *op) abandon(done <-chan error) {
	o.holds = false
	go func() {
		<-done
		o.v.turn.release(o.shared)
	}()
}

func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value is not kept: it could quote what was being stored.
			err = errors.New("the keychain library failed unexpectedly")
		}
	}()
	return fn()
}

func (o *op) set(user, value string) error {
	return o.call(func() error { return o.v.backend.Set(Service, user, value) })
}

func (o *op) get(user string) (string, error) {
	var s string
	err := o.call(func() error {
		var err error
		s, err = o.v.backend.Get(Service, user)
		return err
	})
	return s, err
}

func (o *op) del(user string) error {
	return o.call(func() error { return o.v.backend.Delete(Service, user) })
}

// readManifest returns the current manifest. A damaged one counts as
// absent, but first every chunk it may have pointed at is swept away (its
// generation, if it can still be read, and generations 1 to
// maxSalvageGeneration), so a replace or a delete leaves no orphan; one of
// a newer format is an *Error of Kind NewerFormat, left alone.
func (o *op) readManifest(profile string, p Purpose) (manifest, bool, error) {
	raw, err := o.get(manifestName(profile, p))
	if errors.Is(err, ErrNotFound) {
		return manifest{}, false, nil
	}
	if err != nil {
		return manifest{}, false, err
	}
	var m manifest
	jerr := json.Unmarshal([]byte(raw), &m)
	if jerr == nil && m.Version > manifestVersion {
		return manifest{}, false, newerFormat(o.what, m.Version)
	}
	if jerr == nil && m.check() == nil {
		return m, true, nil
	}
	n, err := o.salvage(profile, p, m.Generation)
	if err != nil {
		return manifest{}, false, err
	}
	if n > 0 && o.v.OnOrphans != nil {
		o.v.OnOrphans(o.what, n)
	}
	// The next generation starts past anything that may be left.
	return manifest{Generation: max(m.Generation, maxSalvageGeneration)}, false, nil
}

func newerFormat(what string, version int) *Error {
	return &Error{Kind: NewerFormat,
		Message: fmt.Sprintf("The keychain entry for %s was stored by a newer version of tnjwt (format %d); "+
			"this one knows format %d and will not read, overwrite or delete it.", what, version, manifestVersion),
		Remedy: "Use the newer tnjwt for this org, or update this one."}
}

// maxSalvageGeneration bounds the generations swept behind a damaged index:
// each replace moves one generation on, and an org is re-keyed a handful of
// times in its life.
const maxSalvageGeneration = 32

// salvage deletes the chunks of every generation a damaged index may have
// pointed at and says how many there were.
func (o *op) salvage(profile string, p Purpose, hint uint64) (int, error) {
	total := 0
	for gen := uint64(1); gen <= maxSalvageGeneration; gen++ {
		n, err := o.sweepCount(profile, p, gen, 0)
		if err != nil {
			return total, err
		}
		total += n
	}
	if hint > maxSalvageGeneration && hint < 1<<62 {
		for _, gen := range []uint64{hint - 1, hint, hint + 1} {
			n, err := o.sweepCount(profile, p, gen, 0)
			if err != nil {
				return total, err
			}
			total += n
		}
	}
	return total, nil
}

// failOr passes an *Error through and describes anything else.
func (o *op) failOr(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return o.fail(err)
}

// sweep deletes chunks gen/from, gen/from+1, … up to the first missing one.
func (o *op) sweep(profile string, p Purpose, gen uint64, from int) error {
	_, err := o.sweepCount(profile, p, gen, from)
	return err
}

// sweepCount is sweep, counting what it deleted.
func (o *op) sweepCount(profile string, p Purpose, gen uint64, from int) (int, error) {
	if gen == 0 {
		return 0, nil
	}
	n := 0
	for i := from; i < maxChunks; i++ {
		err := o.del(chunkName(profile, p, gen, i))
		if errors.Is(err, ErrNotFound) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// deleteChunks deletes chunks gen/n-1 … gen/0, last first, so an interrupted
// run leaves a run from 0 that sweep can find.
func (o *op) deleteChunks(profile string, p Purpose, gen uint64, n int) error {
	for i := n - 1; i >= 0; i-- {
		if err := o.del(chunkName(profile, p, gen, i)); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

func (o *op) delete(profile string, p Purpose) error {
	old, found, err := o.readManifest(profile, p)
	if err != nil {
		return o.failOr(err)
	}
	if found {
		for _, step := range []func() error{
			func() error { return o.sweep(profile, p, old.Generation+1, 0) },
			func() error { return o.deleteChunks(profile, p, old.Generation, old.Chunks) },
			func() error { return o.sweep(profile, p, old.Generation-1, 0) },
		} {
			if err := step(); err != nil {
				return o.fail(err)
			}
		}
	}
	if err := o.del(manifestName(profile, p)); err != nil && !errors.Is(err, ErrNotFound) {
		return o.fail(err)
	}
	return nil
}

func (o *op) fail(err error) error {
	kind := classify(o.v.goos, err)
	if errors.Is(err, errTimedOut) {
		kind = Timeout
	}
	return describeFailure(o.v.goos, kind, o.verb, o.purpose, o.what, o.v.timeout, err)
}
