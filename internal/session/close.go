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
	// Now removes the NLB at once instead of letting it linger to the end
	// of its paid hour (and ends a linger in progress).
	Now bool
}

// Close converges to zero session resources: whatever state the record is in,
// and even with no record at all, it scales to zero, removes the NLB through
// Terraform and then sweeps anything tagged that Terraform did not know about.
func (m *Manager) Close(ctx context.Context, o CloseOptions) (Record, error) {
	if v, err := m.Store.Load(ctx); err == nil {
		if why, ended, _ := m.guardEnded(ctx, v.Record); ended {
			m.Reporter.Infof("%s; converging the record and the Terraform state", why)
		}
		if v.State == StateLingering && !o.Now && m.now().Before(v.LingerUntil) {
			m.Reporter.Infof("the session is closed; its load balancer lingers until %s (`jitsictl session close --now` removes it now)", hhmm(v.LingerUntil))
			return v.Record, nil
		}
	}
	j, prev, err := m.claimForClose(ctx, o)
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
	until, linger := m.lingerFor(prev, o)
	err = m.endSteps(ctx, j, o.Reason, until, linger)
	close(stop)
	return j.snapshot(), err
}

// claimForClose takes the record for this run; it returns the record as it
// was, which decides whether the close may linger.
func (m *Manager) claimForClose(ctx context.Context, o CloseOptions) (*journal, Record, error) {
	var waitSince time.Time
	for {
		v, err := m.Store.Load(ctx)
		if err != nil {
			return nil, Record{}, err
		}
		now := m.now()
		if (v.State == StateOpening || v.State == StateClosing) && now.Before(v.LeaseUntil) && v.Owner != m.Owner && !o.Force {
			if again, err := m.waitForLease(ctx, v, &waitSince); again || err != nil {
				if err != nil {
					return nil, Record{}, err
				}
				continue
			}
			return nil, Record{}, fmt.Errorf("%w: %s is %s the session (lease until %s); wait for it, or close with --force",
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
			return nil, Record{}, err
		}
		return &journal{m: m, rec: next, etag: etag}, v.Record, nil
	}
}

// closeSteps closes everything now (a failed open's rollback).
func (m *Manager) closeSteps(ctx context.Context, j *journal, reason string) error {
	return m.endSteps(ctx, j, reason, time.Time{}, false)
}

// endSteps runs every step even when one fails: leaving the NLB up because
// the task would not stop only adds cost. All failures are returned together.
// With linger, the NLB part stays until lingerUntil (linger.go); if the guard
// cannot be moved for that, it goes now.
func (m *Manager) endSteps(ctx context.Context, j *journal, reason string, lingerUntil time.Time, linger bool) error {
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
	if linger && len(errs) == 0 {
		err := j.step(ctx, "linger", func(ctx context.Context) error { return m.armLinger(ctx, j, lingerUntil) })
		switch {
		case errors.Is(err, errCrash):
			errs = append(errs, err)
		case err != nil:
			m.Reporter.Warnf("cannot keep the load balancer until %s (%v): removing it now", hhmm(lingerUntil), err)
			linger = false
		}
	} else {
		linger = false
	}
	if !linger {
		m.removeSteps(run, func() bool { return len(errs) > 0 })
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
	if linger {
		return j.update(ctx, m.lingered(lingerUntil))
	}
	return j.update(ctx, func(r *Record) {
		now := m.now()
		nlbGone, addressesGone := lingerEnded(*r, now)
		u := Usage{LingerAddresses: lingerAddressTime(*r, addressesGone)}
		if !r.TaskStartedAt.IsZero() {
			u.Task = now.Sub(r.TaskStartedAt)
		}
		if !r.NLBCreatedAt.IsZero() {
			u.NLB = nlbGone.Sub(r.NLBCreatedAt)
			u.NLBHours = wholeHours(u.NLB)
		}
		switch {
		case !r.LingerFrom.IsZero():
			// The end of a linger: the session was booked when it closed;
			// its NLB and the linger's addresses are booked now.
			r.bookPart(u, now, false)
			last := Usage{}
			if r.LastUsage != nil {
				last = *r.LastUsage
			}
			last.NLB, last.NLBHours, last.LingerAddresses = u.NLB, u.NLBHours, u.LingerAddresses
			r.LastUsage = &last
		case u != (Usage{}):
			r.book(u, now)
		}
		r.TaskStartedAt, r.NLBCreatedAt, r.LingerFrom, r.LingerUntil, r.Reopened = time.Time{}, time.Time{}, time.Time{}, time.Time{}, false
		r.State, r.LeaseUntil, r.LastError, r.ClosedAt = StateClosed, time.Time{}, "", now
		r.TaskArn, r.TaskIP, r.NLBArn = "", "", ""
	})
}

// removeSteps remove the NLB part (load balancer, listeners, Elastic IPs),
// sweep what Terraform did not know and, once nothing is left, disarm the guard.
func (m *Manager) removeSteps(run func(string, func(context.Context) error), failed func() bool) {
	run("remove load balancer", func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, m.Limits.NLB)
		defer cancel()
		return m.apply(ctx, false, SessionTargets)
	})
	run("sweep", func(ctx context.Context) error {
		removed, err := m.Sweeper.Sweep(ctx)
		if removed != "" {
			m.Reporter.Warnf("removed session resources that Terraform did not know about: %s", removed)
		}
		return err
	})
	if !failed() && m.Guard != nil {
		// Only once nothing is left: a guard outliving a failed close still ends it.
		run("disarm guard", m.Guard.Disarm)
	}
}
