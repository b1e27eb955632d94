package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// CLIReference renders docs/cli.md from the command tree itself, so the
// reference cannot drift from the binary (a test compares the two).
func CLIReference() string {
	root := (&App{}).rootCommand()
	var b strings.Builder
	b.WriteString("# jitsictl command reference\n\n<!-- Generated from the command tree: go test ./internal/cli -run TestDocs -update -->\n\n")
	b.WriteString("## Global flags\n\n")
	writeFlags(&b, root.PersistentFlags())
	b.WriteString("\n## Exit codes\n\n| code | meaning |\n|---|---|\n")
	fmt.Fprintf(&b, "| %d | success |\n| %d | the command ran and something failed: a check, a wait, an apply (the message says what, and how to recover) |\n| %d | bad input: unknown command or flag, a value out of range; nothing was touched |\n", ExitOK, ExitFailure, ExitUsage)
	for _, c := range allCommands(root)[1:] {
		if !c.Runnable() && !c.HasSubCommands() {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", c.CommandPath(), c.Short)
		if c.Long != "" {
			fmt.Fprintf(&b, "\n%s\n", c.Long)
		}
		if c.Example != "" {
			fmt.Fprintf(&b, "\n```sh\n%s\n```\n", strings.TrimRight(c.Example, "\n"))
		}
		if own := commandFlags(c); own.HasFlags() {
			b.WriteString("\n")
			writeFlags(&b, own)
		}
	}
	return b.String()
}

// commandFlags are the flags a command takes beyond the global ones: its own,
// those it gives its subcommands (deploy's --config) and those it inherits
// from a parent other than the root.
func commandFlags(c *cobra.Command) *pflag.FlagSet {
	global := c.Root().PersistentFlags()
	fs := pflag.NewFlagSet(c.CommandPath(), pflag.ContinueOnError)
	add := func(f *pflag.Flag) {
		if global.Lookup(f.Name) == nil && fs.Lookup(f.Name) == nil {
			fs.AddFlag(f)
		}
	}
	c.LocalFlags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	return fs
}

func writeFlags(b *strings.Builder, fs *pflag.FlagSet) {
	b.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		def := f.DefValue
		if def == "" {
			def = " "
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(b, "| `--%s` | %s | %s |\n", f.Name, def, strings.ReplaceAll(f.Usage, "|", `\|`))
	})
}

// actionFile is the part of action.yml the reference shows.
type actionFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
}

// namingNote is the one place the naming scheme is written down.
const namingNote = "**Names.** Inputs and outputs of the actions, and the step outputs every jitsictl command sets " +
	"in Actions (`session open` sets `url`, `expires-at`, ...), are kebab-case, as GitHub's own actions name theirs. " +
	"JSON documents (`--output json`, the session record, plan and cost files) keep snake_case keys, as Terraform and AWS write theirs."

// ActionsReference renders docs/actions.md from the action.yml files under root.
func ActionsReference(root string) (string, error) {
	paths := []string{"action.yml"}
	more, _ := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	for _, m := range more {
		rel, _ := filepath.Rel(root, m)
		paths = append(paths, rel)
	}
	sort.Strings(paths[1:])
	var b strings.Builder
	b.WriteString("# jitsictl GitHub Actions\n\n<!-- Generated from the action.yml files: go test ./internal/cli -run TestDocs -update -->\n")
	b.WriteString("\n" + namingNote + "\n")
	for _, p := range paths {
		raw, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			return "", err
		}
		var a actionFile
		if err := yaml.Unmarshal(raw, &a); err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		use := "jitsictl/jitsictl@v1"
		if dir := filepath.Dir(p); dir != "." {
			use = "jitsictl/jitsictl/" + filepath.ToSlash(dir) + "@v1"
		}
		fmt.Fprintf(&b, "\n## `%s` — %s\n\n%s\n\n`uses: %s`\n", p, a.Name, a.Description, use)
		if len(a.Inputs) > 0 {
			b.WriteString("\n| input | required | default | meaning |\n|---|---|---|---|\n")
			for _, k := range sortedKeys(a.Inputs) {
				in := a.Inputs[k]
				fmt.Fprintf(&b, "| `%s` | %v | `%s` | %s |\n", k, in.Required, in.Default, in.Description)
			}
		}
		if len(a.Outputs) > 0 {
			b.WriteString("\n| output | meaning |\n|---|---|\n")
			for _, k := range sortedKeys(a.Outputs) {
				fmt.Fprintf(&b, "| `%s` | %s |\n", k, a.Outputs[k].Description)
			}
		}
	}
	return b.String(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
