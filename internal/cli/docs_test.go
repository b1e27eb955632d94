package cli

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/ and golden files")

// The reference in docs/ is generated from the command tree and the
// action.yml files: any command, flag or input added, renamed or removed
// without regenerating the docs fails here.
func TestDocsMatchTheCode(t *testing.T) {
	root := filepath.Join("..", "..")
	actions, err := ActionsReference(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"cli.md": CLIReference(), "actions.md": actions} {
		path := filepath.Join(root, "docs", name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate: go test ./internal/cli -run TestDocs -update)", err)
		}
		if string(want) != got {
			t.Errorf("docs/%s is out of date with the code: regenerate with go test ./internal/cli -run TestDocs -update", name)
		}
	}
}
