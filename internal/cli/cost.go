package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/cost"
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
	actions                        actionsFlags
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
	if f.reopened < 0 || f.reopened > f.actions.meetings {
		return Usagef("cost: --reopened %d: give 0 to --meetings (%d)", f.reopened, f.actions.meetings)
	}
	for _, h := range f.hours {
		if h < 0 || h > 744 {
			return Usagef("cost: --hours %d: a month has between 0 and 744 hours", h)
		}
	}
	s := cost.Session{
		Task:         cost.TaskSize{CPUUnits: f.taskCPU, MemoryMiB: f.taskMemory, Arch: cost.Arch(f.arch)},
		NLBAddresses: f.nlbAddresses, TaskPublicIP: f.taskPublicIP,
		Participants: f.participants, DownKbps: f.downKbps, UpKbps: f.upKbps,
	}
	var idle cost.Idle
	region := nonEmpty(a.Region, a.Getenv("AWS_REGION"), a.Getenv("AWS_DEFAULT_REGION"), awsx.DefaultRegion)[0]
	project, access := "", ""
	var cfg aws.Config
	if !f.estimateOnly && !f.actual {
		if fb, ok := a.uninitialisedStack(f.changed("dir")); ok {
			s.Task = fb.task(f.changed, s.Task)
			a.Reporter.Infof("%s", fb.note())
			f.estimateOnly = true
		}
	}
	if !f.estimateOnly || f.refresh || f.actual {
		var err error
		if cfg, err = a.AWS(ctx); err != nil {
			return err
		}
		region = cfg.Region
	}
	if !f.estimateOnly {
		r, _, err := a.initialisedStack(ctx)
		if err != nil {
			return err
		}
		out, err := r.Outputs(ctx)
		if err != nil {
			return err
		}
		project, access = out.Project, out.Access
		if out.Region != "" {
			region = out.Region
		}
		if s.Task, err = cost.ReadTaskSize(ctx, ecs.NewFromConfig(cfg), out.TaskDefinitionFamily); err != nil {
			return err
		}
		s.NLBAddresses = int64(len(out.SubnetIDs)) // the session module allocates one EIP per subnet
		if idle, err = a.readIdle(ctx, cfg, out); err != nil {
			return err
		}
		// Elastic IPs exist while a session is open; only leftovers are idle cost.
		if !out.NLBEnabled && idle.PublicIPv4 > 0 {
			a.Reporter.Warnf("%d Elastic IP(s) tagged Project=%s exist with no session open: they cost $3.65 a month each (jitsictl session reap removes leftovers)", idle.PublicIPv4, out.Project)
		}
	}

	table, err := cost.Embedded()
	if err != nil {
		return err
	}
	var prices *cost.RegionPrices
	if f.refresh {
		// The Price List API is served from us-east-1 whatever region is priced.
		pl := pricing.NewFromConfig(cfg, func(o *pricing.Options) { o.Region = "us-east-1" })
		res, err := cost.Refresh(ctx, pl, table, region, time.Now())
		if err != nil {
			return err
		}
		for _, k := range res.Kept {
			a.Reporter.Warnf("the Price List has no %s for %s: using the embedded table's figure", k, region)
		}
		prices = res.Prices
	} else if prices, err = table.Lookup(region); err != nil {
		return usageError{err}
	}

	rep := prices.Report(s, idle, f.hours)
	act, err := a.actionsReport(ctx, f.actions, table.GitHubActions, table.HoursPerMonth)
	if err != nil {
		return err
	}
	rep.Actions = &act
	if f.seed {
		ss, si := cost.SeedScenario()
		c := prices.CompareWithSeed(ss, si)
		rep.Seed = &c
	}
	var txt, md bytes.Buffer
	if err := rep.Text(&txt); err != nil {
		return err
	}
	if err := rep.Markdown(&md); err != nil {
		return err
	}
	lf := lingerReport(prices, s, f.actions.meetings, f.reopened)
	lf.markdown(&md)
	writeAccess(&txt, &md, access)
	result := struct {
		Report cost.Report
		Actual *cost.Spend `json:",omitempty"`
		Access string      `json:",omitempty"`
		lingerFigures
	}{Report: rep, Access: access, lingerFigures: lf}
	if f.actual {
		if project == "" {
			return Usagef("cost: --actual needs the project name from the stack; drop --estimate-only")
		}
		ce := costexplorer.NewFromConfig(cfg, func(o *costexplorer.Options) { o.Region = "us-east-1" })
		spend, err := cost.Actuals{API: ce}.Month(ctx, project, time.Now())
		if err != nil {
			return err
		}
		result.Actual = &spend
		txt.WriteString("\n")
		_ = spend.Text(&txt)
		md.WriteString("\n")
		_ = spend.Markdown(&md)
	}
	// Outputs are plain decimals (no $) so workflows can compare them; on a
	// terminal the report below already shows them.
	if a.format != report.FormatText {
		a.Reporter.Output("running-per-hour", strings.TrimPrefix(rep.Running.Total.String(), "$"))
		a.Reporter.Output("idle-per-month", strings.TrimPrefix(rep.IdleMonth.Total.Cents(), "$"))
	}
	a.Reporter.Summary(md.String())
	a.Reporter.Result(result)
	if a.Output != "json" {
		fmt.Fprint(a.Stdout, txt.String())
	}
	return nil
}

func nonEmpty(v ...string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
