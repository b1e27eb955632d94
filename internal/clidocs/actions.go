// Package clidocs renders the references in docs/: the commands (docs/cli.md)
// from the cobra tree and the GitHub Actions (docs/actions.md) from their
// action.yml files; cli's docs test keeps both in step.
package clidocs

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/jitsictl/jitsictl/internal/actioninputs"
)

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

// readAs says what jitsictl makes of input name of the action in file
// (from actioninputs' table): the flag it sets, or who reads it.
func readAs(file, name string) string {
	act, _ := actioninputs.ForFile(filepath.ToSlash(file))
	for _, i := range act.Rows() {
		switch {
		case i.Name != name:
		case i.Flag != "":
			return "`--" + i.Flag + "`"
		default:
			return i.ReadBy
		}
	}
	return "(not in the table)"
}

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
			b.WriteString("\n| input | required | default | jitsictl reads it as | meaning |\n|---|---|---|---|---|\n")
			for _, k := range slices.Sorted(maps.Keys(a.Inputs)) {
				in := a.Inputs[k]
				fmt.Fprintf(&b, "| `%s` | %v | `%s` | %s | %s |\n", k, in.Required, in.Default, readAs(p, k), in.Description)
			}
		}
		if len(a.Outputs) > 0 {
			b.WriteString("\n| output | meaning |\n|---|---|\n")
			for _, k := range slices.Sorted(maps.Keys(a.Outputs)) {
				fmt.Fprintf(&b, "| `%s` | %s |\n", k, a.Outputs[k].Description)
			}
		}
	}
	return b.String(), nil
}
