package cli

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
)

// actionsFlags describe the repository and month the Actions minutes are priced for.
type actionsFlags struct {
	meetings, deploys int64
	plan              string
	private           bool
}

func addActionsFlags(fl *pflag.FlagSet, f *actionsFlags) {
	fl.Int64Var(&f.meetings, "meetings", 10, "GitHub Actions: one-hour sessions a month")
	fl.Int64Var(&f.deploys, "deploys", 0, "GitHub Actions: deployed changes a month (a plan and a deploy run each)")
	fl.StringVar(&f.plan, "github-plan", "free", "GitHub Actions: the account's plan (free, pro, team, enterprise) for its included minutes")
	fl.BoolVar(&f.private, "private-repo", true, "GitHub Actions: the repository is private (public repositories use standard runners free)")
}

// runsMeasured is how many completed runs of each workflow are averaged.
const runsMeasured = 20

// actionsReport prices the workflows' Actions minutes: measured from the
// workflow runs API when this run has a token and a repository
// (GITHUB_TOKEN, GITHUB_REPOSITORY), the documented defaults otherwise.
func (a *App) actionsReport(ctx context.Context, f actionsFlags, p cost.ActionsPrices, hoursPerMonth int64) (cost.ActionsReport, error) {
	if f.meetings < 0 || f.deploys < 0 || f.meetings > 744 {
		return cost.ActionsReport{}, Usagef("cost: --meetings must be 0 to 744 and --deploys not negative")
	}
	if _, ok := p.Included[f.plan]; !ok {
		return cost.ActionsReport{}, Usagef("cost: --github-plan %q: use free, pro, team or enterprise", f.plan)
	}
	wfs := append([]cost.Workflow(nil), cost.DefaultWorkflows...)
	if w := a.workflowTimer(); w != nil {
		for i := range wfs {
			mins, runs, err := w.BilledMinutes(ctx, wfs[i].File, runsMeasured)
			if err != nil {
				a.Reporter.Warnf("Actions minutes of %s: %v; using the default of %g a run", wfs[i].File, err, wfs[i].MinutesPerRun)
				continue
			}
			if runs > 0 {
				wfs[i].MinutesPerRun, wfs[i].MeasuredRuns = mins, runs
			}
		}
	}
	return p.Actions(wfs, cost.ActionsUse{Meetings: f.meetings, Length: time.Hour, Deploys: f.deploys}, f.private, f.plan, hoursPerMonth)
}

// workflowTimer reads workflow runs with this run's token; nil without one.
func (a *App) workflowTimer() *github.Workflows {
	if _, err := a.run().Repo(); a.run().Token == "" || err != nil {
		return nil
	}
	c, err := a.github("Actions minutes")
	if err != nil {
		a.Reporter.Warnf("%v; using the defaults", err)
		return nil
	}
	return &github.Workflows{API: c.Actions, Repo: c.Repo}
}
