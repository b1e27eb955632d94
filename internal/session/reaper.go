package session

import (
	"context"
	"fmt"
	"time"
)

// Reaper switches the scheduled reaper (the scale-down workflow) on while a
// session may exist and off when none does: an idle month runs it zero
// times. The reaper is the idle check, not the safety net: the session's
// expiry and the AWS-side guard close a session the reaper never sees.
type Reaper interface {
	// Wake enables the schedule. Its error says how to do it by hand.
	Wake(ctx context.Context) error
	// Sleep disables the schedule. Its error says how to do it by hand.
	Sleep(ctx context.Context) error
}

// reaperCallLimit bounds each switch: GitHub must not hold an open (whose
// lease is renewed only once its steps run) or a reap for long.
const reaperCallLimit = 30 * time.Second

// Reaper states reported in the "reaper" output.
const (
	ReaperEnabled    = "enabled"
	ReaperNotEnabled = "not-enabled" // Wake failed: the session is open without the idle check
	ReaperDisabled   = "disabled"
	ReaperKept       = "kept" // Sleep failed, or an open started meanwhile: the schedule stays on
)

// wakeReaper enables the scheduled reaper for a session this run has
// claimed (or found open). A failure never fails the open - the meeting
// matters more than the idle check - but it is a warning in the log, the
// step summary and the "reaper" output, with the command that fixes it.
func (m *Manager) wakeReaper(ctx context.Context) {
	if m.Reaper == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, reaperCallLimit)
	defer cancel()
	if err := m.Reaper.Wake(ctx); err != nil {
		m.Reporter.Warnf("the scheduled reaper is not running, so an idle session is closed only at its expiry: %v", err)
		m.Reporter.Summary(fmt.Sprintf("> [!WARNING]\n> The scheduled reaper could not be enabled: %v\n\n", err))
		m.Reporter.Output("reaper", ReaperNotEnabled)
		return
	}
	m.Reporter.Infof("scheduled reaper enabled while the session is open")
	m.Reporter.Output("reaper", ReaperEnabled)
}

// sleepReaper disables the scheduled reaper after a reap that left no
// session and nothing orphaned. An open may claim the record meanwhile: it
// enables the reaper after its claim, and this reads the record after
// disabling, so whichever comes second sees the other and the schedule ends
// up on while a session exists.
func (m *Manager) sleepReaper(ctx context.Context) string {
	if m.Reaper == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, reaperCallLimit)
	defer cancel()
	if err := m.Reaper.Sleep(ctx); err != nil {
		m.Reporter.Warnf("the scheduled reaper stays enabled (every run bills at least a minute in a private repository): %v", err)
		return ReaperKept
	}
	v, err := m.Store.Load(ctx)
	if err == nil && (v.State == StateClosed || v.State == StateNone) {
		m.Reporter.Infof("scheduled reaper disabled: no session is open and nothing is orphaned; the next `session open` enables it")
		return ReaperDisabled
	}
	if err != nil {
		m.Reporter.Warnf("re-reading the session record after disabling the reaper: %v; enabling it again to be safe", err)
	} else {
		m.Reporter.Infof("a session is %s (by %s) since this reap began: enabling the reaper again", v.State, v.Owner)
	}
	if werr := m.Reaper.Wake(ctx); werr != nil {
		m.Reporter.Warnf("the scheduled reaper could not be enabled again: %v", werr)
		return ReaperNotEnabled
	}
	return ReaperKept
}

// heldBy says who holds the record's lease when it is another run than this
// one ("" when nobody does): only that run may change the record until the
// lease lapses.
func (m *Manager) heldBy(v Versioned, now time.Time) string {
	if (v.State == StateOpening || v.State == StateClosing) && now.Before(v.LeaseUntil) && v.Owner != m.Owner {
		return v.Owner
	}
	return ""
}

// waitForLease waits while another run holds the record, for at most
// m.LeaseWait in all since *since (set on the first wait). It says whether
// to read the record again; false means give up (the caller's error).
func (m *Manager) waitForLease(ctx context.Context, v Versioned, since *time.Time) (bool, error) {
	if m.LeaseWait <= 0 {
		return false, nil
	}
	now := m.now()
	if since.IsZero() {
		*since = now
	}
	waited := now.Sub(*since)
	if waited >= m.LeaseWait {
		return false, nil
	}
	m.Reporter.Wait(fmt.Sprintf("run %s, which holds the session", v.Owner), string(v.State), waited, m.LeaseWait)
	if err := sleep(ctx, m.pollEvery()); err != nil {
		return false, err
	}
	return true, nil
}
