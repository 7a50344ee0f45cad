//go:build unix

package export

import (
	"os/exec"
	"syscall"
)

// inGroup starts cmd in a process group of its own, so that stop ends what
// it started too (bundle exec's ruby, sh -c's server).
func inGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func stop(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
