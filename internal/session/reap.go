package session

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ReapOptions configure the scheduled clean-up.
type ReapOptions struct {
	// IdleAfter closes an open session whose NLB carried no media for this
	// long (0 disables idle reaping). A session younger than it is never idle.
	IdleAfter time.Duration
}

// ReapResult says what reap did and why.
type ReapResult struct {
	Action string `json:"action"` // none, skipped, closed-expired, closed-guard, closed-idle, closed-stale, closed-linger, swept, close-failed
	Detail string `json:"detail,omitempty"`
	// Reaper is what became of the scheduled reaper: disabled when nothing
	// is left to watch, "" when it was not touched (see the Reaper* states).
	Reaper string `json:"reaper,omitempty"`
}

// Reap is what the scheduled workflow runs: it closes expired, idle and
// crashed sessions, and sweeps orphans when no session should exist. It
// never waits for another run: a record held by one is skipped (that run is
// the one working on the session; the next reap looks again). When it ends
// with no session and nothing orphaned, it disables the scheduled reaper.
func (m *Manager) Reap(ctx context.Context, o ReapOptions) (ReapResult, error) {
	res, err := m.reap(ctx, o)
	if res.Action == "skipped" {
		m.Reporter.Infof("%s", res.Detail)
	}
	if err == nil && res.Action != "skipped" {
		if v, lerr := m.Store.Load(ctx); lerr == nil && (v.State == StateClosed || v.State == StateNone) {
			res.Reaper = m.sleepReaper(ctx)
		}
	}
	return res, err
}

func (m *Manager) reap(ctx context.Context, o ReapOptions) (ReapResult, error) {
	v, err := m.Store.Load(ctx)
	if err != nil {
		return ReapResult{}, err
	}
	now := m.now()
	skipped := func(owner string) ReapResult {
		return ReapResult{Action: "skipped", Detail: fmt.Sprintf("skipped: run %s holds the session", owner)}
	}
	closeFor := func(action, reason string) (ReapResult, error) {
		if _, err := m.Close(ctx, CloseOptions{Reason: reason, Now: action == "closed-linger"}); err != nil {
			if errors.Is(err, ErrBusy) {
				// A user's close or open claimed the record after we read it.
				if v, lerr := m.Store.Load(ctx); lerr == nil && m.heldBy(v, m.now()) != "" {
					return skipped(v.Owner), nil
				}
			}
			// The label says what happened: nothing was closed.
			return ReapResult{Action: "close-failed", Detail: reason}, err
		}
		return ReapResult{Action: action, Detail: reason}, nil
	}
	if owner := m.heldBy(v, now); owner != "" {
		return skipped(owner), nil
	}
	switch v.State {
	case StateOpen:
		why, ended, err := m.guardEnded(ctx, v.Record)
		if err != nil {
			return ReapResult{}, err
		}
		if ended {
			return closeFor("closed-guard", why)
		}
		if !now.Before(v.ExpiresAt) {
			return closeFor("closed-expired", fmt.Sprintf("expired at %s", v.ExpiresAt.Format(time.RFC3339)))
		}
		if o.IdleAfter > 0 && m.Traffic != nil && now.Sub(v.OpenedAt) >= o.IdleAfter {
			idle, err := m.Traffic.Idle(ctx, v.NLBArn, o.IdleAfter)
			if err != nil {
				return ReapResult{}, fmt.Errorf("read NLB traffic: %w", err)
			}
			if idle {
				return closeFor("closed-idle", fmt.Sprintf("no media through the NLB for %s", o.IdleAfter))
			}
		}
		return ReapResult{Action: "none", Detail: fmt.Sprintf("open until %s", v.ExpiresAt.Format(time.RFC3339))}, nil
	case StateLingering:
		why, over, err := m.lingerOver(ctx, v.Record, m.reapMargin())
		if err != nil {
			return ReapResult{}, err
		}
		if over {
			return closeFor("closed-linger", why)
		}
		return ReapResult{Action: "none", Detail: "closed, the load balancer lingering until " + hhmm(v.LingerUntil)}, nil
	case StateOpening, StateClosing:
		return closeFor("closed-stale", fmt.Sprintf("a %s by %s stopped without finishing", v.State, v.Owner))
	}
	removed, err := m.Sweeper.Sweep(ctx)
	if err != nil {
		return ReapResult{}, err
	}
	if removed == "" {
		return ReapResult{Action: "none", Detail: "no session, nothing orphaned"}, nil
	}
	m.Reporter.Warnf("removed orphaned session resources: %s", removed)
	return ReapResult{Action: "swept", Detail: removed}, nil
}
