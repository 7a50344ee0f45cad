// Command bare is a Fyne window holding one label: the yardstick that
// scripts/startup-window.sh times tnjwt's window against.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.tnjwt.bare")
	w := a.NewWindow("bare")
	w.SetContent(widget.NewLabel("A bare Fyne window"))
	w.ShowAndRun()
}
