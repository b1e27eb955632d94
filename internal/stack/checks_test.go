package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

func advertised(t *testing.T, c clients, name string) string {
	t.Helper()
	p := must(c.ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name)}))(t)
	return aws.ToString(p.Parameter.Value)
}

// sessionAddresses finds Elastic IPs the way a sweeper would: by Project + Component tags.
func sessionAddresses(t *testing.T, c clients, project string) []ec2types.Address {
	t.Helper()
	out := must(c.ec2.DescribeAddresses(context.Background(), &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:Project"), Values: []string{project}},
		{Name: aws.String("tag:Component"), Values: []string{"session"}},
	}}))(t)
	return out.Addresses
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func checkSecurityGroup(t *testing.T, c clients, sg, vpcCIDR string) {
	rules := must(c.ec2.DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sg}}},
	}))(t)
	var ingress []string
	for _, r := range rules.SecurityGroupRules {
		if aws.ToBool(r.IsEgress) {
			continue
		}
		ingress = append(ingress, strings.Join([]string{aws.ToString(r.IpProtocol), itoa(r.FromPort), itoa(r.ToPort), aws.ToString(r.CidrIpv4)}, " "))
	}
	want := []string{
		"udp 10000 10000 0.0.0.0/0", // media: the NLB keeps client addresses for UDP
		"tcp 8000 8000 " + vpcCIDR,
		"tcp 8443 8443 " + vpcCIDR,
		"tcp 8080 8080 " + vpcCIDR, // JVB health, checked by the NLB from inside the VPC
	}
	if !sameSet(ingress, want) {
		t.Errorf("ingress rules = %q, want exactly %q", ingress, want)
	}
}

func itoa(p *int32) string {
	b, _ := json.Marshal(aws.ToInt32(p))
	return string(b)
}

func checkTaskDefinition(t *testing.T, c clients, family, advertiseParam string, secretNames []string) {
	ctx := context.Background()
	td := must(c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)}))(t).TaskDefinition
	arn := func(name string) string {
		return aws.ToString(must(c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)}))(t).Parameter.ARN)
	}
	secretARN := map[string]string{}
	for _, n := range secretNames {
		secretARN[n[strings.LastIndex(n, "/")+1:]] = arn(n)
	}
	if len(secretARN) != 3 || secretARN["JICOFO_AUTH_PASSWORD"] == "" || secretARN["JVB_AUTH_PASSWORD"] == "" || secretARN["JWT_APP_SECRET"] == "" {
		t.Fatalf("secret_parameter_names = %v, want the JICOFO and JVB auth passwords and the JWT app secret", secretNames)
	}
	want := map[string]map[string]string{
		// Only Prosody checks tokens, so only Prosody gets the JWT secret.
		"prosody": {"JICOFO_AUTH_PASSWORD": secretARN["JICOFO_AUTH_PASSWORD"], "JVB_AUTH_PASSWORD": secretARN["JVB_AUTH_PASSWORD"], "JWT_APP_SECRET": secretARN["JWT_APP_SECRET"]},
		"jicofo":  {"JICOFO_AUTH_PASSWORD": secretARN["JICOFO_AUTH_PASSWORD"]},
		"jvb":     {"JVB_AUTH_PASSWORD": secretARN["JVB_AUTH_PASSWORD"], "JVB_ADVERTISE_IPS": arn(advertiseParam)},
		"web":     {},
	}
	if aws.ToString(td.Cpu) != "4096" || aws.ToString(td.Memory) != "8192" || td.NetworkMode != ecstypes.NetworkModeAwsvpc || td.RuntimePlatform == nil || td.RuntimePlatform.CpuArchitecture != ecstypes.CPUArchitectureArm64 {
		t.Errorf("task: cpu %s memory %s mode %s platform %+v", aws.ToString(td.Cpu), aws.ToString(td.Memory), td.NetworkMode, td.RuntimePlatform)
	}
	if len(td.ContainerDefinitions) != len(want) {
		t.Errorf("%d containers, want %d", len(td.ContainerDefinitions), len(want))
	}
	for _, cd := range td.ContainerDefinitions {
		name := aws.ToString(cd.Name)
		got := map[string]string{}
		for _, s := range cd.Secrets {
			got[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
		}
		if w, ok := want[name]; !ok || !equalMaps(got, w) {
			t.Errorf("container %s secrets = %v, want %v", name, got, want[name])
		}
		if img := aws.ToString(cd.Image); img != "ghcr.io/jitsi/"+name+":stable-11146-2" {
			t.Errorf("container %s image %s, want the pinned ghcr.io release", name, img)
		}
		if cd.HealthCheck == nil || len(cd.HealthCheck.Command) == 0 {
			t.Errorf("container %s has no health check", name)
		}
		if cd.LogConfiguration == nil || cd.LogConfiguration.LogDriver != ecstypes.LogDriverAwslogs {
			t.Errorf("container %s does not log to CloudWatch", name)
		}
		env := map[string]string{}
		for _, kv := range cd.Environment {
			env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
		}
		for k := range env {
			if strings.Contains(k, "PASSWORD") || strings.Contains(k, "SECRET") || strings.HasPrefix(k, "JVB_TCP") || k == "DOCKER_HOST_ADDRESS" {
				t.Errorf("container %s has plain environment variable %s", name, k)
			}
		}
		if name != "web" && env["XMPP_SERVER"] != "127.0.0.1" {
			t.Errorf("container %s XMPP_SERVER = %q: containers of an awsvpc task share localhost", name, env["XMPP_SERVER"])
		}
		if name == "web" && (env["BOSH_RELATIVE"] != "true" || env["PUBLIC_URL"] != "") {
			t.Errorf("web without a domain: BOSH_RELATIVE = %q, PUBLIC_URL = %q: config.js would point clients at localhost", env["BOSH_RELATIVE"], env["PUBLIC_URL"])
		}
		checkAuthEnv(t, name, env, family)
		if name == "jvb" && (env["JVB_DISABLE_STUN"] != "1" || env["DISABLE_AWS_HARVESTER"] != "true") {
			t.Errorf("jvb JVB_DISABLE_STUN = %q, DISABLE_AWS_HARVESTER = %q: with fixed addresses neither STUN nor the AWS harvester may add the task's own IP", env["JVB_DISABLE_STUN"], env["DISABLE_AWS_HARVESTER"])
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

type policyDoc struct {
	Statement []struct {
		Effect    string
		Action    any
		Resource  any
		Condition map[string]map[string]any
	}
}

func strs(x any) []string {
	switch x := x.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, v := range x {
			s, _ := v.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func checkExecutionRole(t *testing.T, c clients, family, prefix string) {
	ctx := context.Background()
	td := must(c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)}))(t).TaskDefinition
	roleARN := aws.ToString(td.ExecutionRoleArn)
	role := roleARN[strings.LastIndex(roleARN, "/")+1:]
	if att := must(c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)}))(t); len(att.AttachedPolicies) != 0 {
		t.Errorf("execution role has managed policies %v: it must only read the project's parameters and write logs", att.AttachedPolicies)
	}
	names := must(c.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)}))(t)
	if len(names.PolicyNames) != 1 {
		t.Fatalf("execution role inline policies = %v, want one", names.PolicyNames)
	}
	p := must(c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(names.PolicyNames[0])}))(t)
	raw, err := url.QueryUnescape(aws.ToString(p.PolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("policy %s: %v", raw, err)
	}
	paramARN := "arn:aws:ssm:us-east-1:123456789012:parameter" + prefix + "*"
	seen := map[string]bool{}
	for _, st := range doc.Statement {
		for _, a := range strs(st.Action) {
			seen[a] = true
			res := strs(st.Resource)
			switch {
			case a == "ssm:GetParameters":
				if !slices.Equal(res, []string{paramARN}) {
					t.Errorf("ssm:GetParameters on %v, want only %s", res, paramARN)
				}
			case a == "kms:Decrypt":
				if st.Condition["StringEquals"]["kms:ViaService"] != "ssm.us-east-1.amazonaws.com" {
					t.Errorf("kms:Decrypt without the kms:ViaService=ssm condition: %+v", st.Condition)
				}
			case strings.HasPrefix(a, "logs:"):
				for _, r := range res {
					if !strings.Contains(r, ":log-group:/ecs/") {
						t.Errorf("%s on %s, want the task's log group only", a, r)
					}
				}
			case a == "ecr:BatchGetImage" || a == "ecr:GetDownloadUrlForLayer" || a == "ecr:BatchCheckLayerAvailability":
				// Pulls of the stack's own copies (images = "ecr").
				if want := "arn:aws:ecr:us-east-1:123456789012:repository/" + project(prefix) + "/*"; !slices.Equal(res, []string{want}) {
					t.Errorf("%s on %v, want only %s", a, res, want)
				}
			case a == "ecr:GetAuthorizationToken":
				// ECR's login call has no resource to scope it to; it grants no image.
				if !slices.Equal(res, []string{"*"}) {
					t.Errorf("%s on %v", a, res)
				}
				continue
			default:
				t.Errorf("execution role allows %s on %v", a, res)
			}
			if slices.Contains(res, "*") {
				t.Errorf("%s on every resource", a)
			}
		}
	}
	if !seen["ssm:GetParameters"] || !seen["kms:Decrypt"] || !seen["logs:PutLogEvents"] {
		t.Errorf("execution role actions = %v, missing what a task start needs", seen)
	}
}

func checkService(t *testing.T, c clients, cluster, service string) {
	out := must(c.ecs.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}}))(t)
	if len(out.Services) != 1 {
		t.Fatalf("%d services", len(out.Services))
	}
	svc := out.Services[0]
	if svc.DesiredCount != 0 || svc.LaunchType != ecstypes.LaunchTypeFargate {
		t.Errorf("service desired %d launch %s, want 0 FARGATE", svc.DesiredCount, svc.LaunchType)
	}
	if svc.PropagateTags != ecstypes.PropagateTagsService {
		t.Errorf("service propagateTags %q, want SERVICE: tasks need the Project tag for cost allocation", svc.PropagateTags)
	}
	nc := svc.NetworkConfiguration
	if nc == nil || nc.AwsvpcConfiguration == nil || nc.AwsvpcConfiguration.AssignPublicIp != ecstypes.AssignPublicIpEnabled || len(nc.AwsvpcConfiguration.Subnets) != 2 {
		t.Errorf("service network configuration = %+v, want public IP in both subnets", nc)
	}
	if len(svc.LoadBalancers) != 0 {
		t.Errorf("service has load balancers %v: the session registers targets, so the NLB can come and go", svc.LoadBalancers)
	}
}

func checkDesired(t *testing.T, c clients, o testbed.Outputs, want int32) {
	out := must(c.ecs.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(o.ClusterName), Services: []string{o.ServiceName}}))(t)
	if got := out.Services[0].DesiredCount; got != want {
		t.Errorf("desired count after apply = %d, want %d: an apply must never scale a live session", got, want)
	}
}

func checkBucket(t *testing.T, c clients, bucket string) {
	ctx := context.Background()
	b := aws.String(bucket)
	if v := must(c.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b}))(t); v.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning %q", v.Status)
	}
	enc := must(c.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}))(t)
	if r := enc.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("encryption rules %+v", r)
	}
	pab := must(c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}))(t).PublicAccessBlockConfiguration
	if !aws.ToBool(pab.BlockPublicAcls) || !aws.ToBool(pab.BlockPublicPolicy) || !aws.ToBool(pab.IgnorePublicAcls) || !aws.ToBool(pab.RestrictPublicBuckets) {
		t.Errorf("public access block %+v", pab)
	}
	lc := must(c.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b}))(t)
	var archive, noncurrent bool
	for _, r := range lc.Rules {
		if r.Filter != nil && aws.ToString(r.Filter.Prefix) == "archive/" && len(r.Transitions) == 1 && r.Transitions[0].StorageClass == s3types.TransitionStorageClassGlacierIr {
			archive = true
		}
		if r.NoncurrentVersionExpiration != nil && aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) > 0 {
			noncurrent = true
		}
	}
	if !archive || !noncurrent {
		t.Errorf("lifecycle rules %+v: want archive/ -> GLACIER_IR and noncurrent expiry", lc.Rules)
	}
	// TLS only, like the state bucket.
	pol := aws.ToString(must(c.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))(t).Policy)
	if !strings.Contains(pol, `"Effect":"Deny"`) || !strings.Contains(pol, `"aws:SecureTransport":"false"`) {
		t.Errorf("bucket policy %s: want a Deny on aws:SecureTransport false", pol)
	}
}

// Write-only secrets: the values exist in SSM but nowhere in the state object or in
// anything terraform printed.
func checkSecretsNotInState(t *testing.T, c clients, s *testbed.Stack, names []string) {
	ctx := context.Background()
	params := must(c.ssm.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)}))(t)
	if len(params.Parameters) != len(names) || len(names) == 0 {
		t.Fatalf("found %d of the secret parameters %v", len(params.Parameters), names)
	}
	state := s.StateObject(t)
	if !bytes.Contains(state, []byte(names[0])) {
		t.Fatalf("the state object does not even mention %s: wrong object?", names[0])
	}
	log, err := os.ReadFile(s.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range params.Parameters {
		v := aws.ToString(p.Value)
		if p.Type != "SecureString" || len(v) < 32 {
			t.Errorf("%s: type %s, %d characters: want a generated SecureString", aws.ToString(p.Name), p.Type, len(v))
			continue
		}
		if bytes.Contains(state, []byte(v)) {
			t.Errorf("the value of %s is in the terraform state", aws.ToString(p.Name))
		}
		if bytes.Contains(log, []byte(v)) {
			t.Errorf("the value of %s is in terraform's output", aws.ToString(p.Name))
		}
	}
}

func checkNLB(t *testing.T, c clients, s *testbed.Stack, o testbed.Outputs) {
	ctx := context.Background()
	lbs := must(c.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{o.NLBArn}}))(t)
	if len(lbs.LoadBalancers) != 1 {
		t.Fatalf("%d load balancers for %s", len(lbs.LoadBalancers), o.NLBArn)
	}
	lb := lbs.LoadBalancers[0]
	if lb.Type != elbtypes.LoadBalancerTypeEnumNetwork {
		t.Errorf("load balancer type %s, want network", lb.Type)
	}
	// moto 5.2.1 leaves Scheme out of DescribeLoadBalancers; then the state's internal flag
	// (what terraform sent as Scheme) stands in.
	if lb.Scheme == "" {
		if internal := stateAttr(t, s, "module.jvb_nlb[0].aws_lb.this", "internal"); internal != false {
			t.Errorf("NLB internal = %v in state, want an internet-facing NLB", internal)
		}
	} else if lb.Scheme != elbtypes.LoadBalancerSchemeEnumInternetFacing {
		t.Errorf("NLB scheme %s, want internet-facing", lb.Scheme)
	}
	var allocs, ips []string
	for _, az := range lb.AvailabilityZones {
		for _, a := range az.LoadBalancerAddresses {
			allocs = append(allocs, aws.ToString(a.AllocationId))
			ips = append(ips, aws.ToString(a.IpAddress))
		}
	}
	if !sameSet(allocs, o.EIPAllocationIDs) || !sameSet(ips, o.EIPAddresses) {
		t.Errorf("NLB subnet mappings carry allocations %v / addresses %v, want the session EIPs %v / %v", allocs, ips, o.EIPAllocationIDs, o.EIPAddresses)
	}
	attrs := must(c.elb.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn}))(t)
	for _, a := range attrs.Attributes {
		if aws.ToString(a.Key) == "load_balancing.cross_zone.enabled" && aws.ToString(a.Value) != "true" {
			t.Errorf("cross-zone load balancing is off: clients sending media to the other AZ's address would reach no target")
		}
	}
	tags := must(c.elb.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: append([]string{o.NLBArn}, o.TargetGroups()...)}))(t)
	for _, d := range tags.TagDescriptions {
		m := map[string]string{}
		for _, tag := range d.Tags {
			m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if m["Component"] != "session" || m["Project"] != o.Project {
			t.Errorf("%s tags %v: a sweeper finds session resources by Project + Component=session", aws.ToString(d.ResourceArn), m)
		}
	}
	listeners := must(c.elb.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn}))(t)
	got := map[string]string{}
	for _, l := range listeners.Listeners {
		got[string(l.Protocol)+" "+itoa(l.Port)] = aws.ToString(l.DefaultActions[0].TargetGroupArn)
	}
	want := map[string]string{"UDP 10000": o.TargetGroupARNs["udp_10000"], "TCP 443": o.TargetGroupARNs["tcp_443"]}
	if !equalMaps(got, want) {
		t.Errorf("listeners %v, want %v", got, want)
	}
	if a := sessionAddresses(t, c, o.Project); len(a) != 2 {
		t.Errorf("%d Elastic IPs tagged Project+Component=session, want 2", len(a))
	}
}

func checkTargetGroups(t *testing.T, c clients, o testbed.Outputs) {
	ctx := context.Background()
	tgs := must(c.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{o.TargetGroupARNs["udp_10000"], o.TargetGroupARNs["tcp_443"]}}))(t)
	for _, tg := range tgs.TargetGroups {
		arn := aws.ToString(tg.TargetGroupArn)
		if tg.TargetType != elbtypes.TargetTypeEnumIp || aws.ToString(tg.VpcId) != o.VPCID {
			t.Errorf("%s: target type %s in %s, want ip targets in the stack's VPC (Fargate awsvpc)", arn, tg.TargetType, aws.ToString(tg.VpcId))
		}
		switch arn {
		case o.TargetGroupARNs["udp_10000"]:
			if tg.Protocol != elbtypes.ProtocolEnumUdp || aws.ToInt32(tg.Port) != 10000 {
				t.Errorf("media target group %s %d, want UDP 10000", tg.Protocol, aws.ToInt32(tg.Port))
			}
			if tg.HealthCheckProtocol != elbtypes.ProtocolEnumHttp || aws.ToString(tg.HealthCheckPort) != "8080" || aws.ToString(tg.HealthCheckPath) != "/about/health" {
				t.Errorf("media health check %s %s %s, want HTTP 8080 /about/health", tg.HealthCheckProtocol, aws.ToString(tg.HealthCheckPort), aws.ToString(tg.HealthCheckPath))
			}
			if i := aws.ToInt32(tg.HealthCheckIntervalSeconds); i < 5 || i > 10 {
				t.Errorf("media health check interval %d s, want 5-10", i)
			}
		case o.TargetGroupARNs["tcp_443"]:
			if tg.Protocol != elbtypes.ProtocolEnumTcp || aws.ToInt32(tg.Port) != 8443 {
				t.Errorf("web target group without a certificate %s %d, want TCP pass-through to 8443", tg.Protocol, aws.ToInt32(tg.Port))
			}
		default:
			t.Errorf("unexpected target group %s", arn)
		}
		attrs := must(c.elb.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn}))(t)
		for _, a := range attrs.Attributes {
			if aws.ToString(a.Key) == "deregistration_delay.timeout_seconds" {
				if v := aws.ToString(a.Value); v == "300" || len(v) > 2 {
					t.Errorf("%s deregistration delay %s s: sessions want it short", arn, v)
				}
			}
		}
	}
	if len(tgs.TargetGroups) != 2 {
		t.Errorf("%d target groups, want 2", len(tgs.TargetGroups))
	}
}

// stateAttr reads one attribute of a resource instance from the state object.
func stateAttr(t *testing.T, s *testbed.Stack, addr, attr string) any {
	t.Helper()
	var st struct {
		Resources []struct {
			Module, Type, Name string
			Instances          []struct {
				Attributes map[string]any
			}
		}
	}
	if err := json.Unmarshal(s.StateObject(t), &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		a := r.Type + "." + r.Name
		if r.Module != "" {
			a = r.Module + "." + a
		}
		if a == addr && len(r.Instances) == 1 {
			return r.Instances[0].Attributes[attr]
		}
	}
	t.Fatalf("state has no single instance of %s", addr)
	return nil
}

// checkAuthEnv: Prosody, Jicofo and the web config run token authentication
// for the default access mode (invite: no guest domain, no empty tokens);
// JVB takes no part in it.
func checkAuthEnv(t *testing.T, container string, env map[string]string, appID string) {
	t.Helper()
	want := map[string]string{
		"ENABLE_AUTH": "1", "AUTH_TYPE": "jwt", "JWT_APP_ID": appID, "JWT_ACCEPTED_ISSUERS": appID,
		"JWT_ACCEPTED_AUDIENCES": appID, "JWT_ALLOW_EMPTY": "0", "ENABLE_GUESTS": "0",
	}
	for k, v := range want {
		got, ok := env[k]
		switch {
		case container == "jvb" && ok:
			t.Errorf("jvb has auth setting %s=%s; only prosody, jicofo and web need them", k, got)
		case container != "jvb" && got != v:
			t.Errorf("container %s %s = %q, want %q", container, k, got, v)
		}
	}
}

// project is the stack's project name from its parameter prefix (/<project>/).
func project(prefix string) string { return strings.Trim(prefix, "/") }
