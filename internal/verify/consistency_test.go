package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/jitsictl/jitsictl/internal/probe"
)

// These tests share one moto (testbed.Moto resets it), so they do not run in parallel.

func addressesOf(t *testing.T, f *fixture) nlbAddresses {
	t.Helper()
	_, nlb, _ := discover(context.Background(), f.deps, f.target)
	if nlb.err != nil {
		t.Fatalf("discover: %v", nlb.err)
	}
	return nlb
}

func TestDiscoverReadsTheNLBsElasticIPs(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	res, nlb, ls := discover(context.Background(), f.deps, f.target)
	want := sortedSet(f.target.EIPAddresses)
	if strings.Join(nlb.ips, ",") != strings.Join(want, ",") || nlb.source != "the load balancer's Elastic IPs" {
		t.Fatalf("addresses %v from %q, want the EIPs %v from the NLB's own addresses", nlb.ips, nlb.source, want)
	}
	if len(ls) != 2 || res.Status != probe.Pass || !strings.Contains(res.Reason, "listeners TCP 443, UDP 10000") {
		t.Fatalf("load balancer result %+v, listeners %v", res, ls)
	}
}

func TestDiscoverFailsOnDrift(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	tg := f.target
	tg.EIPAddresses = []string{"192.0.2.1", tg.EIPAddresses[0]}
	res, nlb, _ := discover(context.Background(), f.deps, tg)
	if nlb.err == nil || res.Status != probe.Fail || !strings.Contains(res.Reason, "192.0.2.1") || !strings.Contains(res.Reason, "drifted") {
		t.Fatalf("stack EIPs differ from the NLB's: got %+v", res)
	}
}

func TestAdvertisedAddress(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	ctx := context.Background()
	name := f.target.AdvertiseIPsParameter
	nlb := addressesOf(t, f)
	eips := sortedSet(f.target.EIPAddresses)

	if r := AdvertisedAddress(ctx, f.ssm, name, nlb); r.Status != probe.Pass {
		t.Fatalf("parameter = the EIPs: got %+v, want PASS", r)
	}
	// Order and ports (ip#port) do not matter.
	f.setParam(t, name, eips[1]+"#10000, "+eips[0])
	if r := AdvertisedAddress(ctx, f.ssm, name, nlb); r.Status != probe.Pass {
		t.Fatalf("parameter = the EIPs reordered with a port: got %+v, want PASS", r)
	}

	f.setParam(t, name, "203.0.113.9,"+eips[0])
	r := AdvertisedAddress(ctx, f.ssm, name, nlb)
	if r.Status != probe.Fail {
		t.Fatalf("wrong address: got %+v, want FAIL", r)
	}
	for _, want := range []string{"advertises " + strings.Join(sortedSet([]string{"203.0.113.9", eips[0]}), ", "), "are " + eips[0] + ", " + eips[1]} {
		if !strings.Contains(r.Reason, want) {
			t.Errorf("wrong-address reason %q does not name %q", r.Reason, want)
		}
	}

	f.setParam(t, name, "AUTO")
	if r := AdvertisedAddress(ctx, f.ssm, name, nlb); r.Status != probe.Fail || !strings.Contains(r.Reason, `holds "AUTO"`) {
		t.Fatalf("the seed's AUTO: got %+v, want FAIL naming AUTO", r)
	}
}

func TestJVBConfig(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	ctx := context.Background()
	check := func() probe.Result {
		return JVBConfig(ctx, f.ecs, "jitsi", "jvb", f.target.AdvertiseIPsParameter)
	}
	if r := check(); r.Status != probe.Pass || !strings.Contains(r.Reason, "jitsi:1") {
		t.Fatalf("stack's task definition: got %+v, want PASS naming revision 1", r)
	}
	fromParam := []ecstypes.Secret{{Name: aws.String("JVB_ADVERTISE_IPS"), ValueFrom: aws.String(f.paramARN)}}
	f.registerJVB(t, "jitsi", nil, fromParam)
	if r := check(); r.Status != probe.Fail || !strings.Contains(r.Reason, "STUN discovery is on") || !strings.Contains(r.Reason, "jitsi:2") {
		t.Fatalf("no JVB_DISABLE_STUN: got %+v, want FAIL about STUN on the newest revision", r)
	}
	f.registerJVB(t, "jitsi", []ecstypes.KeyValuePair{
		{Name: aws.String("JVB_DISABLE_STUN"), Value: aws.String("true")},
		{Name: aws.String("JVB_ADVERTISE_IPS"), Value: aws.String("AUTO")},
	}, nil)
	r := check()
	if r.Status != probe.Fail || !strings.Contains(r.Reason, `fixed environment value "AUTO"`) || strings.Contains(r.Reason, "STUN discovery") {
		t.Fatalf("literal JVB_ADVERTISE_IPS: got %+v, want FAIL about the literal only", r)
	}
	if r := JVBConfig(ctx, f.ecs, "jitsi", "videobridge", f.target.AdvertiseIPsParameter); r.Status != probe.Fail || !strings.Contains(r.Reason, "no container named videobridge") {
		t.Fatalf("missing container: got %+v", r)
	}
}

func TestSecurityGroup(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	ctx := context.Background()
	tg := f.target
	if r := SecurityGroup(ctx, f.ec2, tg.SecurityGroupID, tg.VPCCIDR, 10000, 8080); r.Status != probe.Pass {
		t.Fatalf("stack's rules: got %+v, want PASS", r)
	}
	// The seed's defect: the health port was not open to the VPC.
	r := SecurityGroup(ctx, f.ec2, tg.SecurityGroupID, tg.VPCCIDR, 10000, 9090)
	if r.Status != probe.Fail || !strings.Contains(r.Reason, "TCP 9090 from the VPC 10.20.0.0/16") || strings.Contains(r.Reason, "UDP") {
		t.Fatalf("health port closed: got %+v, want FAIL naming only TCP 9090", r)
	}
	// A rule for part of the VPC does not admit the NLB nodes in other subnets.
	f.authorize(t, tg.SecurityGroupID, "tcp", 9090, "10.20.1.0/24")
	if r := SecurityGroup(ctx, f.ec2, tg.SecurityGroupID, tg.VPCCIDR, 10000, 9090); r.Status != probe.Fail {
		t.Fatalf("health port open to one subnet only: got %+v, want FAIL", r)
	}
	if r := SecurityGroup(ctx, f.ec2, tg.SecurityGroupID, tg.VPCCIDR, 10001, 8080); r.Status != probe.Fail || !strings.Contains(r.Reason, "UDP 10001 from 0.0.0.0/0") {
		t.Fatalf("media port closed: got %+v", r)
	}
}

func TestTargetHealth(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	ctx := context.Background()
	arn := f.target.TargetGroupARNs["udp-10000"]
	if r := TargetHealth(ctx, f.elb, arn); r.Status != probe.Pass || !strings.Contains(r.Reason, "10.20.1.25:10000 healthy") {
		t.Fatalf("registered target: got %+v, want PASS naming it", r)
	}
	_, err := f.elb.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(arn),
		Targets: []elbtypes.TargetDescription{{Id: aws.String("10.20.1.25"), Port: aws.Int32(10000)}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := TargetHealth(ctx, f.elb, arn); r.Status == probe.Pass {
		t.Fatalf("deregistered target: got %+v, want not PASS", r)
	}
}

func TestRunWithoutSession(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	tg := f.target
	tg.NLBARN = ""
	tg.TaskDefinitionFamily = ""
	rep := Run(context.Background(), f.deps, tg)
	for _, r := range rep.Results {
		if r.Check == "jvb-config" && (r.Status != probe.Fail || !strings.Contains(r.Reason, "stack output task_definition_family is empty")) {
			t.Errorf("empty task definition output: got %+v", r)
		}
	}
	if !rep.Failed() || rep.Results[0].Check != "load-balancer" || !strings.Contains(rep.Results[0].Reason, "no session is open") {
		t.Fatalf("no NLB: got %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.Check == "tcp" || r.Check == "udp-stun" || r.Check == "advertised-address" {
			t.Errorf("probe %s ran without a load balancer", r.Check)
		}
	}
}
