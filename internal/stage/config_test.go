package stage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/plan"
)

// The shipped jitsictl.yaml reproduces the seed's three stages: parameters (create only),
// then namespace, service and task definition, then everything.
func TestShippedConfigIsTheSeedsThreeStages(t *testing.T) {
	t.Parallel()
	c, err := Load(filepath.Join("..", "..", "jitsictl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Stages) != 3 {
		t.Fatalf("%d stages", len(c.Stages))
	}
	one, two, three := c.Stages[0], c.Stages[1], c.Stages[2]
	if got := one.Policy().Allow; len(got) != 1 || got[0] != plan.Create {
		t.Errorf("stage 1 allows %v, want create only", got)
	}
	for _, tgt := range one.Targets {
		if !strings.HasPrefix(tgt, "aws_ssm_parameter.") {
			t.Errorf("stage 1 targets %s", tgt)
		}
	}
	for _, want := range []string{"aws_service_discovery_http_namespace.this", "aws_ecs_service.jitsi", "aws_ecs_task_definition.jitsi"} {
		if !contains(two.Targets, want) {
			t.Errorf("stage 2 does not target %s", want)
		}
	}
	if contains(two.Allow, "delete") {
		t.Error("stage 2 may delete")
	}
	if len(three.Targets) != 0 || !contains(three.Allow, "delete") {
		t.Errorf("stage 3 %+v: want everything, deletes allowed", three)
	}
	if !containsCheck(one.Expect, ServiceUnchanged) || !containsCheck(one.Expect, ParametersReadable) {
		t.Errorf("stage 1 checks %v", one.Expect)
	}
}

// Every target in the shipped file names a resource terraform/ declares (Terraform
// accepts a -target that matches nothing, so a typo would silently empty a stage).
func TestShippedTargetsExistInTheStack(t *testing.T) {
	t.Parallel()
	c, err := Load(filepath.Join("..", "..", "jitsictl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "terraform", "*.tf"))
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for _, s := range c.Stages {
		for _, tgt := range s.Targets {
			typ, name, _ := strings.Cut(tgt, ".")
			if !strings.Contains(src.String(), `resource "`+typ+`" "`+name+`"`) {
				t.Errorf("stage %s targets %s, which terraform/ does not declare", s.Name, tgt)
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ doc, want string }{
		"no section":       {"session: {}\n", "no deploy section"},
		"misspelt key":     {"deploy:\n  stages:\n    - name: a\n      alow: [create]\n", "field alow not found"},
		"unknown action":   {"deploy:\n  stages:\n    - name: a\n      allow: [destroy]\n", `unknown policy action "destroy"`},
		"no allow":         {"deploy:\n  stages:\n    - name: a\n", "has no allow list"},
		"unknown check":    {"deploy:\n  stages:\n    - name: a\n      allow: [create]\n      expect: [healthy]\n", `unknown check "healthy"`},
		"duplicate":        {"deploy:\n  stages:\n    - {name: a, allow: [create]}\n    - {name: a, allow: [create]}\n", "used twice"},
		"targeted last":    {"deploy:\n  stages:\n    - {name: a, allow: [create], targets: [aws_s3_bucket.x]}\n", "must apply everything"},
		"flag as target":   {"deploy:\n  stages:\n    - {name: a, allow: [create], targets: [-lock=false]}\n", "not a resource address"},
		"empty":            {"deploy:\n  stages: []\n", "empty"},
		"name with spaces": {"deploy:\n  stages:\n    - {name: a b, allow: [create]}\n", "use letters"},
	} {
		_, err := Parse([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

func TestParseKeepsOtherSections(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte("names: {project: jitsi}\ndeploy:\n  stages:\n    - {name: all, allow: [create, update]}\n"))
	if err != nil || len(c.Stages) != 1 {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	c := Config{Stages: []Stage{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
	for sel, want := range map[string]string{"": "a,b,c", "b": "b", "3": "c"} {
		got, err := c.Select(sel)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, n := range got {
			names = append(names, n.Name)
		}
		if strings.Join(names, ",") != want {
			t.Errorf("Select(%q) = %v", sel, names)
		}
		if sel == "3" && !got[0].Last || sel == "b" && (got[0].Last || got[0].N != 2) {
			t.Errorf("Select(%q) = %+v", sel, got)
		}
	}
	if _, err := c.Select("d"); err == nil || !strings.Contains(err.Error(), "1=a, 2=b, 3=c") {
		t.Errorf("unknown stage: %v", err)
	}
}

func TestWithin(t *testing.T) {
	t.Parallel()
	reviewed := plan.Summary{Changes: []plan.ResourceChange{
		{Address: "aws_ssm_parameter.secret[\"A\"]", Action: plan.Create},
		{Address: "aws_ecs_task_definition.jitsi", Action: plan.Replace},
	}}
	ok := plan.Summary{Changes: []plan.ResourceChange{{Address: "aws_ecs_task_definition.jitsi", Action: plan.Replace}}}
	if err := Within(reviewed, ok); err != nil {
		t.Errorf("a subset: %v", err)
	}
	bad := plan.Summary{Changes: []plan.ResourceChange{
		{Address: "aws_ecs_task_definition.jitsi", Action: plan.Delete},
		{Address: "aws_s3_bucket.data", Action: plan.Update},
	}}
	err := Within(reviewed, bad)
	if err == nil || !strings.Contains(err.Error(), "delete aws_ecs_task_definition.jitsi (reviewed as replace)") || !strings.Contains(err.Error(), "update aws_s3_bucket.data (not in the reviewed plan)") {
		t.Errorf("got %v", err)
	}
}

func TestStageErrorSaysHowToRollBack(t *testing.T) {
	t.Parallel()
	e := &StageError{
		Stage:    Numbered{N: 2, Stage: Stage{Name: "service"}},
		Applied:  []Numbered{{N: 1, Stage: Stage{Name: "parameters"}}},
		Err:      os.ErrDeadlineExceeded,
		Backup:   Saved{Remote: "s3://state/jitsi/backups/x", Serial: 41},
		Rollback: "jitsictl deploy rollback --ref abc123",
	}
	msg := e.Error()
	for _, want := range []string{"stage 2 (service) failed", "Applied and left in place: stage 1 (parameters)", "jitsictl deploy rollback --ref abc123", "jitsictl deploy restore-state s3://state/jitsi/backups/x", "serial 41"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func containsCheck(xs []Check, x Check) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
