package session

import (
	"context"
	"fmt"
	"time"

	"github.com/jitsictl/jitsictl/internal/guard"
)

// A load balancer bills every started hour in full. A close therefore stops
// the task at once (Fargate bills by the second) but keeps the NLB, its
// listeners and Elastic IPs until shortly before the hour already paid for
// ends: an open meanwhile reuses them and skips the NLB's minutes of
// provisioning, and the linger costs only the addresses for those minutes.
// The AWS-side guard removes the NLB at the linger's end (re-armed by close
// with an exact time); without a guard, the scheduled reaper does.

// LingerPolicy says whether and how long close keeps the NLB. The zero
// value does not linger; the CLI enables it unless jitsictl.yaml says
// `session: {linger: false}`.
type LingerPolicy struct {
	Enabled bool
	// Before is how long before the end of the NLB's billed hour it is
	// removed, so the deletion finishes inside the hour; 0 = DefaultLingerBefore.
	Before time.Duration
	// ReapEvery is the scheduled reaper's period: without a guard, the last
	// reap before the linger's end removes the NLB; 0 = DefaultReapEvery.
	ReapEvery time.Duration
}

const (
	DefaultLingerBefore = 5 * time.Minute
	DefaultReapEvery    = 15 * time.Minute
	// minLinger: a shorter linger is not worth keeping (no reopen fits in it).
	minLinger = 2 * time.Minute
	// reuseMargin: a reopen needs this much linger left to move the guard
	// before it deletes the NLB; with less, open converges the close first.
	reuseMargin = time.Minute
)

func (p LingerPolicy) before() time.Duration {
	if p.Before > 0 {
		return p.Before
	}
	return DefaultLingerBefore
}

// LingerEnd is when a close at now removes an NLB created at created: Before
// ahead of the end of the billed hour now falls in. ok is false when that
// is too close (or passed) to be worth keeping.
func (p LingerPolicy) LingerEnd(created, now time.Time) (time.Time, bool) {
	if created.IsZero() || now.Before(created) {
		return time.Time{}, false
	}
	hour := now.Sub(created).Truncate(time.Hour) + time.Hour // the end of the started hour
	end := created.Add(hour - p.before())
	return end, end.Sub(now) >= minLinger
}

// lingerFor decides whether this close keeps the NLB, and until when: only
// a close of an open session that asked for no --now, and only with a
// record that knows when its NLB's hour started.
func (m *Manager) lingerFor(prev Record, o CloseOptions) (time.Time, bool) {
	if !m.Linger.Enabled || o.Now || prev.State != StateOpen || prev.NLBArn == "" {
		return time.Time{}, false
	}
	return m.Linger.LingerEnd(prev.NLBCreatedAt, m.now())
}

// armLinger hands the NLB's removal at until to the guard, exactly (no grace).
// Without a guard the reaper must run: it is woken (open woke it already).
func (m *Manager) armLinger(ctx context.Context, j *journal, until time.Time) error {
	if m.Guard == nil {
		m.wakeReaper(ctx)
		return nil
	}
	return m.armFor(ctx, j.snapshot().NLBArn, until, true)
}

// lingerOver tells whether a lingering record must be closed for real now:
// its time is up (less than reuseMargin left for an open; for the reaper
// without a guard, less than one reap period), or its NLB is already gone.
func (m *Manager) lingerOver(ctx context.Context, r Record, margin time.Duration) (string, bool, error) {
	if r.State != StateLingering {
		return "", false, nil
	}
	if !m.now().Add(margin).Before(r.LingerUntil) {
		return fmt.Sprintf("the linger of the closed session ends at %s", hhmm(r.LingerUntil)), true, nil
	}
	if r.NLBArn != "" && m.LoadBalancers != nil {
		ok, err := m.LoadBalancers.Exists(ctx, r.NLBArn)
		if err != nil {
			return "", false, err
		}
		if !ok {
			return "the lingering load balancer is gone (the guard removed it, or someone else did)", true, nil
		}
	}
	return "", false, nil
}

// reapMargin is how early the reaper ends a linger: with the guard, at its
// end (the guard is exact, the reaper only converges the record); without
// one, a period early, since the next reap would come after the hour ends.
func (m *Manager) reapMargin() time.Duration {
	if m.Guard != nil {
		return 0
	}
	if m.Linger.ReapEvery > 0 {
		return m.Linger.ReapEvery
	}
	return DefaultReapEvery
}

// lingered is the record of a close that keeps the NLB: the task's usage is
// booked as the session's, the NLB's when it goes (or a reopen carries on).
func (m *Manager) lingered(until time.Time) func(*Record) {
	return func(r *Record) {
		now := m.now()
		u := Usage{}
		if !r.TaskStartedAt.IsZero() {
			u.Task = now.Sub(r.TaskStartedAt)
		}
		r.book(u, now)
		r.State, r.LeaseUntil, r.LastError, r.ClosedAt = StateLingering, time.Time{}, "", now
		r.TaskStartedAt, r.TaskArn, r.TaskIP = time.Time{}, "", ""
		r.LingerFrom, r.LingerUntil, r.Reopened = now, until, false
		m.Reporter.Infof("lingering until %s: the NLB's hour is paid for, so it stays (with its %d Elastic IPs) and an open before then reuses it; `jitsictl session close --now` removes it now",
			hhmm(until), len(r.Addresses))
	}
}

// reopen turns a lingering record into an opening one that reuses its NLB:
// the linger's address-time is booked, with one NLB hour not started.
func reopen(fresh *Record, prev Record, now time.Time) {
	fresh.Reopened = true
	fresh.Addresses, fresh.NLBArn, fresh.NLBDNS, fresh.URL = prev.Addresses, prev.NLBArn, prev.NLBDNS, prev.URL
	fresh.NLBCreatedAt = prev.NLBCreatedAt
	fresh.bookPart(Usage{LingerAddresses: lingerAddressTime(prev, now), Reopens: 1}, now, false)
}

// lingerAddressTime is address-time a linger kept until now (Elastic IPs x time).
func lingerAddressTime(r Record, now time.Time) time.Duration {
	if r.LingerFrom.IsZero() || now.Before(r.LingerFrom) {
		return 0
	}
	return now.Sub(r.LingerFrom) * time.Duration(len(r.Addresses))
}

// lingerEnded is when a linger's NLB and addresses stopped billing, for a
// close converging at now: the guard deletes the NLB at the linger's end and
// releases the addresses ReleaseAfter later, even if the record follows
// only at the next reap. Without a linger (or before its end): now.
func lingerEnded(r Record, now time.Time) (nlb, addresses time.Time) {
	nlb, addresses = now, now
	if r.LingerFrom.IsZero() || r.LingerUntil.IsZero() {
		return nlb, addresses
	}
	if r.LingerUntil.Before(nlb) {
		nlb = r.LingerUntil
	}
	if end := r.LingerUntil.Add(guard.DefaultReleaseAfter); end.Before(addresses) {
		addresses = end
	}
	return nlb, addresses
}

// hhmm is the linger's end as users read it in the record and status.
func hhmm(t time.Time) string { return t.UTC().Format("15:04") + " UTC" }

// armFor arms the guard for the session's NLB and the stack's Elastic IPs:
// at expires plus the grace, or at expires exactly (a linger's end).
func (m *Manager) armFor(ctx context.Context, nlbArn string, expires time.Time, exact bool) error {
	out, err := m.Stack.Outputs(ctx)
	if err != nil {
		return err
	}
	if nlbArn == "" {
		nlbArn = out.NLBArn
	}
	return m.Guard.Arm(ctx, guard.Session{ExpiresAt: expires, NLBArn: nlbArn, AllocationIDs: out.EIPAllocationIDs, Exact: exact})
}

// MeanLinger is how long a close lingers on average when closes fall
// anywhere in the NLB's hour with equal chance: what `cost` prices a linger at.
func (p LingerPolicy) MeanLinger() time.Duration {
	if !p.Enabled {
		return 0
	}
	// A close u into the hour lingers (60m - Before - u) when that is at
	// least minLinger: the mean of that over u in [0, 60m).
	span := time.Hour - p.before() - minLinger // closes that linger at all
	if span <= 0 {
		return 0
	}
	// Their lingers run from (60m - Before) down to minLinger, linearly.
	mean := (time.Hour - p.before() + minLinger) / 2
	return time.Duration(float64(mean) * float64(span) / float64(time.Hour)).Round(time.Second)
}
