// Package layering holds no code: its test checks the layering rules that
// docs/ARCHITECTURE.md states, by asking the go command what each package
// really imports.
//
//   - core/ and wizard/ never import Fyne (fyne.io/...), test files included.
//   - The headless build (go build -tags headless) links no Fyne at all.
//
// A failure names the chain of imports that brings Fyne in.
package layering
