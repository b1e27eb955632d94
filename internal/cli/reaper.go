package cli

import (
	"github.com/spf13/cobra"

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

// reaper is the session.Reaper of this run, nil when --reaper-workflow is empty.
func (a *App) reaper() session.Reaper {
	if a.reaperWorkflow == "" {
		return nil
	}
	return a.run().ReaperSwitch(a.reaperWorkflow, a.github)
}
