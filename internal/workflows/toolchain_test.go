package workflows

import (
	"go/version"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// goModToolchain is the Go release go.mod builds with: its toolchain line, or its go line
// when there is none.
func goModToolchain(t *testing.T, gomod []byte) string {
	t.Helper()
	goLine := regexp.MustCompile(`(?m)^go\s+(\S+)\s*$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	v := "go" + string(goLine[1])
	if tc := regexp.MustCompile(`(?m)^toolchain\s+(go\S+)\s*$`).FindSubmatch(gomod); tc != nil && version.Compare(string(tc[1]), v) > 0 {
		v = string(tc[1])
	}
	return v
}

// setupGoSteps are the actions/setup-go steps of a workflow or composite action.
func setupGoSteps(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Jobs map[string]struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"jobs"`
		Runs struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	steps := doc.Runs.Steps
	for _, j := range doc.Jobs {
		steps = append(steps, j.Steps...)
	}
	var out []map[string]any
	for _, s := range steps {
		if uses, _ := s["uses"].(string); strings.HasPrefix(uses, "actions/setup-go@") {
			out = append(out, s)
		}
	}
	return out
}

// TestGoModNotOlderThanCI: the Go that CI installs must not be newer than the one go.mod
// builds with, or CI would test (and govulncheck would judge) a standard library that
// users building from go.mod do not get.
func TestGoModNotOlderThanCI(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	modGo := goModToolchain(t, gomod)
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	actions, _ := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	files = append(files, actions...)
	found := 0
	for _, f := range files {
		for _, s := range setupGoSteps(t, f) {
			found++
			with, _ := s["with"].(map[string]any)
			if v, ok := with["go-version"]; ok {
				ci, _ := v.(string)
				if !version.IsValid("go" + ci) {
					t.Errorf("%s: setup-go go-version %q is not an exact release: pin one no newer than go.mod's %s", f, ci, modGo)
				} else if version.Compare("go"+ci, modGo) > 0 {
					t.Errorf("%s: CI installs go%s but go.mod builds with %s: raise go.mod's toolchain line", f, ci, modGo)
				}
				continue
			}
			file, _ := with["go-version-file"].(string)
			if filepath.Base(file) != "go.mod" {
				t.Errorf("%s: setup-go reads its version from %q; use go.mod (or an exact go-version)", f, file)
			}
		}
	}
	if found == 0 {
		t.Fatal("no actions/setup-go step in any workflow or action: the test reads nothing")
	}
}

// TestGovulncheckPinned: CI runs govulncheck at an exact version (a moving @latest could
// change what passes without a commit).
func TestGovulncheckPinned(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`golang\.org/x/vuln/cmd/govulncheck@(\S+)\s+\./\.\.\.`).FindSubmatch(b)
	if m == nil {
		t.Fatal("ci.yml runs no `govulncheck@<version> ./...`")
	}
	if !regexp.MustCompile(`^v\d+\.\d+\.\d+$`).Match(m[1]) {
		t.Errorf("govulncheck@%s: pin an exact release (vX.Y.Z)", m[1])
	}
}

func TestGoModToolchain(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ mod, want string }{
		{"module m\n\ngo 1.26.8\n\ntoolchain go1.26.10\n", "go1.26.10"},
		{"module m\n\ngo 1.26.8\n", "go1.26.8"},
		{"module m\n\ngo 1.26.8\n\ntoolchain go1.25.1\n", "go1.26.8"},
	} {
		if got := goModToolchain(t, []byte(c.mod)); got != c.want {
			t.Errorf("goModToolchain(%q) = %s, want %s", c.mod, got, c.want)
		}
	}
}
