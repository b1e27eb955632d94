package session

import (
	"context"

	"github.com/jitsictl/jitsictl/internal/report"
)

// Commands are the session subcommands' flows: what each checks before
// anything is touched, which Manager call it makes and what it publishes.
// Wire builds the Manager and the Publisher of the run (cli wires them to
// Terraform and AWS); Closed, when set, runs after a successful close (the
// session's cost).
type Commands struct {
	Wire   func(context.Context) (*Manager, Publisher, error)
	Closed func(context.Context, Record)
}

// Open opens the session for o.Hours and shows its record (also when the
// open failed part-way) and then the meeting links for o.Rooms.
func (c Commands) Open(ctx context.Context, o OpenOptions) error {
	if err := ValidateHours(o.Hours); err != nil {
		return report.UsageError{Err: err}
	}
	m, p, err := c.Wire(ctx)
	if err != nil {
		return err
	}
	rec, err := m.Open(ctx, o)
	p.Record(rec, "Session open")
	if err != nil {
		return err
	}
	return p.LinksAfter(ctx, rec, o.Rooms)
}

// Close closes the session and shows its record; Closed follows a success.
func (c Commands) Close(ctx context.Context, o CloseOptions) error {
	m, p, err := c.Wire(ctx)
	if err != nil {
		return err
	}
	rec, err := m.Close(ctx, o)
	p.Record(rec, "Session close")
	if err == nil && c.Closed != nil {
		c.Closed(ctx, rec)
	}
	return err
}

// Extend moves the open session's expiry by hours and shows its record and
// fresh links for its rooms.
func (c Commands) Extend(ctx context.Context, hours int) error {
	if err := ValidateHours(hours); err != nil {
		return report.UsageError{Err: err}
	}
	m, p, err := c.Wire(ctx)
	if err != nil {
		return err
	}
	rec, err := m.Extend(ctx, hours)
	if err != nil {
		return err
	}
	p.Record(rec, "Session extend")
	return p.LinksAfter(ctx, rec, rec.Rooms)
}

// Status shows the session's state, URL and time left.
func (c Commands) Status(ctx context.Context) error {
	m, p, err := c.Wire(ctx)
	if err != nil {
		return err
	}
	st, err := m.Status(ctx)
	if err == nil {
		p.Status(st)
	}
	return err
}

// Reap closes expired, idle or abandoned sessions and sweeps orphans, and
// shows what it did.
func (c Commands) Reap(ctx context.Context, o ReapOptions) error {
	if o.IdleAfter < 0 {
		return report.Usagef("--idle-after %s: must be positive (0 disables idle reaping)", o.IdleAfter)
	}
	m, p, err := c.Wire(ctx)
	if err != nil {
		return err
	}
	res, err := m.Reap(ctx, o)
	p.Reap(res)
	return err
}

// Links mints fresh meeting links for rooms (empty: the session's own) of
// the open session.
func (c Commands) Links(ctx context.Context, rooms []string) error {
	m, p, err := c.Wire(ctx)
	if err != nil {
		return err
	}
	rec, list, err := OpenForLinks(ctx, m.Store, rooms)
	if err != nil {
		return err
	}
	return p.Links(ctx, rec, list)
}
