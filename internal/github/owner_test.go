package github_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Only this package reads the run's GITHUB_* variables (through RunContext):
// a second reader elsewhere drifts from it.
func TestNoOtherPackageReadsGitHubVariables(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".cache" || d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if rel, _ := filepath.Rel(root, path); strings.HasPrefix(rel, filepath.Join("internal", "github")+string(filepath.Separator)) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `Getenv("GITHUB_`) {
			t.Errorf("%s reads a GITHUB_ variable: use internal/github's RunContext", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
