// Package stage runs a Terraform change as ordered, reviewed stages: each stage is a
// targeted saved plan with a policy of allowed actions and checks of its expected result.
// Deployer.Plan saves what a reviewer approves (with a hash per stage); Deployer.Apply
// backs the state up, refuses anything other than what was reviewed, applies stage by
// stage, checks each, and ends with a full plan that must be empty. ExtractRef,
// OnDefaultBranch and RollbackStage plan and apply an older commit of the default branch
// the same reviewed way (rollback); Restore puts a state
// backup back only when it belongs to the same state.
package stage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/jitsictl/jitsictl/internal/plan"
	"github.com/jitsictl/jitsictl/internal/report"
)

// Check names an expected result verified after a stage is applied.
type Check string

const (
	// ParametersReadable: every SSM parameter the stack will hold after the stage exists
	// and can be read with decryption (values are never printed).
	ParametersReadable Check = "parameters-readable"
	// ServiceCountUnchanged: the ECS service's desired count is what it was before the
	// stage (a deploy never scales a live meeting up or down).
	ServiceCountUnchanged Check = "service-desired-count-unchanged"
	// ServiceUnchanged: the ECS service still runs the same task definition at the same
	// desired count (the stage did not touch it at all).
	ServiceUnchanged Check = "service-unchanged"
)

var knownChecks = []Check{ParametersReadable, ServiceCountUnchanged, ServiceUnchanged}

// Stage is one step of a deploy.
type Stage struct {
	Name string `yaml:"name"`
	// Targets are resource addresses for -target; none means everything.
	Targets []string `yaml:"targets"`
	// Allow lists the actions this stage may apply (create, update, replace, delete, forget).
	Allow []string `yaml:"allow"`
	// Expect lists checks run after the stage is applied.
	Expect []Check `yaml:"expect"`
}

// Policy is the stage's plan.Policy.
func (s Stage) Policy() plan.Policy {
	acts, _ := plan.ParseActions(s.Allow) // validated by Parse
	return plan.Policy{Stage: s.Name, Allow: acts}
}

// Config is jitsictl.yaml's deploy section.
type Config struct {
	Stages []Stage `yaml:"stages"`
}

// Load reads the stage configuration from a jitsictl.yaml file.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("stage config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse reads and validates the deploy section of a jitsictl.yaml document (other
// sections belong to other commands). Unknown keys inside it are errors: a misspelt
// "allow" must not silently leave a stage unrestricted.
func Parse(b []byte) (Config, error) {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(b, &top); err != nil {
		return Config{}, fmt.Errorf("read stages: %w", err)
	}
	node, ok := top["deploy"]
	if !ok {
		return Config{}, errors.New("no deploy section: add deploy.stages (see the shipped jitsictl.yaml)")
	}
	raw, err := yaml.Marshal(&node)
	if err != nil {
		return Config{}, err
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("read deploy stages: %w", err)
	}
	return c, c.Validate()
}

// Validate checks names, actions and checks, and that the last stage covers everything
// (otherwise the closing full plan could never be empty).
func (c Config) Validate() error {
	if len(c.Stages) == 0 {
		return errors.New("deploy.stages is empty: declare at least one stage (a stage without targets applies everything)")
	}
	seen := map[string]bool{}
	for i, s := range c.Stages {
		where := fmt.Sprintf("deploy.stages[%d]", i)
		if strings.TrimSpace(s.Name) == "" {
			return fmt.Errorf("%s has no name", where)
		}
		if strings.ContainsAny(s.Name, " /\\\t") {
			return fmt.Errorf("%s name %q: use letters, digits and hyphens (it names plan files)", where, s.Name)
		}
		if seen[s.Name] {
			return fmt.Errorf("%s: stage name %q is used twice", where, s.Name)
		}
		seen[s.Name] = true
		if len(s.Allow) == 0 {
			return fmt.Errorf("%s (%s) has no allow list: name the actions it may apply, e.g. [create]", where, s.Name)
		}
		if _, err := plan.ParseActions(s.Allow); err != nil {
			return fmt.Errorf("%s (%s): %w", where, s.Name, err)
		}
		for _, t := range s.Targets {
			if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "-") {
				return fmt.Errorf("%s (%s): target %q is not a resource address", where, s.Name, t)
			}
		}
		for _, ch := range s.Expect {
			if !knownCheck(ch) {
				return fmt.Errorf("%s (%s): unknown check %q (known: %s)", where, s.Name, ch, checkNames())
			}
		}
	}
	if last := c.Stages[len(c.Stages)-1]; len(last.Targets) != 0 {
		return fmt.Errorf("the last stage (%s) has targets: it must apply everything, or the closing full plan can never be empty", last.Name)
	}
	return nil
}

// Select returns the stages to run: all of them for "", else the one named (or numbered
// from 1) by sel, with its 1-based position.
func (c Config) Select(sel string) ([]Numbered, error) {
	var out []Numbered
	for i, s := range c.Stages {
		if sel == "" || sel == s.Name || sel == fmt.Sprint(i+1) {
			out = append(out, Numbered{N: i + 1, Last: i == len(c.Stages)-1, Stage: s})
		}
	}
	if len(out) == 0 {
		names := make([]string, len(c.Stages))
		for i, s := range c.Stages {
			names[i] = fmt.Sprintf("%d=%s", i+1, s.Name)
		}
		return nil, fmt.Errorf("no stage %q (stages: %s)", sel, strings.Join(names, ", "))
	}
	return out, nil
}

// Numbered is a stage with its position.
type Numbered struct {
	N    int
	Last bool
	Stage
}

// Label is "1 (parameters)".
func (n Numbered) Label() string { return fmt.Sprintf("%d (%s)", n.N, n.Name) }

func knownCheck(c Check) bool {
	for _, k := range knownChecks {
		if c == k {
			return true
		}
	}
	return false
}

func checkNames() string {
	s := make([]string, len(knownChecks))
	for i, k := range knownChecks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// LoadStages reads the stages of the config file at path and selects sel
// (a name or number; "" all). Either error is bad input.
func LoadStages(path, sel string) ([]Numbered, error) {
	cfg, err := Load(path)
	if err != nil {
		return nil, report.Usagef("%v (pass --config with the file holding deploy.stages)", err)
	}
	stages, err := cfg.Select(sel)
	if err != nil {
		return nil, report.Usagef("--stage: %v", err)
	}
	return stages, nil
}
