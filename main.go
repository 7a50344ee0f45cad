// Command tnjwt opens the setup wizard, or runs a headless subcommand.
package main

import (
	// Before Fyne reads the locale: keeps headless errors to one line.
	_ "github.com/tnjwt/tnjwt/core/cleanlocale"

	"os"

	"fyne.io/fyne/v2/app"

	"github.com/tnjwt/tnjwt/core/cli"
	"github.com/tnjwt/tnjwt/ui"
)

// appID matches FyneApp.toml; Fyne keys its preferences by it.
const appID = "io.github.tnjwt"

func main() {
	if code, handled := cli.Run(os.Args[1:], os.Stdout, os.Stderr); handled {
		os.Exit(code)
	}
	ui.Run(app.NewWithID(appID), ui.OptionsFromArgs(os.Args[1:]))
}
