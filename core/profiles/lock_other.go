//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package profiles

import "time"

func lockFile(path string, wait time.Duration) (unlock func(), err error) {
	return lockByCreate(path, wait)
}
