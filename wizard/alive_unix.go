//go:build unix

package wizard

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this id runs (signal 0 asks
// without sending anything; EPERM means it runs as someone else).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
