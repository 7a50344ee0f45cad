package profiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// Store is the profiles folder plus the keychain that holds the profiles'
// secrets. It is safe for concurrent use, across goroutines and processes.
type Store struct {
	dir   string
	vault *secrets.Vault

	// Now stamps Created and Updated; tests may replace it.
	Now func() time.Time
	// LockWait is how long to wait for another process to finish with the file.
	LockWait time.Duration

	mu sync.Mutex
}

// Open uses the profiles folder dir (see DefaultDir). vault may be nil for a
// store that never touches secrets; Delete and Import then refuse to run.
// Nothing is created until the first change.
func Open(dir string, vault *secrets.Vault) *Store {
	s := &Store{dir: dir, vault: vault, Now: time.Now, LockWait: 10 * time.Second}
	if vault != nil {
		vault.SetProfileLock(s.keychainLock)
	}
	return s
}

// keychainLock is a lock file per profile in the profiles folder, held
// while the profile's secrets are written or deleted.
func (s *Store) keychainLock(profile string) (func(), error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(profile)))
	return lockFile(filepath.Join(s.dir, "keychain-"+hex.EncodeToString(sum[:8])+".lock"), s.LockWait)
}

// Dir is the profiles folder.
func (s *Store) Dir() string { return s.dir }

// Path is the profiles file.
func (s *Store) Path() string { return filepath.Join(s.dir, FileName) }

// Vault is the keychain this store keeps secrets in (nil if none).
func (s *Store) Vault() *secrets.Vault { return s.vault }

type fileData struct {
	SchemaVersion int       `json:"schema_version"`
	Profiles      []Profile `json:"profiles"`
}

func (d *fileData) find(name string) int {
	for i, p := range d.Profiles {
		if strings.EqualFold(p.Name, name) {
			return i
		}
	}
	return -1
}

// nameError reads well on its own and still matches ErrNotFound or ErrExists.
type nameError struct {
	kind error
	msg  string
}

func (e *nameError) Error() string { return e.msg }
func (e *nameError) Unwrap() error { return e.kind }

func notFound(name string) error {
	return &nameError{ErrNotFound, fmt.Sprintf("there is no saved profile named %q (see `tnjwt profile list`)", name)}
}

func exists(format string, a ...any) error {
	return &nameError{ErrExists, fmt.Sprintf(format, a...)}
}

// List returns every profile, sorted by name.
func (s *Store) List() ([]Profile, error) {
	var out []Profile
	err := s.read(func(d *fileData) {
		for _, p := range d.Profiles {
			out = append(out, p.Clone())
		}
	})
	return out, err
}

// Get returns the profile called name (ignoring case).
func (s *Store) Get(name string) (Profile, error) {
	var (
		out Profile
		err error
	)
	rerr := s.read(func(d *fileData) {
		i := d.find(name)
		if i < 0 {
			err = notFound(name)
			return
		}
		out = d.Profiles[i].Clone()
	})
	if rerr != nil {
		return Profile{}, rerr
	}
	return out, err
}

// Save adds p, or replaces the profile with exactly p's name. Created is kept
// from the stored profile (or set now for a new one); Updated is set now.
func (s *Store) Save(p Profile) error {
	return s.save(p, true)
}

// Create adds p and fails with ErrExists if a profile with that name
// (ignoring case) is already saved.
func (s *Store) Create(p Profile) error {
	return s.save(p, false)
}

func (s *Store) save(p Profile, replace bool) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	return s.change(func(d *fileData) error {
		return s.put(d, p.Clone(), replace)
	})
}

func (s *Store) put(d *fileData, p Profile, replace bool) error {
	now := s.stamp()
	i := d.find(p.Name)
	if i >= 0 {
		old := d.Profiles[i]
		if !replace || old.Name != p.Name {
			return exists("a profile named %q is already saved (names ignore case); pick another name or replace it", old.Name)
		}
		p.Created = old.Created
	}
	if p.Created.IsZero() {
		p.Created = now
	}
	p.Updated = now
	p.SchemaVersion = SchemaVersion
	if i >= 0 {
		d.Profiles[i] = p
	} else {
		d.Profiles = append(d.Profiles, p)
	}
	return nil
}

// Update changes the profile called name under the lock, so concurrent
// updates never lose each other's changes. fn may not rename the profile.
func (s *Store) Update(name string, fn func(*Profile) error) error {
	return s.change(func(d *fileData) error {
		i := d.find(name)
		if i < 0 {
			return notFound(name)
		}
		p := d.Profiles[i].Clone()
		if err := fn(&p); err != nil {
			return err
		}
		if p.Name != d.Profiles[i].Name {
			return fmt.Errorf("profile %q cannot be renamed by an update", d.Profiles[i].Name)
		}
		return s.put(d, p, true)
	})
}

// UpdateMany changes several profiles under one lock and with one write:
// what a run over many orgs records. fns maps a name to its change; the
// result maps each name whose change failed (or which does not exist) to
// its error, and those profiles are left as they were.
func (s *Store) UpdateMany(fns map[string]func(*Profile) error) (map[string]error, error) {
	failed := map[string]error{}
	err := s.change(func(d *fileData) error {
		for name, fn := range fns {
			i := d.find(name)
			if i < 0 {
				failed[name] = notFound(name)
				continue
			}
			p := d.Profiles[i].Clone()
			if err := fn(&p); err != nil {
				failed[name] = err
				continue
			}
			if p.Name != d.Profiles[i].Name {
				failed[name] = fmt.Errorf("profile %q cannot be renamed by an update", d.Profiles[i].Name)
				continue
			}
			if err := s.put(d, p, true); err != nil {
				failed[name] = err
			}
		}
		return nil
	})
	return failed, err
}

// Delete removes the profile called name and all its keychain items. When
// the keychain fails, the profile is kept so the delete can be tried again.
func (s *Store) Delete(ctx context.Context, name string) error {
	if s.vault == nil {
		return errors.New("this profile store has no keychain, so it cannot delete a profile's secrets")
	}
	return s.change(func(d *fileData) error {
		i := d.find(name)
		if i < 0 {
			return notFound(name)
		}
		if err := s.vault.DeleteProfile(ctx, d.Profiles[i].Name); err != nil {
			return fmt.Errorf("profile %q was not deleted: %w", d.Profiles[i].Name, err)
		}
		d.Profiles = append(d.Profiles[:i], d.Profiles[i+1:]...)
		return nil
	})
}

// Import saves p together with its secrets, all under the lock: the secrets
// go to the keychain first, then the profile to disk. Without replace an
// existing profile of that name (ignoring case) is an ErrExists error and
// nothing changes. With replace the given secrets are overwritten and the
// profile replaced, keeping what an import cannot know (see carryOver). A
// waiting or previous private key not given is deleted: it belongs to an
// earlier key, and the wizard would take it for the key of this
// certificate. If a new profile cannot be saved, the secrets stored for it
// are removed again.
func (s *Store) Import(ctx context.Context, p Profile, items map[secrets.Purpose][]byte, replace bool) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	if s.vault == nil {
		return errors.New("this profile store has no keychain to keep the secrets in")
	}
	created := false // a new profile, whose secrets a failed file write must take back
	return s.change(func(d *fileData) error {
		p := p.Clone()
		i := d.find(p.Name)
		if i >= 0 {
			if !replace {
				return exists("a profile named %q is already saved; delete it first or replace it", d.Profiles[i].Name)
			}
			p = carryOver(d.Profiles[i], p)
		}
		created = i < 0
		if err := s.importSecrets(ctx, p.Name, items); err != nil {
			if created {
				_ = s.vault.DeleteProfile(ctx, p.Name)
			}
			return err
		}
		return s.put(d, p, true)
	}, func() {
		if created {
			_ = s.vault.DeleteProfile(ctx, p.Name)
		}
	})
}

// carryOver is p replacing old: old's spelling of the name and Created stay,
// and so does the progress the wizard recorded, which an import cannot know
// (checklist ticks, with p's own ticks winning, and the last test unless p
// brings one).
func carryOver(old, p Profile) Profile {
	old = old.Clone()
	p.Name, p.Created = old.Name, old.Created
	if p.LastTest == nil {
		p.LastTest = old.LastTest
	}
	if len(old.Checklist) > 0 {
		merged := old.Checklist
		for id, st := range p.Checklist {
			merged[id] = st
		}
		p.Checklist = merged
	}
	return p
}

// importSecrets stores items, then deletes the rotation keys items lacks.
func (s *Store) importSecrets(ctx context.Context, name string, items map[secrets.Purpose][]byte) error {
	for _, purpose := range secrets.Purposes() {
		if v, ok := items[purpose]; ok {
			if err := s.vault.Put(ctx, name, purpose, v); err != nil {
				return err
			}
		}
	}
	for _, stale := range []secrets.Purpose{secrets.PendingPrivateKey, secrets.PreviousPrivateKey} {
		if _, ok := items[stale]; ok {
			continue
		}
		if err := s.vault.Delete(ctx, name, stale); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) stamp() time.Time {
	return s.Now().UTC().Truncate(time.Millisecond)
}

// read runs fn on the current file contents. A missing folder or file is an
// empty list and creates nothing.
func (s *Store) read(fn func(*fileData)) error {
	if _, err := os.Stat(s.Path()); errors.Is(err, fs.ErrNotExist) {
		fn(&fileData{SchemaVersion: SchemaVersion})
		return nil
	}
	return s.locked(func() error {
		d, err := s.load()
		if err != nil {
			return err
		}
		fn(d)
		return nil
	})
}

// change loads the file, runs fn and writes the result, all under the lock.
// onWriteError, if given, runs (still under the lock) when the write fails.
func (s *Store) change(fn func(*fileData) error, onWriteError ...func()) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the profiles folder %s: %w", s.dir, err)
	}
	return s.locked(func() error {
		d, err := s.load()
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
		if err := s.write(d); err != nil {
			for _, f := range onWriteError {
				f()
			}
			return err
		}
		return nil
	})
}

func (s *Store) locked(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockFile(filepath.Join(s.dir, lockName), s.LockWait)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// load reads the profiles file; the caller holds the lock.
func (s *Store) load() (*fileData, error) {
	path := s.Path()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &fileData{SchemaVersion: SchemaVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the profiles file %s: %w", path, err)
	}
	var d fileData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, s.setAside(fmt.Errorf("it is not valid JSON: %v", err))
	}
	if d.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("the profiles file %s was written by a newer tnjwt (format %d; this one knows format %d); "+
			"update tnjwt, or point %s at another folder", path, d.SchemaVersion, SchemaVersion, EnvDir)
	}
	if err := d.check(); err != nil {
		return nil, s.setAside(err)
	}
	return &d, nil
}

func (d *fileData) check() error {
	if d.SchemaVersion < 1 {
		return errors.New("it has no schema_version, so it is not a tnjwt profiles file")
	}
	seen := map[string]bool{}
	for _, p := range d.Profiles {
		if err := ValidateName(p.Name); err != nil {
			return fmt.Errorf("a profile has a bad name: %v", err)
		}
		k := strings.ToLower(p.Name)
		if seen[k] {
			return fmt.Errorf("the profile %q appears twice", p.Name)
		}
		seen[k] = true
	}
	return nil
}

// setAside renames a damaged profiles file so it is neither lost nor used.
func (s *Store) setAside(problem error) error {
	path := s.Path()
	base := path + ".damaged-" + s.Now().UTC().Format("20060102T150405Z")
	aside := base
	for n := 2; ; n++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, n)
	}
	if err := os.Rename(path, aside); err != nil {
		return &DamagedError{Path: path, Err: problem}
	}
	return &DamagedError{Path: path, Aside: aside, Err: problem}
}

// write replaces the profiles file atomically; the caller holds the lock.
func (s *Store) write(d *fileData) error {
	d.SchemaVersion = SchemaVersion
	sort.Slice(d.Profiles, func(i, j int) bool {
		return strings.ToLower(d.Profiles[i].Name) < strings.ToLower(d.Profiles[j].Name)
	})
	if d.Profiles == nil {
		d.Profiles = []Profile{}
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode the profiles: %w", err)
	}
	if err := fsutil.WriteFile(s.Path(), append(data, '\n'), 0o600, true); err != nil {
		return fmt.Errorf("cannot save the profiles: %w", err)
	}
	return nil
}
