package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/jitsictl/jitsictl/internal/clidocs"
	"github.com/jitsictl/jitsictl/internal/testbed/golden"
)

// The reference in docs/ is generated from the command tree and the
// action.yml files: any command, flag or input added, renamed or removed
// without regenerating the docs fails here.
func TestDocsMatchTheCode(t *testing.T) {
	root := filepath.Join("..", "..")
	actions, err := clidocs.ActionsReference(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"cli.md": CLIReference(), "actions.md": actions} {
		path := filepath.Join(root, "docs", name)
		golden.CheckPath(t, path, got) // out of date with the code: regenerate with -update
	}
}

// Every flag every command accepts is documented in that command's section of
// docs/cli.md (or under Global flags): flags a parent gives its subcommands,
// like deploy's --config, --out and --stage, included.
func TestDocsListEveryFlagOfEveryCommand(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	name := ""
	for _, line := range strings.Split(string(raw), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			name = h
			continue
		}
		sections[name] += line + "\n"
	}
	root := (&App{}).rootCommand()
	documented := func(section, flag string) bool {
		return strings.Contains(sections[section], "| `--"+flag+"` |")
	}
	for _, c := range clidocs.Commands(root)[1:] {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" || documented("Global flags", f.Name) {
				return
			}
			if !documented(c.CommandPath(), f.Name) {
				t.Errorf("docs/cli.md: section %q does not document --%s", c.CommandPath(), f.Name)
			}
		})
		c.InheritedFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && !documented("Global flags", f.Name) && !documented(c.CommandPath(), f.Name) {
				t.Errorf("docs/cli.md: section %q does not document the inherited --%s", c.CommandPath(), f.Name)
			}
		})
	}
}
