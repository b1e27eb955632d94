package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/verify"
)

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Outputs and action inputs share one naming scheme, kebab-case (docs/actions.md, Names):
// the outputs the commands set (literal names in the code and the figures' maps) and
// every action.yml's inputs and outputs.
func TestOutputAndInputNamesAreKebabCase(t *testing.T) {
	root := filepath.Join("..", "..")
	names := map[string]string{} // name -> where
	literal := regexp.MustCompile(`\.Output\("([^"]+)"`)
	files, _ := filepath.Glob(filepath.Join(root, "internal", "*", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			names[m[1]] = f
		}
	}
	for k := range (cost.SessionFigures{}).Outputs() {
		names[k] = "session cost figures"
	}
	for k := range (cost.Overview{}).Outputs() {
		names[k] = "cost overview"
	}
	for k := range (verify.Report{}).Outputs() {
		names[k] = "verify report"
	}
	actions, _ := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	for _, p := range append(actions, filepath.Join(root, "action.yml")) {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Inputs  map[string]any `yaml:"inputs"`
			Outputs map[string]any `yaml:"outputs"`
		}
		if err := yaml.Unmarshal(raw, &a); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for k := range a.Inputs {
			names[k] = p + " input"
		}
		for k := range a.Outputs {
			names[k] = p + " output"
		}
	}
	if len(names) < 20 {
		t.Fatalf("found only %d names: the scan is broken", len(names))
	}
	for n, where := range names {
		if !kebab.MatchString(n) {
			t.Errorf("%q (%s) is not kebab-case", n, where)
		}
	}
}
