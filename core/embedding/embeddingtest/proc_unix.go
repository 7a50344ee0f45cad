//go:build unix

package embeddingtest

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd's deadline end Chromium's processes too, not only
// node's.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
