// Command tnjwt opens the setup wizard, or runs a headless subcommand.
package main

import (
	// Before Fyne reads the locale: keeps headless errors to one line.
	_ "github.com/tnjwt/tnjwt/core/cleanlocale"

	"fmt"
	"os"
	"runtime"

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
	if noDisplay() {
		// Without this, GLFW panics with a page of stack trace.
		fmt.Fprintln(os.Stderr, "tnjwt: no display to open the wizard on (DISPLAY and WAYLAND_DISPLAY are empty); "+
			"run it in your desktop session, or use a headless command: tnjwt --help")
		os.Exit(cli.ExitUsage)
	}
	ui.Run(app.NewWithID(appID), ui.OptionsFromArgs(os.Args[1:]))
}

// noDisplay reports an X11/Wayland system with neither server named; macOS and
// Windows always have a display.
func noDisplay() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return false
	}
	return os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == ""
}
