// Package layering holds no code: its test checks the layering rules that
// docs/ARCHITECTURE.md states, by asking the go command what each package
// really imports.
//
//   - core/ and wizard/ never import Fyne (fyne.io/...), test files included.
//   - The headless build (go build -tags headless) links no Fyne at all.
//
// A failure names the chain of imports that brings Fyne in.
package layering

import (
	"errors"
	"os"
	"path/filepath"
)

// ModuleRoot is the folder holding go.mod, found from the working folder
// up: the go commands these tests run start there.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in this folder or any above it")
		}
		dir = parent
	}
}
