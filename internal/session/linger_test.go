package session

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jitsictl/jitsictl/internal/guard"
	"github.com/jitsictl/jitsictl/internal/sweep"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

func TestLingerEnd(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 12, 2, 10, 7, 0, 0, time.UTC)
	p := LingerPolicy{Enabled: true}
	for _, c := range []struct {
		closeAfter time.Duration
		want       string // "" = no linger
	}{
		{28 * time.Minute, "11:02"},           // 10:35: to 5 minutes before the paid hour ends
		{52 * time.Minute, "11:02"},           // 3 minutes left: still worth it
		{54 * time.Minute, ""},                // under 2 minutes left: remove now
		{58 * time.Minute, ""},                // inside the 5 minutes: remove before the hour ends
		{time.Hour + 10*time.Minute, "12:02"}, // extended into the second hour: its end
		{2*time.Hour + 56*time.Minute, ""},    // just before the third hour ends
		{-time.Minute, ""},                    // clock skew: no linger
		{3*time.Hour + time.Second, "14:02"},  // one second into the fourth hour
		{time.Hour, "12:02"},                  // exactly one hour: the second one starts
	} {
		end, ok := p.LingerEnd(created, created.Add(c.closeAfter))
		got := ""
		if ok {
			got = end.Format("15:04")
		}
		if got != c.want {
			t.Errorf("close %s after the NLB's creation: linger until %q, want %q", c.closeAfter, got, c.want)
		}
	}
	if _, ok := p.LingerEnd(time.Time{}, created); ok {
		t.Error("a record without the NLB's creation time must not linger")
	}
}

// countingStack counts Terraform applies, by whether they touch the NLB
// module (a full apply, or one targeting the module or a resource in it).
type countingStack struct {
	Stack
	applies, nlbApplies *atomic.Int32
}

func (c countingStack) Apply(ctx context.Context, nlb bool, targets []string) error {
	c.applies.Add(1)
	touches := len(targets) == 0
	for _, tg := range targets {
		touches = touches || strings.HasPrefix(tg, "module.jvb_nlb")
	}
	if touches {
		c.nlbApplies.Add(1)
	}
	return c.Stack.Apply(ctx, nlb, targets)
}

func (e *env) lingerManager(t *testing.T, owner string) (*Manager, *atomic.Int32, *atomic.Int32) {
	m := e.manager(t, owner)
	m.Linger = LingerPolicy{Enabled: true}
	var all, nlb atomic.Int32
	m.Stack = countingStack{Stack: m.Stack, applies: &all, nlbApplies: &nlb}
	return m, &all, &nlb
}

// sessionParts are the NLB ARN and the Elastic IP allocations that exist.
func (e *env) sessionParts(t *testing.T) (string, string) {
	t.Helper()
	inv, err := sweep.Find(context.Background(), sweep.APIs{ELB: elbv2.NewFromConfig(e.cfg), EC2: ec2.NewFromConfig(e.cfg)}, e.out.Project)
	if err != nil {
		t.Fatal(err)
	}
	var lbs, eips []string
	for _, lb := range inv.LoadBalancers {
		lbs = append(lbs, lb.ARN)
	}
	for _, a := range inv.Addresses {
		eips = append(eips, a.AllocationID)
	}
	return strings.Join(lbs, ","), strings.Join(eips, ",")
}

// assertLingerArmed: the guard deletes the NLB at the linger's end exactly
// and releases the addresses after it.
func (e *env) assertLingerArmed(t *testing.T, rec Record) {
	t.Helper()
	got := e.readSchedules(t)
	nlb, ok := got[guard.NameNLB]
	if !ok {
		t.Fatalf("no %s schedule while lingering: %v", guard.NameNLB, got)
	}
	at, err := guard.ParseAt(aws.ToString(nlb.ScheduleExpression))
	if err != nil || !at.Equal(rec.LingerUntil.UTC().Truncate(time.Second)) {
		t.Fatalf("the guard deletes the lingering NLB at %s (%v), want the linger's end %s", aws.ToString(nlb.ScheduleExpression), err, rec.LingerUntil.UTC())
	}
	if !strings.Contains(aws.ToString(nlb.Target.Input), rec.NLBArn) {
		t.Fatalf("the guard deletes %s, not the lingering NLB %s", aws.ToString(nlb.Target.Input), rec.NLBArn)
	}
	if _, ok := got[guard.AddressName(1)]; !ok {
		t.Fatalf("no address release while lingering: %v", got)
	}
}

// testLingerReopen: close keeps the NLB and its addresses to the end of the
// paid hour with the task at zero; an open meanwhile reuses them with no
// Terraform apply and gives a working session; after the linger's end (the
// guard's schedules performed as Scheduler would) reap leaves nothing.
func testLingerReopen(t *testing.T, e *env) {
	ctx := context.Background()
	m, applies, nlbApplies := e.lingerManager(t, "alice")
	began := time.Now()
	first, err := m.Open(ctx, OpenOptions{Hours: 1, OpenedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	coldWall := time.Since(began)
	e.assertWorking(t, first)
	lbBefore, eipsBefore := e.sessionParts(t)

	closed, err := m.Close(ctx, CloseOptions{Reason: "meeting over"})
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != StateLingering || closed.LingerUntil.IsZero() {
		t.Fatalf("close: state %s, linger until %s; want lingering", closed.State, closed.LingerUntil)
	}
	if want := first.Steps[0].Started; closed.LingerUntil.After(want.Add(time.Hour)) || closed.LingerUntil.Before(want.Add(50*time.Minute)) {
		t.Fatalf("linger until %s: want 5 minutes before the NLB's hour (from %s) ends", closed.LingerUntil, want)
	}
	if !strings.Contains(e.log.String(), "lingering until "+hhmm(closed.LingerUntil)) {
		t.Fatalf("close does not say it lingers until %s:\n%s", hhmm(closed.LingerUntil), e.log.String())
	}
	if left := e.leftovers(t); strings.Contains(left, "desired count") {
		t.Fatalf("lingering, the task still runs: %s", left)
	}
	if lb, eips := e.sessionParts(t); lb != lbBefore || eips != eipsBefore {
		t.Fatalf("lingering: NLB %q addresses %q, want the session's %q %q", lb, eips, lbBefore, eipsBefore)
	}
	e.assertLingerArmed(t, closed)
	st, err := m.Status(ctx)
	if err != nil || st.State != StateLingering || st.LingeringUntil != closed.LingerUntil.UTC().Format(time.RFC3339) || !strings.HasPrefix(st.Lingering, "lingering until "+hhmm(closed.LingerUntil)) {
		t.Fatalf("status while lingering: %+v, %v", st, err)
	}
	// A close without --now while lingering changes nothing.
	if again, err := m.Close(ctx, CloseOptions{}); err != nil || again.State != StateLingering {
		t.Fatalf("second close while lingering: %s, %v", again.State, err)
	}

	applies.Store(0)
	nlbApplies.Store(0)
	began = time.Now()
	re, err := m.Open(ctx, OpenOptions{Hours: 1, OpenedBy: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	// Informative only (a loaded machine makes both slow): on moto the NLB
	// is active at once, so the difference is Terraform's applies.
	t.Logf("on the emulator: cold open %s, reopen within the linger %s\n%s", coldWall.Round(time.Second), time.Since(began).Round(time.Second), PhaseTable(re))
	e.assertWorking(t, re)
	if n := applies.Load(); n != 0 {
		t.Fatalf("the reopen ran %d Terraform applies (%d of the NLB module), want none", n, nlbApplies.Load())
	}
	if lb, eips := e.sessionParts(t); lb != lbBefore || eips != eipsBefore || re.NLBArn != first.NLBArn {
		t.Fatalf("reopen: NLB %q addresses %q (record %s), want the lingering %q %q", lb, eips, re.NLBArn, lbBefore, eipsBefore)
	}
	if !re.NLBCreatedAt.Equal(first.NLBCreatedAt) {
		t.Fatalf("the reopen restarted the NLB's billing hour: %s, was %s", re.NLBCreatedAt, first.NLBCreatedAt)
	}
	e.assertArmed(t, re) // the guard is back on the session's expiry
	month := re.Ledger[time.Now().UTC().Format("2006-01")]
	if month.Reopens != 1 || month.Sessions != 1 || month.LingerAddresses <= 0 {
		t.Fatalf("ledger after the reopen: %+v; want 1 session, 1 reopen, linger address-time", month)
	}
	for _, s := range re.Steps {
		if s.Name == "load balancer" || s.Name == "addresses" {
			t.Fatalf("the reopen ran step %q", s.Name)
		}
	}

	closed, err = m.Close(ctx, CloseOptions{Reason: "second meeting over"})
	if err != nil || closed.State != StateLingering {
		t.Fatalf("second close: %s, %v", closed.State, err)
	}
	e.assertLingerArmed(t, closed)
	// The linger ends: the guard's schedules run as Scheduler would, then
	// the scheduled reap converges the record and the Terraform state.
	for _, n := range []string{guard.NameNLB, guard.AddressName(0), guard.AddressName(1)} {
		e.fire(t, n)
	}
	reaper := e.manager(t, "scheduled-reaper")
	reaper.Now = func() time.Time { return closed.LingerUntil.Add(guard.DefaultReleaseAfter + time.Minute) }
	res, err := reaper.Reap(ctx, ReapOptions{})
	if err != nil || res.Action != "closed-linger" {
		t.Fatalf("reap after the linger: %+v, %v; want closed-linger", res, err)
	}
	if left := e.leftovers(t); left != "" {
		t.Fatalf("after the linger, still billing: %s", left)
	}
	if left := e.readSchedules(t); len(left) != 0 {
		t.Fatalf("schedules left after the linger: %v", left)
	}
	v, err := m.Store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	month = v.Ledger[time.Now().UTC().Format("2006-01")]
	if v.State != StateClosed || month.Sessions != 2 || month.NLBHours != 1 || month.Reopens != 1 {
		t.Fatalf("after the linger: state %s, ledger %+v; want closed, 2 sessions on 1 NLB hour", v.State, month)
	}
}

// testLingerCrashes: a run killed while a close starts its linger, or while
// an open reuses a lingering NLB, leaves a record that the next close or reap
// converges to nothing, as after any other crash.
func testLingerCrashes(t *testing.T, e *env) {
	ctx := context.Background()
	crashAfter := func(m *Manager, step string) {
		m.afterStep = func(s string) error {
			if s == step {
				return errCrash
			}
			return nil
		}
	}
	converged := func(what string) {
		t.Helper()
		if left := e.leftovers(t); left != "" {
			t.Fatalf("%s: still billing: %s", what, left)
		}
		if left := e.readSchedules(t); len(left) != 0 {
			t.Fatalf("%s: schedules left: %v", what, left)
		}
	}
	// (A crash before the linger step is any close's crash: see testCrashAfterEachStep.)
	for _, step := range []string{"linger"} {
		m, _, _ := e.lingerManager(t, "alice")
		if _, err := m.Open(ctx, OpenOptions{Hours: 1}); err != nil {
			t.Fatal(err)
		}
		crasher, _, _ := e.lingerManager(t, "crasher")
		crashAfter(crasher, step)
		if _, err := crasher.Close(ctx, CloseOptions{}); !errors.Is(err, errCrash) {
			t.Fatalf("crash after %s: close returned %v", step, err)
		}
		time.Sleep(testLimits.Lease + 500*time.Millisecond)
		rescuer, _, _ := e.lingerManager(t, "rescuer")
		if rec, err := rescuer.Close(ctx, CloseOptions{Reason: "after crash"}); err != nil || rec.State != StateClosed {
			t.Fatalf("close after a close crashed after %s: %s, %v", step, rec.State, err)
		}
		converged("close crashed after " + step)
	}
	for _, step := range []string{"task"} {
		m, _, _ := e.lingerManager(t, "alice")
		if _, err := m.Open(ctx, OpenOptions{Hours: 1}); err != nil {
			t.Fatal(err)
		}
		lingering, err := m.Close(ctx, CloseOptions{})
		if err != nil || lingering.State != StateLingering {
			t.Fatalf("close: %s, %v", lingering.State, err)
		}
		crasher, _, _ := e.lingerManager(t, "crasher")
		crashAfter(crasher, step)
		if _, err := crasher.Open(ctx, OpenOptions{Hours: 1}); !errors.Is(err, errCrash) {
			t.Fatalf("crash after %s: reopen returned %v", step, err)
		}
		// Nobody comes back until after the linger would have ended: the
		// scheduled reap closes the stale open.
		reaper := e.manager(t, "scheduled-reaper")
		reaper.Now = func() time.Time { return lingering.LingerUntil.Add(time.Minute) }
		if res, err := reaper.Reap(ctx, ReapOptions{}); err != nil || res.Action != "closed-stale" {
			t.Fatalf("reap after a reopen crashed after %s: %+v, %v", step, res, err)
		}
		converged("reopen crashed after " + step)
	}
}

// A linger the guard ended is booked to the guard's time, not to when the
// record followed: a reap 40 minutes late must not bill a second NLB hour.
func TestLingerEndedBooksTheGuardsTime(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 12, 2, 10, 7, 0, 0, time.UTC)
	r := Record{NLBCreatedAt: created, LingerFrom: created.Add(30 * time.Minute), LingerUntil: created.Add(55 * time.Minute), Addresses: []string{"a", "b"}}
	nlb, addrs := lingerEnded(r, created.Add(95*time.Minute))
	if !nlb.Equal(r.LingerUntil) || !addrs.Equal(r.LingerUntil.Add(guard.DefaultReleaseAfter)) {
		t.Fatalf("ended %s / %s, want the linger's end and %s after", nlb, addrs, guard.DefaultReleaseAfter)
	}
	if got := lingerAddressTime(r, addrs); got != 2*35*time.Minute {
		t.Fatalf("linger address-time %s, want 2 x 35m", got)
	}
	if nlb, _ := lingerEnded(r, created.Add(40*time.Minute)); !nlb.Equal(created.Add(40 * time.Minute)) {
		t.Fatalf("a close before the linger's end (--now, the reaper) books its own time, got %s", nlb)
	}
	if nlb, _ := lingerEnded(Record{NLBCreatedAt: created}, created.Add(3*time.Hour)); !nlb.Equal(created.Add(3 * time.Hour)) {
		t.Fatal("a close without linger books until now")
	}
}

// Closes spread evenly over the hour linger 25 min on average (to 5 minutes
// before the hour's end, none in its last 7 minutes): what cost prices.
func TestMeanLinger(t *testing.T) {
	t.Parallel()
	if got := (LingerPolicy{Enabled: true}).MeanLinger(); got != 25*time.Minute+11*time.Second {
		t.Fatalf("mean linger %s, want 25m11s", got)
	}
	if got := (LingerPolicy{}).MeanLinger(); got != 0 {
		t.Fatalf("disabled: %s", got)
	}
}

// Without the guard the scheduled reaper ends a linger: the last reap
// before the hour ends must do it, so it acts one period early; with the
// guard (exact) the reaper only converges the record after the end.
func TestReaperEndsALingerInTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 50, 0, 0, time.UTC)
	rec := Record{State: StateLingering, LingerUntil: now.Add(10 * time.Minute)}
	m := &Manager{Now: func() time.Time { return now }}
	if _, over, err := m.lingerOver(context.Background(), rec, m.reapMargin()); err != nil || !over {
		t.Fatalf("no guard, 10 minutes left, reaps every %s: over=%v (%v), want the linger ended now", DefaultReapEvery, over, err)
	}
	m.Guard = guard.Guard{}
	if _, over, _ := m.lingerOver(context.Background(), rec, m.reapMargin()); over {
		t.Fatal("with the guard, a reap before the linger's end must leave it to the guard")
	}
	if _, over, _ := m.lingerOver(context.Background(), Record{State: StateOpen}, 0); over {
		t.Fatal("an open record is not a linger")
	}
}
