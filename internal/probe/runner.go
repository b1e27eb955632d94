package probe

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// Check is one named, runnable check. Run must honour ctx.
type Check struct {
	Name    string
	Target  string
	Timeout time.Duration // 0: no per-check limit beyond the parent ctx
	Run     func(ctx context.Context) Result
}

// RunOptions bounds a run.
type RunOptions struct {
	// Concurrency is how many checks run at once; 1 runs them one by one,
	// 0 or less means 8.
	Concurrency int
}

// Run executes checks with bounded concurrency and returns their results in
// the order of checks, whatever order they finish in. Each result carries the
// check's name and target (unless the probe set a more precise one) and the
// wall time the runner measured. A check that outlives its timeout without
// returning is reported as FAIL; a panicking check is reported, not rethrown.
func Run(ctx context.Context, checks []Check, opts RunOptions) []Result {
	limit := opts.Concurrency
	if limit <= 0 {
		limit = 8
	}
	results := make([]Result, len(checks))
	var g errgroup.Group
	g.SetLimit(limit)
	for i, c := range checks {
		g.Go(func() error {
			results[i] = runOne(ctx, c)
			return nil
		})
	}
	_ = g.Wait() // runOne never returns an error
	return results
}

func runOne(ctx context.Context, c Check) (res Result) {
	start := time.Now()
	cctx, cancel := ctx, context.CancelFunc(func() {})
	if c.Timeout > 0 {
		cctx, cancel = context.WithTimeout(ctx, c.Timeout)
	}
	defer cancel()
	defer func() {
		if c.Name != "" {
			res.Check = c.Name
		}
		if res.Target == "" {
			res.Target = c.Target
		}
		res.Duration = time.Since(start)
	}()

	done := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- Result{Status: Fail, Reason: fmt.Sprintf("check crashed: %v", p)}
			}
		}()
		done <- c.Run(cctx)
	}()
	select {
	case r := <-done:
		return r
	case <-cctx.Done():
		// Give a well-behaved probe a moment to report its own, more precise
		// reason for the timeout before falling back to a generic one; a second,
		// so a busy machine's scheduling delay does not lose that reason.
		select {
		case r := <-done:
			return r
		case <-time.After(time.Second):
		}
		if ctx.Err() != nil {
			return Result{Status: Fail, Reason: "run cancelled: " + context.Cause(ctx).Error()}
		}
		return Result{Status: Fail, Reason: fmt.Sprintf("check did not finish within its %s timeout", c.Timeout)}
	}
}
