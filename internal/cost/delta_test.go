package cost

import (
	"bytes"
	"testing"
	"time"
)

func TestDeltaLinesUpComponents(t *testing.T) {
	t.Parallel()
	before := Estimate{Per: "month", Lines: []Line{{CS3, "", 10}, {CZones, "", 5}}, Total: 15}
	after := Estimate{Per: "month", Lines: []Line{{CZones, "", 7}, {CIPv4, "", 3}}, Total: 10}
	d := Delta(before, after)
	want := []LineDelta{{CS3, 10, 0}, {CZones, 5, 7}, {CIPv4, 0, 3}}
	if len(d.Lines) != len(want) {
		t.Fatalf("lines %+v", d.Lines)
	}
	for i := range want {
		if d.Lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, d.Lines[i], want[i])
		}
	}
	if d.Change() != -5 || d.Per != "month" {
		t.Errorf("change %d per %q", d.Change(), d.Per)
	}
}

// A plan that moves the task to ARM, keeps two EIPs between sessions and
// drops the private DNS namespace.
func TestComparePlansGolden(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, i := SeedScenario()
	after := Scenario{Session: s, Idle: i}
	after.Session.Task.Arch = ARM
	after.Session.NLBAddresses = 0
	after.Idle.PublicIPv4 = 2
	after.Idle.HostedZones = 0
	p := r.ComparePlans(Scenario{s, i}, after)
	if got := p.Running.Change(); got != mustMoney(t, "-0.04948") { // (0.19748 − 0.158) + 2 × 0.005
		t.Errorf("running change %s", got)
	}
	if got := p.Idle.Change(); got != mustMoney(t, "6.8") { // + 2 × 730 h × 0.005 − 0.50
		t.Errorf("idle change %s", got)
	}
	var md bytes.Buffer
	if err := p.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan-delta.md", md.Bytes())

	var none bytes.Buffer
	if err := r.ComparePlans(Scenario{s, i}, Scenario{s, i}).Markdown(&none); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan-delta-none.md", none.Bytes())
}

func TestMonthToDate(t *testing.T) {
	t.Parallel()
	idle := Dollars(30)
	sessions := []Money{mustMoney(t, "0.5"), mustMoney(t, "0.25")}
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), "0.75"},   // nothing of the idle month yet
		{time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), "15.75"}, // half of a 30-day month
		{time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC), "15.75"},  // half of a 28-day month
	} {
		if got := MonthToDate(idle, sessions, tc.now); got != mustMoney(t, tc.want) {
			t.Errorf("%s: %s, want %s", tc.now.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestSessionSummaryGolden(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, i := SeedScenario()
	this := r.SessionCost(s, Uniform(61*time.Minute))
	idle := r.IdlePerMonth(i).Total
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	earlier := r.SessionCost(s, Meeting(time.Hour)).Total
	rep := r.Report(s, i, DefaultHours)
	sum := SessionSummary{
		Region:        "us-east-1",
		Session:       this,
		Elapsed:       61 * time.Minute,
		MonthToDate:   MonthToDate(idle, []Money{earlier, earlier, this.Total}, now),
		PreviousMonth: idle + earlier.Mul(4),
		Actual: &Spend{Start: "2026-11-01", End: "2026-11-28", Total: mustMoney(t, "1.2345"), Services: []ServiceSpend{
			{"Amazon Elastic Container Service", mustMoney(t, "0.9")}, {"Amazon Virtual Private Cloud", mustMoney(t, "0.3345")},
		}},
		Months: rep.Months,
	}
	var md bytes.Buffer
	if err := sum.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "session-summary.md", md.Bytes())
}

func TestPercent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		before, after Money
		want          string
	}{{0, 0, "±0%"}, {0, 5, "new"}, {100, 150, "+50.0%"}, {300, 200, "-33.3%"}} {
		if got := percent(tc.before, tc.after); got != tc.want {
			t.Errorf("percent(%d, %d) = %s, want %s", tc.before, tc.after, got, tc.want)
		}
	}
}
