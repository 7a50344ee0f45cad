package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

const (
	lockName  = "profiles.lock"
	lockPoll  = 25 * time.Millisecond
	lockStale = 5 * time.Minute // longer than any keychain wait done under the lock
)

func busyErr(path string, wait time.Duration) error {
	return fmt.Errorf("another tnjwt window or command has been changing the profiles for over %s (lock %s); "+
		"finish or close it and try again", wait.Round(time.Second), path)
}

// lockByCreate is the portable lock: whoever creates path exclusively holds
// it. A lock file older than lockStale is left over from a crash and taken
// over. It is used where flock is not available (Windows).
func lockByCreate(path string, wait time.Duration) (unlock func(), err error) {
	deadline := time.Now().Add(wait)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("cannot lock the profiles (%s): %w", path, err)
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > lockStale {
			// Rename first: of two processes taking over the same stale
			// lock, only one rename succeeds.
			stale := fmt.Sprintf("%s.stale-%d", path, os.Getpid())
			if os.Rename(path, stale) == nil {
				os.Remove(stale)
			}
			continue
		}
		if time.Now().After(deadline) {
			return nil, busyErr(path, wait)
		}
		time.Sleep(lockPoll)
	}
}
