// Package ui renders the tnjwt wizard with Fyne. It builds widgets and forwards
// what the person asks for to wizard/ and core/; it holds no logic of its own.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/assets"
)

// AppName is the window title and the name people see.
const AppName = "tnjwt"

// Options are what the command line may ask of the window.
type Options struct {
	Demo bool // connect to the built-in practice org
}

// OptionsFromArgs reads the GUI flags that core/cli left to the window.
func OptionsFromArgs(args []string) Options {
	var o Options
	for _, a := range args {
		if a == "--demo" || a == "-demo" {
			o.Demo = true
		}
	}
	return o
}

// Icon is the app icon as a Fyne resource.
func Icon() fyne.Resource {
	return fyne.NewStaticResource("Icon.png", assets.Icon)
}

// Run opens the main window and blocks until it closes.
func Run(a fyne.App, opts Options) {
	a.SetIcon(Icon())
	w := a.NewWindow(AppName)
	w.SetIcon(Icon())
	w.SetContent(container.NewCenter(widget.NewLabel("Welcome to tnjwt")))
	w.Resize(fyne.NewSize(900, 600))
	w.ShowAndRun()
}
