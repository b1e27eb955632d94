package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/outputs"
)

func init() { register(newCostCmd) }

func newCostCmd(a *App) *cobra.Command {
	var o cost.OverviewOptions
	c := &cobra.Command{
		Use:   "cost",
		Short: "Price a session hour, the idle month, a month of use and the break-even",
		Long: `cost prices the deployment from an embedded, dated AWS price table: a running
session per hour (Fargate task, NLB, every public IPv4, NLCU and data transfer
for the given participants), the idle month (measured bucket bytes, advanced
parameters, hosted zones, stored logs), months at several hours of use against
the bridge kept always on, and the break-even counting only what differs.

It reads the task size and the idle inventory from the stack unless
--estimate-only is given. --refresh-prices reads the AWS Price List API
instead of the table; --actual adds month-to-date spend from Cost Explorer
(filtered by the Project tag; about a day behind, $0.01 a request, cached);
--seed shows the seed deployment's figures beside the corrected ones.`,
		Example: `  jitsictl cost
  jitsictl cost --participants 8 --hours 10,50,100 --actual
  jitsictl cost --estimate-only --region eu-central-1 --seed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Region = a.awsSettings().NamedRegion()
			src := cost.OverviewSources{Reporter: a.Reporter, AWS: a.AWS, Stack: a.stackOutputsOf, Getenv: a.Getenv}
			return cost.Command(cmd.Context(), src, o, cost.CommandInputs{Dir: a.StackDir, Changed: cmd.Flags().Changed,
				BackendConfig: a.BackendConfig, Workflows: a.workflowTimer, Stdout: a.Stdout, Format: a.format})
		},
	}
	fl := c.Flags()
	fl.Int64Var(&o.Session.Participants, "participants", 5, "participants per meeting")
	fl.Int64Var(&o.Session.DownKbps, "down-kbps", 2000, "mean bitrate the bridge sends each participant, kbit/s")
	fl.Int64Var(&o.Session.UpKbps, "up-kbps", 1000, "mean bitrate each participant sends, kbit/s")
	fl.Int64SliceVar(&o.Hours, "hours", cost.DefaultHours, "hours of use a month to tabulate (one-hour meetings)")
	fl.BoolVar(&o.Refresh, "refresh-prices", false, "read prices from the AWS Price List API instead of the embedded table")
	fl.BoolVar(&o.Actual, "actual", false, "add month-to-date spend from Cost Explorer (cached; $0.01 a request)")
	fl.BoolVar(&o.Seed, "seed", false, "show the seed deployment's figures beside the corrected model")
	fl.BoolVar(&o.EstimateOnly, "estimate-only", false, "price the flags below without reading the stack or AWS inventory")
	fl.Int64Var(&o.Session.Task.CPUUnits, "task-cpu", 4096, "task CPU units with --estimate-only (1024 = 1 vCPU)")
	fl.Int64Var(&o.Session.Task.MemoryMiB, "task-memory", 8192, "task memory MiB with --estimate-only")
	fl.StringVar((*string)(&o.Session.Task.Arch), "arch", string(cost.ARM), "task architecture with --estimate-only: ARM64 (the stack's default) or X86_64")
	fl.Int64Var(&o.Session.NLBAddresses, "nlb-addresses", 2, "NLB Elastic IPs (one per subnet) with --estimate-only")
	fl.BoolVar(&o.Session.TaskPublicIP, "task-public-ip", true, "the task has its own public IPv4")
	fl.Int64Var(&o.Actions.Meetings, "meetings", 10, "GitHub Actions: one-hour sessions a month")
	fl.Int64Var(&o.Actions.Deploys, "deploys", 0, "GitHub Actions: deployed changes a month (a plan and a deploy run each)")
	fl.StringVar(&o.Actions.Plan, "github-plan", "free", "GitHub Actions: the account's plan (free, pro, team, enterprise) for its included minutes")
	fl.BoolVar(&o.Actions.Private, "private-repo", true, "GitHub Actions: the repository is private (public repositories use standard runners free)")
	fl.Int64Var(&o.Reopened, "reopened", 2, "of the --meetings, how many are reopened within the NLB's paid hour (the linger's saving)")
	return c
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

// stackOutputsOf reads the outputs of the initialised stack.
func (a *App) stackOutputsOf(ctx context.Context) (outputs.Outputs, error) {
	r, _, err := a.initialisedStack(ctx)
	if err != nil {
		return outputs.Outputs{}, err
	}
	return r.Outputs(ctx)
}
