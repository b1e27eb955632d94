package cost

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"
)

// LineDelta is one component before and after a change.
type LineDelta struct {
	Component     string
	Before, After Money
}

// Change is After − Before.
func (l LineDelta) Change() Money { return l.After - l.Before }

// EstimateDelta compares two estimates of the same kind component by component.
type EstimateDelta struct {
	Per           string
	Lines         []LineDelta
	Before, After Money
}

// Change is the difference of the totals.
func (d EstimateDelta) Change() Money { return d.After - d.Before }

// Delta lines up two estimates; components present in only one count as
// zero in the other, in the order they first appear.
func Delta(before, after Estimate) EstimateDelta {
	d := EstimateDelta{Per: after.Per, Before: before.Total, After: after.Total}
	if d.Per == "" {
		d.Per = before.Per
	}
	idx := map[string]int{}
	for _, l := range before.Lines {
		if i, ok := idx[l.Component]; ok {
			d.Lines[i].Before += l.Amount
			continue
		}
		idx[l.Component] = len(d.Lines)
		d.Lines = append(d.Lines, LineDelta{Component: l.Component, Before: l.Amount})
	}
	for _, l := range after.Lines {
		if i, ok := idx[l.Component]; ok {
			d.Lines[i].After += l.Amount
			continue
		}
		idx[l.Component] = len(d.Lines)
		d.Lines = append(d.Lines, LineDelta{Component: l.Component, After: l.Amount})
	}
	return d
}

// Scenario is a deployment's session shape and idle set.
type Scenario struct {
	Session Session
	Idle    Idle
}

// PlanDelta is what `deploy plan` reports: the running hour and the idle
// month before and after the change.
type PlanDelta struct {
	Region        string
	Running, Idle EstimateDelta
}

// ComparePlans prices both sides of a change with the same prices.
func (r *RegionPrices) ComparePlans(before, after Scenario) PlanDelta {
	return PlanDelta{
		Region:  r.Region,
		Running: Delta(r.RunningPerHour(before.Session), r.RunningPerHour(after.Session)),
		Idle:    Delta(r.IdlePerMonth(before.Idle), r.IdlePerMonth(after.Idle)),
	}
}

// signed prints a change with its sign: +$0.50, -$1.20, $0.00.
func signed(m Money, cents bool) string {
	s := m.String()
	if cents {
		s = m.Cents()
	}
	if m > 0 {
		return "+" + s
	}
	return s
}

// percent prints the relative change, or "new" when there was nothing before.
func percent(before, after Money) string {
	switch {
	case before == after:
		return "±0%"
	case before == 0:
		return "new"
	}
	r := new(big.Rat).SetFrac64(int64(after-before)*1000, int64(before))
	f, _ := r.Float64()
	return fmt.Sprintf("%+.1f%%", f/10)
}

func trend(m Money) string {
	switch {
	case m > 0:
		return "increases"
	case m < 0:
		return "decreases"
	}
	return "does not change"
}

// Markdown writes the plan's cost change: a headline, then the changed
// components only.
func (p PlanDelta) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Cost:** idle %s (%s → %s a month, %s); running %s (%s → %s an hour, %s)\n\n",
		trend(p.Idle.Change()), p.Idle.Before.Cents(), p.Idle.After.Cents(), signed(p.Idle.Change(), true),
		trend(p.Running.Change()), p.Running.Before, p.Running.After, signed(p.Running.Change(), false))
	changed := false
	for _, part := range []struct {
		name string
		d    EstimateDelta
	}{{"idle, a month", p.Idle}, {"running, an hour", p.Running}} {
		for _, l := range part.d.Lines {
			if l.Change() == 0 {
				continue
			}
			if !changed {
				b.WriteString("| component | | before | after | change |\n|---|---|---:|---:|---:|\n")
				changed = true
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", l.Component, part.name, l.Before, l.After, signed(l.Change(), false))
		}
	}
	if !changed {
		b.WriteString("No cost component changes.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MonthToDate estimates the month containing now: the idle month prorated
// to now, plus the sessions already held.
func MonthToDate(idlePerMonth Money, sessions []Money, now time.Time) Money {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	total := idlePerMonth.MulDiv(int64(now.Sub(start)/time.Second), int64(end.Sub(start)/time.Second))
	for _, s := range sessions {
		total += s
	}
	return total
}

// SessionSummary is what `verify` and `session close` report.
type SessionSummary struct {
	Region        string
	PerHour       Money         // a running hour of this stack's session shape (0: not shown)
	Session       Estimate      // this session so far, or the whole of it once Closed
	Closed        bool          // the session has closed: Session is final
	Elapsed       time.Duration // how long it has been (or was) open
	MonthToDate   Money         // estimate, this session included
	PreviousMonth Money         // the previous month's estimate
	Actual        *Spend        // Cost Explorer month to date, when read
	Months        []MonthRow    // for the chart
	Notes         []string      // what the estimates assume
}

// Delta is the month to date against the whole previous month.
func (s SessionSummary) Delta() Money { return s.MonthToDate - s.PreviousMonth }

func (s SessionSummary) sessionLabel() string {
	if s.Closed {
		return fmt.Sprintf("This session, closed (%s)", s.Elapsed.Round(time.Second))
	}
	return fmt.Sprintf("This session so far (%s)", s.Elapsed.Round(time.Second))
}

// Markdown writes the summary for a step summary.
func (s SessionSummary) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Session cost (`%s`)\n\n| | |\n|---|---:|\n", s.Region)
	if s.PerHour != 0 {
		fmt.Fprintf(&b, "| Running, per hour | %s |\n", s.PerHour)
	}
	fmt.Fprintf(&b, "| %s | %s |\n", s.sessionLabel(), s.Session.Total.Cents())
	fmt.Fprintf(&b, "| Month to date, estimated | %s |\n", s.MonthToDate.Cents())
	fmt.Fprintf(&b, "| Previous month, estimated | %s |\n", s.PreviousMonth.Cents())
	fmt.Fprintf(&b, "| Month to date against the whole previous month | %s (%s) |\n", signed(s.Delta(), true), percent(s.PreviousMonth, s.MonthToDate))
	if a := s.Actual; a != nil {
		fmt.Fprintf(&b, "| Month to date, Cost Explorer (%s to %s; it lags about a day, so recent sessions are missing from it) | %s |\n", a.Start, a.End, a.Total.Cents())
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "\n> %s\n", n)
	}
	b.WriteString("\n<details><summary>This session by component</summary>\n\n| component | | amount |\n|---|---|---:|\n")
	for _, l := range s.Session.Lines {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", l.Component, l.Detail, l.Amount)
	}
	b.WriteString("\n</details>\n\n")
	if a := s.Actual; a != nil && len(a.Services) > 0 {
		b.WriteString("| service (Cost Explorer) | month to date |\n|---|---:|\n")
		for _, sv := range a.Services {
			fmt.Fprintf(&b, "| %s | %s |\n", sv.Service, sv.Amount.Cents())
		}
		fmt.Fprintf(&b, "\n> %s.\n\n", CostExplorerNote)
	}
	if len(s.Months) > 0 {
		b.WriteString(Chart(s.Region, s.Months))
		b.WriteString("\nFirst line: on demand; second line: always-on bridge.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Text writes the summary for a terminal.
func (s SessionSummary) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Session cost (%s)\n", s.Region)
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	if s.PerHour != 0 {
		fmt.Fprintf(tw, "  Running, per hour\t%s\n", s.PerHour)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", s.sessionLabel(), s.Session.Total.Cents())
	fmt.Fprintf(tw, "  Month to date, estimated\t%s\n", s.MonthToDate.Cents())
	fmt.Fprintf(tw, "  Previous month, estimated\t%s\n", s.PreviousMonth.Cents())
	fmt.Fprintf(tw, "  Against the previous month\t%s (%s)\n", signed(s.Delta(), true), percent(s.PreviousMonth, s.MonthToDate))
	tw.Flush()
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
