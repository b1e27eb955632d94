package github_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/github"
)

const owner, repo = "octo", "meet"

func workflows(t *testing.T, gh *fakegithub.Server, token string) github.Workflows {
	t.Helper()
	c, err := github.NewClient(token, gh.URL)
	if err != nil {
		t.Fatal(err)
	}
	return github.Workflows{API: c.Actions, Repo: github.Repo{Owner: owner, Name: repo}}
}

// Enable and disable switch the workflow's state through the calls GitHub
// documents (the fake checks each request and response against them).
func TestEnableDisableWorkflow(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New(t)
	gh.AddToken("rw", "github-actions[bot]", fakegithub.ReadWrite)
	gh.AddToken("ro", "github-actions[bot]", fakegithub.ReadOnly)
	gh.AddWorkflow(owner, repo, "scale-down.yml", fakegithub.WorkflowDisabled)
	w := workflows(t, gh, "rw")
	ctx := context.Background()
	if err := w.Enable(ctx, "scale-down.yml"); err != nil {
		t.Fatal(err)
	}
	if s := gh.WorkflowState(owner, repo, "scale-down.yml"); s != fakegithub.WorkflowActive {
		t.Fatalf("state after enable: %q", s)
	}
	if err := w.Disable(ctx, "scale-down.yml"); err != nil {
		t.Fatal(err)
	}
	if s := gh.WorkflowState(owner, repo, "scale-down.yml"); s != fakegithub.WorkflowDisabled {
		t.Fatalf("state after disable: %q", s)
	}
	// A token without actions: write is told what permission to add.
	err := workflows(t, gh, "ro").Enable(ctx, "scale-down.yml")
	if err == nil || !strings.Contains(err.Error(), "actions: write") {
		t.Fatalf("read-only token: %v, want the permission named", err)
	}
	err = w.Enable(ctx, "nope.yml")
	if err == nil || !strings.Contains(err.Error(), "no such workflow file") {
		t.Fatalf("unknown workflow: %v", err)
	}
	if v := gh.TakeViolations(); len(v) > 0 {
		t.Fatalf("requests outside GitHub's description: %v", v)
	}
}

// BilledMinutes rounds each run up to whole minutes, as GitHub bills a job.
func TestBilledMinutesFromRuns(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New(t)
	gh.AddToken("rw", "github-actions[bot]", fakegithub.ReadWrite)
	gh.AddWorkflow(owner, repo, "scale-down.yml", fakegithub.WorkflowActive)
	gh.AddWorkflow(owner, repo, "plan.yml", fakegithub.WorkflowActive)
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{50 * time.Second, 70 * time.Second, 3 * time.Minute} { // 1 + 2 + 3 billed
		gh.AddRun(owner, repo, "scale-down.yml", t0, t0.Add(d))
		t0 = t0.Add(15 * time.Minute)
	}
	w := workflows(t, gh, "rw")
	mins, runs, err := w.BilledMinutes(context.Background(), "scale-down.yml", 20)
	if err != nil {
		t.Fatal(err)
	}
	if runs != 3 || mins != 2 {
		t.Fatalf("%.2f billed minutes over %d runs, want 2 over 3", mins, runs)
	}
	if mins, runs, err := w.BilledMinutes(context.Background(), "plan.yml", 20); err != nil || runs != 0 || mins != 0 {
		t.Fatalf("no runs: %v %d %v", mins, runs, err)
	}
}
