package cost

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// MonthRow is one usage level of the monthly comparison.
type MonthRow struct {
	Hours    int64 // one-hour meetings per month
	OnDemand Money
	AlwaysOn Money // the bridge kept running (AlwaysOnBridge)
}

// Report is what `jitsictl cost` shows.
type Report struct {
	Region     string
	PricesDate string
	Refreshed  []Key // items read from the Price List API this run
	Session    Session
	Idle       Idle
	Running    Estimate
	// Architectures prices the running hour on ARM64 and X86_64.
	Architectures []ArchHour
	IdleMonth     Estimate
	Months        []MonthRow
	BreakEvens    []BreakEven
	Seed          *Comparison // set to show the seed's figures beside these
	// Actions, when set, adds the workflows' GitHub Actions minutes.
	Actions *ActionsReport `json:",omitempty"`
}

// DefaultHours are the usage levels of the monthly table and chart.
var DefaultHours = []int64{0, 10, 50, 100, 200, 400, 730}

// Report computes everything `jitsictl cost` shows for one session shape.
func (r *RegionPrices) Report(s Session, i Idle, hours []int64) Report {
	rep := Report{Region: r.Region, PricesDate: r.Date, Session: s, Idle: i}
	for k := range r.Refreshed {
		rep.Refreshed = append(rep.Refreshed, k)
	}
	sortKeys(rep.Refreshed)
	rep.Running = r.RunningPerHour(s)
	rep.Architectures = r.Architectures(s)
	rep.IdleMonth = r.IdlePerMonth(i)
	for _, h := range hours {
		u := HoursOfUse(h)
		rep.Months = append(rep.Months, MonthRow{h, r.Month(s, i, u).Total, r.AlwaysOnMonth(s, i, u).Total})
	}
	rep.BreakEvens = []BreakEven{
		r.BreakEven(s, Meeting(time.Hour), AlwaysOnBridge),
		r.BreakEven(s, Meeting(time.Hour), AlwaysOnALB),
	}
	return rep
}

func sortKeys(ks []Key) {
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
}

func (rep Report) source() string {
	if len(rep.Refreshed) > 0 {
		return fmt.Sprintf("Price List API for %d item(s), embedded table of %s for the rest", len(rep.Refreshed), rep.PricesDate)
	}
	return "embedded table of " + rep.PricesDate
}

func (rep Report) sessionWords() string {
	return fmt.Sprintf("%s, %d NLB address(es), task public IP %s, %d participants at %d/%d kbit/s down/up; each meeting adds %s of NLB and %s of task time",
		rep.Session.Task, rep.Session.NLBAddresses, yesNo(rep.Session.TaskPublicIP), rep.Session.Participants,
		rep.Session.DownKbps, rep.Session.UpKbps, NLBOverhead, TaskOverhead)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Text writes the report for a terminal.
func (rep Report) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Cost model for %s (prices: %s)\n", rep.Region, rep.source())
	b.WriteString(wrap(rep.sessionWords(), "Session: ", "  ", textWidth) + "\n")
	for _, e := range []struct {
		title string
		est   Estimate
	}{{"Running, per hour", rep.Running}, {"Idle, per month", rep.IdleMonth}} {
		fmt.Fprintf(&b, "%s\n", e.title)
		tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', tabwriter.AlignRight)
		for _, l := range e.est.Lines {
			fmt.Fprintf(tw, "  %s\t%s\t  %s\n", l.Component, l.Amount, l.Detail)
		}
		fmt.Fprintf(tw, "  total\t%s\t\n", e.est.Total)
		tw.Flush()
		for _, n := range e.est.Notes {
			b.WriteString(wrap(n, "  note: ", "        ", textWidth))
		}
		if e.title == "Running, per hour" && len(rep.Architectures) > 0 {
			b.WriteString(wrap(archWords(rep.Architectures), "  architectures: ", "    ", textWidth))
		}
		b.WriteString("\n")
	}
	b.WriteString("A month of one-hour meetings\n")
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  hours\ton demand\talways-on bridge\t\n")
	for _, m := range rep.Months {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t\n", m.Hours, m.OnDemand.Cents(), m.AlwaysOn.Cents())
	}
	tw.Flush()
	b.WriteString("\nBreak-even (only what differs between the designs counts)\n")
	for _, be := range rep.BreakEvens {
		b.WriteString(wrap(fmt.Sprintf("vs %s: %s of one-hour meetings (%s a month against %s a session)",
			be.Design, be.HoursText(), be.AlwaysOnMonthly.Cents(), be.PerSession), "  ", "    ", textWidth))
	}
	if rep.Seed != nil {
		b.WriteString("\n")
		rep.Seed.text(&b)
	}
	if rep.Actions != nil {
		b.WriteString("\n")
		_ = rep.Actions.Text(&b) // writes to memory
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (c Comparison) text(b *strings.Builder) {
	b.WriteString("The seed's figures beside the corrected model\n")
	var t strings.Builder
	tw := tabwriter.NewWriter(&t, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  \tseed\tcorrected\n")
	rows := c.rows()
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.label, r.seed, r.corrected)
	}
	tw.Flush()
	// Each differing line is followed by why it differs.
	for i, line := range strings.SplitAfter(strings.TrimSuffix(t.String(), "\n"), "\n") {
		b.WriteString(strings.TrimSuffix(line, "\n") + "\n")
		if i > 0 && rows[i-1].why != "" {
			b.WriteString(wrap(rows[i-1].why, "      why: ", "           ", textWidth))
		}
	}
	b.WriteString("What the seed left out:\n")
	for _, o := range c.Omissions {
		b.WriteString(wrap(o, "  - ", "    ", textWidth))
	}
}

// Markdown writes the report for a step summary or a PR comment, with a
// Mermaid chart of monthly cost against hours of use.
func (rep Report) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Cost model for `%s`\n\n", rep.Region)
	fmt.Fprintf(&b, "Prices: %s. Session: %s.\n\n", rep.source(), rep.sessionWords())
	fmt.Fprintf(&b, "| | per hour running | | per month idle |\n|---|---:|---|---:|\n")
	n := max(len(rep.Running.Lines), len(rep.IdleMonth.Lines))
	for i := range n {
		cells := [4]string{}
		if i < len(rep.Running.Lines) {
			cells[0], cells[1] = rep.Running.Lines[i].Component, rep.Running.Lines[i].Amount.String()
		}
		if i < len(rep.IdleMonth.Lines) {
			cells[2], cells[3] = rep.IdleMonth.Lines[i].Component, rep.IdleMonth.Lines[i].Amount.String()
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cells[0], cells[1], cells[2], cells[3])
	}
	fmt.Fprintf(&b, "| **total** | **%s** | **total** | **%s** |\n\n", rep.Running.Total, rep.IdleMonth.Total)
	for _, note := range append(rep.Running.Notes, rep.IdleMonth.Notes...) {
		fmt.Fprintf(&b, "> %s\n", note)
	}
	if len(rep.Architectures) > 0 {
		fmt.Fprintf(&b, "> Architectures: %s\n", archWords(rep.Architectures))
	}
	b.WriteString("\n| hours of use a month | on demand | always-on bridge |\n|---:|---:|---:|\n")
	for _, m := range rep.Months {
		fmt.Fprintf(&b, "| %d | %s | %s |\n", m.Hours, m.OnDemand.Cents(), m.AlwaysOn.Cents())
	}
	b.WriteString("\n")
	b.WriteString(Chart(rep.Region, rep.Months))
	b.WriteString("\nFirst line: on demand; second line: always-on bridge (Mermaid's xychart draws no legend).\n\n")
	for _, be := range rep.BreakEvens {
		fmt.Fprintf(&b, "- Break-even vs %s: **%s** of one-hour meetings (%s a month against %s a session; only what differs counts)\n",
			be.Design, be.HoursText(), be.AlwaysOnMonthly.Cents(), be.PerSession)
	}
	if c := rep.Seed; c != nil {
		b.WriteString("\n#### The seed's figures beside the corrected model\n\n| | seed | corrected | why they differ |\n|---|---:|---:|---|\n")
		for _, r := range c.rows() {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.label, r.seed, r.corrected, r.why)
		}
		b.WriteString("\nWhat the seed left out:\n\n")
		for _, o := range c.Omissions {
			fmt.Fprintf(&b, "- %s\n", o)
		}
	}
	if rep.Actions != nil {
		b.WriteString("\n")
		_ = rep.Actions.Markdown(&b) // writes to memory
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Chart is a Mermaid xychart of monthly cost against hours of use.
func Chart(region string, rows []MonthRow) string {
	var b strings.Builder
	var xs, od, ao []string
	top := 0.0
	for _, m := range rows {
		xs = append(xs, fmt.Sprint(m.Hours))
		od = append(od, fmt.Sprintf("%.2f", m.OnDemand.Round(2).Float()))
		ao = append(ao, fmt.Sprintf("%.2f", m.AlwaysOn.Round(2).Float()))
		top = max(top, m.OnDemand.Float(), m.AlwaysOn.Float())
	}
	fmt.Fprintf(&b, "```mermaid\nxychart-beta\n    title \"Monthly cost vs hours of use (%s)\"\n", region)
	fmt.Fprintf(&b, "    x-axis \"hours of use a month\" [%s]\n", strings.Join(xs, ", "))
	fmt.Fprintf(&b, "    y-axis \"USD a month\" 0 --> %d\n", niceCeil(top))
	fmt.Fprintf(&b, "    line [%s]\n    line [%s]\n```\n", strings.Join(od, ", "), strings.Join(ao, ", "))
	return b.String()
}

// niceCeil rounds an axis maximum up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if float64(m*p) >= v {
				return m * p
			}
		}
	}
}
