//go:build !unix

package wizard

import "os"

// processAlive reports whether a process with this id runs: on Windows,
// finding a process opens it, which fails once it is gone.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
