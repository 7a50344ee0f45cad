package startup

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/internal/layering"
)

// compileAtStart are the calls that do real work when they run before
// main, by the import path of their package. (A helper of our own that
// wraps one of them is not seen: keep such helpers lazy too.)
var compileAtStart = map[string]map[string]bool{
	"regexp":        {"MustCompile": true, "Compile": true, "MustCompilePOSIX": true, "CompilePOSIX": true},
	"text/template": {"Must": true, "New": true, "ParseFS": true, "ParseFiles": true, "ParseGlob": true},
	"html/template": {"Must": true, "New": true, "ParseFS": true, "ParseFiles": true, "ParseGlob": true},
}

// TestNothingIsCompiledAtStartUp: no product file (tests may) compiles a
// regexp or template before main: in a package-level var or an init.
func TestNothingIsCompiledAtStartUp(t *testing.T) {
	root, err := layering.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files := productFiles(t, root)
	if len(files) < 50 {
		t.Fatalf("found only %d Go files under %s: the walk is wrong", len(files), root)
	}
	for _, f := range files {
		for _, at := range compiledAtStart(t, f) {
			rel, _ := filepath.Rel(root, f)
			t.Errorf("%s:%d compiles at start-up; wrap it in sync.OnceValue so it is built on first use", rel, at)
		}
	}
}

func TestTheCheckSeesEveryWayToCompileAtStartUp(t *testing.T) {
	src := `package p

import (
	re "regexp"
	"text/template"
)

var a = re.MustCompile("x")                                // 8: an aliased import
var b = func() *re.Regexp { return re.MustCompile("y") }   // a function: runs on first use
var c = func() *re.Regexp { return re.MustCompile("z") }() // 10: called at once
var d = template.Must(template.New("t").Parse("{{.}}"))    // 11, twice

func init() { _ = re.MustCompile("w") } // 13: init runs before main

func later() { _ = re.MustCompile("v") } // a plain function
`
	f := filepath.Join(t.TempDir(), "p.go")
	writeFile(t, f, src)
	if got, want := compiledAtStart(t, f), []int{8, 10, 11, 11, 13}; !slices.Equal(got, want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
}

func productFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "dist" || name == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// compiledAtStart gives the lines of the calls in compileAtStart that run
// before main: in package-level var initialisers and init functions,
// including function literals called there, but not in functions that
// only run later.
func compiledAtStart(t *testing.T, file string) []int {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	names := localNames(f)
	var lines []int
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // runs when called, which need not be at start-up
		case *ast.CallExpr:
			if lit, ok := n.Fun.(*ast.FuncLit); ok {
				ast.Inspect(lit.Body, visit)
			}
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && compileAtStart[names[pkg.Name]][sel.Sel.Name] {
					lines = append(lines, fset.Position(n.Pos()).Line)
				}
			}
		}
		return true
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, spec := range d.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					ast.Inspect(v, visit)
				}
			}
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "init" && d.Body != nil {
				ast.Inspect(d.Body, visit)
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// localNames maps the names a file gives the packages of compileAtStart to
// their import paths.
func localNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil || compileAtStart[path] == nil {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = path
	}
	return names
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
