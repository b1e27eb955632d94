package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/report"
)

func testApp(env map[string]string) *App {
	r, _ := report.New(report.Options{Format: report.FormatText, Stdout: &strings.Builder{}, Stderr: &strings.Builder{}})
	return &App{Env: Env{Getenv: func(k string) string { return env[k] }}, Reporter: r, reaperWorkflow: DefaultReaperWorkflow}
}

// Without a token (a laptop) enabling the reaper cannot happen, and the
// error is the exact command that does it; with one it goes to GitHub.
func TestReaperSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	err := testApp(map[string]string{"GITHUB_REPOSITORY": "o/r"}).reaper().Wake(ctx)
	if err == nil || !strings.Contains(err.Error(), "`gh workflow enable scale-down.yml --repo o/r`") {
		t.Errorf("no token: %v; want the gh command", err)
	}
	if err := testApp(nil).reaper().Sleep(ctx); err == nil || !strings.Contains(err.Error(), "`gh workflow disable scale-down.yml`") {
		t.Errorf("no token, no repository: %v; want the gh command without --repo", err)
	}
	if (&App{}).reaper() != nil {
		t.Error("an empty --reaper-workflow still switches a workflow")
	}

	gh := fakegithub.New(t)
	gh.AddToken("tok", "github-actions[bot]", fakegithub.ReadWrite)
	gh.AddWorkflow("o", "r", "scale-down.yml", fakegithub.WorkflowDisabled)
	a := testApp(map[string]string{"GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": gh.URL})
	if err := a.reaper().Wake(ctx); err != nil || gh.WorkflowState("o", "r", "scale-down.yml") != fakegithub.WorkflowActive {
		t.Fatalf("wake: %v, state %s", err, gh.WorkflowState("o", "r", "scale-down.yml"))
	}
	a.reaperWorkflow = "missing.yml"
	if err := a.reaper().Wake(ctx); err == nil || !strings.Contains(err.Error(), "gh workflow enable missing.yml --repo o/r") {
		t.Errorf("a workflow GitHub does not know: %v; want the error and the gh command", err)
	}
}
