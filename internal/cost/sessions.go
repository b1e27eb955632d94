package cost

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
)

// SessionMarker identifies the sticky cost comment; verify and session close
// update the same one.
const SessionMarker = "<!-- jitsictl:cost -->"

// SessionInputs is everything a session's cost report prices, read once.
type SessionInputs struct {
	Prices  *RegionPrices
	Session Session
	Idle    Idle
	Record  session.Record
	// Live prices the open session from its start times to Now; otherwise
	// the record's LastUsage (the session just closed, already in the ledger).
	Live bool
	Now  time.Time
}

// SessionFigures are the report's numbers: the step outputs and the JSON fields.
type SessionFigures struct {
	Region        string   `json:"region"`
	PerHour       Money    `json:"cost_per_hour"`
	Session       Money    `json:"session_cost"`
	SessionClosed bool     `json:"session_closed"`
	MonthEstimate Money    `json:"month_estimate"`
	PreviousMonth Money    `json:"previous_month_estimate"`
	Delta         Money    `json:"delta_vs_previous_month"`
	Notes         []string `json:"notes"`

	summary SessionSummary
}

// Notes every session cost report carries: what the estimates assume.
const (
	mediaNote    = "traffic (NLCU, data transfer out) assumes %d participants at %d/%d kbit/s down/up for as long as the NLB exists: nothing measures media, so this is an upper bound"
	previousNote = "the previous month is its booked sessions plus a whole month of today's idle inventory (storage, parameters, zones, logs)"
)

// PriceSession is the cost model applied to the session record: this
// session (live: from TaskStartedAt/NLBCreatedAt to now; closed: its
// LastUsage), the month to date (idle prorated, this month's ledger, the
// live session) and the previous month (its ledger and a whole idle month).
func PriceSession(in SessionInputs) SessionFigures {
	r, rec, now := in.Prices, in.Record, in.Now.UTC()
	var this Usage
	var elapsed time.Duration
	switch {
	case in.Live:
		if !rec.TaskStartedAt.IsZero() {
			this.Task = now.Sub(rec.TaskStartedAt)
		}
		if !rec.NLBCreatedAt.IsZero() {
			this.NLB = now.Sub(rec.NLBCreatedAt)
		}
		if !rec.OpenedAt.IsZero() {
			elapsed = now.Sub(rec.OpenedAt)
		}
	case rec.LastUsage != nil:
		this.Task, this.NLB = rec.LastUsage.Task, rec.LastUsage.NLB
		if !rec.OpenedAt.IsZero() && !rec.ClosedAt.IsZero() {
			elapsed = rec.ClosedAt.Sub(rec.OpenedAt)
		}
	}
	this.Media = this.NLB
	if elapsed <= 0 {
		elapsed = max(this.Task, this.NLB)
	}
	sess := r.SessionCost(in.Session, this)

	idle := r.IdlePerMonth(in.Idle).Total
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	ledger := rec.Ledger[thisMonth.Format("2006-01")]
	var sessions []Money
	switch {
	case in.Live:
		sessions = []Money{r.BookedCost(in.Session, bookedOf(ledger)).Total, sess.Total}
	case rec.LastUsage != nil && !rec.ClosedAt.Before(thisMonth) && ledger.Sessions > 0:
		// The close booked this session into the month, where it is priced
		// with the month's first 100 GB out free; count it as it is shown
		// above instead, so the month never reads less than one session of it.
		rest := ledger
		rest.Sessions--
		rest.Task -= rec.LastUsage.Task
		rest.NLB -= rec.LastUsage.NLB
		rest.NLBHours -= rec.LastUsage.NLBHours
		sessions = []Money{r.BookedCost(in.Session, bookedOf(rest)).Total, sess.Total}
	default:
		sessions = []Money{r.BookedCost(in.Session, bookedOf(ledger)).Total}
	}
	mtd := MonthToDate(idle, sessions, now)
	prev := idle + r.BookedCost(in.Session, bookedOf(rec.Ledger[thisMonth.AddDate(0, -1, 0).Format("2006-01")])).Total

	notes := []string{
		fmt.Sprintf(mediaNote, in.Session.Participants, in.Session.DownKbps, in.Session.UpKbps),
		previousNote,
	}
	f := SessionFigures{
		Region: r.Region, PerHour: r.RunningPerHour(in.Session).Total, Session: sess.Total, SessionClosed: !in.Live,
		MonthEstimate: mtd, PreviousMonth: prev, Delta: mtd - prev, Notes: notes,
	}
	f.summary = SessionSummary{
		Region: r.Region, PerHour: f.PerHour, Session: sess, Closed: !in.Live, Elapsed: elapsed,
		MonthToDate: mtd, PreviousMonth: prev, Months: r.Report(in.Session, in.Idle, DefaultHours).Months, Notes: notes,
	}
	return f
}

// bookedOf is a ledger month as the cost model takes it; media is assumed
// to flow for the NLB's whole lifetime (see mediaNote).
func bookedOf(l session.Ledger) Booked {
	return Booked{Sessions: l.Sessions, Task: l.Task, NLB: l.NLB, NLBHours: l.NLBHours, Media: l.NLB}
}

// AddNotes appends notes to the figures and their summary.
func (f *SessionFigures) AddNotes(notes ...string) {
	f.Notes = append(f.Notes, notes...)
	f.summary.Notes = append(f.summary.Notes, notes...)
}

// Outputs are plain decimals (no $) so workflows can compare them.
func (f SessionFigures) Outputs() map[string]string {
	return map[string]string{
		"cost-per-hour":  strings.TrimPrefix(f.PerHour.String(), "$"),
		"session-cost":   strings.TrimPrefix(f.Session.Cents(), "$"),
		"month-estimate": strings.TrimPrefix(f.MonthEstimate.Cents(), "$"),
	}
}

// Publish hands the figures to the Reporter: the outputs and the step summary.
func (f SessionFigures) Publish(r report.Reporter) {
	outs := f.Outputs()
	for _, k := range slices.Sorted(maps.Keys(outs)) {
		r.Output(k, outs[k])
	}
	r.Summary(f.Markdown())
}

// Text is the terminal face of the figures.
func (f SessionFigures) Text() string {
	var b bytes.Buffer
	_ = f.summary.Text(&b) // writes to memory
	return b.String()
}

// Markdown is the step summary and comment body.
func (f SessionFigures) Markdown() string {
	var b bytes.Buffer
	_ = f.summary.Markdown(&b) // writes to memory
	return b.String()
}

// CloseLingerNotes say what a close's linger costs and saves: for a close
// that lingers, the addresses until its end and what a reopen saves; for
// the close that ends a linger, what it cost and this month's reopens.
func CloseLingerNotes(p *RegionPrices, rec session.Record, now time.Time) []string {
	ipHour, nlbHour := p.Price(PublicIPv4Hour), p.Price(NLBHour)
	var notes []string
	switch {
	case rec.State == session.StateLingering:
		addrs := int64(len(rec.Addresses))
		secs := int64(rec.LingerUntil.Sub(rec.ClosedAt) / time.Second)
		notes = append(notes, fmt.Sprintf("the load balancer lingers until %s, its hour being paid: its %d Elastic IPs cost %s until then; an open before then reuses it, saving an NLB hour (%s) and its provisioning (`jitsictl session close --now` removes it now)",
			rec.LingerUntil.UTC().Format("15:04 UTC"), addrs, ipHour.MulDiv(addrs*max(secs, 0), 3600), nlbHour))
	case rec.LastUsage != nil && rec.LastUsage.LingerAddresses > 0:
		secs := int64(rec.LastUsage.LingerAddresses / time.Second)
		notes = append(notes, fmt.Sprintf("the linger kept Elastic IPs for %s of address time: %s", rec.LastUsage.LingerAddresses.Round(time.Minute), ipHour.MulDiv(secs, 3600)))
	}
	if n := rec.Ledger[now.UTC().Format("2006-01")].Reopens; n > 0 {
		notes = append(notes, fmt.Sprintf("this month %d open(s) reused a lingering load balancer: %d NLB hour(s) not started (%s)", n, n, nlbHour.Mul(n)))
	}
	return notes
}
