// Package guard is the AWS-side safety net of a session: one-time EventBridge
// Scheduler schedules, created when a session opens and moved when it is
// extended, that end the session at its expiry plus a grace period even if no
// GitHub workflow ever runs again (a disabled or delayed schedule, a deleted
// repository). They are universal targets - direct AWS API calls made by
// Scheduler as the stack's guard role, no Lambda - and delete themselves
// after they ran (ActionAfterCompletion DELETE), so an idle account holds
// none. Closing a session deletes them.
package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
)

// API is the part of the Scheduler client the guard uses (the session role
// may call exactly these on the stack's group).
type API interface {
	CreateSchedule(context.Context, *scheduler.CreateScheduleInput, ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	UpdateSchedule(context.Context, *scheduler.UpdateScheduleInput, ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error)
	DeleteSchedule(context.Context, *scheduler.DeleteScheduleInput, ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
	GetSchedule(context.Context, *scheduler.GetScheduleInput, ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
}

// Defaults: the reaper closes an expired session within its 15-minute period,
// so the guard waits longer than that before it acts; addresses are released
// after the NLB's network interfaces are gone (minutes after its deletion).
const (
	DefaultGrace        = 20 * time.Minute
	DefaultReleaseAfter = 10 * time.Minute
)

// Retry policy of every schedule: Scheduler retries a failed call with
// backoff for up to a day (its maxima: 185 attempts, 86400 s). ReleaseAddress
// fails with InvalidIPAddress.InUse while the deleted NLB's interfaces linger.
const (
	retryAttempts = 185
	retryAgeSec   = 86400
)

// Universal target ARNs: arn:aws:scheduler:::aws-sdk:<SDK service id>:<apiAction>.
const (
	TargetScaleService = "arn:aws:scheduler:::aws-sdk:ecs:updateService"
	TargetDeleteNLB    = "arn:aws:scheduler:::aws-sdk:elasticloadbalancingv2:deleteLoadBalancer"
	TargetReleaseEIP   = "arn:aws:scheduler:::aws-sdk:ec2:releaseAddress"
)

// Schedule names in the stack's group (one group per project).
const (
	NameScale   = "scale-to-zero"
	NameNLB     = "delete-load-balancer"
	nameAddress = "release-address-"
)

// AddressName is the schedule releasing the i-th Elastic IP.
func AddressName(i int) string { return nameAddress + strconv.Itoa(i) }

// Stack is what the guard needs from the stack's outputs.
type Stack struct {
	Group   string // schedule group (output session_guard_group)
	RoleARN string // role Scheduler assumes (output session_guard_role_arn)
	Cluster string
	Service string
	// Addresses is how many Elastic IPs a session has at most (one per subnet):
	// Disarm deletes that many address schedules.
	Addresses int
}

// Session is what one armed guard ends.
type Session struct {
	ExpiresAt     time.Time
	NLBArn        string
	AllocationIDs []string
	// Exact fires at ExpiresAt itself, without the grace: a lingering NLB
	// must be gone before its next billed hour starts, and nothing else is
	// left to end by then (the task is already at zero).
	Exact bool
}

// Schedule is one planned schedule: when, which API call, with what input.
type Schedule struct {
	Name   string
	At     time.Time
	Target string
	Input  string
}

// Expression is the one-time schedule expression (UTC, whole seconds).
func (s Schedule) Expression() string {
	return "at(" + s.At.UTC().Format("2006-01-02T15:04:05") + ")"
}

// Guard arms and disarms the schedules of one stack.
type Guard struct {
	API          API
	Stack        Stack
	Grace        time.Duration // after expiry; 0 = DefaultGrace
	ReleaseAfter time.Duration // after the NLB's deletion; 0 = DefaultReleaseAfter
}

// Plan lists the schedules that end sess: the service to zero and the NLB
// deleted at expiry + grace, each address released ReleaseAfter later. The
// inputs are the APIs' request parameters, as Scheduler sends them.
func (g Guard) Plan(sess Session) []Schedule {
	grace, later := g.Grace, g.ReleaseAfter
	if grace <= 0 {
		grace = DefaultGrace
	}
	if sess.Exact {
		grace = 0
	}
	if later <= 0 {
		later = DefaultReleaseAfter
	}
	end := sess.ExpiresAt.Add(grace).UTC().Truncate(time.Second)
	out := []Schedule{{
		Name: NameScale, At: end, Target: TargetScaleService,
		Input: mustJSON(map[string]any{"Cluster": g.Stack.Cluster, "Service": g.Stack.Service, "DesiredCount": 0}),
	}}
	if sess.NLBArn != "" {
		out = append(out, Schedule{
			Name: NameNLB, At: end, Target: TargetDeleteNLB,
			Input: mustJSON(map[string]any{"LoadBalancerArn": sess.NLBArn}),
		})
	}
	for i, id := range sess.AllocationIDs {
		out = append(out, Schedule{
			Name: AddressName(i), At: end.Add(later), Target: TargetReleaseEIP,
			Input: mustJSON(map[string]any{"AllocationId": id}),
		})
	}
	return out
}

// Arm creates the session's schedules, or moves them (UpdateSchedule
// replaces a schedule whole) when they exist.
func (g Guard) Arm(ctx context.Context, sess Session) error {
	if err := g.check(); err != nil {
		return err
	}
	for _, s := range g.Plan(sess) {
		if err := g.put(ctx, s); err != nil {
			return fmt.Errorf("session guard: schedule %s/%s: %w", g.Stack.Group, s.Name, err)
		}
	}
	return nil
}

func (g Guard) put(ctx context.Context, s Schedule) error {
	target := &types.Target{
		Arn: aws.String(s.Target), RoleArn: aws.String(g.Stack.RoleARN), Input: aws.String(s.Input),
		RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(retryAttempts), MaximumEventAgeInSeconds: aws.Int32(retryAgeSec)},
	}
	window := &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff}
	desc := aws.String("jitsictl session guard: ends the session if it is still running")
	_, err := g.API.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name: aws.String(s.Name), GroupName: aws.String(g.Stack.Group), Description: desc,
		ScheduleExpression: aws.String(s.Expression()), ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow: window, Target: target, State: types.ScheduleStateEnabled,
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
	})
	if !isCode(err, "ConflictException") {
		return err
	}
	_, err = g.API.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
		Name: aws.String(s.Name), GroupName: aws.String(g.Stack.Group), Description: desc,
		ScheduleExpression: aws.String(s.Expression()), ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow: window, Target: target, State: types.ScheduleStateEnabled,
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
	})
	return err
}

// Disarm deletes every schedule the guard may have created; ones already
// gone (fired, or never armed) are fine.
func (g Guard) Disarm(ctx context.Context) error {
	if err := g.check(); err != nil {
		return err
	}
	names := []string{NameScale, NameNLB}
	for i := 0; i < g.Stack.Addresses; i++ {
		names = append(names, AddressName(i))
	}
	var errs []error
	for _, n := range names {
		_, err := g.API.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(n), GroupName: aws.String(g.Stack.Group)})
		if err != nil && !isCode(err, "ResourceNotFoundException") {
			errs = append(errs, fmt.Errorf("session guard: delete schedule %s/%s: %w", g.Stack.Group, n, err))
		}
	}
	return errors.Join(errs...)
}

// Fires says when the guard ends the session (the scale-to-zero schedule's
// time), or false when no schedule is armed.
func (g Guard) Fires(ctx context.Context) (time.Time, bool, error) {
	if err := g.check(); err != nil {
		return time.Time{}, false, err
	}
	out, err := g.API.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(NameScale), GroupName: aws.String(g.Stack.Group)})
	if isCode(err, "ResourceNotFoundException") {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("session guard: read schedule %s/%s: %w", g.Stack.Group, NameScale, err)
	}
	at, err := ParseAt(aws.ToString(out.ScheduleExpression))
	if err != nil {
		return time.Time{}, false, err
	}
	return at, true, nil
}

// ParseAt reads an at(...) expression in UTC.
func ParseAt(expr string) (time.Time, error) {
	if len(expr) < 5 || expr[:3] != "at(" || expr[len(expr)-1] != ')' {
		return time.Time{}, fmt.Errorf("session guard: %q is not a one-time at(...) expression", expr)
	}
	return time.ParseInLocation("2006-01-02T15:04:05", expr[3:len(expr)-1], time.UTC)
}

func (g Guard) check() error {
	if g.Stack.Group == "" || g.Stack.RoleARN == "" {
		return errors.New("session guard: the stack has no schedule group or guard role (outputs session_guard_group, session_guard_role_arn): deploy the current terraform/ first")
	}
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return string(b)
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
