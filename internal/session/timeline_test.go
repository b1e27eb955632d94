package session

import (
	"testing"
	"time"

	goldenfile "github.com/jitsictl/jitsictl/internal/testbed/golden"
)

func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }

func TestGanttShowsOverlapAndFailures(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	steps := []Step{
		{Name: "addresses", Started: at(0), Finished: at(8)},
		{Name: "load balancer", Started: at(8), Finished: at(158)},
		{Name: "task", Started: at(8), Finished: at(51)},
		{Name: "targets", Started: at(158), Finished: at(230), Error: "target 10.0.1.5 unhealthy: Health checks failed"},
		{Name: "commit: now", Started: at(230)},
	}
	golden(t, "gantt.golden.md", Gantt("Session open", steps))
	if Gantt("x", nil) != "" {
		t.Fatal("no steps must render nothing")
	}
}
