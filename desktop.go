//go:build !headless

package main

import (
	"fmt"
	"os"
	"runtime"

	"fyne.io/fyne/v2/app"

	"github.com/tnjwt/tnjwt/core/cli"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/ui"
)

const buildKind = cli.Desktop

// appID matches FyneApp.toml; Fyne keys its preferences by it.
const appID = "io.github.tnjwt"

func openWizard(args []string) int {
	if noDisplay() {
		// Without this, GLFW panics with a page of stack trace.
		fmt.Fprintln(os.Stderr, "tnjwt: no display to open the wizard on (DISPLAY and WAYLAND_DISPLAY are empty); "+
			"run it in your desktop session, or use a headless command: tnjwt --help")
		return cli.ExitUsage
	}
	secrets.PreventBusAutolaunch()
	ui.Run(app.NewWithID(appID), ui.OptionsFromArgs(args))
	return cli.ExitOK
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
