package session

import (
	"fmt"
	"strings"
	"time"
)

// Span is a measured interval.
type Span struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Known says whether both ends were reported, in order.
func (s Span) Known() bool { return !s.From.IsZero() && !s.To.IsZero() && !s.To.Before(s.From) }

// Phase is one part of an open as a user reads it: how long it took and
// when it was done, counted from the start of the open.
type Phase struct {
	Name   string        `json:"name"`
	Took   time.Duration `json:"took_ns"`
	DoneAt time.Duration `json:"done_at_ns"`
	// Note replaces the figures when there are none ("reused", "not reported").
	Note string `json:"note,omitempty"`
}

// Phases measures an open from its recorded steps: the addresses, the load
// balancer, the task's start, its image pull (where ECS reports it), the
// first healthy target and the total. A phase the open did not run (a
// reopen reusing a lingering NLB) says so instead of a figure.
func Phases(r Record) []Phase {
	if len(r.Steps) == 0 {
		return nil
	}
	t0 := r.Steps[0].Started
	for _, s := range r.Steps {
		if s.Started.Before(t0) {
			t0 = s.Started
		}
	}
	last := map[string]Step{}
	var end time.Time
	for _, s := range r.Steps {
		last[s.Name] = s
		if s.Finished.After(end) {
			end = s.Finished
		}
	}
	of := func(name, step, missing string) Phase {
		s, ok := last[step]
		if !ok {
			return Phase{Name: name, Note: missing}
		}
		if s.Finished.IsZero() || s.Error != "" {
			return Phase{Name: name, Note: "unfinished"}
		}
		return Phase{Name: name, Took: s.Finished.Sub(s.Started), DoneAt: s.Finished.Sub(t0)}
	}
	reused := "-"
	if r.Reopened {
		reused = "reused (lingering)"
	}
	out := []Phase{
		of("addresses", "addresses", reused),
		of("load balancer", "load balancer", reused),
		of("task start", "task", "-"),
	}
	if p := r.ImagePull; p != nil && p.Known() {
		out = append(out, Phase{Name: "image pull", Took: p.To.Sub(p.From), DoneAt: p.To.Sub(t0)})
	} else {
		out = append(out, Phase{Name: "image pull", Note: "not reported by ECS"})
	}
	out = append(out, of("first healthy target", "targets", "-"))
	return append(out, Phase{Name: "total", Took: end.Sub(t0), DoneAt: end.Sub(t0)})
}

// PhaseTable renders Phases as the Markdown table of the session summary.
func PhaseTable(r Record) string {
	ph := Phases(r)
	if len(ph) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| Phase | Took | Done at |\n|---|---:|---:|\n")
	for _, p := range ph {
		if p.Note != "" {
			fmt.Fprintf(&b, "| %s | %s | |\n", p.Name, p.Note)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | +%s |\n", p.Name, clock(p.Took), clock(p.DoneAt))
	}
	return b.String()
}

// clock is m:ss, what a user compares across runs.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}
