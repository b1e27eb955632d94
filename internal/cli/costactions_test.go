package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/fakegithub"
)

// costActions runs `jitsictl cost --estimate-only --output json` and returns
// its Actions section.
func costActions(t *testing.T, env map[string]string, args ...string) cost.ActionsReport {
	t.Helper()
	code, out, errOut := run(t, env, append([]string{"cost", "--estimate-only", "--output", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var res struct {
		Report struct{ Actions *cost.ActionsReport }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if res.Report.Actions == nil {
		t.Fatalf("no Actions section in the JSON:\n%s", out)
	}
	return *res.Report.Actions
}

// The figures: a private repository on GitHub Free, 10 one-hour
// meetings a month. Before (the 15-minute schedule forever) and after (the
// reaper only while a session is open), and the idle month after is 0.
func TestCostShowsActionsMinutesBeforeAndAfter(t *testing.T) {
	t.Parallel()
	r := costActions(t, nil)
	if !r.Private || r.Plan != "free" || r.Included != 2000 || r.Use.Meetings != 10 {
		t.Fatalf("defaults: %+v", r)
	}
	if r.Before.Minutes != 3000 || r.Before.Cost.Cents() != "$6.00" {
		t.Errorf("before: %d minutes, %s; want 3000, $6.00", r.Before.Minutes, r.Before.Cost.Cents())
	}
	if r.After.Minutes != 130 || r.After.Cost != 0 {
		t.Errorf("after: %d minutes, %s; want 130, $0", r.After.Minutes, r.After.Cost.Cents())
	}
	if r.IdleAfter.Minutes != 0 || r.IdleBefore.Minutes != 2920 {
		t.Errorf("idle month: before %d, after %d minutes; want 2920 and 0", r.IdleBefore.Minutes, r.IdleAfter.Minutes)
	}
	if pub := costActions(t, nil, "--private-repo=false"); pub.Before.Cost != 0 || pub.Private {
		t.Errorf("public repository: %+v; want $0", pub.Before)
	}
	code, _, errOut := run(t, nil, "cost", "--estimate-only", "--github-plan", "gold")
	if code != ExitUsage || !strings.Contains(errOut, "--github-plan") {
		t.Errorf("unknown plan: exit %d, %s", code, errOut)
	}
}

// With a token, the minutes per run come from the workflow runs API (the
// fake GitHub, checked against GitHub's description).
func TestCostMeasuresActionsMinutes(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New(t)
	gh.AddToken("tok", "github-actions[bot]", fakegithub.ReadWrite)
	for _, w := range cost.DefaultWorkflows {
		gh.AddWorkflow("o", "r", w.File, fakegithub.WorkflowActive)
	}
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i := range 4 { // reaper runs of 1m30s bill 2 minutes each
		gh.AddRun("o", "r", "scale-down.yml", t0.Add(time.Duration(i)*15*time.Minute), t0.Add(time.Duration(i)*15*time.Minute+90*time.Second))
	}
	r := costActions(t, map[string]string{"GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": gh.URL})
	reaper := r.After.Rows[0]
	if reaper.MeasuredRuns != 4 || reaper.MinutesPerRun != 2 || reaper.Minutes != 100 {
		t.Errorf("reaper: %+v; want 4 measured runs of 2 minutes, 100 minutes after", reaper)
	}
	if s := r.After.Rows[1]; s.MeasuredRuns != 0 || s.MinutesPerRun != 4 {
		t.Errorf("session without runs: %+v; want the default", s)
	}
	if r.Before.Rows[0].Minutes != 2*2920 {
		t.Errorf("reaper before: %d minutes, want %d", r.Before.Rows[0].Minutes, 2*2920)
	}
}
