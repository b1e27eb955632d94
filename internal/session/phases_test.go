package session

import (
	"strings"
	"testing"
	"time"
)

// TestPhaseTable: a cold open shows every phase with its duration and when
// it was done; a reopen says the NLB part was reused; a task ECS reported no
// pull for says so.
func TestPhaseTable(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	cold := Record{
		Steps: []Step{
			{Name: "addresses", Started: at(0), Finished: at(7)},
			{Name: "load balancer", Started: at(7), Finished: at(161)},
			{Name: "task", Started: at(7), Finished: at(55)},
			{Name: "register early", Started: at(12), Finished: at(161)},
			{Name: "targets", Started: at(161), Finished: at(172)},
			{Name: "guard", Started: at(172), Finished: at(173)},
			{Name: "commit", Started: at(173), Finished: at(174)},
		},
		ImagePull: &Span{From: at(13), To: at(41)},
	}
	reopen := Record{
		Reopened: true,
		Steps: []Step{
			{Name: "keep load balancer", Started: at(0), Finished: at(1)},
			{Name: "task", Started: at(1), Finished: at(47)},
			{Name: "targets", Started: at(47), Finished: at(58)},
			{Name: "commit", Started: at(58), Finished: at(59)},
		},
	}
	golden(t, "phases.golden.md", "Cold open:\n\n"+PhaseTable(cold)+"\nReopen within the linger:\n\n"+PhaseTable(reopen))
	if PhaseTable(Record{}) != "" {
		t.Fatal("no steps must render nothing")
	}
	failed := Record{Steps: []Step{{Name: "addresses", Started: at(0), Finished: at(3), Error: "boom"}}}
	if got := PhaseTable(failed); !strings.Contains(got, "| addresses | unfinished |") {
		t.Fatalf("a failed step shows a duration:\n%s", got)
	}
}
