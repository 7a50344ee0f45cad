package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// tnjwtTheme is Fyne's default theme with the keyboard's focus easy to see
// and tick boxes that show when unticked: Fyne tints a focused button with
// its primary colour, which a primary (blue) button already is, and draws an
// unticked box in a grey close to the dark background.
type tnjwtTheme struct{ fyne.Theme }

func newTheme() fyne.Theme { return tnjwtTheme{theme.DefaultTheme()} }

func (t tnjwtTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	dark := v == theme.VariantDark
	switch name {
	case theme.ColorNameFocus:
		// A shade over any colour, blue buttons included.
		if dark {
			return color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x55}
		}
		return color.NRGBA{A: 0x50}
	case theme.ColorNameInputBorder:
		if dark {
			return color.NRGBA{R: 0x9a, G: 0x9a, B: 0xa0, A: 0xff}
		}
		return color.NRGBA{R: 0x70, G: 0x70, B: 0x78, A: 0xff}
	}
	return t.Theme.Color(name, v)
}
