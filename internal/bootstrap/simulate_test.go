package bootstrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// moto evaluates identity policies only by action for most services (it hands every
// non-S3, non-IAM request the resource "*") and understands no condition operator but
// StringEquals, so it cannot judge "UpdateService on this service only" or "AllocateAddress
// only when tagged". Those cases go through iam-simulate (@cloud-copilot/iam-simulate), an
// implementation of AWS's documented evaluation logic that also validates actions,
// resource ARN types and condition keys against AWS's service reference data. Where moto
// is faithful (S3 objects, IAM roles, action-only statements), enforce_test.go checks
// that moto and iam-simulate agree.

const simDir = "testdata/iamsim"

// requireSimulator fails (never skips) when node or the simulator package is missing.
func requireSimulator(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH: install Node.js >= 20 (apt-get install nodejs npm), then npm ci --prefix internal/bootstrap/testdata/iamsim")
	}
	if _, err := os.Stat(filepath.Join(simDir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		t.Fatal("the IAM policy simulator is not installed: run `npm ci --prefix internal/bootstrap/testdata/iamsim` from the repository root")
	}
}

type simResource struct {
	Resource  string `json:"resource"`
	AccountID string `json:"accountId"`
}

type simRequest struct {
	Principal        string         `json:"principal"`
	Action           string         `json:"action"`
	Resource         simResource    `json:"resource"`
	ContextVariables map[string]any `json:"contextVariables"`
}

type simCase struct {
	ID               string          `json:"id"`
	Unsafe           bool            `json:"unsafe,omitempty"`
	IdentityPolicies []NamedPolicy   `json:"identityPolicies,omitempty"`
	ResourcePolicy   json.RawMessage `json:"resourcePolicy,omitempty"`
	Request          simRequest      `json:"request"`
}

type simVerdict struct {
	ID                 string   `json:"id"`
	Result             string   `json:"result"` // Allowed, ExplicitlyDenied, ImplicitlyDenied
	Error              string   `json:"error"`
	IgnoredContextKeys []string `json:"ignoredContextKeys"`
}

func (v simVerdict) allowed() bool { return v.Result == "Allowed" }

// simulate runs all cases in one node process (start-up dominates: ~0.5 s).
func simulate(t *testing.T, cases []simCase) map[string]simVerdict {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := testbed.Command(t, testbed.Context(t), "node", "simulate.mjs")
	cmd.Dir = simDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("iam-simulate: %v\n%s", err, stderr.String())
	}
	var verdicts []simVerdict
	if err := json.Unmarshal(out, &verdicts); err != nil {
		t.Fatalf("iam-simulate output: %v\n%s", err, out)
	}
	byID := make(map[string]simVerdict, len(verdicts))
	for _, v := range verdicts {
		if v.Error != "" {
			t.Errorf("case %s: simulator rejected it: %s", v.ID, v.Error)
		}
		// A condition key the simulator drops would make a condition test vacuous.
		if len(v.IgnoredContextKeys) > 0 {
			t.Errorf("case %s: simulator ignored context keys %v (not valid for this action)", v.ID, v.IgnoredContextKeys)
		}
		byID[v.ID] = v
	}
	if len(byID) != len(cases) {
		t.Fatalf("simulator answered %d of %d cases", len(byID), len(cases))
	}
	return byID
}

func sessionPrincipal(flow string) string {
	return "arn:aws:sts::" + testAccount + ":assumed-role/" + RoleName(testProject, flow) + "/GitHubActions"
}

// oidcToken is the part of a GitHub Actions OIDC token the trust policies read.
type oidcToken struct{ sub, workflow string }

func (tok oidcToken) context(aud string) map[string]any {
	c := map[string]any{
		"token.actions.githubusercontent.com:aud": aud,
		"token.actions.githubusercontent.com:sub": tok.sub,
	}
	if tok.workflow != "" {
		c["token.actions.githubusercontent.com:job_workflow_ref"] = tok.workflow
	}
	return c
}

// workflowRef is a job_workflow_ref claim: <repo>/.github/workflows/<file>@<ref>.
func workflowRef(repo, file, ref string) string {
	return repo + "/.github/workflows/" + file + "@" + ref
}

// trustTokens are the tokens a role is offered, keyed by what produced them, with the
// flow whose role must accept each (empty: none may).
var trustTokens = map[string]struct {
	tok    oidcToken
	accept string
}{
	"plan.yml on a pull request":                 {oidcToken{"repo:" + testRepo + ":pull_request", workflowRef(testRepo, "plan.yml", "refs/pull/7/merge")}, "plan"},
	"another workflow on a pull request":         {oidcToken{"repo:" + testRepo + ":pull_request", workflowRef(testRepo, "ci.yml", "refs/pull/7/merge")}, ""},
	"plan.yml as pull_request_target":            {oidcToken{"repo:" + testRepo + ":pull_request", workflowRef(testRepo, "plan.yml", "refs/heads/main")}, ""},
	"deploy.yml on main in production":           {oidcToken{"repo:" + testRepo + ":environment:production", workflowRef(testRepo, "deploy.yml", "refs/heads/main")}, "deploy"},
	"deploy.yml on a branch in production":       {oidcToken{"repo:" + testRepo + ":environment:production", workflowRef(testRepo, "deploy.yml", "refs/heads/feature")}, ""},
	"deploy.yml on a pull request in production": {oidcToken{"repo:" + testRepo + ":environment:production", workflowRef(testRepo, "deploy.yml", "refs/pull/7/merge")}, ""},
	"another workflow on main in production":     {oidcToken{"repo:" + testRepo + ":environment:production", workflowRef(testRepo, "evil.yml", "refs/heads/main")}, ""},
	"deploy.yml on a tag in production":          {oidcToken{"repo:" + testRepo + ":environment:production", workflowRef(testRepo, "deploy.yml", "refs/tags/v1")}, ""},
	"production without job_workflow_ref":        {oidcToken{"repo:" + testRepo + ":environment:production", ""}, ""},
	"deploy.yml on main in staging":              {oidcToken{"repo:" + testRepo + ":environment:staging", workflowRef(testRepo, "deploy.yml", "refs/heads/main")}, ""},
	"session.yml on main":                        {oidcToken{"repo:" + testRepo + ":ref:refs/heads/main", workflowRef(testRepo, "session.yml", "refs/heads/main")}, "session"},
	"scale-down.yml on main":                     {oidcToken{"repo:" + testRepo + ":ref:refs/heads/main", workflowRef(testRepo, "scale-down.yml", "refs/heads/main")}, "session"},
	// deploy.yml's plan jobs refresh with the session role (they run before approval).
	"deploy.yml plan job on main":     {oidcToken{"repo:" + testRepo + ":ref:refs/heads/main", workflowRef(testRepo, "deploy.yml", "refs/heads/main")}, "session"},
	"session.yml on a branch":         {oidcToken{"repo:" + testRepo + ":ref:refs/heads/feature", workflowRef(testRepo, "session.yml", "refs/heads/feature")}, ""},
	"another workflow on main":        {oidcToken{"repo:" + testRepo + ":ref:refs/heads/main", workflowRef(testRepo, "ci.yml", "refs/heads/main")}, ""},
	"main without job_workflow_ref":   {oidcToken{"repo:" + testRepo + ":ref:refs/heads/main", ""}, ""},
	"tag push":                        {oidcToken{"repo:" + testRepo + ":ref:refs/tags/v1", workflowRef(testRepo, "session.yml", "refs/tags/v1")}, ""},
	"other repository's pull request": {oidcToken{"repo:octo-org/jitsi-fork:pull_request", workflowRef("octo-org/jitsi-fork", "plan.yml", "refs/pull/7/merge")}, ""},
	"owner prefix on main":            {oidcToken{"repo:octo-org/jitsi-other:ref:refs/heads/main", workflowRef("octo-org/jitsi-other", "session.yml", "refs/heads/main")}, ""},
	"other repository in production":  {oidcToken{"repo:octo-org/jitsi-fork:environment:production", workflowRef("octo-org/jitsi-fork", "deploy.yml", "refs/heads/main")}, ""},
	"case-changed repo name":          {oidcToken{"repo:octo-org/Jitsi:pull_request", workflowRef("octo-org/Jitsi", "plan.yml", "refs/pull/7/merge")}, ""},
	// A workflow of this repository that calls another repository's reusable deploy.yml:
	// job_workflow_ref names the called workflow.
	"reusable deploy.yml of another repository": {oidcToken{"repo:" + testRepo + ":environment:production", workflowRef("octo-org/jitsi-fork", "deploy.yml", "refs/heads/main")}, ""},
}

// testTrustSimulation: each role admits exactly its own workflows with the STS audience.
func testTrustSimulation(t *testing.T, roles map[string]Role) {
	var cases []simCase
	want := map[string]bool{}
	for flow, role := range roles {
		for label, tt := range trustTokens {
			for _, aud := range []string{"sts.amazonaws.com", "https://github.com/octo-org"} {
				id := fmt.Sprintf("%s role / %s / aud %s", flow, label, aud)
				cases = append(cases, simCase{
					ID: id, Unsafe: true, ResourcePolicy: role.Trust,
					Request: simRequest{
						Principal:        oidcARN,
						Action:           "sts:AssumeRoleWithWebIdentity",
						Resource:         simResource{role.ARN, testAccount},
						ContextVariables: tt.tok.context(aud),
					},
				})
				want[id] = tt.accept == flow && aud == "sts.amazonaws.com"
			}
		}
		// Another OIDC provider (another issuer) presenting the right claims.
		for label, tt := range trustTokens {
			if tt.accept != flow {
				continue
			}
			id := flow + " role / other issuer / " + label
			cases = append(cases, simCase{
				ID: id, Unsafe: true, ResourcePolicy: role.Trust,
				Request: simRequest{
					Principal:        "arn:aws:iam::" + testAccount + ":oidc-provider/gitlab.example.com",
					Action:           "sts:AssumeRoleWithWebIdentity",
					Resource:         simResource{role.ARN, testAccount},
					ContextVariables: tt.tok.context("sts.amazonaws.com"),
				},
			})
			want[id] = false
		}
	}
	// Plain AssumeRole, by a principal of this or another account.
	for flow, role := range roles {
		for _, principal := range []string{"arn:aws:iam::" + testAccount + ":user/alice", "arn:aws:iam::999999999999:root"} {
			id := flow + " role / sts:AssumeRole by " + principal
			cases = append(cases, simCase{
				ID: id, Unsafe: true, ResourcePolicy: role.Trust,
				IdentityPolicies: []NamedPolicy{{Name: "admin", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}},
				Request: simRequest{
					Principal: principal, Action: "sts:AssumeRole",
					Resource:         simResource{role.ARN, testAccount},
					ContextVariables: map[string]any{},
				},
			})
			want[id] = false
		}
	}
	got := simulate(t, cases)
	for id, w := range want {
		if got[id].allowed() != w {
			t.Errorf("%s: %s, want allowed=%v", id, got[id].Result, w)
		}
	}
}

// perm is one request a flow makes (or must not be able to make).
type perm struct {
	action, resource string
	context          map[string]any
	allow            bool
}

// ARNs of the stack's resources as AWS names them.
var (
	arnPrefix     = func(svc string) string { return "arn:aws:" + svc + ":" + testRegion + ":" + testAccount + ":" }
	serviceARN    = arnPrefix("ecs") + "service/" + testProject + "/" + testProject
	clusterARN    = arnPrefix("ecs") + "cluster/" + testProject
	sessionParam  = arnPrefix("ssm") + "parameter/" + testProject + "/session/advertise-ips"
	secretParam   = arnPrefix("ssm") + "parameter/" + testProject + "/secrets/JVB_AUTH_PASSWORD"
	jwtSecret     = arnPrefix("ssm") + "parameter/" + testProject + "/secrets/JWT_APP_SECRET"
	stateObject   = "arn:aws:s3:::" + testBucket + "/" + testKey
	lockObject    = stateObject + ".tflock"
	recordObject  = "arn:aws:s3:::" + testBucket + "/" + testProject + "/jitsictl-session.json"
	otherObject   = "arn:aws:s3:::" + testBucket + "/other/terraform.tfstate"
	bucketARN     = "arn:aws:s3:::" + testBucket
	nlbARN        = arnPrefix("elasticloadbalancing") + "loadbalancer/net/" + testProject + "-jvb/50dc6c495c0c9188"
	udpTG         = arnPrefix("elasticloadbalancing") + "targetgroup/" + testProject + "-udp-10000/73e2d6bc24d8a067"
	listenerARN   = arnPrefix("elasticloadbalancing") + "listener/net/" + testProject + "-jvb/50dc6c495c0c9188/f2f7dc8efc522ab2"
	eipARN        = arnPrefix("ec2") + "elastic-ip/eipalloc-0123456789abcdef0"
	taskRole      = "arn:aws:iam::" + testAccount + ":role/" + testProject + "-task-execution"
	execRole      = "arn:aws:iam::" + testAccount + ":role/" + testProject + "-ecs-task-execution"
	backupObject  = "arn:aws:s3:::" + testBucket + "/" + testProject + "/backups/x"
	instanceARN   = arnPrefix("ec2") + "instance/i-0123456789abcdef0"
	dataBucketARN = "arn:aws:s3:::" + testProject + "-data-" + testAccount
	passedTo      = func(svc string) map[string]any { return map[string]any{"iam:PassedToService": svc} }
	elbLinkedRole = "arn:aws:iam::" + testAccount + ":role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
	ssmKey        = arnPrefix("kms") + "key/1234abcd-12ab-34cd-56ef-1234567890ab"
	viaSSM        = map[string]any{"kms:ViaService": "ssm." + testRegion + ".amazonaws.com"}
	taggedProject = func(p string) map[string]any {
		return map[string]any{"aws:RequestTag/Project": p, "aws:TagKeys": []string{"Project", "Component"}}
	}
	resourceTagged = func(p string) map[string]any { return map[string]any{"aws:ResourceTag/Project": p} }
)

// flowPermissions is what each flow must be able to do and what it must not. The
// comments say which flow step makes the call.
var flowPermissions = map[string][]perm{
	"plan": {
		// terraform plan: refresh the stack.
		{action: "ecs:DescribeServices", resource: serviceARN, allow: true},
		{action: "ecs:DescribeClusters", resource: clusterARN, allow: true},
		{action: "ec2:DescribeVpcs", resource: "*", allow: true},
		{action: "elasticloadbalancing:DescribeLoadBalancers", resource: "*", allow: true},
		{action: "iam:GetRole", resource: execRole, allow: true},
		{action: "iam:GetRole", resource: taskRole, allow: false},
		{action: "logs:DescribeLogGroups", resource: "*", allow: true},
		{action: "servicediscovery:GetNamespace", resource: arnPrefix("servicediscovery") + "namespace/ns-abcdefghijklmnop", allow: true},
		{action: "ssm:DescribeParameters", resource: "*", allow: true},
		{action: "ssm:GetParameter", resource: sessionParam, allow: true},
		{action: "secretsmanager:GetRandomPassword", resource: "*", allow: true},
		// jitsictl cost.
		{action: "route53:ListHostedZones", resource: "*", allow: true},
		{action: "pricing:GetProducts", resource: "*", allow: true},
		// The plan comment's cost delta prices the plan with the Price List; no Cost Explorer.
		{action: "ce:GetCostAndUsage", resource: "*", allow: false},
		{action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ", allow: false},
		{action: "s3:GetBucketVersioning", resource: "arn:aws:s3:::" + testProject + "-data-" + testAccount, allow: true},
		// The backend: read the state. Pull request plans run with -lock=false: the plan
		// role may neither take nor delete the lock file (a deploy holds it).
		{action: "s3:ListBucket", resource: bucketARN, allow: true},
		{action: "s3:GetObject", resource: stateObject, allow: true},
		{action: "s3:PutObject", resource: lockObject, allow: false},
		{action: "s3:DeleteObject", resource: lockObject, allow: false},
		{action: "s3:GetObject", resource: backupObject, allow: false},
		// No instance user data, and only this project's ECS resources.
		{action: "ec2:DescribeInstanceAttribute", resource: instanceARN, allow: false},
		{action: "ec2:DescribeLaunchTemplateVersions", resource: "*", allow: false},
		{action: "ecs:DescribeServices", resource: arnPrefix("ecs") + "service/billing/billing", allow: false},
		{action: "ecs:DescribeTasks", resource: arnPrefix("ecs") + "task/billing/0123456789abcdef", allow: false},
		// Never: secrets, writes, anything else in the bucket.
		{action: "ssm:GetParameter", resource: secretParam, allow: false},
		{action: "ssm:GetParameters", resource: secretParam, allow: false},
		// The JWT app secret signs meeting links: a pull request's plan must not mint them.
		{action: "ssm:GetParameter", resource: jwtSecret, allow: false},
		{action: "ssm:GetParameters", resource: jwtSecret, allow: false},
		{action: "kms:Decrypt", resource: ssmKey, context: viaSSM, allow: false},
		{action: "s3:PutObject", resource: stateObject, allow: false},
		{action: "s3:DeleteObject", resource: stateObject, allow: false},
		{action: "s3:GetObject", resource: otherObject, allow: false},
		{action: "s3:PutObject", resource: recordObject, allow: false},
		{action: "ecs:UpdateService", resource: serviceARN, allow: false},
		{action: "ecs:RegisterTaskDefinition", resource: "*", allow: false},
		{action: "elasticloadbalancing:CreateLoadBalancer", resource: nlbARN, context: taggedProject(testProject), allow: false},
		{action: "ec2:AllocateAddress", resource: eipARN, context: taggedProject(testProject), allow: false},
		{action: "ssm:PutParameter", resource: sessionParam, allow: false},
		{action: "iam:PutRolePolicy", resource: "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, "plan"), allow: false},
		{action: "iam:GetRole", resource: "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, "deploy"), allow: false},
	},
	"session": {
		// Same refresh as plan.
		{action: "ecs:DescribeServices", resource: serviceARN, allow: true},
		{action: "ec2:DescribeAddresses", resource: "*", allow: true},
		{action: "elasticloadbalancing:DescribeTargetHealth", resource: "*", allow: true},
		{action: "ecs:ListTasks", resource: arnPrefix("ecs") + "container-instance/" + testProject + "/*", allow: true},
		{action: "ecs:DescribeTasks", resource: arnPrefix("ecs") + "task/" + testProject + "/0123456789abcdef", allow: true},
		{action: "cloudwatch:GetMetricData", resource: "*", allow: true},
		// The meeting's DNS record, in the stack's zone only.
		{action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/" + testZone, allow: true},
		{action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/ZOTHERZONE0000000000", allow: false},
		// Full apply refreshes the SecureStrings, and the provider reads them with
		// WithDecryption=true: the session role can read them (see README).
		{action: "ssm:GetParameter", resource: secretParam, allow: true},
		// session open, extend and links read the JWT app secret to mint links, and may
		// not replace it.
		{action: "ssm:GetParameter", resource: jwtSecret, allow: true},
		{action: "ssm:PutParameter", resource: jwtSecret, allow: false},
		// State, lock and record.
		{action: "s3:GetObject", resource: stateObject, allow: true},
		{action: "s3:PutObject", resource: stateObject, allow: true},
		{action: "s3:PutObject", resource: lockObject, allow: true},
		{action: "s3:DeleteObject", resource: lockObject, allow: true},
		{action: "s3:GetObject", resource: recordObject, allow: true},
		{action: "s3:PutObject", resource: recordObject, allow: true},
		{action: "s3:PutObject", resource: otherObject, allow: false},
		{action: "s3:DeleteBucket", resource: bucketARN, allow: false},
		{action: "s3:PutBucketPolicy", resource: bucketARN, allow: false},
		// Elastic IPs: only this project's.
		{action: "ec2:AllocateAddress", resource: eipARN, context: taggedProject(testProject), allow: true},
		{action: "ec2:AllocateAddress", resource: eipARN, context: taggedProject("other"), allow: false},
		{action: "ec2:AllocateAddress", resource: eipARN, allow: false}, // untagged
		{action: "ec2:CreateTags", resource: eipARN, context: map[string]any{"ec2:CreateAction": "AllocateAddress"}, allow: true},
		{action: "ec2:ReleaseAddress", resource: eipARN, context: resourceTagged(testProject), allow: true},
		{action: "ec2:ReleaseAddress", resource: eipARN, context: resourceTagged("other"), allow: false},
		// aws_eip's delete disassociates first when state still shows the NLB's association.
		{action: "ec2:DisassociateAddress", resource: eipARN, context: resourceTagged(testProject), allow: true},
		{action: "ec2:DisassociateAddress", resource: eipARN, context: resourceTagged("other"), allow: false},
		{action: "ec2:DisassociateAddress", resource: arnPrefix("ec2") + "network-interface/eni-0123456789abcdef0", allow: true},
		{action: "ec2:AssociateAddress", resource: eipARN, context: resourceTagged(testProject), allow: false},
		// The NLB module's resources, by name, tagged on create.
		{action: "elasticloadbalancing:CreateLoadBalancer", resource: nlbARN, context: taggedProject(testProject), allow: true},
		{action: "elasticloadbalancing:CreateLoadBalancer", resource: nlbARN, context: taggedProject("other"), allow: false},
		{action: "elasticloadbalancing:CreateLoadBalancer", resource: arnPrefix("elasticloadbalancing") + "loadbalancer/net/other-jvb/50dc6c495c0c9188", context: taggedProject(testProject), allow: false},
		{action: "elasticloadbalancing:CreateTargetGroup", resource: udpTG, context: taggedProject(testProject), allow: true},
		{action: "elasticloadbalancing:CreateTargetGroup", resource: arnPrefix("elasticloadbalancing") + "targetgroup/" + testProject + "-test-udp-10000/73e2d6bc24d8a067", context: taggedProject(testProject), allow: false},
		// CreateListener is authorized against the load balancer it adds to.
		{action: "elasticloadbalancing:CreateListener", resource: nlbARN, context: taggedProject(testProject), allow: true},
		{action: "elasticloadbalancing:RegisterTargets", resource: udpTG, allow: true},
		{action: "elasticloadbalancing:DeregisterTargets", resource: udpTG, allow: true},
		{action: "elasticloadbalancing:ModifyTargetGroupAttributes", resource: udpTG, allow: true},
		{action: "elasticloadbalancing:DeleteListener", resource: listenerARN, allow: true},
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: nlbARN, allow: true},
		{action: "elasticloadbalancing:DeleteLoadBalancer", resource: arnPrefix("elasticloadbalancing") + "loadbalancer/app/prod-alb/50dc6c495c0c9188", allow: false},
		// The advertised addresses, not the secrets.
		{action: "ssm:PutParameter", resource: sessionParam, allow: true},
		{action: "ssm:PutParameter", resource: secretParam, allow: false},
		{action: "ssm:DeleteParameter", resource: secretParam, allow: false},
		// The project's service only, and no new task definitions.
		{action: "ecs:UpdateService", resource: serviceARN, allow: true},
		{action: "ecs:UpdateService", resource: arnPrefix("ecs") + "service/" + testProject + "/other", allow: false},
		{action: "ecs:UpdateService", resource: arnPrefix("ecs") + "service/billing/billing", allow: false},
		{action: "ecs:RegisterTaskDefinition", resource: "*", allow: false},
		{action: "ecs:DeleteService", resource: serviceARN, allow: false},
		{action: "iam:CreateRole", resource: taskRole, allow: false},
		{action: "iam:PutRolePolicy", resource: taskRole, allow: false},
		{action: "iam:PassRole", resource: taskRole, context: map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}, allow: false},
		{action: "ec2:CreateVpc", resource: arnPrefix("ec2") + "vpc/*", allow: false},
		{action: "ec2:RunInstances", resource: arnPrefix("ec2") + "instance/*", allow: false},
		// The first NLB of an account creates ELB's service-linked role; no other one.
		{action: "iam:CreateServiceLinkedRole", resource: elbLinkedRole, context: map[string]any{"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}, allow: true},
		{action: "iam:CreateServiceLinkedRole", resource: "arn:aws:iam::" + testAccount + ":role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda", context: map[string]any{"iam:AWSServiceName": "lambda.amazonaws.com"}, allow: false},
	},
	"deploy": {
		{action: "s3:GetObject", resource: stateObject, allow: true},
		{action: "s3:PutObject", resource: stateObject, allow: true},
		{action: "s3:PutObject", resource: lockObject, allow: true},
		{action: "s3:DeleteObject", resource: lockObject, allow: true},
		// stage/backup.go copies the state to <state dir>/backups/ before every apply;
		// restore-state reads it back.
		{action: "s3:PutObject", resource: backupObject, allow: true},
		{action: "s3:GetObject", resource: backupObject, allow: true},
		{action: "s3:PutObject", resource: otherObject, allow: false},
		{action: "s3:DeleteBucket", resource: bucketARN, allow: false},
		// The data bucket: what its resources need, not s3:*.
		{action: "s3:CreateBucket", resource: dataBucketARN, allow: true},
		{action: "s3:PutBucketPolicy", resource: dataBucketARN, allow: true},
		{action: "s3:PutLifecycleConfiguration", resource: dataBucketARN, allow: true},
		{action: "s3:PutBucketOwnershipControls", resource: dataBucketARN, allow: false},
		{action: "s3:PutBucketWebsite", resource: dataBucketARN, allow: false},
		{action: "s3:PutObject", resource: dataBucketARN + "/recordings/a.mp4", allow: false},
		{action: "s3:DeleteBucketPolicy", resource: dataBucketARN, allow: false},
		{action: "s3:PutBucketAcl", resource: dataBucketARN, allow: false},
		{action: "s3:DeleteBucket", resource: dataBucketARN, allow: false},
		{action: "s3:GetObject", resource: "arn:aws:s3:::" + testProject + "-data-" + testAccount + "/recordings/a.mp4", allow: false},
		// Both halves of the session, and the rest of the stack.
		{action: "ecs:UpdateService", resource: serviceARN, allow: true},
		{action: "ecs:RegisterTaskDefinition", resource: "*", allow: true},
		{action: "ecs:CreateService", resource: serviceARN, allow: true},
		{action: "ecs:UpdateService", resource: arnPrefix("ecs") + "service/billing/billing", allow: false},
		{action: "ssm:PutParameter", resource: sessionParam, allow: true},
		{action: "ssm:PutParameter", resource: secretParam, allow: true},
		{action: "ssm:PutParameter", resource: arnPrefix("ssm") + "parameter/billing/db-password", allow: false},
		{action: "elasticloadbalancing:CreateLoadBalancer", resource: nlbARN, context: taggedProject(testProject), allow: true},
		{action: "elasticloadbalancing:RegisterTargets", resource: udpTG, allow: true},
		{action: "ec2:AllocateAddress", resource: eipARN, context: taggedProject(testProject), allow: true},
		{action: "ec2:CreateVpc", resource: arnPrefix("ec2") + "vpc/*", allow: true},
		{action: "ec2:RunInstances", resource: arnPrefix("ec2") + "instance/*", allow: false},
		{action: "logs:CreateLogGroup", resource: arnPrefix("logs") + "log-group:/ecs/" + testProject, allow: true},
		{action: "logs:DeleteLogGroup", resource: arnPrefix("logs") + "log-group:/ecs/billing", allow: false},
		{action: "servicediscovery:CreateHttpNamespace", resource: "*", context: taggedProject(testProject), allow: true},
		// IAM: no writes at all (the bootstrap creates the task execution role); pass only
		// that role, and only to ECS tasks.
		{action: "iam:GetRole", resource: execRole, allow: true},
		{action: "iam:PassRole", resource: execRole, context: passedTo("ecs-tasks.amazonaws.com"), allow: true},
		{action: "iam:PassRole", resource: execRole, context: passedTo("lambda.amazonaws.com"), allow: false},
		{action: "iam:PassRole", resource: execRole, context: passedTo("ec2.amazonaws.com"), allow: false},
		{action: "iam:PassRole", resource: taskRole, context: passedTo("ecs-tasks.amazonaws.com"), allow: false},
		{action: "iam:PassRole", resource: "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, "deploy"), context: passedTo("ecs-tasks.amazonaws.com"), allow: false},
		{action: "iam:PutRolePolicy", resource: "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, "deploy"), allow: false},
		{action: "iam:AttachRolePolicy", resource: "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, "session"), allow: false},
		{action: "iam:CreatePolicyVersion", resource: "arn:aws:iam::" + testAccount + ":policy/" + testProject + "-deploy", allow: false},
		{action: "iam:CreateUser", resource: "arn:aws:iam::" + testAccount + ":user/backdoor", allow: false},
		{action: "iam:CreateServiceLinkedRole", resource: "arn:aws:iam::" + testAccount + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", context: map[string]any{"iam:AWSServiceName": "ecs.amazonaws.com"}, allow: true},
	},
}

// init adds the IAM writes no flow may make on any role: each of them, on a role it can
// pass to ECS, is one call away from a role trusting an outside account with "*".
func init() {
	// Every role the stack or its modules may use, by name; the session guard's role
	// (modules/session-guard) belongs in the bootstrap like the task execution role.
	roles := []string{taskRole, execRole, "arn:aws:iam::" + testAccount + ":role/" + testProject + "-task-other",
		"arn:aws:iam::" + testAccount + ":role/" + testProject + "-session-guard"}
	for _, flow := range Flows {
		roles = append(roles, "arn:aws:iam::"+testAccount+":role/"+RoleName(testProject, flow))
	}
	for _, flow := range Flows {
		have := map[string]bool{}
		for _, p := range flowPermissions[flow] {
			have[permCaseID(flow, p)] = true
		}
		for _, action := range []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRole", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"} {
			for _, role := range roles {
				p := perm{action: action, resource: role, allow: false}
				if !have[permCaseID(flow, p)] {
					flowPermissions[flow] = append(flowPermissions[flow], p)
				}
			}
		}
	}
}

func permCaseID(flow string, p perm) string {
	id := fmt.Sprintf("%s %s on %s", flow, p.action, p.resource)
	if len(p.context) > 0 {
		b, _ := json.Marshal(p.context)
		id += " with " + string(b)
	}
	return id
}

// testPermissionSimulation evaluates every flow's table against the policies IAM returned.
func testPermissionSimulation(t *testing.T, roles map[string]Role) {
	var cases []simCase
	want := map[string]bool{}
	for flow, perms := range flowPermissions {
		for _, p := range perms {
			id := permCaseID(flow, p)
			if _, dup := want[id]; dup {
				t.Fatalf("duplicate case %s", id)
			}
			ctx := p.context
			if ctx == nil {
				ctx = map[string]any{}
			}
			cases = append(cases, simCase{
				ID:               id,
				IdentityPolicies: roles[flow].Policies,
				Request: simRequest{
					Principal:        sessionPrincipal(flow),
					Action:           p.action,
					Resource:         simResource{p.resource, testAccount},
					ContextVariables: ctx,
				},
			})
			want[id] = p.allow
		}
	}
	got := simulate(t, cases)
	for id, w := range want {
		if v := got[id]; v.Error == "" && v.allowed() != w {
			t.Errorf("%s: %s, want allowed=%v", id, v.Result, w)
		}
	}
	// The plan role's secret denial must be explicit: the aws/ssm key policy would
	// otherwise let it decrypt through SSM (see policy_read.tf).
	for _, p := range []perm{{action: "ssm:GetParameter", resource: secretParam}, {action: "ssm:GetParameter", resource: jwtSecret}, {action: "kms:Decrypt", resource: ssmKey, context: viaSSM}} {
		if r := got[permCaseID("plan", p)].Result; r != "ExplicitlyDenied" {
			t.Errorf("plan %s on %s: %s, want ExplicitlyDenied", p.action, p.resource, r)
		}
	}
	testSSMKeyPolicy(t, roles)

	var names []string
	for _, p := range roles["plan"].Policies {
		names = append(names, p.Name)
	}
	if !strings.Contains(strings.Join(names, ","), testProject+"-stack-read") {
		t.Errorf("plan role policies %v lack the shared stack-read policy", names)
	}
}

// ssmKeyPolicy is the key policy AWS gives the account's aws/ssm key: any principal of the
// account may decrypt through SSM, whatever its identity policies say.
const ssmKeyPolicy = `{"Version":"2012-10-17","Id":"auto-ssm-2","Statement":[
 {"Sid":"Allow access through Systems Manager for all principals in the account that are authorized to use Systems Manager",
  "Effect":"Allow","Principal":{"AWS":"*"},
  "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],
  "Resource":"*",
  "Condition":{"StringEquals":{"kms:CallerAccount":"` + testAccount + `","kms:ViaService":"ssm.` + testRegion + `.amazonaws.com"}}},
 {"Sid":"Allow direct access to key metadata to the account","Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},
  "Action":["kms:Describe*","kms:Get*","kms:List*","kms:RevokeGrant"],"Resource":"*"}]}`

// testSSMKeyPolicy shows why the plan role needs its explicit deny: with the aws/ssm key
// policy as the resource policy, a role with no kms permission at all (session) may
// decrypt a SecureString through SSM; only the plan role's Deny stops it.
func testSSMKeyPolicy(t *testing.T, roles map[string]Role) {
	want := map[string]string{"plan": "ExplicitlyDenied", "session": "Allowed"}
	var cases []simCase
	for flow := range want {
		cases = append(cases, simCase{
			ID: flow, IdentityPolicies: roles[flow].Policies, ResourcePolicy: json.RawMessage(ssmKeyPolicy),
			Request: simRequest{
				Principal: sessionPrincipal(flow), Action: "kms:Decrypt",
				Resource: simResource{ssmKey, testAccount},
				ContextVariables: map[string]any{
					"kms:CallerAccount": testAccount,
					"kms:ViaService":    "ssm." + testRegion + ".amazonaws.com",
				},
			},
		})
	}
	for flow, v := range simulate(t, cases) {
		if v.Result != want[flow] {
			t.Errorf("%s kms:Decrypt through SSM under the aws/ssm key policy: %s, want %s", flow, v.Result, want[flow])
		}
	}
}
