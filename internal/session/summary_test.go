package session

import (
	"strings"
	"testing"
	"time"
)

func TestSummaryLeadsWithURLExpiryAndNextSteps(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	open := Record{
		State: StateOpen, URL: "https://meet.example.org/", Hours: 2,
		OpenedAt: at(0), ExpiresAt: t0.Add(2 * time.Hour),
		Steps: []Step{
			{Name: "addresses", Started: at(0), Finished: at(8)},
			{Name: "load balancer", Started: at(8), Finished: at(158)},
			{Name: "task", Started: at(8), Finished: at(51)},
		},
	}
	got := Summary("Session open", open, time.UTC)
	golden(t, "summary-open.md", got)
	lead := got[:strings.Index(got, "```mermaid")]
	for _, want := range []string{"https://meet.example.org/", "Open until 22:00 (UTC)", "`extend`", "`close`"} {
		if !strings.Contains(lead, want) {
			t.Errorf("the summary does not lead with %q:\n%s", want, got)
		}
	}

	if got := Summary("Session open", open, time.FixedZone("CET", 3600)); !strings.Contains(got, "Open until 23:00 (CET)") {
		t.Errorf("in CET:\n%s", got)
	}

	closed := open
	closed.State, closed.Steps = StateClosed, nil
	golden(t, "summary-closed.md", Summary("Session close", closed, time.UTC))
}
