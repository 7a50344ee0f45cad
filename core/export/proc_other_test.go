//go:build !unix

package export

import "os/exec"

func inGroup(*exec.Cmd) {}

func stop(cmd *exec.Cmd) { cmd.Process.Kill() }
