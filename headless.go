//go:build headless

package main

import (
	"fmt"
	"os"

	"github.com/tnjwt/tnjwt/core/cli"
)

const buildKind = cli.Headless

func openWizard([]string) int {
	fmt.Fprintln(os.Stderr, "tnjwt: this is the headless build, which has every command but no wizard; "+
		"run a command (tnjwt --help), or get the desktop build for the wizard: "+cli.DesktopBuildHint)
	return cli.ExitUsage
}
