package ecsx_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/ecsx"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

const fast = 20 * time.Millisecond

// Wait limits. A wait meant to succeed gets minutes: it returns as soon as its condition
// holds, and a loaded machine must not fail it. A wait meant to time out gets timesOut:
// long enough for its first look at moto on a loaded machine, so its error names a state.
const (
	patient  = 5 * time.Minute
	timesOut = 10 * time.Second
)

type env struct {
	cfg aws.Config
	ecs *ecs.Client
	f   testbed.ECSFixture
}

// setup gives each test an empty moto with one service at desired 0. Tests
// share the server and reset it, so they do not run in parallel.
func setup(t *testing.T, o testbed.ECSFixtureOptions) env {
	t.Helper()
	moto := testbed.Moto(t) // reset: tests share it, so none runs in parallel
	moto.ManualECSTasks(t)
	cfg := moto.AWSConfig(t)
	return env{cfg: cfg, ecs: ecs.NewFromConfig(cfg), f: testbed.NewECSFixture(t, cfg, o)}
}

// counting passes every call to moto and counts UpdateService and DescribeServices calls.
type counting struct {
	*ecs.Client
	mu             sync.Mutex
	updates, looks int
}

func (c *counting) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, o ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	c.mu.Lock()
	c.looks++
	c.mu.Unlock()
	return c.Client.DescribeServices(ctx, in, o...)
}

func (c *counting) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, o ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	c.mu.Lock()
	c.updates++
	c.mu.Unlock()
	return c.Client.UpdateService(ctx, in, o...)
}

func TestScaleIsIdempotent(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	api := &counting{Client: e.ecs}
	ctx := context.Background()

	changed, err := ecsx.Scale(ctx, api, e.f.Cluster, e.f.Service, 1)
	if err != nil || !changed {
		t.Fatalf("first Scale(1) = %v, %v; want changed", changed, err)
	}
	changed, err = ecsx.Scale(ctx, api, e.f.Cluster, e.f.Service, 1)
	if err != nil || changed {
		t.Fatalf("second Scale(1) = %v, %v; want unchanged", changed, err)
	}
	if api.updates != 1 {
		t.Errorf("UpdateService called %d times, want 1", api.updates)
	}
	if n, err := ecsx.DesiredCount(ctx, api, e.f.Cluster, e.f.Service); err != nil || n != 1 {
		t.Errorf("DesiredCount = %d, %v", n, err)
	}

	_, err = ecsx.Scale(ctx, api, e.f.Cluster, "nope", 1)
	if !errors.Is(err, ecsx.ErrServiceNotFound) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Scale of a missing service: %v", err)
	}
}

func TestServiceTasksKeepsOnlyTheServiceGroup(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	ctx := context.Background()
	svc, err := e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &e.f.Cluster, Services: []string{e.f.Service}})
	if err != nil {
		t.Fatal(err)
	}
	net := svc.Services[0].NetworkConfiguration
	runTask := func(group string) string {
		t.Helper()
		in := &ecs.RunTaskInput{Cluster: &e.f.Cluster, TaskDefinition: &e.f.TaskDefinition,
			LaunchType: types.LaunchTypeFargate, NetworkConfiguration: net}
		if group != "" {
			in.Group = &group
		}
		out, err := e.ecs.RunTask(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Tasks[0].TaskArn)
	}
	mine := runTask("service:" + e.f.Service)
	stoppedMine := runTask("service:" + e.f.Service)
	runTask("service:other")
	runTask("") // a one-off task: group family:<family>
	if _, err := e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: &e.f.Cluster, Task: &stoppedMine, Reason: aws.String("old session")}); err != nil {
		t.Fatal(err)
	}

	tasks, err := ecsx.ServiceTasks(ctx, e.ecs, e.f.Cluster, e.f.Service)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ecsx.Task{}
	for _, task := range tasks {
		got[task.ARN] = task
	}
	if len(tasks) != 2 || got[mine].ARN == "" || got[stoppedMine].ARN == "" {
		t.Fatalf("ServiceTasks = %+v, want exactly %s and %s", tasks, mine, stoppedMine)
	}
	if m := got[mine]; !m.Live() || m.LastStatus != "RUNNING" || m.PrivateIP == "" || m.TaskDefinition != e.f.TaskDefinition {
		t.Errorf("running task = %+v", m)
	}
	if s := got[stoppedMine]; s.Live() || s.LastStatus != "STOPPED" || s.StoppedReason != "old session" {
		t.Errorf("stopped task = %+v", s)
	}
}

func TestWaitRunningAfterScaleUp(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{HealthCheck: true})
	ctx := context.Background()
	sim := testbed.StartECSSim(t, e.cfg, e.f.Cluster, e.f.Service, ecssim.Options{StartDelay: 300 * time.Millisecond, Poll: fast})
	if _, err := ecsx.Scale(ctx, e.ecs, e.f.Cluster, e.f.Service, 1); err != nil {
		t.Fatal(err)
	}
	var p testbed.Progress
	ipTask, err := ecsx.WaitIP(ctx, e.ecs, e.f.Cluster, e.f.Service, patient, p.Report, ecsx.PollEvery(fast))
	if err != nil {
		t.Fatal(err)
	}
	running, err := ecsx.WaitRunning(ctx, e.ecs, e.f.Cluster, e.f.Service, patient, p.Report, ecsx.PollEvery(fast))
	if err != nil {
		t.Fatal(err)
	}
	started := sim.Events()
	if len(started) != 1 || started[0].TaskARN != running.ARN || ipTask.ARN != running.ARN {
		t.Fatalf("scheduler started %+v; WaitIP gave %s, WaitRunning %s", started, ipTask.ARN, running.ARN)
	}
	if running.PrivateIP == "" || running.PrivateIP != ipTask.PrivateIP || running.Health != "HEALTHY" {
		t.Errorf("running task = %+v", running)
	}
	log := p.All()
	if !strings.Contains(log, "no task yet (desired 1)") || !strings.Contains(log, "RUNNING, health HEALTHY, "+running.PrivateIP) {
		t.Errorf("progress did not show the wait:\n%s", log)
	}
}

// pendingUntil is moto with one change: it reports tasks PENDING until
// released. moto starts tasks RUNNING at once, but on ECS a task spends
// 20-60 s in PENDING pulling images, and that is when WaitIP matters and
// when a task can die under WaitRunning. The rewrite uses a real ECS state.
type pendingUntil struct {
	*ecs.Client
	mu       sync.Mutex
	released bool
}

func (p *pendingUntil) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, o ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	out, err := p.Client.DescribeTasks(ctx, in, o...)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil && !p.released {
		for i := range out.Tasks {
			if aws.ToString(out.Tasks[i].LastStatus) == "RUNNING" {
				out.Tasks[i].LastStatus = aws.String("PENDING")
			}
		}
	}
	return out, err
}

func TestWaitIPWhilePendingAndRunningTimesOutWithState(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	ctx := context.Background()
	testbed.StartECSSim(t, e.cfg, e.f.Cluster, e.f.Service, ecssim.Options{Poll: fast})
	api := &pendingUntil{Client: e.ecs}
	if _, err := ecsx.Scale(ctx, api, e.f.Cluster, e.f.Service, 1); err != nil {
		t.Fatal(err)
	}
	task, err := ecsx.WaitIP(ctx, api, e.f.Cluster, e.f.Service, patient, nil, ecsx.PollEvery(fast))
	if err != nil {
		t.Fatal(err)
	}
	if task.LastStatus != "PENDING" || task.PrivateIP == "" {
		t.Fatalf("WaitIP = %+v, want a PENDING task with an IP", task)
	}
	_, err = ecsx.WaitRunning(ctx, api, e.f.Cluster, e.f.Service, timesOut, nil, ecsx.PollEvery(fast))
	if err == nil || !strings.Contains(err.Error(), "still not running after") || !strings.Contains(err.Error(), "PENDING, "+task.PrivateIP) {
		t.Fatalf("WaitRunning on a pending task: %v", err)
	}
	api.mu.Lock()
	api.released = true
	api.mu.Unlock()
	if _, err := ecsx.WaitRunning(ctx, api, e.f.Cluster, e.f.Service, patient, nil, ecsx.PollEvery(fast)); err != nil {
		t.Fatalf("after the images were pulled: %v", err)
	}
}

func TestWaitRunningReportsWhyTheTaskStopped(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	ctx := context.Background()
	testbed.StartECSSim(t, e.cfg, e.f.Cluster, e.f.Service, ecssim.Options{Poll: fast})
	api := &pendingUntil{Client: e.ecs}
	if _, err := ecsx.Scale(ctx, api, e.f.Cluster, e.f.Service, 1); err != nil {
		t.Fatal(err)
	}
	task, err := ecsx.WaitIP(ctx, api, e.f.Cluster, e.f.Service, patient, nil, ecsx.PollEvery(fast))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	seen := make(chan struct{})
	var once sync.Once
	alive := func(state string, _ time.Duration) {
		if strings.Contains(state, "PENDING") {
			once.Do(func() { close(seen) })
		}
	}
	go func() {
		_, err := ecsx.WaitRunning(ctx, api, e.f.Cluster, e.f.Service, patient, alive, ecsx.PollEvery(fast))
		done <- err
	}()
	<-seen // the wait has seen the task alive
	reason := "CannotPullContainerError: pull image manifest has been retried 5 time(s)"
	if _, err := e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: &e.f.Cluster, Task: &task.ARN, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if !errors.Is(err, ecsx.ErrTaskStopped) || !strings.Contains(err.Error(), reason) {
		t.Fatalf("WaitRunning after the task died: %v", err)
	}
}

func TestWaitRunningFailsFastAtDesiredZero(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	api := &counting{Client: e.ecs}
	_, err := ecsx.WaitRunning(context.Background(), api, e.f.Cluster, e.f.Service, patient, nil, ecsx.PollEvery(fast))
	if err == nil || !strings.Contains(err.Error(), "scaled to 0") {
		t.Fatalf("WaitRunning at desired 0: %v", err)
	}
	// A wait that cannot succeed fails at its first look, not at the limit.
	if api.looks != 1 {
		t.Errorf("looked %d times; a wait that cannot succeed must fail at once", api.looks)
	}
}

func TestWaitRunningTimesOutWithoutScheduler(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	ctx := context.Background()
	if _, err := ecsx.Scale(ctx, e.ecs, e.f.Cluster, e.f.Service, 1); err != nil {
		t.Fatal(err)
	}
	_, err := ecsx.WaitRunning(ctx, e.ecs, e.f.Cluster, e.f.Service, timesOut, nil, ecsx.PollEvery(fast))
	if err == nil || !strings.Contains(err.Error(), "no task yet (desired 1)") {
		t.Fatalf("WaitRunning with nobody starting tasks: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ecsx.WaitRunning(cctx, e.ecs, e.f.Cluster, e.f.Service, time.Minute, nil, ecsx.PollEvery(fast))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitRunning with a cancelled context: %v", err)
	}
}

func TestWaitStopped(t *testing.T) {
	e := setup(t, testbed.ECSFixtureOptions{})
	ctx := context.Background()
	sim := testbed.StartECSSim(t, e.cfg, e.f.Cluster, e.f.Service, ecssim.Options{StopDelay: 300 * time.Millisecond, Poll: fast})
	if _, err := ecsx.Scale(ctx, e.ecs, e.f.Cluster, e.f.Service, 1); err != nil {
		t.Fatal(err)
	}
	task, err := ecsx.WaitRunning(ctx, e.ecs, e.f.Cluster, e.f.Service, patient, nil, ecsx.PollEvery(fast))
	if err != nil {
		t.Fatal(err)
	}
	err = ecsx.WaitStopped(ctx, e.ecs, e.f.Cluster, e.f.Service, time.Minute, nil, ecsx.PollEvery(fast))
	if err == nil || !strings.Contains(err.Error(), "scale it to 0") {
		t.Fatalf("WaitStopped at desired 1: %v", err)
	}
	if _, err := ecsx.Scale(ctx, e.ecs, e.f.Cluster, e.f.Service, 0); err != nil {
		t.Fatal(err)
	}
	var p testbed.Progress
	if err := ecsx.WaitStopped(ctx, e.ecs, e.f.Cluster, e.f.Service, patient, p.Report, ecsx.PollEvery(fast)); err != nil {
		t.Fatal(err)
	}
	ev := sim.Events()
	if len(ev) != 2 || ev[1].Action != "stop" || ev[1].TaskARN != task.ARN {
		t.Fatalf("scheduler events %+v", ev)
	}
	if log := p.All(); !strings.Contains(log, "stopping: ") || !strings.HasSuffix(log, "all tasks stopped") {
		t.Errorf("progress:\n%s", log)
	}
	// Idempotent: nothing left to stop.
	if err := ecsx.WaitStopped(ctx, e.ecs, e.f.Cluster, e.f.Service, patient, nil, ecsx.PollEvery(fast)); err != nil {
		t.Fatal(err)
	}
}

// healthUnknown is moto with containers still in their health check start
// period (UNKNOWN), which moto never shows: it marks containers HEALTHY.
type healthUnknown struct{ *ecs.Client }

func (h healthUnknown) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, o ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	out, err := h.Client.DescribeTasks(ctx, in, o...)
	if err == nil {
		for i := range out.Tasks {
			for j := range out.Tasks[i].Containers {
				out.Tasks[i].Containers[j].HealthStatus = types.HealthStatusUnknown
			}
		}
	}
	return out, err
}

func TestWaitRunningNeedsHealthyOnlyWithHealthChecks(t *testing.T) {
	for _, checks := range []bool{true, false} {
		t.Run(fmt.Sprintf("health checks %v", checks), func(t *testing.T) {
			e := setup(t, testbed.ECSFixtureOptions{HealthCheck: checks})
			ctx := context.Background()
			testbed.StartECSSim(t, e.cfg, e.f.Cluster, e.f.Service, ecssim.Options{Poll: fast})
			api := healthUnknown{e.ecs}
			if _, err := ecsx.Scale(ctx, api, e.f.Cluster, e.f.Service, 1); err != nil {
				t.Fatal(err)
			}
			limit := patient
			if checks {
				limit = timesOut // health UNKNOWN never passes
			}
			task, err := ecsx.WaitRunning(ctx, api, e.f.Cluster, e.f.Service, limit, nil, ecsx.PollEvery(fast))
			if checks {
				if err == nil || !strings.Contains(err.Error(), "RUNNING, health UNKNOWN") {
					t.Fatalf("WaitRunning with health checks still starting: %+v, %v", task, err)
				}
				return
			}
			if err != nil || task.Health != "UNKNOWN" {
				t.Fatalf("WaitRunning without health checks: %+v, %v", task, err)
			}
		})
	}
}
