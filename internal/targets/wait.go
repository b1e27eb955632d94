package targets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"golang.org/x/sync/errgroup"
)

// Progress receives one line with every group's target state after each
// look, and the time since the wait began. It may be nil.
type Progress func(state string, elapsed time.Duration)

// Option tunes WaitHealthy.
type Option func(*waitOptions)

type waitOptions struct{ min, max time.Duration }

// PollEvery makes the wait look every d (no backoff).
func PollEvery(d time.Duration) Option {
	return func(o *waitOptions) {
		if d > 0 {
			o.min, o.max = d, d
		}
	}
}

// Health checks run every 5 s at the fastest, so looking more often is
// pointless; the SDK waiter backs off from 5 s to 15 s between looks.
const (
	defaultMinDelay = 5 * time.Second
	defaultMaxDelay = 15 * time.Second
)

// ErrLost means the target left the group while we waited for it.
var ErrLost = errors.New("target no longer registered")

// WaitHealthy waits until ip is healthy in every group of tgARNs, watching
// the groups in parallel with the SDK's TargetInService waiter. Its success
// rule is the SDK's (state "healthy"); its Retryable is ours so that each
// look reports progress with the reason an NLB gives for a target that is
// not healthy yet, and so that a target that is gone or draining fails at
// once instead of at the limit.
func WaitHealthy(ctx context.Context, api API, tgARNs []string, ip string, limit time.Duration, progress Progress, opts ...Option) error {
	o := waitOptions{min: defaultMinDelay, max: defaultMaxDelay}
	for _, opt := range opts {
		opt(&o)
	}
	if limit <= 0 {
		return fmt.Errorf("wait limit must be positive, got %v", limit)
	}
	if len(tgARNs) == 0 {
		return errors.New("no target groups to wait for (is the NLB module applied?)")
	}
	groups := make([]group, len(tgARNs))
	for i, arn := range tgARNs {
		g, err := describeGroup(ctx, api, arn)
		if err != nil {
			return fmt.Errorf("wait for %s to be healthy: %w", ip, err)
		}
		groups[i] = g
	}
	start := time.Now()
	b := newBoard(groups, progress, start)
	parent := ctx
	eg, ctx := errgroup.WithContext(ctx)
	for i, g := range groups {
		eg.Go(func() error {
			w := elbv2.NewTargetInServiceWaiter(api, func(wo *elbv2.TargetInServiceWaiterOptions) {
				wo.MinDelay, wo.MaxDelay = o.min, o.max
				wo.Retryable = func(_ context.Context, _ *elbv2.DescribeTargetHealthInput, out *elbv2.DescribeTargetHealthOutput, err error) (bool, error) {
					return b.look(i, g, ip, out, err)
				}
			})
			err := w.Wait(ctx, &elbv2.DescribeTargetHealthInput{
				TargetGroupArn: &g.arn,
				Targets:        []types.TargetDescription{{Id: &ip, Port: &g.port}},
			}, limit)
			if err == nil {
				return nil
			}
			t := Target{TargetGroupARN: g.arn, TargetGroupName: g.name, IP: ip, Port: g.port}
			timedOut := strings.Contains(err.Error(), "exceeded max wait time") ||
				errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil && ctx.Err() == nil
			if timedOut {
				return fmt.Errorf("%s not healthy after %v (last state: %s)", t, limit.Round(time.Second), b.state(i))
			}
			return fmt.Errorf("%s: %w", t, err)
		})
	}
	return eg.Wait()
}

// board holds each group's last seen state so one progress line shows all.
type board struct {
	mu       sync.Mutex
	names    []string
	states   []string
	progress Progress
	start    time.Time
}

func newBoard(groups []group, progress Progress, start time.Time) *board {
	b := &board{progress: progress, start: start, names: make([]string, len(groups)), states: make([]string, len(groups))}
	for i, g := range groups {
		b.names[i] = g.name
		b.states[i] = "not looked yet"
	}
	return b
}

func (b *board) state(i int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.states[i]
}

func (b *board) set(i int, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.states[i] = s
	if b.progress == nil {
		return
	}
	parts := make([]string, len(b.names))
	for j := range b.names {
		parts[j] = b.names[j] + ": " + b.states[j]
	}
	b.progress(strings.Join(parts, "; "), time.Since(b.start))
}

// look is the waiter's Retryable: (true, nil) to look again, (false, nil) on
// success, (false, err) to stop with err.
func (b *board) look(i int, g group, ip string, out *elbv2.DescribeTargetHealthOutput, err error) (bool, error) {
	if err != nil {
		if isNotFound(err) {
			return false, fmt.Errorf("%w: %s was deleted while we waited", ErrGroupNotFound, g.name)
		}
		return false, err
	}
	var h *types.TargetHealth
	for _, d := range out.TargetHealthDescriptions {
		if d.Target != nil && aws.ToString(d.Target.Id) == ip && aws.ToInt32(d.Target.Port) == g.port {
			h = d.TargetHealth
		}
	}
	if h == nil {
		b.set(i, "no answer for the target")
		return true, nil
	}
	s := string(h.State)
	if h.Reason != "" {
		s += " (" + string(h.Reason)
		if d := aws.ToString(h.Description); d != "" {
			s += ": " + d
		}
		s += ")"
	}
	b.set(i, s)
	switch {
	case h.State == types.TargetHealthStateEnumHealthy:
		return false, nil
	case h.Reason == types.TargetHealthReasonEnumNotRegistered,
		h.State == types.TargetHealthStateEnumDraining,
		h.State == types.TargetHealthStateEnumUnhealthyDraining:
		return false, fmt.Errorf("%w: %s (deregistered by someone else? run the session open again to re-register)", ErrLost, s)
	case h.Reason == types.TargetHealthReasonEnumIpUnusable:
		return false, fmt.Errorf("target IP cannot be used: %s", s)
	default:
		// initial, unhealthy (checks failing while the containers start),
		// unused/Target.NotInUse (no listener forwards to the group yet:
		// registration may start before the NLB is active), unavailable.
		return true, nil
	}
}
