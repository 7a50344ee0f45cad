package startup

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/internal/layering"
)

// compileAtStart are the calls that do real work when they initialise a
// package-level var.
var compileAtStart = map[string]bool{
	"regexp.MustCompile": true, "regexp.Compile": true,
	"regexp.MustCompilePOSIX": true, "regexp.CompilePOSIX": true,
	"template.Must": true, "template.New": true,
}

// TestNothingIsCompiledAtStartUp: no product file (tests may) initialises a
// package-level var with a compiled regexp or template.
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

func TestTheCheckSeesAPackageLevelRegexp(t *testing.T) {
	src := "package p\nimport \"regexp\"\nvar a = regexp.MustCompile(`x`)\n" +
		"var b = func() *regexp.Regexp { return regexp.MustCompile(`y`) }\n"
	dir := t.TempDir()
	f := filepath.Join(dir, "p.go")
	writeFile(t, f, src)
	if got := compiledAtStart(t, f); len(got) != 1 || got[0] != 3 {
		t.Fatalf("want line 3 only (a function literal runs on first use), got %v", got)
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

// compiledAtStart gives the lines of package-level var initialisers that
// call one of compileAtStart outside a function literal.
func compiledAtStart(t *testing.T, file string) []int {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR {
			continue
		}
		for _, spec := range gen.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				ast.Inspect(v, func(n ast.Node) bool {
					if _, lit := n.(*ast.FuncLit); lit {
						return false
					}
					if call, ok := n.(*ast.CallExpr); ok && compileAtStart[callName(call)] {
						lines = append(lines, fset.Position(call.Pos()).Line)
					}
					return true
				})
			}
		}
	}
	return lines
}

func callName(call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return pkg.Name + "." + sel.Sel.Name
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
