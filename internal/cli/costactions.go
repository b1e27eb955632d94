package cli

import (
	"github.com/spf13/pflag"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
)

func addActionsFlags(fl *pflag.FlagSet, f *cost.ActionsOptions) {
	fl.Int64Var(&f.Meetings, "meetings", 10, "GitHub Actions: one-hour sessions a month")
	fl.Int64Var(&f.Deploys, "deploys", 0, "GitHub Actions: deployed changes a month (a plan and a deploy run each)")
	fl.StringVar(&f.Plan, "github-plan", "free", "GitHub Actions: the account's plan (free, pro, team, enterprise) for its included minutes")
	fl.BoolVar(&f.Private, "private-repo", true, "GitHub Actions: the repository is private (public repositories use standard runners free)")
}

func checkActionsFlags(f cost.ActionsOptions) error {
	if f.Meetings < 0 || f.Deploys < 0 || f.Meetings > 744 {
		return Usagef("cost: --meetings must be 0 to 744 and --deploys not negative")
	}
	table, err := cost.Embedded()
	if err != nil {
		return err
	}
	if _, ok := table.GitHubActions.Included[f.Plan]; !ok {
		return Usagef("cost: --github-plan %q: use free, pro, team or enterprise", f.Plan)
	}
	return nil
}

// workflowTimer measures the Actions minutes from the workflow runs API when
// this run has a token and a repository (GITHUB_TOKEN, GITHUB_REPOSITORY); nil
// (the documented defaults) otherwise.
func (a *App) workflowTimer() cost.WorkflowMinutes {
	if _, err := a.run().Repo(); a.run().Token == "" || err != nil {
		return nil
	}
	c, err := a.github("Actions minutes")
	if err != nil {
		a.Reporter.Warnf("%v; using the defaults", err)
		return nil
	}
	return github.Workflows{API: c.Actions, Repo: c.Repo}
}
