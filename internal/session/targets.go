package session

import (
	"context"
	"time"

	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/targets"
)

// ELBTargets registers the task in the NLB's target groups.
type ELBTargets struct {
	API      targets.API
	Reporter report.Reporter
	Poll     time.Duration
}

// Sync registers ip everywhere and removes stale IPs, saying what changed.
func (t ELBTargets) Sync(ctx context.Context, tgs []string, ip string) error {
	ch, err := targets.Sync(ctx, t.API, tgs, ip)
	if !ch.Empty() {
		t.Reporter.Infof("targets: %s", ch)
	}
	return err
}

// WaitHealthy waits for AWS's own health checks to pass.
func (t ELBTargets) WaitHealthy(ctx context.Context, tgs []string, ip string, limit time.Duration) error {
	var opts []targets.Option
	if t.Poll > 0 {
		opts = append(opts, targets.PollEvery(t.Poll))
	}
	return targets.WaitHealthy(ctx, t.API, tgs, ip, limit, func(state string, elapsed time.Duration) {
		t.Reporter.Wait("healthy targets", state, elapsed, limit)
	}, opts...)
}

// DeregisterAll empties the target groups (missing groups are fine).
func (t ELBTargets) DeregisterAll(ctx context.Context, tgs []string) error {
	ch, err := targets.DeregisterAll(ctx, t.API, tgs)
	if !ch.Empty() {
		t.Reporter.Infof("targets: %s", ch)
	}
	return err
}
