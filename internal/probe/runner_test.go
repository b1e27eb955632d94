package probe

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunPreservesOrderAndBoundsConcurrency(t *testing.T) {
	t.Parallel()
	var running, peak atomic.Int32
	var checks []Check
	for i := range 12 {
		checks = append(checks, Check{
			Name:   fmt.Sprintf("c%d", i),
			Target: fmt.Sprintf("t%d", i),
			Run: func(ctx context.Context) Result {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				// Later checks finish first, so order must come from the runner.
				time.Sleep(time.Duration(12-i) * 3 * time.Millisecond)
				running.Add(-1)
				return Result{Status: Pass, Reason: fmt.Sprint(i)}
			},
		})
	}
	got := Run(context.Background(), checks, RunOptions{Concurrency: 3})
	if len(got) != len(checks) {
		t.Fatalf("got %d results for %d checks", len(got), len(checks))
	}
	for i, r := range got {
		if r.Check != checks[i].Name || r.Target != checks[i].Target || r.Reason != fmt.Sprint(i) || r.Duration <= 0 {
			t.Errorf("result %d = %+v, want check %s target %s reason %d with a duration", i, r, checks[i].Name, checks[i].Target, i)
		}
	}
	if p := peak.Load(); p != 3 {
		t.Errorf("peak concurrency = %d, want exactly the bound 3", p)
	}
}

func TestRunKeepsProbeTargetWhenSet(t *testing.T) {
	t.Parallel()
	got := Run(context.Background(), []Check{{Name: "n", Target: "default", Run: func(context.Context) Result {
		return Result{Target: "precise", Status: Pass}
	}}}, RunOptions{})
	if got[0].Target != "precise" || got[0].Check != "n" {
		t.Fatalf("got %+v, want the probe's target and the check's name", got[0])
	}
}

func TestRunTimeoutAndPanicAreFail(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	checks := []Check{
		{Name: "stuck", Timeout: 50 * time.Millisecond, Run: func(ctx context.Context) Result {
			<-release // ignores ctx on purpose, until the test ends
			return Result{Status: Pass}
		}},
		{Name: "panics", Run: func(context.Context) Result { panic("boom") }},
		{Name: "polite", Timeout: 50 * time.Millisecond, Run: func(ctx context.Context) Result {
			<-ctx.Done()
			return Result{Status: Fail, Reason: "probe saw " + ctx.Err().Error()}
		}},
	}
	// The stuck check never returns while Run runs: Run returning at all shows it is not held.
	done := make(chan []Result, 1)
	go func() { done <- Run(context.Background(), checks, RunOptions{}) }()
	var got []Result
	select {
	case got = <-done:
	case <-time.After(2 * time.Minute): // an outer bound for a loaded machine
		t.Fatal("a stuck check held Run past its 50ms timeout")
	}
	want := []string{"did not finish within its 50ms timeout", "check crashed: boom", "probe saw context deadline exceeded"}
	for i, w := range want {
		if got[i].Status != Fail || !strings.Contains(got[i].Reason, w) {
			t.Errorf("%s: got %+v, want FAIL containing %q", checks[i].Name, got[i], w)
		}
	}
}
