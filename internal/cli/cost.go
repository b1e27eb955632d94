package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
)

func init() { register(newCostCmd) }

type costFlags struct {
	participants, downKbps, upKbps int64
	hours                          []int64
	refresh, actual, seed          bool
	estimateOnly                   bool
	taskCPU, taskMemory            int64
	arch                           string
	nlbAddresses                   int64
	taskPublicIP                   bool
	actions                        cost.ActionsOptions
	reopened                       int64
	changed                        func(flag string) bool
}

func newCostCmd(a *App) *cobra.Command {
	var f costFlags
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
			f.changed = cmd.Flags().Changed
			return runCost(cmd.Context(), a, f)
		},
	}
	fl := c.Flags()
	fl.Int64Var(&f.participants, "participants", 5, "participants per meeting")
	fl.Int64Var(&f.downKbps, "down-kbps", 2000, "mean bitrate the bridge sends each participant, kbit/s")
	fl.Int64Var(&f.upKbps, "up-kbps", 1000, "mean bitrate each participant sends, kbit/s")
	fl.Int64SliceVar(&f.hours, "hours", cost.DefaultHours, "hours of use a month to tabulate (one-hour meetings)")
	fl.BoolVar(&f.refresh, "refresh-prices", false, "read prices from the AWS Price List API instead of the embedded table")
	fl.BoolVar(&f.actual, "actual", false, "add month-to-date spend from Cost Explorer (cached; $0.01 a request)")
	fl.BoolVar(&f.seed, "seed", false, "show the seed deployment's figures beside the corrected model")
	fl.BoolVar(&f.estimateOnly, "estimate-only", false, "price the flags below without reading the stack or AWS inventory")
	fl.Int64Var(&f.taskCPU, "task-cpu", 4096, "task CPU units with --estimate-only (1024 = 1 vCPU)")
	fl.Int64Var(&f.taskMemory, "task-memory", 8192, "task memory MiB with --estimate-only")
	fl.StringVar(&f.arch, "arch", string(cost.ARM), "task architecture with --estimate-only: ARM64 (the stack's default) or X86_64")
	fl.Int64Var(&f.nlbAddresses, "nlb-addresses", 2, "NLB Elastic IPs (one per subnet) with --estimate-only")
	fl.BoolVar(&f.taskPublicIP, "task-public-ip", true, "the task has its own public IPv4")
	addActionsFlags(fl, &f.actions)
	fl.Int64Var(&f.reopened, "reopened", 2, "of the --meetings, how many are reopened within the NLB's paid hour (the linger's saving)")
	return c
}

func runCost(ctx context.Context, a *App, f costFlags) error {
	if f.participants < 0 || f.downKbps < 0 || f.upKbps < 0 || f.taskCPU <= 0 || f.taskMemory <= 0 || f.nlbAddresses < 0 {
		return Usagef("cost: --participants, --down-kbps, --up-kbps and --nlb-addresses cannot be negative; --task-cpu and --task-memory must be positive")
	}
	if f.arch != string(cost.X86) && f.arch != string(cost.ARM) {
		return Usagef("cost: --arch %q: use X86_64 or ARM64", f.arch)
	}
	if f.reopened < 0 || f.reopened > f.actions.Meetings {
		return Usagef("cost: --reopened %d: give 0 to --meetings (%d)", f.reopened, f.actions.Meetings)
	}
	if err := checkActionsFlags(f.actions); err != nil {
		return err
	}
	for _, h := range f.hours {
		if h < 0 || h > 744 {
			return Usagef("cost: --hours %d: a month has between 0 and 744 hours", h)
		}
	}
	o := cost.OverviewOptions{
		Session: cost.Session{
			Task:         cost.TaskSize{CPUUnits: f.taskCPU, MemoryMiB: f.taskMemory, Arch: cost.Arch(f.arch)},
			NLBAddresses: f.nlbAddresses, TaskPublicIP: f.taskPublicIP,
			Participants: f.participants, DownKbps: f.downKbps, UpKbps: f.upKbps,
		},
		Hours: f.hours, EstimateOnly: f.estimateOnly, Refresh: f.refresh, Actual: f.actual, Seed: f.seed,
		Region:  firstOf(a.Region, a.Getenv("AWS_REGION"), a.Getenv("AWS_DEFAULT_REGION"), awsx.DefaultRegion),
		Actions: f.actions, Reopened: f.reopened,
	}
	if !f.estimateOnly && !f.actual {
		dir, err := a.StackDir()
		if fb, ok := cost.UninitialisedStack(dir, err, f.changed("dir"), a.BackendConfig); ok {
			o.Session.Task = fb.Task(f.changed, o.Session.Task)
			a.Reporter.Infof("%s", fb.Note())
			o.EstimateOnly = true
		}
	}
	res, err := cost.RunOverview(ctx, cost.OverviewSources{
		Reporter: a.Reporter, AWS: a.AWS, Stack: a.stackOutputsOf, Getenv: a.Getenv, Workflows: a.workflowTimer(),
	}, o)
	if errors.As(err, new(cost.InputError)) {
		return usageError{err}
	} else if err != nil {
		return err
	}
	// On a terminal the report below already shows the outputs.
	if a.format != report.FormatText {
		outs := res.Outputs()
		for _, k := range slices.Sorted(maps.Keys(outs)) {
			a.Reporter.Output(k, outs[k])
		}
	}
	a.Reporter.Summary(res.Markdown())
	a.Reporter.Result(res)
	if a.Output != "json" {
		fmt.Fprint(a.Stdout, res.Text())
	}
	return nil
}

// stackOutputsOf reads the outputs of the initialised stack.
func (a *App) stackOutputsOf(ctx context.Context) (outputs.Outputs, error) {
	r, _, err := a.initialisedStack(ctx)
	if err != nil {
		return outputs.Outputs{}, err
	}
	return r.Outputs(ctx)
}

// firstOf is the first non-empty value.
func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
