package session

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

// slowStack adds AWS-like provisioning time to the load balancer apply: moto's
// NLB is active at once, AWS's takes ~2.5 minutes.
type slowStack struct {
	Stack
	extra time.Duration
}

func (s slowStack) Apply(ctx context.Context, nlb bool, targets []string) error {
	if err := s.Stack.Apply(ctx, nlb, targets); err != nil {
		return err
	}
	if nlb && slices.Equal(targets, SessionTargets) {
		return sleep(ctx, s.extra)
	}
	return nil
}

func (s slowStack) Outputs(ctx context.Context) (outputs.Outputs, error) { return s.Stack.Outputs(ctx) }

// BenchmarkOpenOverlap opens a session on the real stack with injected
// delays (the NLB's provisioning, the task's image pulls) and reports open's
// wall time against the sum and the max of the NLB and task phases, as
// recorded in the session's steps. Goal: wall/max within 1.15.
//
//	go test ./internal/session -run '^$' -bench OpenOverlap -benchtime 1x -timeout 20m
func BenchmarkOpenOverlap(b *testing.B) {
	taskStartDelay = 45 * time.Second
	defer func() { taskStartDelay = 300 * time.Millisecond }()
	emu := testbed.Moto(b)
	emu.ManualECSTasks(b)
	e := newEnv(b, emu, "s-bench")
	ctx := context.Background()
	var wall, nlb, task time.Duration
	for i := 0; i < b.N; i++ {
		m := e.manager(b, "bench")
		m.Stack = slowStack{Stack: m.Stack, extra: 30 * time.Second}
		m.Limits.Task = 3 * time.Minute
		start := time.Now()
		rec, err := m.Open(ctx, OpenOptions{Hours: 1})
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		for _, s := range rec.Steps {
			switch s.Name {
			case "load balancer":
				nlb += s.Finished.Sub(s.Started)
			case "task":
				task += s.Finished.Sub(s.Started)
			}
		}
		b.StopTimer()
		b.Logf("open timeline:\n%s", Gantt("open", rec.Steps))
		if _, err := m.Close(ctx, CloseOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(wall.Seconds()/n, "wall-s/op")
	b.ReportMetric(nlb.Seconds()/n, "nlb-s/op")
	b.ReportMetric(task.Seconds()/n, "task-s/op")
	b.ReportMetric(wall.Seconds()/max(nlb, task).Seconds(), "wall/max")
	b.ReportMetric(wall.Seconds()/(nlb+task).Seconds(), "wall/sum")
}
