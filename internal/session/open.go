package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// OpenOptions are the user's choices for a new session.
type OpenOptions struct {
	Hours    int
	OpenedBy string
	RunURL   string
	// Rooms are recorded for the links (see Record.Rooms); validated by the caller.
	Rooms []string
}

// ErrBusy means another live run holds the record.
var ErrBusy = errors.New("session is busy")

// Open opens a session, or resumes one whose opener crashed, or returns the
// session that is already open. On failure it closes what it created.
func (m *Manager) Open(ctx context.Context, o OpenOptions) (Record, error) {
	if err := ValidateHours(o.Hours); err != nil {
		return Record{}, err
	}
	if _, err := m.convergeEnded(ctx); err != nil {
		return Record{}, err
	}
	j, existing, err := m.claimForOpen(ctx, o)
	if err != nil {
		return Record{}, err
	}
	// After the claim, so a reap that disables the schedule meanwhile sees
	// this session when it re-reads the record (see sleepReaper).
	m.wakeReaper(ctx)
	if existing != nil {
		return *existing, nil
	}
	ctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	stop := make(chan struct{})
	go j.heartbeat(ctx, stop, lost)
	if err := m.recoverStateLock(ctx, j); err != nil {
		close(stop)
		m.release(ctx, j, err)
		return j.snapshot(), err
	}
	err = m.openSteps(ctx, j, o)
	close(stop)
	if errors.Is(err, errCrash) {
		return j.snapshot(), err
	}
	if err != nil {
		return j.snapshot(), m.rollback(ctx, j, err)
	}
	return j.snapshot(), nil
}

// claimForOpen takes the record for this run. It returns an existing open
// session instead when there is one (two concurrent opens give one session).
func (m *Manager) claimForOpen(ctx context.Context, o OpenOptions) (*journal, *Record, error) {
	deadline := m.now().Add(m.Limits.NLB + m.Limits.Targets + time.Minute)
	var waitSince time.Time
	for {
		v, err := m.Store.Load(ctx)
		if err != nil {
			return nil, nil, err
		}
		now := m.now()
		fresh := Record{State: StateOpening, OpenedBy: o.OpenedBy, RunURL: o.RunURL, Hours: o.Hours, Rooms: o.Rooms, Ledger: v.Ledger, LastUsage: v.LastUsage}
		takeLease(&fresh, v.Record, m.Owner, now, now.Add(m.Limits.Lease))
		switch {
		case v.State == StateOpen && now.Before(v.ExpiresAt):
			m.Reporter.Infof("a session is already open until %s: %s", v.ExpiresAt.Format(time.RFC3339), v.URL)
			return nil, &v.Record, nil
		case (v.State == StateOpening || v.State == StateClosing) && now.Before(v.LeaseUntil) && v.Owner != m.Owner:
			if v.State == StateClosing {
				if again, err := m.waitForLease(ctx, v, &waitSince); again || err != nil {
					if err != nil {
						return nil, nil, err
					}
					continue
				}
				return nil, nil, fmt.Errorf("%w: a close by %s is running; open again after it finishes", ErrBusy, v.Owner)
			}
			if now.After(deadline) {
				return nil, nil, fmt.Errorf("%w: another open by %s has not finished in time; see `jitsictl session status`, and if that run is stuck, `jitsictl session close --force`", ErrBusy, v.Owner)
			}
			m.Reporter.Wait("the open already running ("+v.Owner+")", string(v.State), 0, deadline.Sub(now))
			if err := sleep(ctx, 2*time.Second); err != nil {
				return nil, nil, err
			}
			continue
		case v.State == StateOpening || v.State == StateOpen:
			// A crashed open (lease lapsed), or an open session past expiry
			// that reap has not closed yet: resume it under our lease.
			m.Reporter.Infof("resuming the session opened by %s (state %s, last steps recorded: %d)", v.OpenedBy, v.State, len(v.Steps))
			fresh.Steps = v.Steps
			fresh.Addresses, fresh.TaskIP = v.Addresses, v.TaskIP
			fresh.NLBCreatedAt, fresh.TaskStartedAt = v.NLBCreatedAt, v.TaskStartedAt // billing began then
		case v.State == StateLingering:
			// A closed session whose NLB still lingers with time left (Open
			// closed for good one too near its end before claiming): reuse it.
			m.Reporter.Infof("reopening within the paid hour: reusing the lingering load balancer and its addresses %v", v.Addresses)
			reopen(&fresh, v.Record, now)
		case v.State == StateClosing:
			return nil, nil, fmt.Errorf("%w: an interrupted close (by %s) left the session half closed; run `jitsictl session close` first", ErrBusy, v.Owner)
		}
		etag, err := m.Store.Save(ctx, fresh, v.ETag)
		if errors.Is(err, ErrConflict) {
			continue // someone else moved first: look again
		}
		if err != nil {
			return nil, nil, err
		}
		return &journal{m: m, rec: fresh, etag: etag}, nil, nil
	}
}

func (m *Manager) openSteps(ctx context.Context, j *journal, o OpenOptions) error {
	before := j.snapshot()
	reused := before.Reopened
	// Before this run's steps: did a run before it die inside the NLB apply?
	orphansLikely := interrupted(before.Steps, "load balancer")
	if reused {
		// First move the guard off the linger's end, so it cannot delete
		// the NLB under the session being opened on it.
		if err := j.step(ctx, "keep load balancer", func(ctx context.Context) error {
			if m.Guard == nil {
				return nil
			}
			return m.armFor(ctx, j.snapshot().NLBArn, m.now().Add(time.Duration(o.Hours)*time.Hour), false)
		}); err != nil {
			return err
		}
	} else if err := j.step(ctx, "addresses", func(ctx context.Context) error {
		if err := m.apply(ctx, true, EIPTargets); err != nil {
			return err
		}
		out, err := m.Stack.Outputs(ctx)
		if err != nil {
			return err
		}
		return j.update(ctx, func(r *Record) { r.Addresses = out.EIPAddresses })
	}); err != nil {
		return err
	}

	// The NLB (minutes) and the task (tens of seconds) are independent: run
	// them side by side. A third branch registers the task's IP in the target
	// groups as soon as both exist - the IP from the moment the task's ENI
	// attaches, the groups from early in the apply - so AWS's health checks
	// start while the NLB is still provisioning instead of after it.
	// Reusing a lingering NLB, only the task starts; early registration then
	// runs until the task is up (the target groups already exist).
	var task Task
	ipKnown := make(chan string, 1)
	nlbDone := make(chan struct{})
	var once sync.Once
	endNLB := func() { once.Do(func() { close(nlbDone) }) }
	g, gctx := errgroup.WithContext(ctx)
	nlbStep := func() error {
		defer endNLB()
		return j.step(gctx, "load balancer", func(ctx context.Context) error {
			if err := j.update(ctx, func(r *Record) {
				if r.NLBCreatedAt.IsZero() {
					r.NLBCreatedAt = m.now()
				}
			}); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, m.Limits.NLB)
			defer cancel()
			if orphansLikely {
				if err := m.sweepOrphans(ctx); err != nil {
					return err
				}
			}
			if err := m.apply(ctx, true, SessionTargets); err != nil {
				return timeoutSays(ctx, err, "the NLB did not become active within %s", m.Limits.NLB)
			}
			return nil
		})
	}
	if !reused {
		g.Go(nlbStep)
	}
	g.Go(func() error {
		if reused {
			defer endNLB()
		}
		return j.step(gctx, "task", func(ctx context.Context) error {
			if err := j.update(ctx, func(r *Record) {
				if r.TaskStartedAt.IsZero() {
					r.TaskStartedAt = m.now()
				}
			}); err != nil {
				return err
			}
			if err := m.Service.Scale(ctx, 1); err != nil {
				return err
			}
			if early, err := m.Service.WaitIP(ctx, m.Limits.Task); err == nil {
				ipKnown <- early.IP
			}
			t, err := m.Service.WaitRunning(ctx, m.Limits.Task)
			if err != nil {
				return err
			}
			task = t
			return j.update(ctx, func(r *Record) {
				r.TaskArn, r.TaskIP = t.ARN, t.IP
				if t.Pull.Known() {
					r.ImagePull = &t.Pull
				}
			})
		})
	})
	if m.Finder != nil {
		g.Go(func() error { return m.registerEarly(gctx, j, ipKnown, nlbDone) })
	}
	if err := g.Wait(); err != nil {
		return err
	}

	if err := j.step(ctx, "targets", func(ctx context.Context) error {
		o, err := m.Stack.Outputs(ctx)
		if err != nil {
			return err
		}
		tgs := o.TargetGroups()
		if len(tgs) == 0 {
			return errors.New("the stack has no target groups although nlb_enabled=true: check terraform/modules/jvb-nlb")
		}
		if err := m.Targets.Sync(ctx, tgs, task.IP); err != nil {
			return err
		}
		if err := m.Targets.WaitHealthy(ctx, tgs, task.IP, m.Limits.Targets); err != nil {
			return err
		}
		return j.update(ctx, func(r *Record) {
			r.Addresses, r.NLBArn, r.NLBDNS, r.URL = o.EIPAddresses, o.NLBArn, o.NLBDNSName, o.MeetingURL
		})
	}); err != nil {
		return err
	}

	expires, err := m.armGuard(ctx, j, o.Hours)
	if err != nil {
		return err
	}
	return j.step(ctx, "commit", func(ctx context.Context) error {
		return j.update(ctx, func(r *Record) {
			r.State = StateOpen
			if r.OpenedAt.IsZero() {
				// The hours run from when the guard was armed for them, so the
				// record, the schedules and the user's input agree exactly.
				r.OpenedAt = expires.Add(-time.Duration(o.Hours) * time.Hour)
			}
			r.ExpiresAt = expires
			r.LeaseUntil = time.Time{}
			r.LastError = ""
		})
	})
}

// rollback closes what a failed open created and reports both outcomes.
func (m *Manager) rollback(ctx context.Context, j *journal, cause error) error {
	m.Reporter.Errorf("open failed: %v; closing what it created", cause)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.Limits.Stop+m.Limits.NLB+time.Minute)
	defer cancel()
	_ = j.update(cctx, func(r *Record) { r.State = StateClosing; r.LastError = cause.Error() })
	if err := m.closeSteps(cctx, j, "open failed"); err != nil {
		var locked *LockedError
		if errors.As(err, &locked) {
			return fmt.Errorf("open failed: %w; cleanup also failed: %v", cause, err) // it says what to do
		}
		return fmt.Errorf("open failed: %w; cleanup also failed (%v): run `jitsictl session close` to finish it", cause, err)
	}
	return fmt.Errorf("open failed: %w; everything it created was removed", cause)
}

// interrupted says whether a run of the step began and never finished: its
// run died inside it.
func interrupted(steps []Step, name string) bool {
	for _, s := range steps {
		if s.Name == name && s.Finished.IsZero() {
			return true
		}
	}
	return false
}

// sweepOrphans removes the session resources that exist but that Terraform's
// state does not hold. A run killed inside the NLB apply leaves what AWS had
// created before Terraform could record it (Terraform writes a resource to the
// state only when its creation returns, and the NLB's waits for "active" take
// minutes), and the provider refuses to create a load balancer or target group
// whose name exists: "ELBv2 Load Balancer (...) already exists". What the state
// holds is what the stack's outputs name; an output a killed apply left behind
// the state only costs a recreate.
func (m *Manager) sweepOrphans(ctx context.Context) error {
	out, err := m.Stack.Outputs(ctx)
	if err != nil {
		return err
	}
	keep := append(append([]string{out.NLBArn}, out.EIPAllocationIDs...), out.TargetGroups()...)
	for _, arn := range out.ListenerARNs {
		keep = append(keep, arn)
	}
	removed, err := m.Sweeper.Sweep(ctx, keep...)
	if removed != "" {
		m.Reporter.Warnf("removed session resources an interrupted run created but Terraform did not record: %s", removed)
	}
	return err
}

func timeoutSays(ctx context.Context, err error, format string, args ...any) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf(format+": %w", append(args, err)...)
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// registerEarly registers the task's IP in every session target group that
// exists, polling until the NLB apply ends. It is an optimisation: failures
// are reported and left to the "targets" step, which registers
// authoritatively from the stack's outputs.
func (m *Manager) registerEarly(ctx context.Context, j *journal, ipKnown <-chan string, nlbDone <-chan struct{}) error {
	var ip string
	select {
	case ip = <-ipKnown:
	case <-nlbDone:
		select { // the IP may have come with the end
		case ip = <-ipKnown:
		default:
			return nil
		}
	case <-ctx.Done():
		return nil
	}
	done := map[string]bool{}
	return j.step(ctx, "register early", func(ctx context.Context) error {
		for {
			tgs, err := m.Finder.SessionTargetGroups(ctx)
			if err != nil {
				m.Reporter.Warnf("early registration: %v (the targets step will register)", err)
				return nil
			}
			var fresh []string
			for _, tg := range tgs {
				if !done[tg] {
					fresh = append(fresh, tg)
				}
			}
			if len(fresh) > 0 {
				if err := m.Targets.Sync(ctx, fresh, ip); err != nil {
					m.Reporter.Warnf("early registration: %v (the targets step will register)", err)
					return nil
				}
				for _, tg := range fresh {
					done[tg] = true
				}
			}
			select {
			case <-nlbDone:
				return nil
			case <-ctx.Done():
				return nil
			case <-time.After(m.pollEvery()):
			}
		}
	})
}

func (m *Manager) pollEvery() time.Duration {
	if m.Poll > 0 {
		return m.Poll
	}
	return 2 * time.Second
}
