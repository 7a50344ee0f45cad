package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// tags are the build tags the Makefile builds with.
const tags = "migrated_fynedo"

// forbidden is the import path prefix no layer below ui/ may reach.
const forbidden = "fyne.io/"

// The systems whose builds differ (the keychain code is per OS); each is
// checked, as go list needs no cross compiler.
var systems = []string{"linux", "windows", "darwin"}

// TestCoreAndWizardHaveNoFyne: core/... and wizard/, with their tests,
// import nothing from fyne.io, on any system.
func TestCoreAndWizardHaveNoFyne(t *testing.T) {
	for _, goos := range systems {
		t.Run(goos, func(t *testing.T) {
			checkNoFyne(t, goos, "core/ and wizard/ never import Fyne (only ui/ and the desktop main package do)",
				[]string{"-test", "-tags", tags}, "./core/...", "./wizard/")
		})
	}
}

// TestHeadlessBuildHasNoFyne: the headless binary (headless.go) links no
// Fyne at all, so it builds without cgo and runs with no display.
func TestHeadlessBuildHasNoFyne(t *testing.T) {
	for _, goos := range systems {
		t.Run(goos, func(t *testing.T) {
			checkNoFyne(t, goos, "the headless build links no Fyne", []string{"-tags", "headless," + tags}, ".")
		})
	}
}

// module is the module path; rules below name packages relative to it.
const module = "github.com/tnjwt/tnjwt"

// importRule: no package under from imports a package under any of
// banned. Paths are relative to the module ("" is the root package, and a
// path covers the packages under it).
type importRule struct {
	from   string
	banned []string
	why    string
}

var importRules = []importRule{
	{"core", []string{"wizard", "ui", "internal"}, "core/ is the bottom layer"},
	{"wizard", []string{"ui", "core/cli"}, "wizard/ is the step model, below the window and beside the commands"},
	{"ui", []string{"core/cli"}, "the window and the commands share core/, not each other"},
	{"core/emulator", []string{"core/salesforce", "core/embedding"}, "the emulator is the other side of the wire, written independently of the client and the page"},
}

// testHelpers are the packages only tests may import.
var testHelpers = []string{"core/emulator/emulatortest", "core/secrets/keyringtest", "core/embedding/embeddingtest"}

// TestImportRules checks the import rules of docs/ARCHITECTURE.md on every
// package of the module, tests included, and that only tests import the
// test helper packages.
func TestImportRules(t *testing.T) {
	all := goList(t, "", []string{"-test", "-tags", tags}, []string{"./..."})
	prod := goList(t, "", []string{"-tags", tags}, []string{"./..."})
	rel := func(path string) (string, bool) {
		// A test variant is "pkg [pkg.test]"; the rules are the same.
		path, _, _ = strings.Cut(path, " ")
		path = strings.TrimSuffix(path, ".test")
		if path == module {
			return "", true
		}
		r, ok := strings.CutPrefix(path, module+"/")
		return r, ok
	}
	under := func(path, prefix string) bool {
		return path == prefix || strings.HasPrefix(path, prefix+"/")
	}
	// A package and its test variant import alike: report each pair once.
	reported := map[[2]string]bool{}
	report := func(from, to, why string) {
		if !reported[[2]string{from, to}] {
			reported[[2]string{from, to}] = true
			t.Errorf("%s imports %s: %s (docs/ARCHITECTURE.md)", orRoot(from), orRoot(to), why)
		}
	}
	for _, p := range all {
		from, ok := rel(p.ImportPath)
		if !ok || p.DepOnly {
			continue
		}
		for _, imp := range p.Imports {
			to, ok := rel(imp)
			if !ok {
				continue
			}
			for _, r := range importRules {
				if !under(from, r.from) {
					continue
				}
				for _, b := range r.banned {
					if under(to, b) {
						report(from, to, r.why)
					}
				}
			}
			if to == "core/cli" && from != "" && from != "core/cli" && !under(from, "internal") {
				report(from, to, "only main runs the commands")
			}
		}
	}
	for _, p := range prod {
		if p.DepOnly {
			continue
		}
		for _, imp := range p.Imports {
			if to, ok := rel(imp); ok && slices.Contains(testHelpers, to) {
				t.Errorf("%s imports %s, which only tests may import", p.ImportPath, to)
			}
		}
		if from, _ := rel(p.ImportPath); from == "core/cleanlocale" {
			for _, imp := range p.Imports {
				if imp != "os" {
					t.Errorf("core/cleanlocale imports %s: it must depend on nothing but os, to run before Fyne reads the locale", imp)
				}
			}
		}
	}
}

// orRoot names the root package in messages.
func orRoot(rel string) string {
	if rel == "" {
		return "the root package (main)"
	}
	return rel
}

// pkg is what go list -json says of one package.
type pkg struct {
	ImportPath string
	Imports    []string
	DepOnly    bool // reached only as a dependency, not named by a pattern
	Error      *struct{ Err string }
}

// checkNoFyne lists patterns and all they depend on for goos, and fails with
// rule and the import chain to every fyne.io package found.
func checkNoFyne(t *testing.T, goos, rule string, flags []string, patterns ...string) {
	t.Helper()
	pkgs := goList(t, goos, flags, patterns)
	byPath := map[string]pkg{}
	var roots []string
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
		if !p.DepOnly {
			roots = append(roots, p.ImportPath)
		}
	}
	if len(roots) == 0 {
		t.Fatalf("go list %s found no packages", strings.Join(patterns, " "))
	}
	// Breadth first from the named packages: the shortest chain to each
	// package, so the message shows the import to remove.
	parent := map[string]string{}
	seen := map[string]bool{}
	queue := slices.Clone(roots)
	for _, r := range roots {
		seen[r] = true
	}
	var bad []string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if strings.HasPrefix(cur, forbidden) {
			bad = append(bad, cur)
			continue // its own imports are Fyne's business
		}
		for _, imp := range byPath[cur].Imports {
			if !seen[imp] {
				seen[imp] = true
				parent[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	if len(bad) == 0 {
		// go list -e carries on past a package it cannot load; without Fyne
		// to blame, such a package is a failure of its own.
		for _, p := range pkgs {
			if p.Error != nil {
				t.Fatalf("GOOS=%s go list: %s: %s", goos, p.ImportPath, p.Error.Err)
			}
		}
		return
	}
	// Group by the package that imports Fyne: that import is the one to remove.
	var importers []string
	fyneOf := map[string][]string{}
	for _, p := range bad {
		imp := parent[p]
		if _, ok := fyneOf[imp]; !ok {
			importers = append(importers, imp)
		}
		fyneOf[imp] = append(fyneOf[imp], p)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, but GOOS=%s go list -deps %s %s reaches it:\n",
		rule, goos, strings.Join(flags, " "), strings.Join(patterns, " "))
	for _, imp := range importers {
		var chain []string
		for cur := imp; cur != ""; cur = parent[cur] {
			chain = append(chain, cur)
		}
		slices.Reverse(chain)
		fyne := fyneOf[imp]
		if len(fyne) > 3 {
			fyne = append(fyne[:3:3], fmt.Sprintf("and %d more", len(fyneOf[imp])-3))
		}
		fmt.Fprintf(&b, "  %s\n    imports %s\n", strings.Join(chain, "\n    imports "), strings.Join(fyne, ", "))
	}
	t.Error(b.String())
}

// goList runs go list -deps -json in the module root, for goos ("": this
// system).
func goList(t *testing.T, goos string, flags, patterns []string) []pkg {
	t.Helper()
	args := append([]string{"list", "-deps", "-e", "-json=ImportPath,Imports,DepOnly,Error"}, flags...)
	args = append(args, patterns...)
	cmd := exec.Command(goTool(t), args...)
	cmd.Dir = moduleRoot(t)
	// No cgo, as the headless build is made; go list then needs no C
	// compiler for the other systems either.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if goos != "" {
		cmd.Env = append(cmd.Env, "GOOS="+goos)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("go %s: unreadable output: %v", strings.Join(args, " "), err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// goTool is the go command running this test.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no go command on PATH or in %s", filepath.Dir(p))
	}
	return p
}

// moduleRoot is the module's root folder, or the test fails.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
