package session

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Extend moves the expiry of an open session by hours, keeping the time left
// within MaxHours.
func (m *Manager) Extend(ctx context.Context, hours int) (Record, error) {
	if err := ValidateHours(hours); err != nil {
		return Record{}, err
	}
	var waitSince time.Time
	for {
		v, err := m.Store.Load(ctx)
		if err != nil {
			return Record{}, err
		}
		now := m.now()
		if m.heldBy(v, now) != "" {
			if again, err := m.waitForLease(ctx, v, &waitSince); again || err != nil {
				if err != nil {
					return Record{}, err
				}
				continue
			}
		}
		if v.State != StateOpen {
			return Record{}, fmt.Errorf("no open session to extend (state %s): open one with `jitsictl session open`", v.State)
		}
		if why, ended, err := m.guardEnded(ctx, v.Record); err != nil || ended {
			if err == nil {
				err = fmt.Errorf("%s: nothing to extend; `jitsictl session open` starts a new session (and closes the record first)", why)
			}
			return Record{}, err
		}
		base := v.ExpiresAt
		if base.Before(now) {
			base = now
		}
		next := v.Record
		next.ExpiresAt = base.Add(time.Duration(hours) * time.Hour)
		if left := next.ExpiresAt.Sub(now); left > MaxHours*time.Hour {
			return Record{}, fmt.Errorf("extending by %d h would leave %s until expiry, more than %d h: extend by at most %d h now",
				hours, left.Round(time.Minute), MaxHours, int((MaxHours*time.Hour-v.ExpiresAt.Sub(now))/time.Hour))
		}
		// Move the guard first: a guard later than the record is harmless.
		if m.Guard != nil {
			if err := m.armFor(ctx, next.NLBArn, next.ExpiresAt, false); err != nil {
				return Record{}, fmt.Errorf("move the session guard (the expiry is unchanged): %w", err)
			}
		}
		_, err = m.Store.Save(ctx, next, v.ETag)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Record{}, err
		}
		m.Reporter.Infof("session extended until %s", next.ExpiresAt.Format(time.RFC3339))
		return next, nil
	}
}

// Status is what `session status` reports.
type Status struct {
	State     State     `json:"state"`
	URL       string    `json:"url,omitempty"`
	Addresses []string  `json:"addresses,omitempty"`
	OpenedAt  time.Time `json:"opened_at,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitempty"`
	TimeLeft  string    `json:"time_left,omitempty"`
	// Expired says how long ago an open session's time ran out and what the
	// scheduled reaper does about it.
	Expired   string `json:"expired,omitempty"`
	Running   string `json:"running_for,omitempty"`
	Owner     string `json:"owner,omitempty"`
	LastError string `json:"last_error,omitempty"`
	Steps     []Step `json:"steps,omitempty"`
	// GuardFiresAt is when the AWS-side guard ends the open session; Ended says
	// that it (or someone) already had, and that status closed the record.
	GuardFiresAt string `json:"guard_fires_at,omitempty"`
	Ended        string `json:"ended,omitempty"`
	// LingeringUntil: a closed session's NLB stays until then (RFC 3339);
	// an open before then reuses it. Lingering says so for people.
	LingeringUntil string `json:"lingering_until,omitempty"`
	Lingering      string `json:"lingering,omitempty"`
}

// Status reads the record; it changes nothing, except that a session already
// ended on the AWS side (see guard.go) is closed so the record tells the truth.
func (m *Manager) Status(ctx context.Context) (Status, error) {
	ended, err := m.convergeEnded(ctx)
	if err != nil {
		return Status{}, err
	}
	v, err := m.Store.Load(ctx)
	if err != nil {
		return Status{}, err
	}
	now := m.now()
	s := Status{State: v.State, URL: v.URL, Addresses: v.Addresses, OpenedAt: v.OpenedAt, ExpiresAt: v.ExpiresAt, Owner: v.Owner, LastError: v.LastError, Steps: v.Steps, Ended: ended}
	if v.State == StateOpen {
		s.Running = now.Sub(v.OpenedAt).Round(time.Minute).String()
		if s.GuardFiresAt, err = m.guardFires(ctx); err != nil && !errors.Is(err, errNoGuard) {
			m.Reporter.Warnf("%v", err)
		}
		if left := v.ExpiresAt.Sub(now); left > 0 {
			s.TimeLeft = left.Round(time.Minute).String()
		} else {
			s.Expired = fmt.Sprintf("expired %s ago: the next scheduled `jitsictl session reap` closes it (or close it now with `jitsictl session close`)", (-left).Round(time.Minute))
		}
	}
	if v.State == StateLingering {
		s.LingeringUntil = v.LingerUntil.UTC().Format(time.RFC3339)
		s.Lingering = "lingering until " + hhmm(v.LingerUntil) + ": an open before then reuses the load balancer; `jitsictl session close --now` removes it now"
	}
	if (v.State == StateOpening || v.State == StateClosing) && !now.Before(v.LeaseUntil) {
		s.Expired = fmt.Sprintf("%s by %s stopped without finishing: the next scheduled `jitsictl session reap` closes it (or close it now with `jitsictl session close`)", v.State, v.Owner)
	}
	return s, nil
}
