package cost

import (
	"bytes"
	"testing"
	"time"
)

func TestBookedCost(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s := Session{Task: TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: X86}, NLBAddresses: 2, TaskPublicIP: true,
		Participants: DefaultParticipants, DownKbps: DefaultDownKbps, UpKbps: DefaultUpKbps}

	// One booked session bills its fixed parts exactly as SessionCost does.
	u := Usage{Task: 70 * time.Minute, NLB: 75 * time.Minute, Media: 75 * time.Minute}
	one := r.BookedCost(s, Booked{Sessions: 1, Task: u.Task, NLB: u.NLB, NLBHours: 2, Media: u.Media})
	alone := r.SessionCost(s, u)
	for _, c := range []string{CFargate, CNLB, CIPv4, CNLCU} {
		if one.Line(c) != alone.Line(c) {
			t.Errorf("%s: booked %s, SessionCost %s", c, one.Line(c), alone.Line(c))
		}
	}
	// The month's free 100 GB: 75 minutes of five participants stay below it.
	if one.Line(CDTO) != 0 || alone.Line(CDTO) == 0 {
		t.Errorf("data transfer: booked %s (want $0 inside the free tier), session alone %s (want the paid rate)", one.Line(CDTO), alone.Line(CDTO))
	}

	// Two 10-minute sessions bill two NLB hours and two Fargate minimums,
	// which pricing their summed durations would lose.
	two := r.BookedCost(s, Booked{Sessions: 2, Task: 40 * time.Second, NLB: 20 * time.Minute, NLBHours: 2})
	if got, want := two.Line(CNLB), r.Price(NLBHour).Mul(2); got != want {
		t.Errorf("two short sessions: NLB %s, want two hours %s", got, want)
	}
	if got, want := two.Line(CFargate), r.FargateHourly(s.Task).MulDiv(120, 3600); got != want {
		t.Errorf("two sessions of 20 s task time: Fargate %s, want two one-minute minimums %s", got, want)
	}
	if z := r.BookedCost(s, Booked{}); z.Total != 0 {
		t.Errorf("an empty month costs %s, want $0", z.Total)
	}
}

// A closed session's summary: the running hour, "closed" instead of "so
// far", the assumptions as notes, in Markdown and on a terminal.
func TestSessionSummaryClosedGolden(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, i := SeedScenario()
	idle := r.IdlePerMonth(i).Total
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	this := r.SessionCost(s, Uniform(95*time.Minute))
	booked := r.BookedCost(s, Booked{Sessions: 3, Task: 3 * time.Hour, NLB: 3*time.Hour + 10*time.Minute, NLBHours: 5, Media: 3 * time.Hour})
	sum := SessionSummary{
		Region: "us-east-1", PerHour: r.RunningPerHour(s).Total, Session: this, Closed: true, Elapsed: 95 * time.Minute,
		MonthToDate: MonthToDate(idle, []Money{booked.Total}, now), PreviousMonth: idle,
		Months: r.Report(s, i, []int64{0, 10, 100}).Months,
		Notes:  []string{"traffic is an upper bound"},
	}
	if sum.Delta() <= 0 {
		t.Fatalf("delta %s: three sessions this month against none last month must be an increase", sum.Delta())
	}
	var md, txt bytes.Buffer
	if err := sum.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := sum.Text(&txt); err != nil {
		t.Fatal(err)
	}
	golden(t, "session-summary-closed.md", md.Bytes())
	golden(t, "session-summary-closed.txt", txt.Bytes())
}
