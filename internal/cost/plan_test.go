package cost

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// testdata/plan-change.json is `terraform show -json` of a real plan made by
// testdata/plan/generate.sh (real terraform against moto).
func TestPlanScenariosFromARealPlan(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/plan-change.json")
	if err != nil {
		t.Fatal(err)
	}
	var p tfjson.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	s, i := SeedScenario()
	before, after, err := PlanScenarios(&p, Scenario{s, i})
	if err != nil {
		t.Fatal(err)
	}
	if before.Session.Task != (TaskSize{4096, 8192, X86}) || after.Session.Task != (TaskSize{2048, 4096, ARM}) {
		t.Errorf("task %v -> %v", before.Session.Task, after.Session.Task)
	}
	if before.Idle.AdvancedParameters != 0 || after.Idle.AdvancedParameters != 2 {
		t.Errorf("advanced parameters %d -> %d", before.Idle.AdvancedParameters, after.Idle.AdvancedParameters)
	}
	if before.Idle.HostedZones != 1 || after.Idle.HostedZones != 0 {
		t.Errorf("hosted zones %d -> %d", before.Idle.HostedZones, after.Idle.HostedZones)
	}
	// No aws_eip in this plan: the session's addresses stay as measured.
	if after.Session.NLBAddresses != s.NLBAddresses || after.Idle.BucketBytes["STANDARD"] != i.BucketBytes["STANDARD"] {
		t.Errorf("unplanned parts changed: %+v", after)
	}
	d := region(t, "us-east-1").ComparePlans(before, after)
	// Fargate 0.19748 -> 2 × 0.03238 + 4 × 0.00356 = 0.0790.
	if got := d.Running.Change(); got != mustMoney(t, "-0.11848") {
		t.Errorf("running change %s", got)
	}
	// + 2 advanced parameters, − the namespace's zone.
	if got := d.Idle.Change(); got != mustMoney(t, "-0.4") {
		t.Errorf("idle change %s", got)
	}
	var md bytes.Buffer
	if err := d.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan-change.md", md.Bytes())
}
