package session

import (
	"context"
	"time"

	"github.com/jitsictl/jitsictl/internal/ecsx"
	"github.com/jitsictl/jitsictl/internal/report"
)

// ECSService is the Service of a real (or emulated) ECS cluster.
type ECSService struct {
	API      ecsx.API
	Cluster  string
	Name     string
	Reporter report.Reporter
	// Poll overrides the wait interval (tests and the demo poll faster).
	Poll time.Duration
}

func (s ECSService) progress(what string, limit time.Duration) ecsx.Progress {
	return func(state string, elapsed time.Duration) { s.Reporter.Wait(what, state, elapsed, limit) }
}

func (s ECSService) opts() []ecsx.Option {
	if s.Poll > 0 {
		return []ecsx.Option{ecsx.PollEvery(s.Poll)}
	}
	return nil
}

// Scale sets the desired count.
func (s ECSService) Scale(ctx context.Context, n int32) error {
	_, err := ecsx.Scale(ctx, s.API, s.Cluster, s.Name, int(n))
	return err
}

// WaitIP returns the starting task as soon as it has a private IP.
func (s ECSService) WaitIP(ctx context.Context, limit time.Duration) (Task, error) {
	t, err := ecsx.WaitIP(ctx, s.API, s.Cluster, s.Name, limit, s.progress("the task's IP", limit), s.opts()...)
	return Task{ARN: t.ARN, IP: t.PrivateIP}, err
}

// WaitRunning returns the task once it runs and passes its health checks.
func (s ECSService) WaitRunning(ctx context.Context, limit time.Duration) (Task, error) {
	t, err := ecsx.WaitRunning(ctx, s.API, s.Cluster, s.Name, limit, s.progress("the task to run", limit), s.opts()...)
	return Task{ARN: t.ARN, IP: t.PrivateIP, Pull: Span{From: t.PullStartedAt, To: t.PullStoppedAt}}, err
}

// WaitStopped returns when no task of the service is live.
func (s ECSService) WaitStopped(ctx context.Context, limit time.Duration) error {
	return ecsx.WaitStopped(ctx, s.API, s.Cluster, s.Name, limit, s.progress("the task to stop", limit), s.opts()...)
}
