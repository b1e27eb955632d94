// Package ecssim is a stand-in for the ECS service scheduler, which moto
// lacks: moto accepts UpdateService but never starts or stops a task. The
// Scheduler watches one service's desiredCount and does what ECS would do with
// RunTask and StopTask, so code under test (and `jitsictl demo`) sees tasks
// come and go as on AWS. Nothing that talks to real AWS may use it.
package ecssim

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Options shape the simulated scheduler's timing. Zero values mean: start and
// stop at the first poll, poll every 50ms.
type Options struct {
	StartDelay time.Duration // how long desired > running must hold before RunTask
	StopDelay  time.Duration // how long desired < running must hold before StopTask
	Poll       time.Duration
}

// StartedBy marks tasks the stand-in starts, as ECS marks service tasks with
// "ecs-svc/<deployment id>".
const StartedBy = "ecs-svc/jitsictl-sim"

// Event is one action the scheduler took.
type Event struct {
	At      time.Time
	Action  string // "start" or "stop"
	TaskARN string
}

// Scheduler runs until Stop.
type Scheduler struct {
	api     *ecs.Client
	cluster string
	service string
	opts    Options
	onErr   func(error)

	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	events []Event
}

// Run sets moto's ECS tasks to manual transitions and starts the scheduler
// for cluster/service until Stop. cfg must point at moto (BaseEndpoint set).
// onErr receives the error that ended the scheduler (a service it cannot see
// is a broken setup, not something to retry forever).
func Run(cfg aws.Config, cluster, service string, opts Options, onErr func(error)) (*Scheduler, error) {
	if cfg.BaseEndpoint == nil || *cfg.BaseEndpoint == "" {
		return nil, fmt.Errorf("ecssim: cfg.BaseEndpoint must point at moto_server")
	}
	if err := setManualTasks(*cfg.BaseEndpoint); err != nil {
		return nil, err
	}
	if opts.Poll <= 0 {
		opts.Poll = 50 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		api: ecs.NewFromConfig(cfg), cluster: cluster, service: service, opts: opts, onErr: onErr,
		cancel: cancel, done: make(chan struct{}),
	}
	go s.run(ctx)
	return s, nil
}

// Stop ends the scheduler and waits for its goroutine. Safe to call twice.
func (s *Scheduler) Stop() {
	s.cancel()
	<-s.done
}

// Events returns a copy of what the scheduler did so far, oldest first.
func (s *Scheduler) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

func (s *Scheduler) record(action, arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, Event{At: time.Now(), Action: action, TaskARN: arn})
}

func (s *Scheduler) run(ctx context.Context) {
	defer close(s.done)
	var startSince, stopSince time.Time
	tick := time.NewTicker(s.opts.Poll)
	defer tick.Stop()
	for {
		err := s.step(ctx, &startSince, &stopSince)
		if err != nil && ctx.Err() == nil {
			// A scheduler that cannot see the service is a broken setup.
			if s.onErr != nil {
				s.onErr(err)
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Scheduler) step(ctx context.Context, startSince, stopSince *time.Time) error {
	out, err := s.api.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster: &s.cluster, Services: []string{s.service},
	})
	if err != nil {
		return fmt.Errorf("describe service %s/%s: %w", s.cluster, s.service, err)
	}
	if len(out.Services) == 0 {
		return fmt.Errorf("service %s/%s not found", s.cluster, s.service)
	}
	svc := out.Services[0]
	running, err := s.liveTasks(ctx)
	if err != nil {
		return err
	}
	desired := int(svc.DesiredCount)
	now := time.Now()
	switch {
	case desired > len(running):
		*stopSince = time.Time{}
		if startSince.IsZero() {
			*startSince = now
		}
		if now.Sub(*startSince) < s.opts.StartDelay {
			return nil
		}
		*startSince = time.Time{}
		return s.runTasks(ctx, svc, desired-len(running))
	case desired < len(running):
		*startSince = time.Time{}
		if stopSince.IsZero() {
			*stopSince = now
		}
		if now.Sub(*stopSince) < s.opts.StopDelay {
			return nil
		}
		*stopSince = time.Time{}
		// ECS stops the newest tasks first when scaling in (after AZ balance).
		sort.Slice(running, func(i, j int) bool { return running[i].arn > running[j].arn })
		for _, task := range running[:len(running)-desired] {
			if err := s.stopTask(ctx, task.arn); err != nil {
				return err
			}
		}
	default:
		*startSince, *stopSince = time.Time{}, time.Time{}
	}
	return nil
}

type liveTask struct{ arn string }

// liveTasks lists the service's tasks that are not STOPPED. moto's ListTasks
// ignores serviceName, so the group ("service:<name>") decides, as on ECS.
func (s *Scheduler) liveTasks(ctx context.Context) ([]liveTask, error) {
	var arns []string
	p := ecs.NewListTasksPaginator(s.api, &ecs.ListTasksInput{
		Cluster: &s.cluster, ServiceName: &s.service, DesiredStatus: types.DesiredStatusRunning,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tasks of %s/%s: %w", s.cluster, s.service, err)
		}
		arns = append(arns, page.TaskArns...)
	}
	var live []liveTask
	for len(arns) > 0 {
		n := min(len(arns), 100)
		out, err := s.api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: &s.cluster, Tasks: arns[:n]})
		arns = arns[n:]
		if err != nil {
			return nil, fmt.Errorf("describe tasks of %s/%s: %w", s.cluster, s.service, err)
		}
		for _, task := range out.Tasks {
			if aws.ToString(task.Group) == "service:"+s.service && aws.ToString(task.LastStatus) != "STOPPED" {
				live = append(live, liveTask{arn: aws.ToString(task.TaskArn)})
			}
		}
	}
	return live, nil
}

func (s *Scheduler) runTasks(ctx context.Context, svc types.Service, n int) error {
	out, err := s.api.RunTask(ctx, &ecs.RunTaskInput{
		Cluster:              &s.cluster,
		TaskDefinition:       svc.TaskDefinition,
		Count:                aws.Int32(int32(n)),
		LaunchType:           types.LaunchTypeFargate,
		NetworkConfiguration: svc.NetworkConfiguration,
		Group:                aws.String("service:" + s.service),
		StartedBy:            aws.String(StartedBy),
	})
	if err != nil {
		return fmt.Errorf("run task for %s/%s: %w", s.cluster, s.service, err)
	}
	if len(out.Failures) > 0 {
		f := out.Failures[0]
		return fmt.Errorf("run task for %s/%s: %s %s", s.cluster, s.service, aws.ToString(f.Reason), aws.ToString(f.Detail))
	}
	for _, task := range out.Tasks {
		s.record("start", aws.ToString(task.TaskArn))
	}
	return nil
}

func (s *Scheduler) stopTask(ctx context.Context, arn string) error {
	_, err := s.api.StopTask(ctx, &ecs.StopTaskInput{
		Cluster: &s.cluster, Task: &arn,
		Reason: aws.String("Scaling activity initiated by (deployment " + StartedBy + ")"),
	})
	if err != nil {
		return fmt.Errorf("stop task %s: %w", arn, err)
	}
	s.record("stop", arn)
	return nil
}
