package bootstrap

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// clients are one identity's view of moto.
type clients struct {
	ecs *ecs.Client
	s3  *s3.Client
	ssm *ssm.Client
	iam *iam.Client
	ec2 *ec2.Client
	elb *elbv2.Client
}

func newClients(url string, creds aws.Credentials) clients {
	cfg := awsConfig(url, creds)
	return clients{
		ecs: ecs.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		ssm: ssm.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg),
		ec2: ec2.NewFromConfig(cfg),
		elb: elbv2.NewFromConfig(cfg),
	}
}

// call is one real API request a flow makes, with the action and resource IAM
// authorizes it as (for the cross-check with iam-simulate).
type call struct {
	flow, action, resource string
	allow                  bool
	do                     func(ctx context.Context, c clients) error
}

func put(bucket, key string) func(context.Context, clients) error {
	return func(ctx context.Context, c clients) error {
		_, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("{}")})
		return err
	}
}

func get(bucket, key string) func(context.Context, clients) error {
	return func(ctx context.Context, c clients) error {
		out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
}

func del(bucket, key string) func(context.Context, clients) error {
	return func(ctx context.Context, c clients) error {
		_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		return err
	}
}

func updateService(service string) func(context.Context, clients) error {
	return func(ctx context.Context, c clients) error {
		_, err := c.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(testProject), Service: aws.String(service), DesiredCount: aws.Int32(0)})
		return err
	}
}

func describeServices(ctx context.Context, c clients) error {
	_, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(testProject), Services: []string{testProject}})
	return err
}

func describeTaskDefinition(ctx context.Context, c clients) error {
	_, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(testProject)})
	return err
}

func registerTaskDefinition(ctx context.Context, c clients) error {
	_, err := c.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String(testProject),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("jvb"), Image: aws.String("ghcr.io/jitsi/jvb:stable-11146-2"), Memory: aws.Int32(512)}},
	})
	return err
}

func putRolePolicy(role string) func(context.Context, clients) error {
	return func(ctx context.Context, c clients) error {
		_, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String(role), PolicyName: aws.String("escalate"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
		})
		return err
	}
}

func roleARN(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }

// enforcedCalls are the requests moto can judge the way AWS does: S3 objects and buckets
// (moto authorizes them against their ARNs), IAM role requests (against the role's ARN)
// and statements that name no resource ("*"). moto passes "*" as the resource of every
// other request, so a resource-scoped Allow never matches there (UpdateService on the
// project's service would be refused): those cases are proved by simulate_test.go only.
var enforcedCalls = []call{
	// plan: refresh and the backend's read + lock file; nothing else.
	// DescribeServices is scoped to the project's services now, which moto cannot judge
	// (it authorizes ECS requests against "*"); the task definition read is not.
	{"plan", "ecs:DescribeTaskDefinition", "*", true, describeTaskDefinition},
	{"plan", "s3:ListBucket", bucketARN, true, func(ctx context.Context, c clients) error {
		// No Prefix: moto 5.2.1 recomputes the signature over an escaped query differently
		// from the SDK and answers SignatureDoesNotMatch.
		_, err := c.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
		return err
	}},
	{"plan", "s3:GetObject", stateObject, true, get(testBucket, testKey)},
	// Pull request plans run with -lock=false: a deploy's lock file is out of reach.
	{"plan", "s3:PutObject", lockObject, false, put(testBucket, testKey+".tflock")},
	{"plan", "s3:DeleteObject", lockObject, false, del(testBucket, testKey+".tflock")},
	{"plan", "s3:PutObject", stateObject, false, put(testBucket, testKey)},
	{"plan", "s3:GetObject", otherObject, false, get(testBucket, "other/terraform.tfstate")},
	{"plan", "ecs:UpdateService", serviceARN, false, updateService(testProject)},
	{"plan", "ecs:RegisterTaskDefinition", "*", false, registerTaskDefinition},
	{"plan", "elasticloadbalancing:CreateLoadBalancer", nlbARN, false, func(ctx context.Context, c clients) error {
		_, err := c.elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(testProject + "-jvb"), Type: elbtypes.LoadBalancerTypeEnumNetwork})
		return err
	}},
	// moto refuses this for a weaker reason than AWS (no resource-scoped Allow matches
	// "*"); simulate_test.go shows the explicit Deny. It still fails if the plan role
	// ever gets ssm:GetParameter on "*".
	{"plan", "ssm:GetParameter", secretParam, false, func(ctx context.Context, c clients) error {
		_, err := c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/" + testProject + "/secrets/JVB_AUTH_PASSWORD"), WithDecryption: aws.Bool(true)})
		return err
	}},
	{"plan", "iam:PutRolePolicy", roleARN(RoleName(testProject, "plan")), false, putRolePolicy(RoleName(testProject, "plan"))},

	// session: state, lock and record; no other object, no bucket deletion, no IAM, no
	// task definitions.
	// DescribeServices is scoped to the project's services now, which moto cannot judge
	// (it authorizes ECS requests against "*"); the task definition read is not.
	{"session", "ecs:DescribeTaskDefinition", "*", true, describeTaskDefinition},
	{"session", "s3:PutObject", stateObject, true, put(testBucket, testKey)},
	{"session", "s3:PutObject", lockObject, true, put(testBucket, testKey+".tflock")},
	{"session", "s3:DeleteObject", lockObject, true, del(testBucket, testKey+".tflock")},
	{"session", "s3:PutObject", recordObject, true, put(testBucket, testProject+"/jitsictl-session.json")},
	{"session", "s3:GetObject", recordObject, true, get(testBucket, testProject+"/jitsictl-session.json")},
	{"session", "s3:PutObject", otherObject, false, put(testBucket, "other/terraform.tfstate")},
	{"session", "s3:DeleteBucket", bucketARN, false, func(ctx context.Context, c clients) error {
		_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(testBucket)})
		return err
	}},
	// No cloudwatch:GetMetricData here: this SDK's CloudWatch client speaks RPCv2 CBOR,
	// which moto 5.2.1 answers with 404 before any authorization.
	{"session", "ecs:RegisterTaskDefinition", "*", false, registerTaskDefinition},
	{"session", "iam:PutRolePolicy", taskRole, false, putRolePolicy(testProject + "-task-execution")},
	{"session", "iam:PutRolePolicy", roleARN(RoleName(testProject, "session")), false, putRolePolicy(RoleName(testProject, "session"))},
	{"session", "ec2:RunInstances", arnPrefix("ec2") + "instance/*", false, runInstances},

	// deploy: the stack's own writes, but not the GitHub roles.
	{"deploy", "s3:PutObject", stateObject, true, put(testBucket, testKey)},
	// The state backup every apply takes first (stage/backup.go), and restore-state's read.
	{"deploy", "s3:PutObject", backupObject, true, put(testBucket, testProject+"/backups/x")},
	{"deploy", "s3:GetObject", backupObject, true, get(testBucket, testProject+"/backups/x")},
	{"deploy", "s3:DeleteBucket", bucketARN, false, func(ctx context.Context, c clients) error {
		_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(testBucket)})
		return err
	}},
	{"deploy", "ecs:RegisterTaskDefinition", "*", true, registerTaskDefinition},
	{"deploy", "ec2:CreateVpc", arnPrefix("ec2") + "vpc/*", true, func(ctx context.Context, c clients) error {
		_, err := c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
		return err
	}},
	{"deploy", "ec2:RunInstances", arnPrefix("ec2") + "instance/*", false, runInstances},
	// No IAM writes at all: the task execution role comes from the bootstrap.
	{"deploy", "iam:PutRolePolicy", taskRole, false, putRolePolicy(testProject + "-task-execution")},
	{"deploy", "iam:PutRolePolicy", execRole, false, putRolePolicy(testProject + "-ecs-task-execution")},
	// (CreateRole is left to simulate_test.go: moto refuses it for a role name the old
	// policy allowed, so its verdict would prove nothing.)
	{"deploy", "iam:UpdateAssumeRolePolicy", taskRole, false, func(ctx context.Context, c clients) error {
		_, err := c.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName:       aws.String(testProject + "-task-execution"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`),
		})
		return err
	}},
	{"deploy", "iam:AttachRolePolicy", taskRole, false, func(ctx context.Context, c clients) error {
		_, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName: aws.String(testProject + "-task-execution"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"),
		})
		return err
	}},
	{"deploy", "iam:PutRolePolicy", roleARN(RoleName(testProject, "deploy")), false, putRolePolicy(RoleName(testProject, "deploy"))},
}

func runInstances(ctx context.Context, c clients) error {
	_, err := c.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	return err
}

// testRolesEnforcedByEmulator, on the applied bootstrap, assumes each role the way a
// workflow does (AssumeRoleWithWebIdentity), turns on moto's IAM enforcement and makes
// real calls with each role's credentials. moto does not verify web identity tokens or
// trust conditions; simulate_test.go covers trust.
func testRolesEnforcedByEmulator(t *testing.T, a *applied) {
	ctx := context.Background()
	root := newClients(a.moto.URL, rootCreds)
	seedStack(t, ctx, root)
	admin := makeAdmin(t, ctx, root)

	// Assume before enforcement: the SDK sends AssumeRoleWithWebIdentity unsigned, and
	// moto 5.2.1 answers an unsigned request with a 500 once enforcement is on. The
	// credentials it hands out stay valid, and moto then checks every request signed with
	// them against the role's inline and attached policies.
	stsAPI := sts.NewFromConfig(awsConfig(a.moto.URL, rootCreds))
	ids := map[string]clients{}
	for _, flow := range Flows {
		out, err := stsAPI.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn:          aws.String(roleARN(RoleName(testProject, flow))),
			RoleSessionName:  aws.String("GitHubActions"),
			WebIdentityToken: aws.String("not-verified-by-moto"),
		})
		if err != nil {
			t.Fatalf("assume %s role: %v", flow, err)
		}
		c := out.Credentials
		ids[flow] = newClients(a.moto.URL, aws.Credentials{
			AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
			SessionToken: aws.ToString(c.SessionToken), Source: flow,
		})
	}

	enforceIAM(t, ctx, a.moto.URL)
	// Enforcement is on: moto's unauthenticated default credentials are now refused.
	if err := describeServices(ctx, root); err == nil {
		t.Fatal("moto still accepts unknown credentials: IAM enforcement is off, every result below would be meaningless")
	}

	observed := map[string]bool{}
	for _, c := range enforcedCalls {
		id := permCaseID(c.flow, perm{action: c.action, resource: c.resource})
		err := c.do(ctx, ids[c.flow])
		switch {
		case err == nil:
			observed[id] = true
		case isDenied(err):
			observed[id] = false
		default:
			t.Errorf("%s: neither allowed nor denied: %v", id, err)
			continue
		}
		if observed[id] != c.allow {
			t.Errorf("%s: moto says allowed=%v, want %v (err: %v)", id, observed[id], c.allow, err)
		}
	}

	// The same requests through iam-simulate must give the same answers; this is how
	// the simulator, which proves the resource- and condition-scoped cases, is checked
	// against a real enforcement.
	roles := readRoles(t, ctx, iamClient(a.moto.URL, admin))
	var cases []simCase
	for _, c := range enforcedCalls {
		id := permCaseID(c.flow, perm{action: c.action, resource: c.resource})
		cases = append(cases, simCase{ID: id, IdentityPolicies: roles[c.flow].Policies, Request: simRequest{
			Principal: sessionPrincipal(c.flow), Action: c.action,
			Resource: simResource{c.resource, testAccount}, ContextVariables: map[string]any{},
		}})
	}
	for id, v := range simulate(t, cases) {
		if o, ok := observed[id]; ok && v.allowed() != o {
			t.Errorf("%s: iam-simulate says %s, moto enforced allowed=%v", id, v.Result, o)
		}
	}
}

// seedStack creates the stack objects the calls act on, as the deploy would have.
func seedStack(t *testing.T, ctx context.Context, c clients) {
	t.Helper()
	// moto applies bucket policies to object requests but knows no condition operator
	// except StringEquals, so it takes the TLS-only Deny's Bool condition as met and
	// refuses every object request. On AWS the SDK's HTTPS requests carry
	// aws:SecureTransport=true and the Deny does not apply. bootstrap_test.go checks the
	// policy itself.
	if _, err := c.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(testBucket)}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{testKey, "other/terraform.tfstate", testProject + "/jitsictl-session.json"} {
		if err := put(testBucket, key)(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(testProject)}); err != nil {
		t.Fatal(err)
	}
	if err := registerTaskDefinition(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{testProject, "other"} {
		if _, err := c.ecs.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String(testProject), ServiceName: aws.String(svc), TaskDefinition: aws.String(testProject), DesiredCount: aws.Int32(0),
		}); err != nil {
			t.Fatal(err)
		}
	}
	for name, typ := range map[string]ssmtypes.ParameterType{
		"/" + testProject + "/session/advertise-ips":     ssmtypes.ParameterTypeString,
		"/" + testProject + "/secrets/JVB_AUTH_PASSWORD": ssmtypes.ParameterTypeSecureString,
	} {
		if _, err := c.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Type: typ, Value: aws.String("none")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(testProject + "-task-execution"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
}

// makeAdmin creates an IAM user allowed everything, so the test can still read the
// roles back once enforcement is on.
func makeAdmin(t *testing.T, ctx context.Context, c clients) aws.Credentials {
	t.Helper()
	name := aws.String("bootstrap-test-admin")
	if _, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: name, PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
	k, err := c.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
	if err != nil {
		t.Fatal(err)
	}
	return aws.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey), Source: "admin"}
}

// enforceIAM turns on moto's IAM checks from the next request on, through its
// /moto-api/reset-auth endpoint (INITIAL_NO_AUTH_ACTION_COUNT=0 at run time).
func enforceIAM(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	resetAuth(t, ctx, url, "0")
}

// relaxIAM turns moto's IAM enforcement off again: it lets the next billion requests
// through unchecked, as before enforceIAM.
func relaxIAM(t *testing.T, url string) {
	t.Helper()
	resetAuth(t, context.Background(), url, "1000000000")
}

// resetAuth sets how many requests moto serves before it enforces IAM.
func resetAuth(t *testing.T, ctx context.Context, url, count string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/moto-api/reset-auth", strings.NewReader(count))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain") // a form type would hide the body from moto
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto reset-auth: %s", resp.Status)
	}
}

// isDenied reports an authorization refusal: AccessDenied, or moto's HTTP 403 whose XML
// body the JSON-protocol clients (ECS, SSM) cannot parse into a code.
func isDenied(err error) bool {
	if err == nil {
		return false
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() == http.StatusForbidden {
		return true
	}
	return strings.Contains(err.Error(), "AccessDenied")
}
