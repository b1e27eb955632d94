package bootstrap

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// planStack plans the real stack (terraform/, with a session's NLB) against moto and
// returns its planned resources by address. A backend override keeps the state local:
// only the names matter here.
func planStack(t *testing.T, ctx context.Context, a *applied) map[string]*tfjson.ResourceChange {
	t.Helper()
	dir := t.TempDir()
	// Only the configuration: a developer's .terraform/ or state beside it must not leak in,
	// and the bootstrap is a separate configuration.
	src := filepath.Join("..", "..", "terraform")
	for _, pattern := range []string{"*.tf", "modules/*/*.tf"} {
		files, err := filepath.Glob(filepath.Join(src, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(src, f)
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, rel), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	override := "terraform {\n  backend \"local\" {}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "backend_override.tf"), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	r, err := tf.New(ctx, dir, tf.WithEnv(a.moto.Env()), tf.WithProgress(log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack plan output:\n%s", log.String())
		}
	})
	// tf.Runner skips the backend without a backend-config file; give the local one its path.
	backendFile := filepath.Join(dir, "local.hcl")
	if err := os.WriteFile(backendFile, []byte("path = \"terraform.tfstate\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, backendFile); err != nil {
		t.Fatal(err)
	}
	testbed.DropProviderHashes(t, dir)
	planFile := filepath.Join(dir, "session.tfplan")
	vars := tf.Vars{"project": testProject, "region": testRegion, "nlb_enabled": true, "s3_use_path_style": true}
	maps.Copy(vars, stackPlanImageVars)
	if _, err := r.Plan(ctx, vars, nil, planFile); err != nil {
		t.Fatal(err)
	}
	p, err := r.ShowPlan(ctx, planFile)
	if err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]*tfjson.ResourceChange{}
	for _, rc := range p.ResourceChanges {
		byAddr[rc.Address] = rc
	}
	return byAddr
}

// after reads a planned attribute as a string; the test fails if the stack no longer
// has it, which is the point: the policies name these resources.
func after(t *testing.T, rcs map[string]*tfjson.ResourceChange, addr, attr string) string {
	t.Helper()
	rc, ok := rcs[addr]
	if !ok {
		t.Fatalf("the stack plans no %s: update this test and terraform/bootstrap's policies together", addr)
	}
	m, _ := rc.Change.After.(map[string]any)
	s, _ := m[attr].(string)
	if s == "" {
		t.Fatalf("%s.%s is not known at plan time", addr, attr)
	}
	return s
}

// testStackNames: the resources the stack really plans, named as it names them, are
// exactly the ones the session and deploy roles may change, and the secrets it plans are
// the ones plan and session may not write. This catches a rename on either side.
func testStackNames(t *testing.T, roles map[string]Role, a *applied) {
	ctx := testbed.Context(t)
	rcs := planStack(t, ctx, a)

	const hex = "/0123456789abcdef"
	elb := arnPrefix("elasticloadbalancing")
	lbName := after(t, rcs, "module.jvb_nlb[0].aws_lb.this", "name")
	lb := elb + "loadbalancer/net/" + lbName + hex
	listener := elb + "listener/net/" + lbName + hex + hex
	var tgs []string
	for _, addr := range []string{"module.jvb_nlb[0].aws_lb_target_group.jvb_udp", "module.jvb_nlb[0].aws_lb_target_group.web"} {
		tgs = append(tgs, elb+"targetgroup/"+after(t, rcs, addr, "name")+hex)
	}
	cluster := after(t, rcs, "aws_ecs_cluster.this", "name")
	service := arnPrefix("ecs") + "service/" + cluster + "/" + after(t, rcs, "aws_ecs_service.jitsi", "name")
	advertise := arnPrefix("ssm") + "parameter" + after(t, rcs, "aws_ssm_parameter.advertise_ips", "name")
	var secrets []string
	for addr, rc := range rcs {
		if strings.HasPrefix(addr, "aws_ssm_parameter.secret[") {
			secrets = append(secrets, arnPrefix("ssm")+"parameter"+after(t, rcs, rc.Address, "name"))
		}
	}
	if len(secrets) == 0 {
		t.Fatal("the stack plans no aws_ssm_parameter.secret: update this test")
	}
	// The stack creates no IAM at all: its task definition runs with the role the
	// bootstrap made, which is what lets the deploy role go without IAM writes.
	for addr := range rcs {
		if strings.HasPrefix(addr, "aws_iam_") {
			t.Errorf("the stack plans %s: with the bootstrap, IAM roles and policies belong to terraform/bootstrap", addr)
		}
	}
	execRole := after(t, rcs, "aws_ecs_task_definition.jitsi", "execution_role_arn")
	if want := outputString(t, a, "task_execution_role_arn"); execRole != want {
		t.Errorf("the task definition runs with %s, want the bootstrap's %s", execRole, want)
	}
	logGroup := arnPrefix("logs") + "log-group:" + after(t, rcs, "aws_cloudwatch_log_group.task", "name")
	dataBucket := "arn:aws:s3:::" + after(t, rcs, "aws_s3_bucket.data", "bucket")
	eip := rcs["module.jvb_nlb[0].aws_eip.this[0]"]
	if eip == nil {
		t.Fatal("the stack plans no module.jvb_nlb[0].aws_eip.this[0]")
	}
	eipTags, _ := eip.Change.After.(map[string]any)["tags_all"].(map[string]any)
	projectTag, _ := eipTags["Project"].(string)
	tagged := taggedProject(projectTag)

	perms := map[string][]perm{
		"session": {
			{action: "ec2:AllocateAddress", resource: eipARN, context: tagged, allow: true},
			{action: "elasticloadbalancing:CreateLoadBalancer", resource: lb, context: tagged, allow: true},
			{action: "elasticloadbalancing:CreateListener", resource: lb, context: tagged, allow: true},
			{action: "elasticloadbalancing:DeleteListener", resource: listener, allow: true},
			{action: "elasticloadbalancing:DeleteLoadBalancer", resource: lb, allow: true},
			{action: "ecs:UpdateService", resource: service, allow: true},
			{action: "ssm:PutParameter", resource: advertise, allow: true},
			{action: "iam:GetRole", resource: execRole, allow: true},
			{action: "s3:GetBucketVersioning", resource: dataBucket, allow: true},
		},
		"plan": {
			{action: "iam:GetRole", resource: execRole, allow: true},
			{action: "ssm:GetParameter", resource: advertise, allow: true},
			{action: "s3:GetBucketVersioning", resource: dataBucket, allow: true},
			{action: "ecs:UpdateService", resource: service, allow: false},
		},
		"deploy": {
			{action: "ecs:UpdateService", resource: service, allow: true},
			{action: "iam:GetRole", resource: execRole, allow: true},
			{action: "iam:PassRole", resource: execRole, context: passedTo("ecs-tasks.amazonaws.com"), allow: true},
			{action: "iam:PutRolePolicy", resource: execRole, allow: false},
			{action: "logs:CreateLogGroup", resource: logGroup, allow: true},
			{action: "s3:CreateBucket", resource: dataBucket, allow: true},
			{action: "elasticloadbalancing:CreateLoadBalancer", resource: lb, context: tagged, allow: true},
		},
	}
	for _, tg := range tgs {
		perms["session"] = append(perms["session"],
			perm{action: "elasticloadbalancing:CreateTargetGroup", resource: tg, context: tagged, allow: true},
			perm{action: "elasticloadbalancing:RegisterTargets", resource: tg, allow: true},
			perm{action: "elasticloadbalancing:DeleteTargetGroup", resource: tg, allow: true})
	}
	// The task starts with the bootstrap's role: it reads the parameters the stack plans
	// and writes the log group the stack plans, nothing else. (Decrypting SecureStrings is
	// up to the aws/ssm key policy, which iam-simulate needs as the resource policy; see
	// testSSMKeyPolicy.)
	task, err := ReadRole(ctx, iamClient(a.moto.URL, rootCreds), testProject+"-ecs-task-execution")
	if err != nil {
		t.Fatal(err)
	}
	roles["task"] = task
	perms["task"] = []perm{
		{action: "ssm:GetParameters", resource: advertise, allow: true},
		{action: "logs:CreateLogStream", resource: logGroup + ":log-stream:jvb/jvb/0123", allow: true},
		{action: "logs:PutLogEvents", resource: logGroup + ":log-stream:jvb/jvb/0123", allow: true},
		{action: "ssm:GetParameters", resource: arnPrefix("ssm") + "parameter/billing/db-password", allow: false},
		{action: "ssm:PutParameter", resource: advertise, allow: false},
	}
	for _, s := range secrets {
		perms["task"] = append(perms["task"], perm{action: "ssm:GetParameters", resource: s, allow: true})
		perms["session"] = append(perms["session"], perm{action: "ssm:PutParameter", resource: s, allow: false})
		perms["plan"] = append(perms["plan"], perm{action: "ssm:GetParameter", resource: s, allow: false})
		perms["deploy"] = append(perms["deploy"], perm{action: "ssm:PutParameter", resource: s, allow: true})
	}

	for flow, ps := range ecrPerms(t, rcs) {
		perms[flow] = append(perms[flow], ps...)
	}

	var cases []simCase
	want := map[string]bool{}
	for flow, ps := range perms {
		for _, p := range ps {
			id := "stack names: " + permCaseID(flow, p)
			vars := p.context
			if vars == nil {
				vars = map[string]any{}
			}
			principal := sessionPrincipal(flow)
			if flow == "task" {
				principal = "arn:aws:sts::" + testAccount + ":assumed-role/" + testProject + "-ecs-task-execution/task"
			}
			cases = append(cases, simCase{ID: id, IdentityPolicies: roles[flow].Policies, Request: simRequest{
				Principal: principal, Action: p.action,
				Resource: simResource{p.resource, testAccount}, ContextVariables: vars,
			}})
			want[id] = p.allow
		}
	}
	got := simulate(t, cases)
	for id, w := range want {
		if v := got[id]; v.Error == "" && v.allowed() != w {
			t.Errorf("%s: %s, want allowed=%v", id, v.Result, w)
		}
	}
}
