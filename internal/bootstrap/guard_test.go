package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/jitsictl/jitsictl/internal/emulator"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// The session guard (terraform/modules/session-guard) as the bootstrap names it.
var (
	guardName     = testProject + "-session-guard"
	guardRole     = "arn:aws:iam::" + testAccount + ":role/" + guardName
	guardGroup    = arnPrefix("scheduler") + "schedule-group/" + guardName
	guardSchedule = arnPrefix("scheduler") + "schedule/" + guardName + "/scale-to-zero"
)

// The GitHub roles' rights on the guard join the bootstrap's permission tables
// (simulated by TestBootstrapOnEmulator): the session role arms the guard in the
// stack's group only and hands Scheduler the guard role only; deploy creates the
// group and reads the role (the bootstrap makes it); plan reads them.
func init() {
	flowPermissions["session"] = append(flowPermissions["session"],
		perm{action: "scheduler:CreateSchedule", resource: guardSchedule, allow: true},
		perm{action: "scheduler:UpdateSchedule", resource: guardSchedule, allow: true},
		perm{action: "scheduler:DeleteSchedule", resource: guardSchedule, allow: true},
		perm{action: "scheduler:GetSchedule", resource: guardSchedule, allow: true},
		perm{action: "scheduler:CreateSchedule", resource: arnPrefix("scheduler") + "schedule/default/scale-to-zero", allow: false},
		perm{action: "scheduler:CreateSchedule", resource: arnPrefix("scheduler") + "schedule/other-session-guard/scale-to-zero", allow: false},
		perm{action: "scheduler:DeleteScheduleGroup", resource: guardGroup, allow: false},
		perm{action: "scheduler:GetScheduleGroup", resource: guardGroup, allow: true},
		perm{action: "iam:PassRole", resource: guardRole, context: passedTo("scheduler.amazonaws.com"), allow: true},
		perm{action: "iam:PassRole", resource: guardRole, context: passedTo("lambda.amazonaws.com"), allow: false},
		perm{action: "iam:PassRole", resource: taskRole, context: passedTo("scheduler.amazonaws.com"), allow: false},
		perm{action: "iam:PassRole", resource: "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, "deploy"), context: passedTo("scheduler.amazonaws.com"), allow: false},
		perm{action: "iam:PutRolePolicy", resource: guardRole, allow: false},
	)
	flowPermissions["plan"] = append(flowPermissions["plan"],
		perm{action: "scheduler:GetScheduleGroup", resource: guardGroup, allow: true},
		perm{action: "iam:GetRolePolicy", resource: guardRole, allow: true},
		perm{action: "scheduler:CreateSchedule", resource: guardSchedule, allow: false},
		perm{action: "iam:PassRole", resource: guardRole, context: passedTo("scheduler.amazonaws.com"), allow: false},
	)
	flowPermissions["deploy"] = append(flowPermissions["deploy"],
		perm{action: "scheduler:CreateScheduleGroup", resource: guardGroup, allow: true},
		perm{action: "scheduler:DeleteScheduleGroup", resource: guardGroup, allow: true},
		perm{action: "scheduler:CreateScheduleGroup", resource: arnPrefix("scheduler") + "schedule-group/billing", allow: false},
		// The guard role is the bootstrap's (guard_role.tf): deploy only reads it.
		perm{action: "iam:CreateRole", resource: guardRole, allow: false},
		perm{action: "iam:PutRolePolicy", resource: guardRole, allow: false},
		perm{action: "iam:GetRole", resource: guardRole, allow: true},
		perm{action: "iam:PutRolePolicy", resource: "arn:aws:iam::" + testAccount + ":role/other-session-guard", allow: false},
	)
}

// applyGuardModule applies terraform/modules/session-guard alone, as the stack
// calls it on an emulator (creating the role; terraform/bootstrap calls the same
// role module on AWS), to a moto of its own (a handful of resources: seconds).
func applyGuardModule(t *testing.T) (*emulator.Moto, map[string]json.RawMessage) {
	t.Helper()
	ctx := testbed.Context(t) // no shorter limit: the suite runs this package at a lower priority
	m, err := emulator.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	// The module and the role module it calls, at their relative places.
	tmp := t.TempDir()
	for _, mod := range []string{"session-guard", "session-guard-role"} {
		copyTF(t, filepath.Join("..", "..", "terraform", "modules", mod), filepath.Join(tmp, "modules", mod))
	}
	src := "../modules/session-guard"
	dir := filepath.Join(tmp, "root")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	root := fmt.Sprintf(`provider "aws" {
  region = %q
  default_tags {
    tags = { Project = %q, ManagedBy = "jitsictl" }
  }
}

module "guard" {
  source      = %q
  name        = %q
  service_arn = %q
  create_role = true
}

output "group_name" { value = module.guard.group_name }
output "role_arn" { value = module.guard.role_arn }
`, testRegion, testProject, src, testProject, serviceARN)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(root), 0o644); err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	r, err := tf.New(ctx, dir, tf.WithEnv(m.Env()), tf.WithProgress(log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("terraform output:\n%s", log.String())
		}
	})
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	testbed.DropProviderHashes(t, dir)
	if err := r.Apply(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	out, err := r.Output(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m, out
}

// TestSessionGuardRolePolicy evaluates the guard role as IAM returns it after an
// apply: Scheduler of this account, for this group's schedules, may assume it;
// it may delete a load balancer and release an address tagged as this
// project's session resources, scale exactly the stack's service, and nothing
// else - no untagged or other project's resource, no other service.
func TestSessionGuardRolePolicy(t *testing.T) {
	t.Parallel()
	requireSimulator(t)
	m, out := applyGuardModule(t)
	var group, roleARN string
	if err := json.Unmarshal(out["group_name"], &group); err != nil || group != guardName {
		t.Fatalf("group_name %s (%v), want %s: the bootstrap's policies name the group so", out["group_name"], err, guardName)
	}
	if err := json.Unmarshal(out["role_arn"], &roleARN); err != nil || roleARN != guardRole {
		t.Fatalf("role_arn %s (%v), want %s: the bootstrap's policies name the role so", out["role_arn"], err, guardRole)
	}
	role, err := ReadRole(context.Background(), iamClient(m.URL, rootCreds), guardName)
	if err != nil {
		t.Fatal(err)
	}

	session := map[string]any{"aws:ResourceTag/Project": testProject, "aws:ResourceTag/Component": "session"}
	tags := func(kv ...string) map[string]any {
		c := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			c["aws:ResourceTag/"+kv[i]] = kv[i+1]
		}
		return c
	}
	elb := arnPrefix("elasticloadbalancing")
	perms := []perm{
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: nlbARN, context: session, allow: true},
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: nlbARN, allow: false}, // untagged
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: nlbARN, context: tags("Project", testProject), allow: false},
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: nlbARN, context: tags("Project", "other", "Component", "session"), allow: false},
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: elb + "loadbalancer/app/prod-alb/50dc6c495c0c9188", context: session, allow: false},
		{action: "ec2:ReleaseAddress", resource: eipARN, context: session, allow: true},
		{action: "ec2:ReleaseAddress", resource: eipARN, allow: false},
		{action: "ec2:ReleaseAddress", resource: eipARN, context: tags("Project", "other", "Component", "session"), allow: false},
		{action: "ecs:UpdateService", resource: serviceARN, allow: true},
		{action: "ecs:UpdateService", resource: arnPrefix("ecs") + "service/" + testProject + "/other", allow: false},
		{action: "ecs:UpdateService", resource: arnPrefix("ecs") + "service/billing/billing", allow: false},
		// Nothing else on the same resources, nor any other service.
		{action: "elasticloadbalancing:DeleteTargetGroup", resource: udpTG, context: session, allow: false},
		{action: "elasticloadbalancing:DeleteListener", resource: listenerARN, context: session, allow: false},
		{action: "elasticloadbalancing:CreateLoadBalancer", resource: nlbARN, context: taggedProject(testProject), allow: false},
		{action: "ec2:AllocateAddress", resource: eipARN, context: taggedProject(testProject), allow: false},
		{action: "ec2:AssociateAddress", resource: eipARN, context: session, allow: false},
		{action: "ecs:DeleteService", resource: serviceARN, allow: false},
		{action: "ecs:RunTask", resource: arnPrefix("ecs") + "task-definition/" + testProject + ":1", allow: false},
		{action: "ec2:TerminateInstances", resource: arnPrefix("ec2") + "instance/i-0123456789abcdef0", allow: false},
		{action: "s3:DeleteObject", resource: stateObject, allow: false},
		{action: "ssm:GetParameter", resource: secretParam, allow: false},
		{action: "iam:PassRole", resource: taskRole, context: passedTo("ecs-tasks.amazonaws.com"), allow: false},
		{action: "iam:PutRolePolicy", resource: guardRole, allow: false},
		{action: "scheduler:CreateSchedule", resource: guardSchedule, allow: false},
		{action: "lambda:InvokeFunction", resource: arnPrefix("lambda") + "function:anything", allow: false},
	}
	var cases []simCase
	want := map[string]bool{}
	for _, p := range perms {
		id := permCaseID("guard", p)
		ctx := p.context
		if ctx == nil {
			ctx = map[string]any{}
		}
		cases = append(cases, simCase{ID: id, IdentityPolicies: role.Policies, Request: simRequest{
			Principal: "arn:aws:sts::" + testAccount + ":assumed-role/" + guardName + "/scheduler",
			Action:    p.action, Resource: simResource{p.resource, testAccount}, ContextVariables: ctx,
		}})
		want[id] = p.allow
	}

	// Trust: EventBridge Scheduler on behalf of this account's schedules in this group.
	trust := func(id, principal, account, source string, allow bool) {
		cases = append(cases, simCase{ID: id, Unsafe: true, ResourcePolicy: role.Trust, Request: simRequest{
			Principal: principal, Action: "sts:AssumeRole", Resource: simResource{roleARN, testAccount},
			ContextVariables: map[string]any{"aws:SourceAccount": account, "aws:SourceArn": source},
		}})
		want[id] = allow
	}
	trust("trust: scheduler, this group", "scheduler.amazonaws.com", testAccount, guardGroup, true)
	trust("trust: scheduler, a schedule of this group", "scheduler.amazonaws.com", testAccount, guardSchedule, true)
	trust("trust: scheduler, a group named like it", "scheduler.amazonaws.com", testAccount, guardGroup+"-2", false)
	trust("trust: scheduler, another group", "scheduler.amazonaws.com", testAccount, arnPrefix("scheduler")+"schedule/default/x", false)
	trust("trust: scheduler, another account", "scheduler.amazonaws.com", "999999999999", "arn:aws:scheduler:"+testRegion+":999999999999:schedule/"+guardName+"/x", false)
	trust("trust: another service", "lambda.amazonaws.com", testAccount, guardSchedule, false)
	trust("trust: a user of the account", "arn:aws:iam::"+testAccount+":user/alice", testAccount, guardSchedule, false)

	got := simulate(t, cases)
	for id, w := range want {
		if v := got[id]; v.Error == "" && v.allowed() != w {
			t.Errorf("%s: %s, want allowed=%v", id, v.Result, w)
		}
	}
}
