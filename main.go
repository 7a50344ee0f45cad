// Command tnjwt opens the setup wizard, or runs a headless subcommand. The
// desktop build (desktop.go) has the wizard; `go build -tags headless` with
// CGO_ENABLED=0 makes a static tnjwt with every subcommand and no Fyne
// (headless.go), for servers and scheduled jobs.
package main

import (
	// Before Fyne reads the locale: keeps headless errors to one line.
	_ "github.com/tnjwt/tnjwt/core/cleanlocale"

	"os"

	"github.com/tnjwt/tnjwt/core/cli"
)

// version is set by the Makefile from FyneApp.toml and `git describe`.
var version = "dev"

func main() {
	cli.Build = cli.BuildInfo{Version: version, Kind: buildKind}
	if code, handled := cli.Run(os.Args[1:], os.Stdout, os.Stderr); handled {
		os.Exit(code)
	}
	os.Exit(openWizard(os.Args[1:]))
}
