package doctor

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/jitsictl/jitsictl/internal/report"
)

// statusColumn is the STATUS column of the terminal table.
const statusColumn = len("STATUS  ")

// Render shows the checks once: the table on a terminal (fixes under their
// rows), annotations in Actions, the JSON document with --output json.
func Render(r report.Reporter, stdout io.Writer, format report.Format, checks []Check) {
	t := report.Table{Header: []string{"CHECK", "STATUS", "DETAIL", "FIX"}}
	for _, c := range checks {
		t.Rows = append(t.Rows, []string{c.Name, string(c.Status), oneLine(c.Detail), c.Fix})
		if c.Status == Fail && format == report.FormatActions {
			r.Errorf("%s: %s — fix: %s", c.Name, oneLine(c.Detail), c.Fix)
		}
	}
	r.Result(checks)
	r.Summary("### jitsictl doctor\n\n" + t.Markdown())
	if format != report.FormatJSON {
		fmt.Fprint(stdout, Text(checks))
	}
}

// Text is the terminal table, at most report.Width columns: CHECK as wide as
// the longest name, STATUS, and DETAIL wrapped to what is left, each fix on
// its own lines under its row.
func Text(checks []Check) string {
	var b strings.Builder
	checkColumn := len("CHECK")
	for _, c := range checks {
		checkColumn = max(checkColumn, utf8.RuneCountInString(c.Name))
	}
	checkColumn += 2
	indent := strings.Repeat(" ", checkColumn+statusColumn)
	fmt.Fprintf(&b, "%-*s%-*s%s\n", checkColumn, "CHECK", statusColumn, "STATUS", "DETAIL")
	for _, c := range checks {
		detail := report.WrapWords(oneLine(c.Detail), report.Width-len(indent))
		for i, line := range detail {
			if i == 0 {
				fmt.Fprintf(&b, "%-*s%-*s%s\n", checkColumn, c.Name, statusColumn, c.Status, line)
				continue
			}
			b.WriteString(indent + line + "\n")
		}
		if c.Fix != "" {
			for i, line := range report.WrapWords(c.Fix, report.Width-len(indent)-len("fix: ")) {
				if i == 0 {
					b.WriteString(indent + "fix: " + line + "\n")
				} else {
					b.WriteString(indent + "     " + line + "\n")
				}
			}
		}
	}
	return b.String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		cut := strings.LastIndexByte(s[:300], ' ')
		s = s[:max(cut, 0)] + " …"
	}
	return s
}
