package cost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
)

// OverviewOptions are what `jitsictl cost` prices.
type OverviewOptions struct {
	Session Session
	Hours   []int64
	// Region is priced when neither the stack nor the AWS configuration names one.
	Region string
	// EstimateOnly prices Session as given: no stack, no inventory.
	EstimateOnly bool
	// Refresh reads the Price List API; Actual adds Cost Explorer's month
	// to date; Seed compares with the seed deployment.
	Refresh, Actual, Seed bool
	Actions               ActionsOptions
	// Reopened is how many of Actions.Meetings reopen within the NLB's paid hour.
	Reopened int64
}

// OverviewSources are where live figures come from; each is asked only when needed.
type OverviewSources struct {
	Reporter report.Reporter
	AWS      func(context.Context) (aws.Config, error)
	Stack    func(context.Context) (outputs.Outputs, error)
	// Getenv builds the S3 client (see StackReader).
	Getenv func(string) string
	// Workflows measures the Actions minutes; nil uses the documented defaults.
	Workflows WorkflowMinutes
}

// Overview is the cost command's result: its JSON document, and the text
// and Markdown faces.
type Overview struct {
	Report Report
	Actual *Spend `json:",omitempty"`
	Access string `json:",omitempty"`
	// Linger is what session close keeping the NLB to the end of its paid
	// hour costs and saves (the architectures' hours are Report.Architectures).
	Linger LingerMonth

	text, markdown string
}

// InputError is a figure the user gave that cannot be priced: nothing was touched.
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

// Validate checks the figures before anything is read: each error names the
// cost command's flag that sets the value.
func (o OverviewOptions) Validate() error {
	s := o.Session
	if s.Participants < 0 || s.DownKbps < 0 || s.UpKbps < 0 || s.Task.CPUUnits <= 0 || s.Task.MemoryMiB <= 0 || s.NLBAddresses < 0 {
		return InputError{errors.New("cost: --participants, --down-kbps, --up-kbps and --nlb-addresses cannot be negative; --task-cpu and --task-memory must be positive")}
	}
	if s.Task.Arch != X86 && s.Task.Arch != ARM {
		return InputError{fmt.Errorf("cost: --arch %q: use X86_64 or ARM64", s.Task.Arch)}
	}
	if o.Reopened < 0 || o.Reopened > o.Actions.Meetings {
		return InputError{fmt.Errorf("cost: --reopened %d: give 0 to --meetings (%d)", o.Reopened, o.Actions.Meetings)}
	}
	if o.Actions.Meetings < 0 || o.Actions.Deploys < 0 || o.Actions.Meetings > 744 {
		return InputError{errors.New("cost: --meetings must be 0 to 744 and --deploys not negative")}
	}
	table, err := Embedded()
	if err != nil {
		return err
	}
	if _, ok := table.GitHubActions.Included[o.Actions.Plan]; !ok {
		return InputError{fmt.Errorf("cost: --github-plan %q: use free, pro, team or enterprise", o.Actions.Plan)}
	}
	for _, h := range o.Hours {
		if h < 0 || h > 744 {
			return InputError{fmt.Errorf("cost: --hours %d: a month has between 0 and 744 hours", h)}
		}
	}
	return nil
}

// RunOverview prices a session hour, the idle month, months of use, the
// break-even, the Actions minutes and the linger, from the stack's live
// shape and inventory unless o.EstimateOnly.
func RunOverview(ctx context.Context, src OverviewSources, o OverviewOptions) (Overview, error) {
	s, region := o.Session, o.Region
	var idle Idle
	project, access := "", ""
	var cfg aws.Config
	if !o.EstimateOnly || o.Refresh || o.Actual {
		var err error
		if cfg, err = src.AWS(ctx); err != nil {
			return Overview{}, err
		}
		region = cfg.Region
	}
	if !o.EstimateOnly {
		out, err := src.Stack(ctx)
		if err != nil {
			return Overview{}, err
		}
		project, access = out.Project, out.Access
		if out.Region != "" {
			region = out.Region
		}
		stack := StackReader{Config: cfg, Getenv: src.Getenv}
		if s.Task, err = stack.TaskSize(ctx, out.TaskDefinitionFamily); err != nil {
			return Overview{}, err
		}
		s.NLBAddresses = int64(len(out.SubnetIDs)) // the session module allocates one EIP per subnet
		if idle, err = stack.Idle(ctx, out); err != nil {
			return Overview{}, err
		}
		// Elastic IPs exist while a session is open; only leftovers are idle cost.
		if !out.NLBEnabled && idle.PublicIPv4 > 0 {
			src.Reporter.Warnf("%d Elastic IP(s) tagged Project=%s exist with no session open: they cost $3.65 a month each (jitsictl session reap removes leftovers)", idle.PublicIPv4, out.Project)
		}
	}

	table, err := Embedded()
	if err != nil {
		return Overview{}, err
	}
	var prices *RegionPrices
	if o.Refresh {
		// The Price List API is served from us-east-1 whatever region is priced.
		pl := pricing.NewFromConfig(cfg, func(o *pricing.Options) { o.Region = "us-east-1" })
		res, err := Refresh(ctx, pl, table, region, time.Now())
		if err != nil {
			return Overview{}, err
		}
		for _, k := range res.Kept {
			src.Reporter.Warnf("the Price List has no %s for %s: using the embedded table's figure", k, region)
		}
		prices = res.Prices
	} else if prices, err = table.Lookup(region); err != nil {
		return Overview{}, InputError{err}
	}

	rep := prices.Report(s, idle, o.Hours)
	act, err := measuredActions(ctx, src, o.Actions, table.GitHubActions, table.HoursPerMonth)
	if err != nil {
		return Overview{}, err
	}
	rep.Actions = &act
	if o.Seed {
		ss, si := SeedScenario()
		c := prices.CompareWithSeed(ss, si)
		rep.Seed = &c
	}
	var txt, md bytes.Buffer
	if err := rep.Text(&txt); err != nil {
		return Overview{}, err
	}
	if err := rep.Markdown(&md); err != nil {
		return Overview{}, err
	}
	res := Overview{Report: rep, Access: access, Linger: prices.Linger(s, o.Actions.Meetings, o.Reopened, meanLinger())}
	res.Linger.markdown(&md)
	writeAccess(&txt, &md, access)
	if o.Actual {
		if project == "" {
			return Overview{}, InputError{errors.New("cost: --actual needs the project name from the stack; drop --estimate-only")}
		}
		ce := costexplorer.NewFromConfig(cfg, func(o *costexplorer.Options) { o.Region = "us-east-1" })
		spend, err := Actuals{API: ce}.Month(ctx, project, time.Now())
		if err != nil {
			return Overview{}, err
		}
		res.Actual = &spend
		txt.WriteString("\n")
		_ = spend.Text(&txt)
		md.WriteString("\n")
		_ = spend.Markdown(&md)
	}
	res.text, res.markdown = txt.String(), md.String()
	return res, nil
}

// Publish hands the overview to the Reporter (outputs, step summary, the JSON
// result) and, unless the face is JSON, prints the text report on stdout.
func (o Overview) Publish(r report.Reporter, stdout io.Writer, format report.Format) {
	// On a terminal the text report already shows the outputs.
	if format != report.FormatText {
		outs := o.Outputs()
		for _, k := range slices.Sorted(maps.Keys(outs)) {
			r.Output(k, outs[k])
		}
	}
	r.Summary(o.markdown)
	r.Result(o)
	if format != report.FormatJSON {
		fmt.Fprint(stdout, o.text)
	}
}

// Outputs are plain decimals (no $) so workflows can compare them.
func (o Overview) Outputs() map[string]string {
	return map[string]string{
		"running-per-hour": strings.TrimPrefix(o.Report.Running.Total.String(), "$"),
		"idle-per-month":   strings.TrimPrefix(o.Report.IdleMonth.Total.Cents(), "$"),
	}
}

// accessWords says what a stack's access mode means for who can join.
var accessWords = map[string]string{
	"invite": "every participant needs a meeting link (jitsictl session open or session links)",
	"lobby":  "a moderator with a link opens the room; others join after, through its lobby when the moderator turns it on",
}

// writeAccess adds the stack's access mode to the cost report: who can use
// the bridge is part of what it costs (an open bridge bills for strangers).
func writeAccess(txt, md *bytes.Buffer, access string) {
	if access == "" {
		return
	}
	words := accessWords[access]
	if words == "" {
		words = "unknown mode"
	}
	fmt.Fprintf(txt, "\nAccess: %s (%s)\n", access, words)
	fmt.Fprintf(md, "\n**Access:** %s (%s)\n", access, words)
}

// CommandInputs are what `jitsictl cost` reads besides its options: Dir
// checks --dir, Changed says a flag was typed, BackendConfig is
// --backend-config; Workflows builds the Actions minutes' source once the
// options are checked (nil: the documented defaults); Stdout and Format are
// the face the result is written in.
type CommandInputs struct {
	Dir           func() (string, error)
	Changed       func(flag string) bool
	BackendConfig string
	Workflows     func() WorkflowMinutes
	Stdout        io.Writer
	Format        report.Format
}

// Command is `jitsictl cost`: o checked (a figure that cannot be priced is a
// report.UsageError), priced from the stack (its defaults, said in a note,
// when it was never initialised; see UninitialisedStack) and published.
func Command(ctx context.Context, src OverviewSources, o OverviewOptions, in CommandInputs) error {
	if err := o.Validate(); err != nil {
		return report.UsageError{Err: err}
	}
	if !o.EstimateOnly && !o.Actual {
		dir, err := in.Dir()
		if fb, ok := UninitialisedStack(dir, err, in.Changed("dir"), in.BackendConfig); ok {
			o.Session.Task = fb.Task(in.Changed, o.Session.Task)
			src.Reporter.Infof("%s", fb.Note())
			o.EstimateOnly = true
		}
	}
	src.Workflows = in.Workflows()
	res, err := RunOverview(ctx, src, o)
	if errors.As(err, new(InputError)) {
		return report.UsageError{Err: err}
	} else if err != nil {
		return err
	}
	res.Publish(src.Reporter, in.Stdout, in.Format)
	return nil
}
