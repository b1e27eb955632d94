package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// fixture is a session as the stack leaves it, created directly in moto: a
// VPC with two subnets, an Elastic IP per subnet, an NLB with subnet mappings,
// a TCP and a UDP listener with their target groups, the task's security
// group, the advertise-ips parameter and the task definition.
type fixture struct {
	target Target
	deps   Deps
	emu    *testbed.Emulator
	ec2    *ec2.Client
	ssm    *ssm.Client
	ecs    *ecs.Client
	elb    *elb.Client

	paramARN string
	tcpPort  int32
	udpPort  int32
}

type fixtureOpts struct {
	tcpPort, udpPort int32 // listener ports (defaults 443 and 10000)
}

func newFixture(t testing.TB, o fixtureOpts) *fixture {
	t.Helper()
	if o.tcpPort == 0 {
		o.tcpPort = 443
	}
	if o.udpPort == 0 {
		o.udpPort = 10000
	}
	emu := testbed.Moto(t)
	cfg := emu.AWSConfig(t)
	ctx := context.Background()
	f := &fixture{emu: emu, ec2: ec2.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg), ecs: ecs.NewFromConfig(cfg), elb: elb.NewFromConfig(cfg),
		tcpPort: o.tcpPort, udpPort: o.udpPort}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %s: %v", what, err)
		}
	}

	vpc, err := f.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	must(err, "create VPC")
	vpcID := vpc.Vpc.VpcId
	var mappings []elbtypes.SubnetMapping
	var eips []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sn, err := f.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, AvailabilityZone: aws.String(az), CidrBlock: aws.String(fmt.Sprintf("10.20.%d.0/24", i+1))})
		must(err, "create subnet")
		a, err := f.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
		must(err, "allocate EIP")
		eips = append(eips, aws.ToString(a.PublicIp))
		mappings = append(mappings, elbtypes.SubnetMapping{SubnetId: sn.Subnet.SubnetId, AllocationId: a.AllocationId})
	}
	lb, err := f.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("jitsi-jvb"), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, SubnetMappings: mappings})
	must(err, "create NLB")
	lbARN := lb.LoadBalancers[0].LoadBalancerArn

	tgs := map[string]string{}
	for _, tg := range []struct {
		name  string
		proto elbtypes.ProtocolEnum
		port  int32
	}{{"udp-10000", elbtypes.ProtocolEnumUdp, 10000}, {"web-8443", elbtypes.ProtocolEnumTcp, 8443}} {
		out, err := f.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("jitsi-" + tg.name), Protocol: tg.proto, Port: aws.Int32(tg.port),
			VpcId: vpcID, TargetType: elbtypes.TargetTypeEnumIp, HealthCheckProtocol: elbtypes.ProtocolEnumHttp, HealthCheckPort: aws.String("8080"), HealthCheckPath: aws.String("/about/health")})
		must(err, "create target group")
		arn := out.TargetGroups[0].TargetGroupArn
		tgs[tg.name] = aws.ToString(arn)
		_, err = f.elb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: arn, Targets: []elbtypes.TargetDescription{{Id: aws.String("10.20.1.25"), Port: aws.Int32(tg.port)}}})
		must(err, "register target")
		lport, lproto := o.tcpPort, elbtypes.ProtocolEnumTcp
		if tg.proto == elbtypes.ProtocolEnumUdp {
			lport, lproto = o.udpPort, elbtypes.ProtocolEnumUdp
		}
		_, err = f.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbARN, Protocol: lproto, Port: aws.Int32(lport),
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: arn}}})
		must(err, "create listener")
	}

	sg, err := f.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("jitsi-task"), Description: aws.String("task"), VpcId: vpcID})
	must(err, "create security group")
	f.authorize(t, aws.ToString(sg.GroupId), "udp", 10000, "0.0.0.0/0")
	f.authorize(t, aws.ToString(sg.GroupId), "tcp", 8080, "10.20.0.0/16")

	const param = "/jitsi/session/advertise-ips"
	f.setParam(t, param, strings.Join(eips, ","))
	p, err := f.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(param)})
	must(err, "read parameter")
	f.paramARN = aws.ToString(p.Parameter.ARN)
	f.registerJVB(t, "jitsi", []ecstypes.KeyValuePair{{Name: aws.String("JVB_DISABLE_STUN"), Value: aws.String("1")}},
		[]ecstypes.Secret{{Name: aws.String("JVB_ADVERTISE_IPS"), ValueFrom: aws.String(f.paramARN)}})

	f.target = Target{
		NLBARN: aws.ToString(lbARN), EIPAddresses: eips, TargetGroupARNs: tgs,
		SecurityGroupID: aws.ToString(sg.GroupId), VPCCIDR: "10.20.0.0/16",
		AdvertiseIPsParameter: param, TaskDefinitionFamily: "jitsi",
	}
	f.deps = depsFromConfig(cfg)
	return f
}

// depsFromConfig bounds each check by minutes: the checks pass or fail on what they see,
// and none of these tests wants one cut short by a loaded machine.
func depsFromConfig(cfg aws.Config) Deps {
	return Deps{SSM: ssm.NewFromConfig(cfg), ELB: elb.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg), CheckTimeout: 2 * time.Minute}
}

func (f *fixture) authorize(t testing.TB, sg, proto string, port int32, cidr string) {
	t.Helper()
	_, err := f.ec2.AuthorizeSecurityGroupIngress(context.Background(), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String(proto), FromPort: aws.Int32(port), ToPort: aws.Int32(port), IpRanges: []ec2types.IpRange{{CidrIp: aws.String(cidr)}}}}})
	if err != nil {
		t.Fatalf("fixture: authorize %s %d from %s: %v", proto, port, cidr, err)
	}
}

func (f *fixture) setParam(t testing.TB, name, value string) {
	t.Helper()
	_, err := f.ssm.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)})
	if err != nil {
		t.Fatalf("fixture: put parameter %s: %v", name, err)
	}
}

// registerJVB registers a new revision of family whose jvb container has env and secrets.
func (f *fixture) registerJVB(t testing.TB, family string, env []ecstypes.KeyValuePair, secrets []ecstypes.Secret) {
	t.Helper()
	_, err := f.ecs.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family), NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu: aws.String("1024"), Memory: aws.String("2048"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("web"), Image: aws.String("ghcr.io/jitsi/web:stable-11146-2"), Essential: aws.Bool(true)},
			{Name: aws.String("jvb"), Image: aws.String("ghcr.io/jitsi/jvb:stable-11146-2"), Essential: aws.Bool(true), Environment: env, Secrets: secrets},
		},
	})
	if err != nil {
		t.Fatalf("fixture: register task definition: %v", err)
	}
}
