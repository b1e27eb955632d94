package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/session"
)

// costMarker identifies the sticky cost comment; verify and session close
// update the same one.
const costMarker = "<!-- jitsictl:cost -->"

// costInputs is everything the session cost report prices, read once.
type costInputs struct {
	Prices  *cost.RegionPrices
	Session cost.Session
	Idle    cost.Idle
	Record  session.Record
	// Live prices the open session from its start times to Now; otherwise
	// the record's LastUsage (the session just closed, already in the ledger).
	Live bool
	Now  time.Time
}

// costFigures are the report's numbers: the step outputs and the JSON fields.
type costFigures struct {
	Region        string     `json:"region"`
	PerHour       cost.Money `json:"cost_per_hour"`
	Session       cost.Money `json:"session_cost"`
	SessionClosed bool       `json:"session_closed"`
	MonthEstimate cost.Money `json:"month_estimate"`
	PreviousMonth cost.Money `json:"previous_month_estimate"`
	Delta         cost.Money `json:"delta_vs_previous_month"`
	Notes         []string   `json:"notes"`

	summary cost.SessionSummary
}

// Notes every session cost report carries: what the estimates assume.
const (
	mediaNote    = "traffic (NLCU, data transfer out) assumes %d participants at %d/%d kbit/s down/up for as long as the NLB exists: nothing measures media, so this is an upper bound"
	previousNote = "the previous month is its booked sessions plus a whole month of today's idle inventory (storage, parameters, zones, logs)"
)

// priceSessions is the cost model applied to the session record: this
// session (live: from TaskStartedAt/NLBCreatedAt to now; closed: its
// LastUsage), the month to date (idle prorated, this month's ledger, the
// live session) and the previous month (its ledger and a whole idle month).
func priceSessions(in costInputs) costFigures {
	r, rec, now := in.Prices, in.Record, in.Now.UTC()
	var this cost.Usage
	var elapsed time.Duration
	switch {
	case in.Live:
		if !rec.TaskStartedAt.IsZero() {
			this.Task = now.Sub(rec.TaskStartedAt)
		}
		if !rec.NLBCreatedAt.IsZero() {
			this.NLB = now.Sub(rec.NLBCreatedAt)
		}
		if !rec.OpenedAt.IsZero() {
			elapsed = now.Sub(rec.OpenedAt)
		}
	case rec.LastUsage != nil:
		this.Task, this.NLB = rec.LastUsage.Task, rec.LastUsage.NLB
		if !rec.OpenedAt.IsZero() && !rec.ClosedAt.IsZero() {
			elapsed = rec.ClosedAt.Sub(rec.OpenedAt)
		}
	}
	this.Media = this.NLB
	if elapsed <= 0 {
		elapsed = max(this.Task, this.NLB)
	}
	sess := r.SessionCost(in.Session, this)

	idle := r.IdlePerMonth(in.Idle).Total
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	ledger := rec.Ledger[thisMonth.Format("2006-01")]
	var sessions []cost.Money
	switch {
	case in.Live:
		sessions = []cost.Money{r.BookedCost(in.Session, bookedOf(ledger)).Total, sess.Total}
	case rec.LastUsage != nil && !rec.ClosedAt.Before(thisMonth) && ledger.Sessions > 0:
		// The close booked this session into the month, where it is priced
		// with the month's first 100 GB out free; count it as it is shown
		// above instead, so the month never reads less than one session of it.
		rest := ledger
		rest.Sessions--
		rest.Task -= rec.LastUsage.Task
		rest.NLB -= rec.LastUsage.NLB
		rest.NLBHours -= rec.LastUsage.NLBHours
		sessions = []cost.Money{r.BookedCost(in.Session, bookedOf(rest)).Total, sess.Total}
	default:
		sessions = []cost.Money{r.BookedCost(in.Session, bookedOf(ledger)).Total}
	}
	mtd := cost.MonthToDate(idle, sessions, now)
	prev := idle + r.BookedCost(in.Session, bookedOf(rec.Ledger[thisMonth.AddDate(0, -1, 0).Format("2006-01")])).Total

	notes := []string{
		fmt.Sprintf(mediaNote, in.Session.Participants, in.Session.DownKbps, in.Session.UpKbps),
		previousNote,
	}
	f := costFigures{
		Region: r.Region, PerHour: r.RunningPerHour(in.Session).Total, Session: sess.Total, SessionClosed: !in.Live,
		MonthEstimate: mtd, PreviousMonth: prev, Delta: mtd - prev, Notes: notes,
	}
	f.summary = cost.SessionSummary{
		Region: r.Region, PerHour: f.PerHour, Session: sess, Closed: !in.Live, Elapsed: elapsed,
		MonthToDate: mtd, PreviousMonth: prev, Months: r.Report(in.Session, in.Idle, cost.DefaultHours).Months, Notes: notes,
	}
	return f
}

// bookedOf is a ledger month as the cost model takes it; media is assumed
// to flow for the NLB's whole lifetime (see mediaNote).
func bookedOf(l session.Ledger) cost.Booked {
	return cost.Booked{Sessions: l.Sessions, Task: l.Task, NLB: l.NLB, NLBHours: l.NLBHours, Media: l.NLB}
}

// serviceReader reads the ECS service's network configuration.
type serviceReader interface {
	DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
}

// readCostInputs measures this stack's session shape and idle inventory.
func (a *App) readCostInputs(ctx context.Context, cfg aws.Config, out outputs.Outputs, rec session.Record, live bool) (costInputs, error) {
	table, err := cost.Embedded()
	if err != nil {
		return costInputs{}, err
	}
	region := nonEmpty(out.Region, cfg.Region, awsx.DefaultRegion)[0]
	prices, err := table.Lookup(region)
	if err != nil {
		return costInputs{}, err
	}
	ecsc := ecs.NewFromConfig(cfg)
	task, err := cost.ReadTaskSize(ctx, ecsc, out.TaskDefinitionFamily)
	if err != nil {
		return costInputs{}, err
	}
	publicIP, err := taskPublicIP(ctx, ecsc, out.ClusterName, out.ServiceName)
	if err != nil {
		return costInputs{}, err
	}
	addrs := int64(len(out.EIPAddresses))
	if addrs == 0 {
		addrs = int64(len(out.SubnetIDs)) // closed: the session module allocates one EIP per subnet
	}
	idle, err := a.readIdle(ctx, cfg, out)
	if err != nil {
		return costInputs{}, err
	}
	return costInputs{
		Prices: prices,
		Session: cost.Session{Task: task, NLBAddresses: addrs, TaskPublicIP: publicIP,
			Participants: cost.DefaultParticipants, DownKbps: cost.DefaultDownKbps, UpKbps: cost.DefaultUpKbps},
		Idle: idle, Record: rec, Live: live, Now: time.Now(),
	}, nil
}

// taskPublicIP reads whether the service gives its task a public IPv4,
// which bills like any other address.
func taskPublicIP(ctx context.Context, api serviceReader, cluster, service string) (bool, error) {
	if cluster == "" || service == "" {
		return false, errors.New("the stack outputs name no ECS cluster/service: apply the stack first (jitsictl deploy apply)")
	}
	o, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil {
		return false, fmt.Errorf("reading ECS service %s/%s: %w", cluster, service, err)
	}
	if len(o.Services) == 0 {
		return false, fmt.Errorf("ECS service %s/%s does not exist: apply the stack first (jitsictl deploy apply)", cluster, service)
	}
	nc := o.Services[0].NetworkConfiguration
	return nc != nil && nc.AwsvpcConfiguration != nil && nc.AwsvpcConfiguration.AssignPublicIp == ecstypes.AssignPublicIpEnabled, nil
}

// Outputs are plain decimals (no $) so workflows can compare them.
func (f costFigures) outputs() map[string]string {
	return map[string]string{
		"cost-per-hour":  strings.TrimPrefix(f.PerHour.String(), "$"),
		"session-cost":   strings.TrimPrefix(f.Session.Cents(), "$"),
		"month-estimate": strings.TrimPrefix(f.MonthEstimate.Cents(), "$"),
	}
}

// publishCost hands the figures to the Reporter (outputs, step summary) and
// the sticky comment; the caller writes text and the JSON result.
func (a *App) publishCost(ctx context.Context, f costFigures) {
	outs := f.outputs()
	for _, k := range sortedKeys(outs) {
		a.Reporter.Output(k, outs[k])
	}
	var md bytes.Buffer
	_ = f.summary.Markdown(&md) // writes to memory
	a.Reporter.Summary(md.String())
	a.stickyCostComment(ctx, md.String())
}

// costText is the terminal face of the figures.
func (f costFigures) text() string {
	var b bytes.Buffer
	_ = f.summary.Text(&b) // writes to memory
	return b.String()
}

// stickyCostComment keeps one cost comment on the run's pull request or
// issue up to date. Without a number or a token it does nothing; a
// read-only token (a fork's pull request) leaves the job summary alone.
// A comment that cannot be written is a warning: cost is not what verify
// or close is judged by.
func (a *App) stickyCostComment(ctx context.Context, summary string) {
	number := a.run().Number
	if _, err := a.run().Repo(); number == 0 || a.run().Token == "" || err != nil {
		return
	}
	client, err := a.github("cost comment")
	if err != nil {
		a.Reporter.Warnf("%v", err)
		return
	}
	owner, repo := client.Repo.Owner, client.Repo.Name
	body := costMarker + "\n" + summary
	if u := a.runURL(); u != "" {
		body += fmt.Sprintf("\n<sub>Updated by [this run](%s).</sub>\n", u)
	}
	res, err := github.UpsertComment(ctx, client.Issues, github.CommentTarget{Owner: owner, Repo: repo, Number: number, Marker: costMarker}, body)
	switch {
	case err != nil:
		a.Reporter.Warnf("cost comment on %s/%s#%d: %v", owner, repo, number, err)
	case res.Outcome == github.SummaryOnly:
		a.Reporter.Infof("cost comment: the token may not write to %s/%s#%d (%s); the cost is in the job summary only", owner, repo, number, res.Reason)
	default:
		a.Reporter.Infof("cost comment %s: %s", res.Outcome, res.URL)
	}
}

// closeCost reports what the session just closed cost, after `session
// close` succeeded. Failing to price it is a warning: the close is done.
func (a *App) closeCost(ctx context.Context, rec session.Record) {
	f, err := a.closedSessionCost(ctx, rec)
	if err != nil {
		a.Reporter.Warnf("session cost: %v", err)
		return
	}
	a.publishCost(ctx, f)
	// The JSON result is the record with the cost beside it.
	a.Reporter.Result(struct {
		session.Record
		Cost costFigures `json:"cost"`
	}{rec, f})
	if a.Output != "json" {
		fmt.Fprint(a.Stdout, f.text())
	}
}

func (a *App) closedSessionCost(ctx context.Context, rec session.Record) (costFigures, error) {
	r, _, err := a.initialisedStack(ctx)
	if err != nil {
		return costFigures{}, err
	}
	out, err := r.Outputs(ctx)
	if err != nil {
		return costFigures{}, err
	}
	cfg, err := a.AWS(ctx)
	if err != nil {
		return costFigures{}, err
	}
	in, err := a.readCostInputs(ctx, cfg, out, rec, false)
	if err != nil {
		return costFigures{}, err
	}
	f := priceSessions(in)
	notes := closeLingerNotes(in.Prices, rec, in.Now)
	f.Notes, f.summary.Notes = append(f.Notes, notes...), append(f.summary.Notes, notes...)
	return f, nil
}

// readIdle measures what stays while no session is open. While one is, its
// Elastic IPs are priced with the session, not as idle leftovers.
func (a *App) readIdle(ctx context.Context, cfg aws.Config, out outputs.Outputs) (cost.Idle, error) {
	idle, err := cost.ReadIdle(ctx, cost.IdleSources{
		S3: awsx.S3(cfg, a.Getenv), SSM: ssm.NewFromConfig(cfg), Route53: route53.NewFromConfig(cfg),
		Logs: cloudwatchlogs.NewFromConfig(cfg), Addresses: ec2.NewFromConfig(cfg),
	}, cost.IdleNames{
		Buckets: nonEmpty(out.BucketName), ParameterPrefix: out.SSMParameterPrefix,
		Zones:          cost.ZoneFilter{TagKey: "Project", TagValue: out.Project},
		LogGroupPrefix: out.LogGroupName, AddressTagKey: "Project", AddressTagValue: out.Project,
	})
	if err != nil {
		return cost.Idle{}, err
	}
	if out.NLBEnabled {
		idle.PublicIPv4 = 0
	}
	if out.Images.Mode == "ecr" {
		repos := make([]string, 0, len(out.Images.ECRRepositories))
		for _, r := range out.Images.ECRRepositories {
			repos = append(repos, r)
		}
		if idle.ECRBytes, err = cost.ReadECRBytes(ctx, ecr.NewFromConfig(cfg), repos); err != nil {
			return cost.Idle{}, err
		}
	}
	return idle, nil
}
