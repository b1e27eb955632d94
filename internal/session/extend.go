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
	Running   string    `json:"running_for,omitempty"`
	Owner     string    `json:"owner,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	Steps     []Step    `json:"steps,omitempty"`
}

// Status reads the record; it changes nothing.
func (m *Manager) Status(ctx context.Context) (Status, error) {
	v, err := m.Store.Load(ctx)
	if err != nil {
		return Status{}, err
	}
	now := m.now()
	s := Status{State: v.State, URL: v.URL, Addresses: v.Addresses, OpenedAt: v.OpenedAt, ExpiresAt: v.ExpiresAt, Owner: v.Owner, LastError: v.LastError, Steps: v.Steps}
	if v.State == StateOpen {
		s.TimeLeft = v.ExpiresAt.Sub(now).Round(time.Minute).String()
		s.Running = now.Sub(v.OpenedAt).Round(time.Minute).String()
	}
	return s, nil
}
