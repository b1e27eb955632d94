package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/session"
)

// DefaultReaperWorkflow is the scheduled workflow `session open` enables and
// a reap that finds nothing disables.
const DefaultReaperWorkflow = "scale-down.yml"

// reaperFlag adds --reaper-workflow to open and reap.
func (a *App) reaperFlag(c *cobra.Command) {
	c.Flags().StringVar(&a.reaperWorkflow, "reaper-workflow", DefaultReaperWorkflow,
		"scheduled workflow that open enables and a reap finding nothing disables, with GITHUB_TOKEN in GITHUB_REPOSITORY (empty: leave it alone)")
}

// waitFlag adds --wait to the commands a user runs: session runs share no
// concurrency group, so the record's lease is their queue.
func (a *App) waitFlag(c *cobra.Command) {
	c.Flags().DurationVar(&a.leaseWait, "wait", 0, "wait up to this long for another run that is opening or closing the session, instead of failing")
}

// workflowReaper switches the reaper workflow through GitHub's API, or, in a
// run without a token (a laptop), says how to do it by hand.
type workflowReaper struct {
	file string
	repo string // owner/name; "" when unknown (gh then uses the checkout's remote)
	wf   *github.Workflows
	why  string // why wf is nil
}

// reaper builds the session.Reaper of this run, nil when --reaper-workflow is empty.
func (a *App) reaper() session.Reaper {
	if a.reaperWorkflow == "" {
		return nil
	}
	run := a.run()
	r := workflowReaper{file: a.reaperWorkflow, repo: run.Repository}
	if run.Token == "" {
		r.why = "no GITHUB_TOKEN (in Actions: give the session action `github-token: ${{ github.token }}` and the job `actions: write`)"
		return r
	}
	client, err := a.github("the reaper workflow")
	if err != nil {
		r.why = err.Error()
		return r
	}
	r.wf = &github.Workflows{API: client.Actions, Repo: client.Repo}
	return r
}

func (r workflowReaper) Wake(ctx context.Context) error {
	return r.switchTo(ctx, "enable")
}

func (r workflowReaper) Sleep(ctx context.Context) error {
	return r.switchTo(ctx, "disable")
}

func (r workflowReaper) switchTo(ctx context.Context, verb string) error {
	if r.wf == nil {
		return fmt.Errorf("%s; %s it with `%s`", r.why, verb, r.command(verb))
	}
	f := r.wf.Enable
	if verb == "disable" {
		f = r.wf.Disable
	}
	if err := f(ctx, r.file); err != nil {
		return fmt.Errorf("%w; %s it by hand with `%s`", err, verb, r.command(verb))
	}
	return nil
}

// command is the GitHub CLI line that does what the API call would.
func (r workflowReaper) command(verb string) string {
	c := "gh workflow " + verb + " " + r.file
	if r.repo != "" {
		c += " --repo " + r.repo
	}
	return c
}
