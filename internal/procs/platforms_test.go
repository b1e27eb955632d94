package procs

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linuxOnly are the syscall names jitsictl's code reaches for that exist only
// on Linux: a use of one in a file that macOS builds breaks the release's
// darwin archives (scripts/release.sh), which no test here compiles (a cold
// cross-build costs minutes; CI's release-platforms job does it).
var linuxOnly = map[string]bool{"Pdeathsig": true, "Setns": true, "Unshare": true, "Unshareflags": true, "Cloneflags": true, "AmbientCaps": true}

// Every non-test Go file of the module that a darwin build compiles uses no
// Linux-only syscall name (they belong in *_linux.go files, as OwnGroup's
// Pdeathsig does).
func TestDarwinFilesUseNoLinuxOnlySyscalls(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = "darwin", "arm64", false
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if ok, err := ctx.MatchFile(filepath.Dir(path), d.Name()); err != nil || !ok {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			var name string
			switch n := n.(type) {
			case *ast.SelectorExpr:
				name = n.Sel.Name
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok {
					name = id.Name
				}
			}
			if linuxOnly[name] {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d: %s is Linux-only, but darwin builds this file: move it to a _linux.go file with a fallback", rel, fset.Position(n.Pos()).Line, name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files under %s: the walk missed the module", checked, root)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("%s is not the module root: %v", root, err)
	}
}
