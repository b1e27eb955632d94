package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/report"
)

// Notes are explanations a reader needs for this report: today only why a
// silent UDP port is UNCONFIRMED rather than PASS.
func (r Report) Notes() []string {
	for _, x := range r.Results {
		if x.Check == "udp-stun" && x.Status == probe.Unconfirmed {
			return []string{probe.UDPSilenceNote}
		}
	}
	return nil
}

// Headline is one line: the verdict and the counts.
func (r Report) Headline() string {
	verdict := "all checks passed"
	switch {
	case r.Failed():
		verdict = "FAILED"
	case r.Count(probe.Warn) > 0 || r.Count(probe.Unconfirmed) > 0:
		verdict = "passed with warnings"
	}
	var counts []string
	for _, s := range []probe.Status{probe.Pass, probe.Fail, probe.Warn, probe.Unconfirmed} {
		if n := r.Count(s); n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return fmt.Sprintf("verify %s: %d checks, %s in %s", verdict, len(r.Results), strings.Join(counts, ", "), fmtDuration(r.Elapsed))
}

// Table is the report as rows, in check order.
func (r Report) Table() report.Table {
	t := report.Table{Header: []string{"CHECK", "TARGET", "STATUS", "TIME", "REASON"}}
	for _, x := range r.Results {
		t.Rows = append(t.Rows, []string{x.Check, x.Target, string(x.Status), fmtDuration(x.Duration), x.Reason})
	}
	return t
}

// WriteText writes the terminal face: the table, the headline, the notes.
func (r Report) WriteText(w io.Writer) error {
	if err := r.Table().WriteText(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", r.Headline())
	for _, n := range r.Notes() {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
	return nil
}

// Markdown is the step summary: headline, table with status marks, notes.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s %s\n\n", mark(r.verdict()), r.Headline())
	t := report.Table{Header: []string{"Check", "Target", "Status", "Time", "Reason"}}
	for _, x := range r.Results {
		t.Rows = append(t.Rows, []string{x.Check, "`" + x.Target + "`", mark(x.Status) + " " + string(x.Status), fmtDuration(x.Duration), x.Reason})
	}
	b.WriteString(t.Markdown())
	for _, n := range r.Notes() {
		fmt.Fprintf(&b, "\n> [!NOTE]\n> %s\n", n)
	}
	return b.String()
}

func (r Report) verdict() probe.Status {
	switch {
	case r.Failed():
		return probe.Fail
	case r.Count(probe.Warn) > 0 || r.Count(probe.Unconfirmed) > 0:
		return probe.Warn
	}
	return probe.Pass
}

func mark(s probe.Status) string {
	switch s {
	case probe.Pass:
		return "✅"
	case probe.Fail:
		return "❌"
	case probe.Warn:
		return "⚠️"
	}
	return "❔"
}

// MarshalJSON is the --output json document.
func (r Report) MarshalJSON() ([]byte, error) {
	counts := map[probe.Status]int{}
	for _, s := range []probe.Status{probe.Pass, probe.Fail, probe.Warn, probe.Unconfirmed} {
		counts[s] = r.Count(s)
	}
	results := r.Results
	if results == nil {
		results = []probe.Result{}
	}
	notes := r.Notes()
	if notes == nil {
		notes = []string{}
	}
	return json.Marshal(struct {
		Failed    bool                 `json:"failed"`
		Counts    map[probe.Status]int `json:"counts"`
		ElapsedMS float64              `json:"elapsed_ms"`
		Results   []probe.Result       `json:"results"`
		Notes     []string             `json:"notes"`
	}{r.Failed(), counts, float64(r.Elapsed.Microseconds()) / 1000, results, notes})
}

// Publish hands the report to a Reporter: one annotation per FAIL (error) and
// WARN (warning), the table in the step summary, the whole report as the JSON
// result, and Outputs (the verdict as "result", one per category) as outputs.
func (r Report) Publish(rep report.Reporter) {
	for _, x := range r.Results {
		switch x.Status {
		case probe.Fail:
			rep.Errorf("verify %s %s: %s", x.Check, x.Target, x.Reason)
		case probe.Warn:
			rep.Warnf("verify %s %s: %s", x.Check, x.Target, x.Reason)
		}
	}
	rep.Summary(r.Markdown())
	outs := r.Outputs()
	for _, k := range sortedKeys(outs) {
		rep.Output(k, outs[k])
	}
	rep.Result(r)
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return "<1ms"
}
