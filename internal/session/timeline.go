package session

import (
	"fmt"
	"strings"
	"time"
)

// Gantt renders the recorded steps as a Mermaid gantt chart, which GitHub
// draws in step summaries: it shows at a glance which waits overlapped and
// which one bounded "button pressed → meeting usable".
func Gantt(title string, steps []Step) string {
	if len(steps) == 0 {
		return ""
	}
	t0 := steps[0].Started
	for _, s := range steps {
		if s.Started.Before(t0) {
			t0 = s.Started
		}
	}
	var b strings.Builder
	b.WriteString("```mermaid\ngantt\n")
	fmt.Fprintf(&b, "  title %s\n", mermaidText(title))
	b.WriteString("  dateFormat X\n  axisFormat %M:%S\n")
	for i, s := range steps {
		end := s.Finished
		if end.IsZero() {
			end = s.Started
		}
		tag := "done"
		if s.Error != "" {
			tag = "crit"
		} else if s.Finished.IsZero() {
			tag = "active"
		}
		// Mermaid needs a non-empty bar; a step under a second shows as one.
		startS, endS := secs(s.Started.Sub(t0)), secs(end.Sub(t0))
		if endS <= startS {
			endS = startS + 1
		}
		fmt.Fprintf(&b, "  %s (%s) : %s, s%d, %d, %d\n", mermaidText(s.Name), dur(s), tag, i, startS, endS)
	}
	b.WriteString("```\n")
	return b.String()
}

func secs(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

func dur(s Step) string {
	if s.Finished.IsZero() {
		return "unfinished"
	}
	return s.Finished.Sub(s.Started).Round(time.Second).String()
}

// mermaidText removes the characters that end a gantt field.
func mermaidText(s string) string {
	return strings.NewReplacer(":", " ", ";", " ", "#", " ", "\n", " ").Replace(s)
}
