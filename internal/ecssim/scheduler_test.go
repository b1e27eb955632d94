package ecssim_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// describe returns the one task, checking moto's ENI attachment carries an IP.
func describe(t *testing.T, c *ecs.Client, cluster, arn string) types.Task {
	t.Helper()
	out, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: &cluster, Tasks: []string{arn}})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("describe task %s: %v (%d tasks)", arn, err, len(out.Tasks))
	}
	return out.Tasks[0]
}

func privateIP(task types.Task) string {
	for _, a := range task.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "privateIPv4Address" {
				return aws.ToString(d.Value)
			}
		}
	}
	return ""
}

func scale(t *testing.T, c *ecs.Client, f testbed.ECSFixture, n int32) {
	t.Helper()
	if _, err := c.UpdateService(context.Background(), &ecs.UpdateServiceInput{
		Cluster: &f.Cluster, Service: &f.Service, DesiredCount: &n,
	}); err != nil {
		t.Fatalf("update service: %v", err)
	}
}

func waitEvents(t *testing.T, s *ecssim.Scheduler, n int) []ecssim.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute) // an outer bound for a loaded machine
	for time.Now().Before(deadline) {
		if ev := s.Events(); len(ev) >= n {
			return ev
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("scheduler recorded %d events, want %d: %+v", len(s.Events()), n, s.Events())
	return nil
}

func TestSchedulerFollowsDesiredCount(t *testing.T) {
	cfg := testbed.Moto(t).AWSConfig(t)
	f := testbed.NewECSFixture(t, cfg, testbed.ECSFixtureOptions{})
	c := ecs.NewFromConfig(cfg)
	s := testbed.StartECSSim(t, cfg, f.Cluster, f.Service, ecssim.Options{StartDelay: 300 * time.Millisecond, StopDelay: 200 * time.Millisecond, Poll: 20 * time.Millisecond})

	// Nothing happens while desired is 0.
	time.Sleep(200 * time.Millisecond)
	if ev := s.Events(); len(ev) != 0 {
		t.Fatalf("events at desired 0: %+v", ev)
	}

	scaledUp := time.Now()
	scale(t, c, f, 1)
	ev := waitEvents(t, s, 1)
	if ev[0].Action != "start" {
		t.Fatalf("first event = %+v, want start", ev[0])
	}
	if d := ev[0].At.Sub(scaledUp); d < 300*time.Millisecond {
		t.Errorf("task started %v after scale-up, before StartDelay 300ms", d)
	}
	task := describe(t, c, f.Cluster, ev[0].TaskARN)
	if got := aws.ToString(task.LastStatus); got != "RUNNING" {
		t.Errorf("lastStatus = %s, want RUNNING", got)
	}
	if got := aws.ToString(task.Group); got != "service:"+f.Service {
		t.Errorf("group = %q", got)
	}
	if got := aws.ToString(task.StartedBy); got != ecssim.StartedBy {
		t.Errorf("startedBy = %q", got)
	}
	if task.LaunchType != types.LaunchTypeFargate || aws.ToString(task.TaskDefinitionArn) != f.TaskDefinition {
		t.Errorf("launch type %s, task definition %s", task.LaunchType, aws.ToString(task.TaskDefinitionArn))
	}
	if privateIP(task) == "" {
		t.Errorf("task has no private IP: %+v", task.Attachments)
	}
	// Manual transitions: repeated describes keep it RUNNING.
	for range 5 {
		if got := aws.ToString(describe(t, c, f.Cluster, ev[0].TaskARN).LastStatus); got != "RUNNING" {
			t.Fatalf("task walked to %s without being stopped", got)
		}
	}
	// One task for desired 1, even after many polls.
	time.Sleep(200 * time.Millisecond)
	if ev := s.Events(); len(ev) != 1 {
		t.Fatalf("events at steady desired 1: %+v", ev)
	}

	scale(t, c, f, 0)
	ev = waitEvents(t, s, 2)
	if ev[1].Action != "stop" || ev[1].TaskARN != ev[0].TaskARN {
		t.Fatalf("second event = %+v, want stop of %s", ev[1], ev[0].TaskARN)
	}
	stopped := describe(t, c, f.Cluster, ev[0].TaskARN)
	if aws.ToString(stopped.LastStatus) != "STOPPED" || aws.ToString(stopped.StoppedReason) == "" {
		t.Errorf("after scale-in: status %s reason %q", aws.ToString(stopped.LastStatus), aws.ToString(stopped.StoppedReason))
	}
}

func TestSchedulerReplacesAStoppedTask(t *testing.T) {
	cfg := testbed.Moto(t).AWSConfig(t)
	f := testbed.NewECSFixture(t, cfg, testbed.ECSFixtureOptions{Cluster: "c2", Service: "web"})
	c := ecs.NewFromConfig(cfg)
	s := testbed.StartECSSim(t, cfg, f.Cluster, f.Service, ecssim.Options{Poll: 20 * time.Millisecond})
	scale(t, c, f, 1)
	first := waitEvents(t, s, 1)[0]
	// A task that dies (e.g. an essential container exits) is replaced, as ECS does.
	if _, err := c.StopTask(context.Background(), &ecs.StopTaskInput{Cluster: &f.Cluster, Task: &first.TaskARN, Reason: aws.String("Essential container in task exited")}); err != nil {
		t.Fatal(err)
	}
	second := waitEvents(t, s, 2)[1]
	if second.Action != "start" || second.TaskARN == first.TaskARN {
		t.Fatalf("after the task died: %+v", second)
	}
	s.Stop()
	n := len(s.Events())
	scale(t, c, f, 0)
	time.Sleep(100 * time.Millisecond)
	if len(s.Events()) != n {
		t.Fatalf("scheduler acted after Stop: %+v", s.Events())
	}
}
