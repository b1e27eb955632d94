package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/verify"
)

// actions/verify maps every input into the environment (composites get none
// by themselves) and every output from the step that sets it; the outputs
// are exactly what verify publishes.
func TestVerifyActionWiring(t *testing.T) {
	t.Parallel()
	var a struct {
		Inputs  map[string]any `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Steps []struct {
				ID  string            `yaml:"id"`
				Env map[string]string `yaml:"env"`
				Run string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "actions", "verify", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	var env, install map[string]string
	for _, s := range a.Runs.Steps {
		if s.ID == "install" {
			install = s.Env
		}
		if s.ID == "run" {
			env = s.Env
			if s.Run != `jitsictl gha verify` {
				t.Errorf("run step runs %q", s.Run)
			}
			if strings.Contains(s.Run, "${{") {
				t.Errorf("run step interpolates an expression into the script: %q", s.Run)
			}
		}
	}
	for name := range a.Inputs {
		key := "INPUT_" + strings.ToUpper(name)
		if v, ok := installInputs[name]; ok {
			// Read by the step that installs jitsictl, not by jitsictl itself.
			if install[v] != "${{ inputs."+name+" }}" {
				t.Errorf("input %s does not reach the install step: env %s = %q", name, v, install[v])
			}
			continue
		}
		if name == "github-token" {
			key = "GITHUB_TOKEN" // read from the environment, never from argv
		}
		if env[key] != "${{ inputs."+name+" }}" {
			t.Errorf("input %s is not mapped: env %s = %q", name, key, env[key])
		}
	}
	published := verifyOutputNames()
	for name, o := range a.Outputs {
		if o.Value != "${{ steps.run.outputs."+name+" }}" {
			t.Errorf("output %s = %q, want the run step's output of that name", name, o.Value)
		}
		if !published[name] {
			t.Errorf("output %s is documented but verify never sets it", name)
		}
		delete(published, name)
	}
	for name := range published {
		t.Errorf("verify sets output %s but actions/verify does not declare it", name)
	}
}

// verifyOutputNames are the outputs verify sets.
func verifyOutputNames() map[string]bool {
	names := map[string]bool{}
	for k := range (cost.SessionFigures{}).Outputs() {
		names[k] = true
	}
	for k := range (verify.Report{}).Outputs() {
		names[k] = true
	}
	return names
}
