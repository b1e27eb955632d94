package ecsx

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Progress receives a short description of the current state on every poll,
// with the time since the wait began. It may be nil.
type Progress func(state string, elapsed time.Duration)

// DefaultPoll is how often the waits look at ECS unless PollEvery says
// otherwise (the SDK's task waiters use 6 s too).
const DefaultPoll = 6 * time.Second

// Option tunes a wait.
type Option func(*waitOptions)

type waitOptions struct{ poll time.Duration }

// PollEvery sets the interval between looks at ECS.
func PollEvery(d time.Duration) Option {
	return func(o *waitOptions) {
		if d > 0 {
			o.poll = d
		}
	}
}

// ErrTaskStopped wraps the error of a wait whose task stopped under it.
var ErrTaskStopped = errors.New("task stopped")

// WaitRunning waits until one of the service's tasks is RUNNING and, when its
// task definition gives an essential container a health check, HEALTHY. A
// task that stops during the wait ends it with an error naming the task and
// ECS's stoppedReason; so does the service being scaled to 0 meanwhile.
func WaitRunning(ctx context.Context, api API, cluster, service string, limit time.Duration, progress Progress, opts ...Option) (Task, error) {
	w := newWatch(api, cluster, service)
	var found Task
	err := poll(ctx, limit, progress, opts, "running", func(ctx context.Context) (bool, string, error) {
		live, state, err := w.look(ctx)
		if err != nil || len(live) == 0 {
			return false, state, err
		}
		for _, t := range live {
			if t.LastStatus != "RUNNING" {
				continue
			}
			needs, err := w.needsHealth(ctx, t.TaskDefinition)
			if err != nil {
				return false, state, err
			}
			if !needs || t.Health == "HEALTHY" {
				found = t
				return true, state, nil
			}
		}
		return false, state, nil
	})
	return found, w.wrap(err, "running")
}

// WaitIP returns the first live task of the service as soon as its private IP
// is known. On Fargate the ENI attaches while the task is PENDING, long
// before the images are pulled, so target registration can start early.
func WaitIP(ctx context.Context, api API, cluster, service string, limit time.Duration, progress Progress, opts ...Option) (Task, error) {
	w := newWatch(api, cluster, service)
	var found Task
	err := poll(ctx, limit, progress, opts, "given a private IP", func(ctx context.Context) (bool, string, error) {
		live, state, err := w.look(ctx)
		if err != nil {
			return false, state, err
		}
		for _, t := range live {
			if t.PrivateIP != "" {
				found = t
				return true, state, nil
			}
		}
		return false, state, nil
	})
	return found, w.wrap(err, "given a private IP")
}

// WaitStopped waits until no task of the service is anything but STOPPED. It
// fails at once if the service still wants tasks, since none would stop.
func WaitStopped(ctx context.Context, api API, cluster, service string, limit time.Duration, progress Progress, opts ...Option) error {
	err := poll(ctx, limit, progress, opts, "stopped", func(ctx context.Context) (bool, string, error) {
		desired, err := DesiredCount(ctx, api, cluster, service)
		if err != nil {
			return false, "", err
		}
		if desired > 0 {
			return false, "", fmt.Errorf("service %s in cluster %s wants %d task(s); scale it to 0 before waiting for its tasks to stop", service, cluster, desired)
		}
		tasks, err := ServiceTasks(ctx, api, cluster, service)
		if err != nil {
			return false, "", err
		}
		var left []string
		for _, t := range tasks {
			if t.LastStatus != "STOPPED" {
				left = append(left, shortID(t.ARN)+" "+t.LastStatus)
			}
		}
		if len(left) == 0 {
			return true, "all tasks stopped", nil
		}
		return false, "stopping: " + strings.Join(left, ", "), nil
	})
	if err != nil {
		return fmt.Errorf("tasks of service %s in cluster %s: %w", service, cluster, err)
	}
	return nil
}

// watch remembers which tasks it saw alive, so it can tell "stopped while we
// waited" from "stopped long ago".
type watch struct {
	api              API
	cluster, service string
	seen             map[string]bool
	health           map[string]bool // task definition ARN -> has essential health checks
	last             string
}

func newWatch(api API, cluster, service string) *watch {
	return &watch{api: api, cluster: cluster, service: service, seen: map[string]bool{}, health: map[string]bool{}}
}

func (w *watch) look(ctx context.Context) (live []Task, state string, err error) {
	desired, err := DesiredCount(ctx, w.api, w.cluster, w.service)
	if err != nil {
		return nil, "", err
	}
	tasks, err := ServiceTasks(ctx, w.api, w.cluster, w.service)
	if err != nil {
		return nil, "", err
	}
	for _, t := range tasks {
		if w.seen[t.ARN] && !t.Live() {
			reason := t.StoppedReason
			if reason == "" {
				reason = "ECS gave no reason"
			}
			return nil, "", fmt.Errorf("%w while we waited: task %s is %s: %s", ErrTaskStopped, shortID(t.ARN), t.LastStatus, reason)
		}
	}
	var parts []string
	for _, t := range tasks {
		if !t.Live() {
			continue
		}
		w.seen[t.ARN] = true
		live = append(live, t)
		p := shortID(t.ARN) + " " + t.LastStatus
		if t.Health != "" && t.LastStatus == "RUNNING" {
			p += ", health " + t.Health
		}
		if t.PrivateIP != "" {
			p += ", " + t.PrivateIP
		}
		parts = append(parts, p)
	}
	if desired == 0 {
		return nil, "", fmt.Errorf("service %s in cluster %s is scaled to 0, so no task will start (scaled down meanwhile?)", w.service, w.cluster)
	}
	if len(parts) == 0 {
		return nil, fmt.Sprintf("no task yet (desired %d)", desired), nil
	}
	return live, strings.Join(parts, "; "), nil
}

func (w *watch) needsHealth(ctx context.Context, taskDef string) (bool, error) {
	if v, ok := w.health[taskDef]; ok {
		return v, nil
	}
	out, err := w.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: &taskDef})
	if err != nil {
		return false, fmt.Errorf("describe task definition %s: %w", taskDef, err)
	}
	needs := false
	if out.TaskDefinition != nil {
		for _, c := range out.TaskDefinition.ContainerDefinitions {
			// ECS derives task health from essential containers only.
			if c.HealthCheck != nil && (c.Essential == nil || *c.Essential) {
				needs = true
			}
		}
	}
	w.health[taskDef] = needs
	return needs, nil
}

func (w *watch) wrap(err error, goal string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("task of service %s in cluster %s not %s: %w", w.service, w.cluster, goal, err)
}

// poll runs check now and then every poll interval until it is done, fails,
// the limit passes or ctx ends. The timeout error carries the last state.
func poll(ctx context.Context, limit time.Duration, progress Progress, opts []Option, goal string, check func(context.Context) (bool, string, error)) error {
	o := waitOptions{poll: DefaultPoll}
	for _, opt := range opts {
		opt(&o)
	}
	if limit <= 0 {
		return fmt.Errorf("wait limit must be positive, got %v", limit)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	timer := time.NewTimer(0)
	defer timer.Stop()
	state := "not looked yet"
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && time.Since(start) >= limit {
				return fmt.Errorf("still not %s after %v (last state: %s)", goal, limit.Round(time.Second), state)
			}
			return fmt.Errorf("waiting to be %s: %w (last state: %s)", goal, ctx.Err(), state)
		case <-timer.C:
		}
		done, s, err := check(ctx)
		if s != "" {
			state = s
		}
		if err != nil {
			if ctx.Err() != nil {
				continue // the select reports the deadline or cancellation
			}
			return err
		}
		if progress != nil {
			progress(state, time.Since(start))
		}
		if done {
			return nil
		}
		timer.Reset(o.poll)
	}
}

// shortID is the task id, the last ARN element, as the console shows it.
func shortID(arn string) string { return path.Base(arn) }
