package session

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/guard"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/sweep"
)

// TagSweeper removes every resource tagged Project=<project>, Component=session.
type TagSweeper struct {
	APIs     sweep.APIs
	Project  string
	Reporter report.Reporter
	Options  []sweep.Option
}

// Sweep finds and deletes all but keep; it says what it removed.
func (s TagSweeper) Sweep(ctx context.Context, keep ...string) (string, error) {
	inv, err := sweep.Find(ctx, s.APIs, s.Project)
	if err != nil {
		return "", err
	}
	inv = inv.Except(keep...)
	if inv.Empty() {
		return "", nil
	}
	err = sweep.Delete(ctx, s.APIs, inv, func(step string, elapsed time.Duration) {
		s.Reporter.Infof("sweep: %s (%s)", step, elapsed.Round(time.Second))
	}, s.Options...)
	return inv.String(), err
}

// SessionTargetGroups lists the target groups tagged for this project's
// sessions, including ones Terraform is still creating an NLB for.
func (s TagSweeper) SessionTargetGroups(ctx context.Context) ([]string, error) {
	tgs, err := sweep.FindTargetGroups(ctx, s.APIs.ELB, s.Project)
	if err != nil {
		return nil, err
	}
	arns := make([]string, 0, len(tgs))
	for _, tg := range tgs {
		arns = append(arns, tg.ARN)
	}
	return arns, nil
}

// Wiring are the choices NewAWS leaves open (tests and the demo poll faster).
type Wiring struct {
	Owner  string
	Limits Limits
	Poll   time.Duration
	Sweep  []sweep.Option
	// Lock is Terraform's state lock (see S3StateLock); nil leaves it alone.
	Lock StateLock
	// Linger: whether close keeps the NLB to the end of its paid hour.
	Linger LingerPolicy
	// Reaper and LeaseWait: see Manager.
	Reaper    Reaper
	LeaseWait time.Duration
}

// ForStack wires a Manager to the applied stack whose outputs are out (see
// NewAWS), with the linger policy of configFile unless w sets one. A stack
// whose outputs name no ECS service was never applied: an error that says so.
func ForStack(cfg aws.Config, store Store, stack Stack, out outputs.Outputs, r report.Reporter, w Wiring, configFile string) (*Manager, error) {
	if out.ClusterName == "" || out.ServiceName == "" {
		return nil, errors.New("the stack outputs name no ECS cluster/service: apply the stack first (jitsictl deploy apply)")
	}
	if w.Linger == (LingerPolicy{}) {
		var err error
		if w.Linger, err = ReadLingerPolicy(configFile); err != nil {
			return nil, err
		}
	}
	return NewAWS(cfg, store, stack, out, r, w), nil
}

// NewAWS wires a Manager to AWS (or an emulator) through cfg.
func NewAWS(cfg aws.Config, store Store, stack Stack, out outputs.Outputs, r report.Reporter, w Wiring) *Manager {
	elb := elbv2.NewFromConfig(cfg)
	if w.Limits == (Limits{}) {
		w.Limits = DefaultLimits
	}
	var g Guard
	if out.SessionGuardGroup != "" {
		g = guard.Guard{API: scheduler.NewFromConfig(cfg), Stack: guard.Stack{
			Group: out.SessionGuardGroup, RoleARN: out.SessionGuardRoleARN,
			Cluster: out.ClusterName, Service: out.ServiceName, Addresses: len(out.SubnetIDs),
		}}
	}
	sweeper := TagSweeper{APIs: sweep.APIs{ELB: elb, EC2: ec2.NewFromConfig(cfg)}, Project: out.Project, Reporter: r, Options: w.Sweep}
	m := &Manager{
		Store:     store,
		Stack:     stack,
		Service:   ECSService{API: ecs.NewFromConfig(cfg), Cluster: out.ClusterName, Name: out.ServiceName, Reporter: r, Poll: w.Poll},
		Targets:   ELBTargets{API: elb, Reporter: r, Poll: w.Poll},
		Sweeper:   sweeper,
		Finder:    sweeper,
		Traffic:   CloudWatchTraffic{API: awsx.CloudWatch(cfg)},
		Reporter:  r,
		Limits:    w.Limits,
		Owner:     w.Owner,
		Poll:      w.Poll,
		Lock:      w.Lock,
		Linger:    w.Linger,
		Reaper:    w.Reaper,
		LeaseWait: w.LeaseWait,
	}
	m.Guard, m.LoadBalancers = g, ELBLoadBalancers{API: elb}
	return m
}
