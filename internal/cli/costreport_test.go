package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/testbed/golden"
	"github.com/jitsictl/jitsictl/internal/verify"
)

func usEast1(t *testing.T) *cost.RegionPrices {
	t.Helper()
	table, err := cost.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r, err := table.Lookup("us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The stack's shape: 4 vCPU / 8 GB, two NLB Elastic IPs, a task address.
var stackSession = cost.Session{
	Task: cost.TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: cost.X86}, NLBAddresses: 2, TaskPublicIP: true,
	Participants: cost.DefaultParticipants, DownKbps: cost.DefaultDownKbps, UpKbps: cost.DefaultUpKbps,
}

var stackIdle = cost.Idle{BucketBytes: map[cost.StorageClass]int64{"STANDARD": 3 << 30}, HostedZones: 1, LogBytes: 1 << 30}

// The figures are the cost model's own functions applied to the record:
// nothing is priced twice or left out, and the delta has the right sign.
func TestPriceSessions(t *testing.T) {
	t.Parallel()
	r := usEast1(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	idle := r.IdlePerMonth(stackIdle).Total
	nov := session.Ledger{Sessions: 2, Task: 2 * time.Hour, NLB: 2*time.Hour + 10*time.Minute, NLBHours: 4}
	oct := session.Ledger{Sessions: 10, Task: 20 * time.Hour, NLB: 21 * time.Hour, NLBHours: 30}
	booked := func(l session.Ledger) cost.Money {
		return r.BookedCost(stackSession, cost.Booked{Sessions: l.Sessions, Task: l.Task, NLB: l.NLB, NLBHours: l.NLBHours, Media: l.NLB}).Total
	}
	live := session.Record{
		State: session.StateOpen, OpenedAt: now.Add(-65 * time.Minute),
		TaskStartedAt: now.Add(-61 * time.Minute), NLBCreatedAt: now.Add(-63 * time.Minute),
		Ledger: map[string]session.Ledger{"2026-11": nov, "2026-10": oct, "2026-09": {Sessions: 99, NLBHours: 999}},
	}

	t.Run("live, a busier previous month", func(t *testing.T) {
		t.Parallel()
		f := priceSessions(costInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: live, Live: true, Now: now})
		sess := r.SessionCost(stackSession, cost.Usage{Task: 61 * time.Minute, NLB: 63 * time.Minute, Media: 63 * time.Minute})
		want := costFigures{
			PerHour:       r.RunningPerHour(stackSession).Total,
			Session:       sess.Total,
			MonthEstimate: cost.MonthToDate(idle, []cost.Money{booked(nov), sess.Total}, now),
			PreviousMonth: idle + booked(oct),
		}
		checkFigures(t, f, want)
		if f.Delta >= 0 {
			t.Errorf("delta %s: November so far (2 sessions and this one) against October's 10 must be negative", f.Delta)
		}
		if f.SessionClosed || f.summary.Elapsed != 65*time.Minute {
			t.Errorf("live session: closed=%v elapsed %s, want open for 65m", f.SessionClosed, f.summary.Elapsed)
		}
		// Two NLB hours (63 minutes), whatever the task did.
		if got := sess.Line(cost.CNLB); got != r.Price(cost.NLBHour).Mul(2) {
			t.Errorf("NLB line %s, want two started hours", got)
		}
	})

	t.Run("closed, a quiet previous month", func(t *testing.T) {
		t.Parallel()
		u := session.Usage{Task: 50 * time.Minute, NLB: 52 * time.Minute, NLBHours: 1}
		closed := session.Record{
			State: session.StateClosed, OpenedAt: now.Add(-55 * time.Minute), ClosedAt: now.Add(-time.Minute),
			LastUsage: &u, Ledger: map[string]session.Ledger{"2026-11": { // the close booked it into nov
				Sessions: nov.Sessions + 1, Task: nov.Task + u.Task, NLB: nov.NLB + u.NLB, NLBHours: nov.NLBHours + u.NLBHours}},
		}
		f := priceSessions(costInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: closed, Now: now})
		sess := r.SessionCost(stackSession, cost.Usage{Task: u.Task, NLB: u.NLB, Media: u.NLB})
		want := costFigures{
			PerHour: r.RunningPerHour(stackSession).Total,
			Session: sess.Total,
			// Counted once, priced as the session line prices it.
			MonthEstimate: cost.MonthToDate(idle, []cost.Money{booked(nov), sess.Total}, now),
			PreviousMonth: idle,
		}
		checkFigures(t, f, want)
		if f.Delta <= 0 {
			t.Errorf("delta %s: sessions this month against an idle previous month must be positive", f.Delta)
		}
		if !f.SessionClosed || f.summary.Elapsed != 54*time.Minute {
			t.Errorf("closed session: closed=%v elapsed %s, want closed after 54m", f.SessionClosed, f.summary.Elapsed)
		}
	})

	t.Run("the month's first session, closed, is not more than the month", func(t *testing.T) {
		t.Parallel()
		u := session.Usage{Task: 20 * time.Minute, NLB: 22 * time.Minute, NLBHours: 1}
		first := time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)
		closed := session.Record{
			State: session.StateClosed, OpenedAt: first.Add(-25 * time.Minute), ClosedAt: first.Add(-time.Minute),
			LastUsage: &u, Ledger: map[string]session.Ledger{"2026-11": {Sessions: 1, Task: u.Task, NLB: u.NLB, NLBHours: u.NLBHours}},
		}
		f := priceSessions(costInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: closed, Now: first})
		if f.MonthEstimate < f.Session {
			t.Fatalf("month to date %s is less than its one closed session %s", f.MonthEstimate, f.Session)
		}
	})

	t.Run("January compares with December", func(t *testing.T) {
		t.Parallel()
		jan := time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)
		dec := session.Ledger{Sessions: 1, Task: time.Hour, NLB: time.Hour, NLBHours: 1}
		rec := session.Record{State: session.StateClosed, Ledger: map[string]session.Ledger{"2026-12": dec, "2026-11": nov}}
		f := priceSessions(costInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: rec, Now: jan})
		if want := idle + booked(dec); f.PreviousMonth != want {
			t.Errorf("previous month of January 2027: %s, want December's %s", f.PreviousMonth, want)
		}
		if f.Session != 0 {
			t.Errorf("no LastUsage: session cost %s, want $0", f.Session)
		}
	})
}

func checkFigures(t *testing.T, f, want costFigures) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want cost.Money
	}{
		{"cost per hour", f.PerHour, want.PerHour},
		{"session", f.Session, want.Session},
		{"month to date", f.MonthEstimate, want.MonthEstimate},
		{"previous month", f.PreviousMonth, want.PreviousMonth},
		{"delta", f.Delta, want.MonthEstimate - want.PreviousMonth},
		{"summary month to date", f.summary.MonthToDate, want.MonthEstimate},
		{"summary session", f.summary.Session.Total, want.Session},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
	// Outputs are plain decimals: cents, and the hourly rate to 5 decimals.
	outs := f.outputs()
	for _, o := range []struct {
		name string
		want cost.Money
	}{{"cost-per-hour", want.PerHour.Round(5)}, {"session-cost", want.Session.Round(2)}, {"month-estimate", want.MonthEstimate.Round(2)}} {
		got, err := cost.ParseMoney(outs[o.name])
		if err != nil || got != o.want {
			t.Errorf("output %s = %q, want the plain decimal %s", o.name, outs[o.name], o.want)
		}
	}
}

// The step summary and comment body for a live session, as a golden file.
func TestCostSummaryGolden(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	rec := session.Record{
		State: session.StateOpen, OpenedAt: now.Add(-40 * time.Minute), TaskStartedAt: now.Add(-39 * time.Minute), NLBCreatedAt: now.Add(-40 * time.Minute),
		Ledger: map[string]session.Ledger{"2026-10": {Sessions: 3, Task: 3 * time.Hour, NLB: 3 * time.Hour, NLBHours: 3}},
	}
	f := priceSessions(costInputs{Prices: usEast1(t), Session: stackSession, Idle: stackIdle, Record: rec, Live: true, Now: now})
	var md bytes.Buffer
	if err := f.summary.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "cost-live.md", md.Bytes())
	checkGolden(t, "cost-live.txt", []byte(f.text()))
}

func checkGolden(t *testing.T, name string, got []byte) { t.Helper(); golden.Check(t, name, got) }

// actions/verify maps every input into the environment (composites get none
// by themselves) and every output from the step that sets it; the outputs
// are exactly what verify publishes.
func TestVerifyActionWiring(t *testing.T) {
	t.Parallel()
	var a struct {
		Inputs  map[string]any `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Steps []struct {
				ID  string            `yaml:"id"`
				Env map[string]string `yaml:"env"`
				Run string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "actions", "verify", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	var env, install map[string]string
	for _, s := range a.Runs.Steps {
		if s.ID == "install" {
			install = s.Env
		}
		if s.ID == "run" {
			env = s.Env
			if s.Run != `jitsictl gha verify` {
				t.Errorf("run step runs %q", s.Run)
			}
			if strings.Contains(s.Run, "${{") {
				t.Errorf("run step interpolates an expression into the script: %q", s.Run)
			}
		}
	}
	for name := range a.Inputs {
		key := "INPUT_" + strings.ToUpper(name)
		if v, ok := installInputs[name]; ok {
			// Read by the step that installs jitsictl, not by jitsictl itself.
			if install[v] != "${{ inputs."+name+" }}" {
				t.Errorf("input %s does not reach the install step: env %s = %q", name, v, install[v])
			}
			continue
		}
		if name == "github-token" {
			key = "GITHUB_TOKEN" // read from the environment, never from argv
		}
		if env[key] != "${{ inputs."+name+" }}" {
			t.Errorf("input %s is not mapped: env %s = %q", name, key, env[key])
		}
	}
	published := verifyOutputNames()
	for name, o := range a.Outputs {
		if o.Value != "${{ steps.run.outputs."+name+" }}" {
			t.Errorf("output %s = %q, want the run step's output of that name", name, o.Value)
		}
		if !published[name] {
			t.Errorf("output %s is documented but verify never sets it", name)
		}
		delete(published, name)
	}
	for name := range published {
		t.Errorf("verify sets output %s but actions/verify does not declare it", name)
	}
}

// verifyOutputNames are the outputs verify sets.
func verifyOutputNames() map[string]bool {
	names := map[string]bool{}
	var r costFigures
	for k := range r.outputs() {
		names[k] = true
	}
	for k := range (verify.Report{}).Outputs() {
		names[k] = true
	}
	return names
}
