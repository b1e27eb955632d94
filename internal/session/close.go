package session

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CloseOptions are the user's choices for close.
type CloseOptions struct {
	// Reason is recorded and reported ("requested", "expired", "idle", ...).
	Reason string
	// Force takes over a record another run holds, even within its lease.
	Force bool
}

// Close converges to zero session resources: whatever state the record is in,
// and even with no record at all, it scales to zero, removes the NLB through
// Terraform and then sweeps anything tagged that Terraform did not know about.
func (m *Manager) Close(ctx context.Context, o CloseOptions) (Record, error) {
	if v, err := m.Store.Load(ctx); err == nil {
		if why, ended, _ := m.guardEnded(ctx, v.Record); ended {
			m.Reporter.Infof("%s; converging the record and the Terraform state", why)
		}
	}
	j, err := m.claimForClose(ctx, o)
	if err != nil {
		return Record{}, err
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
	err = m.closeSteps(ctx, j, o.Reason)
	close(stop)
	return j.snapshot(), err
}

func (m *Manager) claimForClose(ctx context.Context, o CloseOptions) (*journal, error) {
	var waitSince time.Time
	for {
		v, err := m.Store.Load(ctx)
		if err != nil {
			return nil, err
		}
		now := m.now()
		if (v.State == StateOpening || v.State == StateClosing) && now.Before(v.LeaseUntil) && v.Owner != m.Owner && !o.Force {
			if again, err := m.waitForLease(ctx, v, &waitSince); again || err != nil {
				if err != nil {
					return nil, err
				}
				continue
			}
			return nil, fmt.Errorf("%w: %s is %s the session (lease until %s); wait for it, or close with --force",
				ErrBusy, v.Owner, map[State]string{StateOpening: "opening", StateClosing: "closing"}[v.State], v.LeaseUntil.Format(time.RFC3339))
		}
		next := v.Record
		next.Steps = nil
		next.State = StateClosing
		takeLease(&next, v.Record, m.Owner, now, now.Add(m.Limits.Lease))
		etag, err := m.Store.Save(ctx, next, v.ETag)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &journal{m: m, rec: next, etag: etag}, nil
	}
}

// closeSteps runs every step even when one fails: leaving the NLB up because
// the task would not stop only adds cost. All failures are returned together.
func (m *Manager) closeSteps(ctx context.Context, j *journal, reason string) error {
	if reason != "" {
		m.Reporter.Infof("closing the session: %s", reason)
	}
	var errs []error
	run := func(name string, f func(ctx context.Context) error) {
		if len(errs) > 0 && errors.Is(errs[len(errs)-1], errCrash) {
			return // a killed process runs nothing more
		}
		if err := j.step(ctx, name, f); err != nil {
			errs = append(errs, err)
		}
	}
	run("scale to zero", func(ctx context.Context) error {
		if err := m.Service.Scale(ctx, 0); err != nil {
			return err
		}
		return m.Service.WaitStopped(ctx, m.Limits.Stop)
	})
	run("deregister targets", func(ctx context.Context) error {
		out, err := m.Stack.Outputs(ctx)
		if err != nil {
			return err
		}
		return m.Targets.DeregisterAll(ctx, out.TargetGroups())
	})
	run("remove load balancer", func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, m.Limits.NLB)
		defer cancel()
		return m.apply(ctx, false, nil)
	})
	run("sweep", func(ctx context.Context) error {
		removed, err := m.Sweeper.Sweep(ctx)
		if removed != "" {
			m.Reporter.Warnf("removed session resources that Terraform did not know about: %s", removed)
		}
		return err
	})
	if len(errs) == 0 && m.Guard != nil {
		// Only once nothing is left: a guard outliving a failed close still ends it.
		run("disarm guard", m.Guard.Disarm)
	}
	if err := errors.Join(errs...); err != nil {
		if errors.Is(err, errCrash) {
			return err
		}
		m.release(ctx, j, err)
		var locked *LockedError
		if errors.As(err, &locked) {
			return fmt.Errorf("close did not finish: %w", err) // it says what to do
		}
		return fmt.Errorf("close did not finish: %w; run `jitsictl session close` again (every step is safe to repeat)", err)
	}
	return j.update(ctx, func(r *Record) {
		now := m.now()
		if !r.TaskStartedAt.IsZero() || !r.NLBCreatedAt.IsZero() {
			u := Usage{}
			if !r.TaskStartedAt.IsZero() {
				u.Task = now.Sub(r.TaskStartedAt)
			}
			if !r.NLBCreatedAt.IsZero() {
				u.NLB = now.Sub(r.NLBCreatedAt)
				u.NLBHours = wholeHours(u.NLB)
			}
			r.book(u, now)
		}
		r.TaskStartedAt, r.NLBCreatedAt = time.Time{}, time.Time{}
		r.State, r.LeaseUntil, r.LastError, r.ClosedAt = StateClosed, time.Time{}, "", now
		r.TaskArn, r.TaskIP, r.NLBArn = "", "", ""
	})
}
