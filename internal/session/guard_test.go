package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"

	"github.com/jitsictl/jitsictl/internal/guard"
	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// scheduleNames are the schedules a session of the test stack (two subnets,
// two Elastic IPs) gets.
var scheduleNames = []string{guard.NameScale, guard.NameNLB, guard.AddressName(0), guard.AddressName(1)}

// readSchedules reads the guard's schedules; missing ones are absent from the map.
func (e *env) readSchedules(t *testing.T) map[string]*scheduler.GetScheduleOutput {
	t.Helper()
	api := scheduler.NewFromConfig(e.cfg)
	got := map[string]*scheduler.GetScheduleOutput{}
	for _, n := range scheduleNames {
		out, err := api.GetSchedule(context.Background(), &scheduler.GetScheduleInput{Name: aws.String(n), GroupName: aws.String(e.out.SessionGuardGroup)})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException" {
			continue
		}
		if err != nil {
			t.Fatalf("GetSchedule %s: %v", n, err)
		}
		got[n] = out
	}
	return got
}

// assertArmed checks every schedule against the session: its time, its API
// call, its input (the record's NLB, the stack's addresses and service), the
// stack's guard role, one-time and self-deleting, with retries.
func (e *env) assertArmed(t *testing.T, rec Record) {
	t.Helper()
	out := e.stack.Outputs(t)
	if len(out.EIPAllocationIDs) != 2 {
		t.Fatalf("stack has %d Elastic IPs, the test expects 2", len(out.EIPAllocationIDs))
	}
	end := rec.ExpiresAt.Add(guard.DefaultGrace).UTC().Truncate(time.Second)
	want := map[string]struct {
		at     time.Time
		target string
		input  map[string]any
	}{
		guard.NameScale:      {end, guard.TargetScaleService, map[string]any{"Cluster": out.ClusterName, "Service": out.ServiceName, "DesiredCount": 0.0}},
		guard.NameNLB:        {end, guard.TargetDeleteNLB, map[string]any{"LoadBalancerArn": rec.NLBArn}},
		guard.AddressName(0): {end.Add(guard.DefaultReleaseAfter), guard.TargetReleaseEIP, map[string]any{"AllocationId": out.EIPAllocationIDs[0]}},
		guard.AddressName(1): {end.Add(guard.DefaultReleaseAfter), guard.TargetReleaseEIP, map[string]any{"AllocationId": out.EIPAllocationIDs[1]}},
	}
	got := e.readSchedules(t)
	for name, w := range want {
		s, ok := got[name]
		if !ok {
			t.Errorf("schedule %s/%s missing", e.out.SessionGuardGroup, name)
			continue
		}
		at, err := guard.ParseAt(aws.ToString(s.ScheduleExpression))
		if err != nil || !at.Equal(w.at) || aws.ToString(s.ScheduleExpressionTimezone) != "UTC" {
			t.Errorf("%s fires %s (%s, %v), want %s UTC", name, aws.ToString(s.ScheduleExpression), aws.ToString(s.ScheduleExpressionTimezone), err, w.at.Format(time.RFC3339))
		}
		if s.ActionAfterCompletion != types.ActionAfterCompletionDelete || s.State != types.ScheduleStateEnabled {
			t.Errorf("%s: after completion %q, state %q; want DELETE, ENABLED", name, s.ActionAfterCompletion, s.State)
		}
		if s.FlexibleTimeWindow == nil || s.FlexibleTimeWindow.Mode != types.FlexibleTimeWindowModeOff {
			t.Errorf("%s: flexible window %+v, want OFF", name, s.FlexibleTimeWindow)
		}
		tg := s.Target
		if aws.ToString(tg.Arn) != w.target || aws.ToString(tg.RoleArn) != e.out.SessionGuardRoleARN {
			t.Errorf("%s: target %s as %s; want %s as %s", name, aws.ToString(tg.Arn), aws.ToString(tg.RoleArn), w.target, e.out.SessionGuardRoleARN)
		}
		var in map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(tg.Input)), &in); err != nil || !reflect.DeepEqual(in, w.input) {
			t.Errorf("%s: input %s (%v), want %v", name, aws.ToString(tg.Input), err, w.input)
		}
		if rp := tg.RetryPolicy; rp == nil || aws.ToInt32(rp.MaximumRetryAttempts) < 100 || aws.ToInt32(rp.MaximumEventAgeInSeconds) < 3600 {
			t.Errorf("%s: retry policy %+v, want retries for hours", name, rp)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// fire performs a schedule as EventBridge Scheduler does when its time comes:
// the universal target's API action with the schedule's Input as the request
// (decoded into the SDK's input struct for that action, every key a field of
// it), then the schedule deletes itself (ActionAfterCompletion DELETE).
func (e *env) fire(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	api := scheduler.NewFromConfig(e.cfg)
	s, err := api.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String(e.out.SessionGuardGroup)})
	if err != nil {
		t.Fatalf("schedule %s: %v", name, err)
	}
	input := aws.ToString(s.Target.Input)
	switch arn := aws.ToString(s.Target.Arn); arn {
	case "arn:aws:scheduler:::aws-sdk:ecs:updateService":
		var in ecs.UpdateServiceInput
		decodeInput(t, input, &in)
		_, err = ecs.NewFromConfig(e.cfg).UpdateService(ctx, &in)
	case "arn:aws:scheduler:::aws-sdk:elasticloadbalancingv2:deleteLoadBalancer":
		var in elbv2.DeleteLoadBalancerInput
		decodeInput(t, input, &in)
		_, err = elbv2.NewFromConfig(e.cfg).DeleteLoadBalancer(ctx, &in)
	case "arn:aws:scheduler:::aws-sdk:ec2:releaseAddress":
		var in ec2.ReleaseAddressInput
		decodeInput(t, input, &in)
		_, err = ec2.NewFromConfig(e.cfg).ReleaseAddress(ctx, &in)
	default:
		t.Fatalf("schedule %s targets %s, which this test cannot perform", name, arn)
	}
	if err != nil {
		t.Fatalf("schedule %s: %s(%s): %v", name, aws.ToString(s.Target.Arn), input, err)
	}
	if _, err := api.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(e.out.SessionGuardGroup)}); err != nil {
		t.Fatal(err)
	}
}

// decodeInput decodes a universal target's Input into the SDK's request
// struct. Each key must be exactly a field name (the API's parameter name):
// encoding/json alone would accept any capitalisation, AWS does not.
func decodeInput(t *testing.T, input string, into any) {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(input), &keys); err != nil {
		t.Fatalf("input %s is not a JSON object: %v", input, err)
	}
	typ := reflect.TypeOf(into).Elem()
	for k := range keys {
		if f, ok := typ.FieldByName(k); !ok || !f.IsExported() {
			t.Fatalf("input %s: %q is not a parameter of %s", input, k, typ.Name())
		}
	}
	d := json.NewDecoder(strings.NewReader(input))
	d.DisallowUnknownFields()
	if err := d.Decode(into); err != nil {
		t.Fatalf("input %s does not decode into %s: %v", input, typ.Name(), err)
	}
}

// testGuardEndsSession: open arms the guard, extend moves it; the guard's
// calls, performed as Scheduler would, end the session on the AWS side; then
// status and close converge the record and the Terraform state. A second
// session's guard fires too: extend refuses, reap converges. (A normal close
// removing the schedules is checked in testOpenStatusExtendClose.)
func testGuardEndsSession(t *testing.T, e *env) {
	ctx := context.Background()
	if e.out.SessionGuardGroup == "" || !strings.HasPrefix(e.out.SessionGuardRoleARN, "arn:aws:iam::") {
		t.Fatalf("stack outputs lack the guard: group %q, role %q", e.out.SessionGuardGroup, e.out.SessionGuardRoleARN)
	}
	var phases []string
	mark := time.Now()
	phase := func(name string) {
		phases = append(phases, fmt.Sprintf("%s %s", name, time.Since(mark).Round(time.Second)))
		mark = time.Now()
	}
	defer func() {
		if t.Failed() {
			t.Logf("phases: %s", strings.Join(phases, ", "))
		}
	}()
	m := e.manager(t, "alice")
	rec, err := m.Open(ctx, OpenOptions{Hours: 2, OpenedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	e.assertWorking(t, rec)
	e.assertArmed(t, rec)
	st, err := m.Status(ctx)
	if err != nil || st.GuardFiresAt != rec.ExpiresAt.Add(guard.DefaultGrace).UTC().Truncate(time.Second).Format(time.RFC3339) {
		t.Fatalf("status guard_fires_at %q (%v), want expiry + %s", st.GuardFiresAt, err, guard.DefaultGrace)
	}

	ext, err := m.Extend(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	e.assertArmed(t, ext)
	phase("open+extend")

	// The session's expiry and grace pass with no workflow running: the
	// guard's schedules fire in their order.
	for _, n := range scheduleNames {
		e.fire(t, n)
	}
	if left := e.readSchedules(t); len(left) != 0 {
		t.Fatalf("schedules left after firing: %v", left)
	}
	// What bills is gone; target groups (free) stay for the close to remove.
	inv, err := sweep.Find(ctx, sweep.APIs{ELB: elbv2.NewFromConfig(e.cfg), EC2: ec2.NewFromConfig(e.cfg)}, e.out.Project)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.LoadBalancers)+len(inv.Listeners)+len(inv.Addresses) != 0 || strings.Contains(e.leftovers(t), "desired count") {
		t.Fatalf("after the guard fired, still billing: %s; %s", inv, e.leftovers(t))
	}
	t.Logf("after the guard fired, left for the close: %s", inv)

	phase("fire")
	later := e.manager(t, "scheduled-reaper")
	afterGrace := ext.ExpiresAt.Add(guard.DefaultGrace + guard.DefaultReleaseAfter + time.Minute)
	later.Now = func() time.Time { return afterGrace }
	st, err = later.Status(ctx)
	if err != nil {
		t.Fatalf("status after the guard fired: %v\nlog:\n%s", err, e.log.String())
	}
	if st.State != StateClosed || !strings.Contains(st.Ended, "session guard ended the session") {
		t.Fatalf("status after the guard fired: state %s, ended %q; want closed by recognising the guard", st.State, st.Ended)
	}
	if _, err := later.Close(ctx, CloseOptions{Reason: "after the guard"}); err != nil {
		t.Fatalf("close after the guard fired: %v", err)
	}
	if left := e.leftovers(t); left != "" {
		t.Fatalf("after status and close, still billing: %s", left)
	}
	phase("status+close")
	if changed := e.stack.Plan(t, tf.Vars{"nlb_enabled": false}); changed {
		t.Fatal("a second terraform plan after converging has changes: the state did not converge")
	}
	phase("plan")

	// The next session gets a guard of its own. When that one fires too,
	// extend refuses and the scheduled reap recognises and converges it.
	rec2, err := m.Open(ctx, OpenOptions{Hours: 1, OpenedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if rec2.NLBArn == rec.NLBArn {
		t.Fatalf("the second session reuses the first one's NLB %s", rec.NLBArn)
	}
	e.assertArmed(t, rec2)
	phase("open")
	for _, n := range scheduleNames {
		e.fire(t, n)
	}
	reaper := e.manager(t, "scheduled-reaper")
	reaper.Now = func() time.Time {
		return rec2.ExpiresAt.Add(guard.DefaultGrace + guard.DefaultReleaseAfter + time.Minute)
	}
	if _, err := reaper.Extend(ctx, 1); err == nil || !strings.Contains(err.Error(), "session guard ended") {
		t.Fatalf("extend of a session the guard ended: %v, want a refusal that says so", err)
	}
	res, err := reaper.Reap(ctx, ReapOptions{IdleAfter: 30 * time.Minute})
	if err != nil || res.Action != "closed-guard" {
		t.Fatalf("reap after the guard fired: %+v, %v; want closed-guard", res, err)
	}
	phase("fire+reap")
	if left := e.leftovers(t); left != "" {
		t.Fatalf("after reap, still billing: %s", left)
	}
	t.Logf("phases: %s", strings.Join(phases, ", "))
}
