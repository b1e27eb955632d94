package cost

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/session"
)

// The stack's shape: 4 vCPU / 8 GB, two NLB Elastic IPs, a task address.
var stackSession = Session{
	Task: TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: X86}, NLBAddresses: 2, TaskPublicIP: true,
	Participants: DefaultParticipants, DownKbps: DefaultDownKbps, UpKbps: DefaultUpKbps,
}

var stackIdle = Idle{BucketBytes: map[StorageClass]int64{"STANDARD": 3 << 30}, HostedZones: 1, LogBytes: 1 << 30}

// The figures are the cost model's own functions applied to the record:
// nothing is priced twice or left out, and the delta has the right sign.
func TestPriceSessions(t *testing.T) {
	t.Parallel()
	r := usEast1(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	idle := r.IdlePerMonth(stackIdle).Total
	nov := session.Ledger{Sessions: 2, Task: 2 * time.Hour, NLB: 2*time.Hour + 10*time.Minute, NLBHours: 4}
	oct := session.Ledger{Sessions: 10, Task: 20 * time.Hour, NLB: 21 * time.Hour, NLBHours: 30}
	booked := func(l session.Ledger) Money {
		return r.BookedCost(stackSession, Booked{Sessions: l.Sessions, Task: l.Task, NLB: l.NLB, NLBHours: l.NLBHours, Media: l.NLB}).Total
	}
	live := session.Record{
		State: session.StateOpen, OpenedAt: now.Add(-65 * time.Minute),
		TaskStartedAt: now.Add(-61 * time.Minute), NLBCreatedAt: now.Add(-63 * time.Minute),
		Ledger: map[string]session.Ledger{"2026-11": nov, "2026-10": oct, "2026-09": {Sessions: 99, NLBHours: 999}},
	}

	t.Run("live, a busier previous month", func(t *testing.T) {
		t.Parallel()
		f := PriceSession(SessionInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: live, Live: true, Now: now})
		sess := r.SessionCost(stackSession, Usage{Task: 61 * time.Minute, NLB: 63 * time.Minute, Media: 63 * time.Minute})
		want := SessionFigures{
			PerHour:       r.RunningPerHour(stackSession).Total,
			Session:       sess.Total,
			MonthEstimate: MonthToDate(idle, []Money{booked(nov), sess.Total}, now),
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
		if got := sess.Line(CNLB); got != r.Price(NLBHour).Mul(2) {
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
		f := PriceSession(SessionInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: closed, Now: now})
		sess := r.SessionCost(stackSession, Usage{Task: u.Task, NLB: u.NLB, Media: u.NLB})
		want := SessionFigures{
			PerHour: r.RunningPerHour(stackSession).Total,
			Session: sess.Total,
			// Counted once, priced as the session line prices it.
			MonthEstimate: MonthToDate(idle, []Money{booked(nov), sess.Total}, now),
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
		f := PriceSession(SessionInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: closed, Now: first})
		if f.MonthEstimate < f.Session {
			t.Fatalf("month to date %s is less than its one closed session %s", f.MonthEstimate, f.Session)
		}
	})

	t.Run("January compares with December", func(t *testing.T) {
		t.Parallel()
		jan := time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)
		dec := session.Ledger{Sessions: 1, Task: time.Hour, NLB: time.Hour, NLBHours: 1}
		rec := session.Record{State: session.StateClosed, Ledger: map[string]session.Ledger{"2026-12": dec, "2026-11": nov}}
		f := PriceSession(SessionInputs{Prices: r, Session: stackSession, Idle: stackIdle, Record: rec, Now: jan})
		if want := idle + booked(dec); f.PreviousMonth != want {
			t.Errorf("previous month of January 2027: %s, want December's %s", f.PreviousMonth, want)
		}
		if f.Session != 0 {
			t.Errorf("no LastUsage: session cost %s, want $0", f.Session)
		}
	})
}

func checkFigures(t *testing.T, f, want SessionFigures) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want Money
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
	outs := f.Outputs()
	for _, o := range []struct {
		name string
		want Money
	}{{"cost-per-hour", want.PerHour.Round(5)}, {"session-cost", want.Session.Round(2)}, {"month-estimate", want.MonthEstimate.Round(2)}} {
		got, err := ParseMoney(outs[o.name])
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
	f := PriceSession(SessionInputs{Prices: usEast1(t), Session: stackSession, Idle: stackIdle, Record: rec, Live: true, Now: now})
	var md bytes.Buffer
	if err := f.summary.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "cost-live.md", md.Bytes())
	golden(t, "cost-live.txt", []byte(f.Text()))
}

// The close summary says what the linger costs until its end and what a
// reopen saves; the close that ends it, what it cost and the month's reopens.
func TestCloseLingerNotes(t *testing.T) {
	t.Parallel()
	p := usEast1(t)
	now := time.Date(2026, 12, 2, 10, 35, 0, 0, time.UTC)
	lingering := session.Record{State: session.StateLingering, ClosedAt: now, LingerUntil: now.Add(30 * time.Minute), Addresses: []string{"a", "b"}}
	got := strings.Join(CloseLingerNotes(p, lingering, now), "\n")
	if !strings.Contains(got, "lingers until 11:05 UTC") || !strings.Contains(got, "2 Elastic IPs cost $0.005 until then") || !strings.Contains(got, "saving an NLB hour ($0.0225)") {
		t.Fatalf("lingering close: %s", got)
	}
	ended := session.Record{State: session.StateClosed, LastUsage: &session.Usage{LingerAddresses: time.Hour},
		Ledger: map[string]session.Ledger{"2026-12": {Reopens: 2}}}
	got = strings.Join(CloseLingerNotes(p, ended, now), "\n")
	if !strings.Contains(got, "1h0m0s of address time: $0.005") || !strings.Contains(got, "2 NLB hour(s) not started ($0.045)") {
		t.Fatalf("close after a linger: %s", got)
	}
	if n := CloseLingerNotes(p, session.Record{State: session.StateClosed, LastUsage: &session.Usage{}}, now); len(n) != 0 {
		t.Fatalf("a close without linger has no linger note: %v", n)
	}
}

func TestCostSaysWhichAccessModeIsActive(t *testing.T) {
	for mode, want := range map[string]string{"invite": "every participant needs a meeting link", "lobby": "through its lobby"} {
		var txt, md bytes.Buffer
		writeAccess(&txt, &md, mode)
		if !strings.Contains(txt.String(), "Access: "+mode) || !strings.Contains(txt.String(), want) || !strings.Contains(md.String(), "**Access:** "+mode) {
			t.Errorf("%s: text %q, markdown %q", mode, txt.String(), md.String())
		}
	}
	var txt, md bytes.Buffer
	writeAccess(&txt, &md, "")
	if txt.Len()+md.Len() != 0 {
		t.Errorf("an estimate without a stack names an access mode: %q", txt.String())
	}
}
