package cost

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// ActionsPrices are GitHub Actions' prices for standard hosted runners: a
// per-minute price that private repositories pay beyond their plan's
// included minutes (public repositories use standard runners free).
type ActionsPrices struct {
	LinuxMinute Item             `json:"linux_minute"`
	Included    map[string]int64 `json:"included_minutes"` // by plan: free, pro, team, enterprise
	// IncludedSource is where the included minutes are documented.
	IncludedSource string `json:"included_source"`
	Date           string `json:"date"`
}

func (p ActionsPrices) validate() error {
	if p.LinuxMinute.Source == "" || p.LinuxMinute.Date == "" || p.LinuxMinute.USD <= 0 {
		return fmt.Errorf("cost: github_actions.linux_minute needs a price, a source and a date")
	}
	if len(p.Included) == 0 || p.IncludedSource == "" || p.Date == "" {
		return fmt.Errorf("cost: github_actions needs included_minutes by plan, their source and a date")
	}
	return nil
}

// Plans lists the GitHub plans the table knows, sorted.
func (p ActionsPrices) Plans() []string {
	out := make([]string, 0, len(p.Included))
	for k := range p.Included {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Workflow is one of the repository's workflows as Actions bills it.
type Workflow struct {
	Name string `json:"name"` // what it does: reaper, session, plan, deploy
	File string `json:"file"`
	// MinutesPerRun is what one run bills: its job's time rounded up to
	// whole minutes, measured or the documented default.
	MinutesPerRun float64 `json:"billed_minutes_per_run"`
	// MeasuredRuns is how many completed runs MinutesPerRun averages (the
	// workflow runs API); 0 means it is the default.
	MeasuredRuns int `json:"measured_runs"`
}

// The workflows jitsictl ships, with what a run bills when nothing is
// measured. Reaper: checkout, jitsictl, terraform init and a few reads, at
// least the one minute GitHub rounds up to. Session: an open (building the
// NLB takes ~2.5 min, then verify) or a close; 4 minutes between them.
// Plan: every stage planned; deploy: backup, staged applies, a final plan.
var DefaultWorkflows = []Workflow{
	{Name: "reaper", File: "scale-down.yml", MinutesPerRun: 1},
	{Name: "session", File: "session.yml", MinutesPerRun: 4},
	{Name: "plan", File: "plan.yml", MinutesPerRun: 3},
	{Name: "deploy", File: "deploy.yml", MinutesPerRun: 5},
}

// ReaperEvery is the reaper's schedule (scale-down.yml's cron).
const ReaperEvery = 15 * time.Minute

// ActionsUse is a month of use as Actions sees it.
type ActionsUse struct {
	Meetings int64         `json:"meetings"`       // sessions a month (one open and one close run each)
	Length   time.Duration `json:"meeting_length"` // how long each is open
	Deploys  int64         `json:"deploys"`        // changes a month (one plan and one deploy run each)
}

// ActionsRow is one workflow's month.
type ActionsRow struct {
	Workflow
	Runs    int64 `json:"runs"`
	Minutes int64 `json:"minutes"`
}

// ActionsMonth is a month of Actions minutes and what they cost.
type ActionsMonth struct {
	Rows    []ActionsRow `json:"workflows"`
	Minutes int64        `json:"minutes"`
	// Beyond are the minutes over the plan's included ones; Cost prices them
	// (0 for a public repository).
	Beyond int64 `json:"minutes_beyond_included"`
	Cost   Money `json:"cost"`
}

// ActionsReport compares the reaper on its 15-minute schedule forever
// (before) with the reaper enabled only while a session is open (after),
// for a month of use and for an idle month.
type ActionsReport struct {
	Private     bool         `json:"private"`
	Plan        string       `json:"plan"`
	Included    int64        `json:"included_minutes"`
	PerMinute   Money        `json:"per_minute"`
	PriceSource string       `json:"price_source"`
	PriceDate   string       `json:"price_date"`
	Use         ActionsUse   `json:"use"`
	Before      ActionsMonth `json:"before"`
	After       ActionsMonth `json:"after"`
	IdleBefore  ActionsMonth `json:"idle_before"`
	IdleAfter   ActionsMonth `json:"idle_after"`
	Notes       []string     `json:"notes"`
}

// ReaperRunsAlwaysOn is a month of the 15-minute schedule.
func ReaperRunsAlwaysOn(hoursPerMonth int64) int64 {
	return hoursPerMonth * int64(time.Hour/ReaperEvery)
}

// ReaperRunsPerSession is how often the reaper runs for one session it
// sleeps around: every scheduled tick while the session is open, plus the
// run after it closes that finds nothing and disables the workflow.
func ReaperRunsPerSession(open time.Duration) int64 {
	return int64(math.Ceil(float64(open)/float64(ReaperEvery))) + 1
}

// Actions prices a month of use on GitHub Actions for the given workflows
// (DefaultWorkflows, with measured durations where there are any).
func (p ActionsPrices) Actions(wfs []Workflow, u ActionsUse, private bool, plan string, hoursPerMonth int64) (ActionsReport, error) {
	included, ok := p.Included[plan]
	if !ok {
		return ActionsReport{}, fmt.Errorf("cost: GitHub plan %q: use %s", plan, strings.Join(p.Plans(), ", "))
	}
	r := ActionsReport{
		Private: private, Plan: plan, Included: included, PerMinute: p.LinuxMinute.USD,
		PriceSource: p.LinuxMinute.Source, PriceDate: p.LinuxMinute.Date, Use: u,
		Notes: []string{
			"each run bills its job rounded up to whole minutes; measured runs are the mean of the last completed ones (workflow runs API), the others documented defaults",
			"included minutes are the whole account's, shared with every other private repository of the owner",
		},
	}
	if !private {
		r.Notes = append(r.Notes, "public repository: standard hosted runners are free, so every month costs $0")
	}
	idle := ActionsUse{Length: u.Length}
	r.Before = p.month(wfs, u, true, r, hoursPerMonth)
	r.After = p.month(wfs, u, false, r, hoursPerMonth)
	r.IdleBefore = p.month(wfs, idle, true, r, hoursPerMonth)
	r.IdleAfter = p.month(wfs, idle, false, r, hoursPerMonth)
	return r, nil
}

func (p ActionsPrices) month(wfs []Workflow, u ActionsUse, alwaysOn bool, r ActionsReport, hoursPerMonth int64) ActionsMonth {
	var m ActionsMonth
	for _, w := range wfs {
		var runs int64
		switch w.Name {
		case "reaper":
			runs = u.Meetings * ReaperRunsPerSession(u.Length)
			if alwaysOn {
				runs = ReaperRunsAlwaysOn(hoursPerMonth)
			}
		case "session":
			runs = 2 * u.Meetings
		case "plan", "deploy":
			runs = u.Deploys
		}
		mins := int64(math.Ceil(float64(runs) * w.MinutesPerRun))
		m.Rows = append(m.Rows, ActionsRow{Workflow: w, Runs: runs, Minutes: mins})
		m.Minutes += mins
	}
	if r.Private {
		m.Beyond = max(m.Minutes-r.Included, 0)
		m.Cost = r.PerMinute.Mul(m.Beyond)
	}
	return m
}

func (r ActionsReport) heading() string {
	repo := "public repository: free"
	if r.Private {
		repo = fmt.Sprintf("private repository, %s plan: %d minutes included, then %s a minute (%s, %s)",
			r.Plan, r.Included, r.PerMinute, r.PriceSource, r.PriceDate)
	}
	return fmt.Sprintf("%d sessions of %s and %d deploys a month; %s", r.Use.Meetings, shortDuration(r.Use.Length), r.Use.Deploys, repo)
}

func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

func (w Workflow) basis() string {
	if w.MeasuredRuns > 0 {
		return fmt.Sprintf("measured, %d runs", w.MeasuredRuns)
	}
	return "default"
}

func perRun(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// Text writes the Actions section for a terminal.
func (r ActionsReport) Text(w io.Writer) error {
	var b strings.Builder
	b.WriteString(wrap("GitHub Actions minutes a month ("+r.heading()+")", "", "  ", textWidth))
	tw := tabwriter.NewWriter(&b, 2, 4, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  workflow\tmin/run\t\tbefore: runs\tminutes\tafter: runs\tminutes\t\n")
	for i, row := range r.Before.Rows {
		a := r.After.Rows[i]
		fmt.Fprintf(tw, "  %s (%s)\t%s\t  %s\t%d\t%d\t%d\t%d\t\n", row.Name, row.File, perRun(row.MinutesPerRun), row.basis(), row.Runs, row.Minutes, a.Runs, a.Minutes)
	}
	fmt.Fprintf(tw, "  total\t\t\t\t%d\t\t%d\t\n", r.Before.Minutes, r.After.Minutes)
	fmt.Fprintf(tw, "  beyond included\t\t\t\t%d\t\t%d\t\n", r.Before.Beyond, r.After.Beyond)
	fmt.Fprintf(tw, "  cost\t\t\t\t%s\t\t%s\t\n", r.Before.Cost.Cents(), r.After.Cost.Cents())
	fmt.Fprintf(tw, "  idle month\t\t\t\t%d min %s\t\t%d min %s\t\n", r.IdleBefore.Minutes, r.IdleBefore.Cost.Cents(), r.IdleAfter.Minutes, r.IdleAfter.Cost.Cents())
	tw.Flush()
	b.WriteString(wrap("before: scale-down.yml every 15 minutes forever; after: enabled by `session open`, disabled by the first reap that finds nothing", "  ", "    ", textWidth))
	for _, n := range r.Notes {
		b.WriteString(wrap(n, "  note: ", "    ", textWidth))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown writes the Actions section for a step summary.
func (r ActionsReport) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "#### GitHub Actions minutes a month\n\n%s.\n\n", r.heading())
	b.WriteString("| workflow | billed min/run | before: runs | minutes | after: runs | minutes |\n|---|---:|---:|---:|---:|---:|\n")
	for i, row := range r.Before.Rows {
		a := r.After.Rows[i]
		fmt.Fprintf(&b, "| %s (`%s`) | %s (%s) | %d | %d | %d | %d |\n", row.Name, row.File, perRun(row.MinutesPerRun), row.basis(), row.Runs, row.Minutes, a.Runs, a.Minutes)
	}
	fmt.Fprintf(&b, "| **total** | | | **%d** | | **%d** |\n", r.Before.Minutes, r.After.Minutes)
	fmt.Fprintf(&b, "| beyond included | | | %d | | %d |\n", r.Before.Beyond, r.After.Beyond)
	fmt.Fprintf(&b, "| **cost** | | | **%s** | | **%s** |\n", r.Before.Cost.Cents(), r.After.Cost.Cents())
	fmt.Fprintf(&b, "| idle month | | | %d min, %s | | %d min, %s |\n\n", r.IdleBefore.Minutes, r.IdleBefore.Cost.Cents(), r.IdleAfter.Minutes, r.IdleAfter.Cost.Cents())
	b.WriteString("Before: `scale-down.yml` every 15 minutes forever. After: enabled by `session open`, disabled by the first reap that finds nothing.\n\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "> %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
