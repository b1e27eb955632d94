package session

import (
	"fmt"
	"strings"
	"time"
)

// Summary is a session's job summary. What the person who pressed the
// button needs comes first: the meeting URL, until when it is open and how to
// extend or close it; the timeline of the steps follows. Each section is its
// own function returning "" when it has nothing to say, so a new section is
// one more entry in the list.
func Summary(title string, rec Record, zone *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s: %s\n\n", title, rec.State)
	for _, section := range []string{
		summaryMeeting(rec, zone),
		summaryNextSteps(rec),
		Gantt(title, rec.Steps),
	} {
		if section != "" {
			b.WriteString(section)
			if !strings.HasSuffix(section, "\n\n") {
				b.WriteString("\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// summaryMeeting is the URL and the expiry of an open session.
func summaryMeeting(rec Record, zone *time.Location) string {
	if rec.State != StateOpen || rec.URL == "" {
		return ""
	}
	s := fmt.Sprintf("**Meeting:** %s\n", rec.URL)
	if !rec.ExpiresAt.IsZero() {
		at := rec.ExpiresAt.In(zone)
		s += fmt.Sprintf("\n**Open until %s (%s)**: it closes by itself then.\n", at.Format("15:04"), at.Format("MST"))
	}
	return s
}

// summaryNextSteps says how to extend or close an open session, from the
// session workflow's Run workflow button or the command line.
func summaryNextSteps(rec Record) string {
	if rec.State != StateOpen {
		return ""
	}
	return "- **Extend:** Actions → session → Run workflow, action `extend`, hours to add (or `jitsictl session extend --hours N`).\n" +
		"- **Close now:** Actions → session → Run workflow, action `close` (or `jitsictl session close`); an open session costs by the hour.\n"
}
