package actioninputs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every input of every action.yml has exactly one row in the table, each row
// reaches jitsictl the way it says (INPUT_* of the run step, GITHUB_TOKEN, the
// install step) and names a flag or who reads it. Composites get no INPUT_*
// by themselves: an unmapped input would silently be empty.
func TestTableMatchesTheActionFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	files, _ := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	files = append(files, filepath.Join(root, "action.yml"))
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		if _, ok := ForFile(filepath.ToSlash(rel)); !ok {
			t.Errorf("%s has no entry in the table", rel)
		}
	}
	for _, act := range Actions {
		raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(act.File)))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Inputs map[string]any `yaml:"inputs"`
			Runs   struct {
				Steps []struct {
					ID, Run string
					Env     map[string]string
				} `yaml:"steps"`
			} `yaml:"runs"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", act.File, err)
		}
		var install, run map[string]string
		for _, s := range doc.Runs.Steps {
			if s.ID == "install" {
				install = s.Env
			}
			if s.Run == "jitsictl gha "+act.Name { // and no expression spliced into the script
				run = s.Env
			}
		}
		if run == nil {
			t.Errorf("%s: no step runs exactly `jitsictl gha %s`", act.File, act.Name)
			continue
		}
		rows := act.Rows()
		for name := range doc.Inputs {
			if !slices.ContainsFunc(rows, func(i Input) bool { return i.Name == name }) {
				t.Errorf("%s: input %s has no row in the table", act.File, name)
			}
		}
		for _, i := range rows {
			env, ref := "INPUT_"+strings.ToUpper(i.Name), "${{ inputs."+i.Name+" }}"
			_, declared := doc.Inputs[i.Name]
			switch {
			case i.Name == "github-token":
				if run["GITHUB_TOKEN"] != ref {
					t.Errorf("%s: github-token does not reach GITHUB_TOKEN of the run step: %q", act.File, run["GITHUB_TOKEN"])
				}
			case InstallEnv[i.Name] != "":
				if install[InstallEnv[i.Name]] != ref {
					t.Errorf("%s: input %s does not reach the install step: env %s = %q", act.File, i.Name, InstallEnv[i.Name], install[InstallEnv[i.Name]])
				}
			case !declared && run[env] == "":
				t.Errorf("%s: row %s is neither an input nor an INPUT_ variable of the run step", act.File, i.Name)
			case declared && run[env] != ref:
				t.Errorf("%s: input %s is not mapped: env %s = %q", act.File, i.Name, env, run[env])
			}
			if (i.Flag == "") == (i.ReadBy == "") {
				t.Errorf("%s: row %s needs a flag or who reads it, not both", act.File, i.Name)
			}
		}
	}
}
