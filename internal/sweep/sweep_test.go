package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/testbed"
	goldenfile "github.com/jitsictl/jitsictl/internal/testbed/golden"
)

func TestMain(m *testing.M) { testbed.Main(m) }

const fast = 20 * time.Millisecond

func TestInventoryString(t *testing.T) {
	t.Parallel()
	inv := sweep.Inventory{
		Project:       "jitsi",
		LoadBalancers: []sweep.Resource{{ARN: "arn:lb", Name: "jitsi-session"}},
		Listeners:     []sweep.Resource{{ARN: "arn:l1", Name: "jitsi-session TCP/443"}, {ARN: "arn:l2", Name: "jitsi-session UDP/10000"}},
		TargetGroups:  []sweep.Resource{{ARN: "arn:tg1", Name: "jitsi-media"}, {ARN: "arn:tg2", Name: "jitsi-web"}},
		Addresses: []sweep.Address{
			{AllocationID: "eipalloc-0a1", PublicIP: "203.0.113.10"},
			{AllocationID: "eipalloc-0b2", PublicIP: "203.0.113.11", AssociationID: "eipassoc-1"},
		},
	}
	golden(t, "inventory.txt", inv.String())
	golden(t, "inventory-except.txt", inv.Except("arn:lb", "arn:l1", "arn:l2", "arn:tg1", "eipalloc-0b2").String())
	golden(t, "inventory-empty.txt", sweep.Inventory{Project: "jitsi"}.String())
	if inv.Empty() || !(sweep.Inventory{Project: "jitsi"}).Empty() {
		t.Error("Empty() is wrong")
	}
}

func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }

// world is a moto account with a leaked session next to things that must
// survive the sweep.
type world struct {
	apis                         sweep.APIs
	ec2                          *ec2.Client
	elb                          *elbv2.Client
	keepLB, keepTG, keepUntagged string // ARNs
	keepEIPs                     []string
	sessionEIPs                  []string
}

func tags(kv ...string) []elbtypes.Tag {
	var ts []elbtypes.Tag
	for i := 0; i < len(kv); i += 2 {
		ts = append(ts, elbtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return ts
}

func session(project string) []string { return []string{"Project", project, "Component", "session"} }

func build(t *testing.T) world {
	t.Helper()
	cfg := testbed.Moto(t).AWSConfig(t)
	ctx := context.Background()
	w := world{ec2: ec2.NewFromConfig(cfg), elb: elbv2.NewFromConfig(cfg)}
	w.apis = sweep.APIs{ELB: w.elb, EC2: w.ec2}

	vpc, err := w.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must(t, err)
	vpcID := vpc.Vpc.VpcId
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		s, err := w.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, AvailabilityZone: aws.String(az), CidrBlock: aws.String(fmt.Sprintf("10.0.%d.0/24", i))})
		must(t, err)
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	eip := func(kv ...string) string {
		in := &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc}
		if len(kv) > 0 {
			var ts []ec2types.Tag
			for i := 0; i < len(kv); i += 2 {
				ts = append(ts, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
			}
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp, Tags: ts}}
		}
		out, err := w.ec2.AllocateAddress(ctx, in)
		must(t, err)
		return aws.ToString(out.AllocationId)
	}
	nlb := func(name string, allocs []string, kv ...string) string {
		in := &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Type: elbtypes.LoadBalancerTypeEnumNetwork, Tags: tags(kv...)}
		for i, a := range allocs {
			in.SubnetMappings = append(in.SubnetMappings, elbtypes.SubnetMapping{SubnetId: &subnets[i], AllocationId: aws.String(a)})
		}
		if len(allocs) == 0 {
			in.Subnets = subnets
		}
		out, err := w.elb.CreateLoadBalancer(ctx, in)
		must(t, err)
		return aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	}
	tg := func(name string, proto elbtypes.ProtocolEnum, port int32, kv ...string) string {
		in := &elbv2.CreateTargetGroupInput{Name: &name, Protocol: proto, Port: &port, VpcId: vpcID, TargetType: elbtypes.TargetTypeEnumIp}
		if len(kv) > 0 {
			in.Tags = tags(kv...)
		}
		out, err := w.elb.CreateTargetGroup(ctx, in)
		must(t, err)
		return aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	listener := func(lb, tg string, proto elbtypes.ProtocolEnum, port int32, kv ...string) {
		in := &elbv2.CreateListenerInput{LoadBalancerArn: &lb, Protocol: proto, Port: &port,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: &tg}}}
		if len(kv) > 0 {
			in.Tags = tags(kv...)
		}
		_, err := w.elb.CreateListener(ctx, in)
		must(t, err)
	}

	// The leaked session: an NLB on two tagged EIPs, its groups and listeners
	// (one listener untagged: it goes with its load balancer regardless).
	w.sessionEIPs = []string{eip(session("jitsi")...), eip(session("jitsi")...)}
	lb := nlb("jitsi-session", w.sessionEIPs, session("jitsi")...)
	media := tg("jitsi-media", elbtypes.ProtocolEnumUdp, 10000, session("jitsi")...)
	web := tg("jitsi-web", elbtypes.ProtocolEnumTcp, 443, session("jitsi")...)
	listener(lb, media, elbtypes.ProtocolEnumUdp, 10000, session("jitsi")...)
	listener(lb, web, elbtypes.ProtocolEnumTcp, 443)
	// A tagged EIP still associated with a network interface (as after an
	// NLB's deletion): it must be disassociated before release.
	eni, err := w.ec2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &subnets[0]})
	must(t, err)
	held := eip(session("jitsi")...)
	_, err = w.ec2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: &held, NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId})
	must(t, err)
	w.sessionEIPs = append(w.sessionEIPs, held)
	// More than one DescribeTags batch of target groups, with a leaked one
	// in the second batch.
	for i := range 22 {
		if i == 21 {
			tg(fmt.Sprintf("filler-%02d", i), elbtypes.ProtocolEnumTcp, 80, session("jitsi")...)
		} else {
			tg(fmt.Sprintf("filler-%02d", i), elbtypes.ProtocolEnumTcp, 80)
		}
	}

	// Survivors: another project's session, this project's permanent parts,
	// untagged things.
	otherEIP := eip(session("other")...)
	w.keepLB = nlb("other-session", []string{otherEIP}, session("other")...)
	w.keepTG = tg("jitsi-base", elbtypes.ProtocolEnumTcp, 443, "Project", "jitsi", "Component", "base")
	listener(w.keepLB, w.keepTG, elbtypes.ProtocolEnumTcp, 443, session("jitsi")...)
	w.keepUntagged = nlb("untagged", nil)
	w.keepEIPs = []string{otherEIP, eip("Project", "jitsi", "Component", "base"), eip()}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func names(rs []sweep.Resource) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Name)
	}
	return strings.Join(s, ",")
}

// calls records the order of deleting calls and passes them to moto.
type calls struct {
	mu  sync.Mutex
	log []string
}

func (c *calls) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, s)
}

type recELB struct {
	sweep.ELB
	c *calls
}

func (r recELB) DeleteListener(ctx context.Context, in *elbv2.DeleteListenerInput, o ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error) {
	r.c.add("listener")
	return r.ELB.DeleteListener(ctx, in, o...)
}

func (r recELB) DeleteLoadBalancer(ctx context.Context, in *elbv2.DeleteLoadBalancerInput, o ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error) {
	r.c.add("load balancer")
	return r.ELB.DeleteLoadBalancer(ctx, in, o...)
}

func (r recELB) DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, o ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error) {
	r.c.add("target group")
	return r.ELB.DeleteTargetGroup(ctx, in, o...)
}

// describeRec records the describe calls FindTargetGroups has no need of.
type describeRec struct {
	sweep.ELB
	c *calls
}

func (r describeRec) DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, o ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	r.c.add("load balancers")
	return r.ELB.DescribeLoadBalancers(ctx, in, o...)
}

func (r describeRec) DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, o ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	r.c.add("listeners")
	return r.ELB.DescribeListeners(ctx, in, o...)
}

type recEC2 struct {
	sweep.EC2
	c *calls
}

func (r recEC2) DisassociateAddress(ctx context.Context, in *ec2.DisassociateAddressInput, o ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error) {
	r.c.add("disassociate")
	return r.EC2.DisassociateAddress(ctx, in, o...)
}

func (r recEC2) ReleaseAddress(ctx context.Context, in *ec2.ReleaseAddressInput, o ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error) {
	r.c.add("release")
	return r.EC2.ReleaseAddress(ctx, in, o...)
}

func TestFindAndDeleteLeavesOnlyOthers(t *testing.T) {
	w := build(t)
	ctx := context.Background()

	tagCalls := &tagCounter{ELB: w.elb}
	inv, err := sweep.Find(ctx, sweep.APIs{ELB: tagCalls, EC2: w.ec2}, "jitsi")
	must(t, err)
	// 3 load balancers in one batch, 25 target groups in two (at most 20 each).
	if got := strings.Join(tagCalls.sizes, ","); got != "3,20,5" {
		t.Errorf("DescribeTags batch sizes %s, want 3,20,5", got)
	}
	if got := names(inv.LoadBalancers); got != "jitsi-session" {
		t.Errorf("load balancers %q", got)
	}
	if got := names(inv.Listeners); got != "jitsi-session UDP/10000,jitsi-session TCP/443" && got != "jitsi-session TCP/443,jitsi-session UDP/10000" {
		t.Errorf("listeners %q", got)
	}
	if got := names(inv.TargetGroups); got != "filler-21,jitsi-media,jitsi-web" {
		t.Errorf("target groups %q", got)
	}
	if len(inv.Addresses) != 3 {
		t.Fatalf("addresses %+v, want the 3 session EIPs", inv.Addresses)
	}
	associated := 0
	for _, a := range inv.Addresses {
		if a.AssociationID != "" {
			associated++
		}
	}
	if associated != 1 {
		t.Errorf("%d associated addresses, want 1: %+v", associated, inv.Addresses)
	}

	// What a session polls while its NLB is created: the same target groups,
	// without listing load balancers and their listeners.
	looked := &calls{}
	polled, err := sweep.FindTargetGroups(ctx, describeRec{w.elb, looked}, "jitsi")
	must(t, err)
	if got, want := names(polled), names(inv.TargetGroups); got != want {
		t.Errorf("FindTargetGroups %q, want Find's %q", got, want)
	}
	if len(looked.log) != 0 {
		t.Errorf("FindTargetGroups described %v", looked.log)
	}

	c := &calls{}
	var steps []string
	apis := sweep.APIs{ELB: recELB{w.elb, c}, EC2: recEC2{w.ec2, c}}
	err = sweep.Delete(ctx, apis, inv, func(s string, _ time.Duration) { steps = append(steps, s) }, sweep.PollEvery(fast))
	must(t, err)
	want := "listener,listener,load balancer,target group,target group,target group,release,release,disassociate,release"
	if got := strings.Join(c.log, ","); got != want && got != strings.Replace(want, "release,release,disassociate,release", "disassociate,release,release,release", 1) &&
		got != strings.Replace(want, "release,release,disassociate,release", "release,disassociate,release,release", 1) {
		t.Errorf("call order:\n got %s\nwant %s (disassociate right before its release)", got, want)
	}
	if log := strings.Join(steps, "\n"); !strings.Contains(log, "load balancer jitsi-session is gone") || !strings.Contains(log, "disassociated Elastic IP") {
		t.Errorf("progress:\n%s", log)
	}

	after, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	if !after.Empty() {
		t.Fatalf("left behind:\n%s", after)
	}
	// Survivors.
	lbs, err := w.elb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{w.keepLB, w.keepUntagged}})
	must(t, err)
	if len(lbs.LoadBalancers) != 2 {
		t.Errorf("surviving load balancers: %d", len(lbs.LoadBalancers))
	}
	tgs, err := w.elb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	must(t, err)
	if len(tgs.TargetGroups) != 22 { // jitsi-base + 21 untagged fillers
		t.Errorf("%d target groups survive, want 22", len(tgs.TargetGroups))
	}
	addrs, err := w.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: w.keepEIPs})
	must(t, err)
	if len(addrs.Addresses) != 3 {
		t.Errorf("surviving EIPs: %d", len(addrs.Addresses))
	}

	// Idempotent: the same inventory again deletes nothing and fails nothing.
	c.log = nil
	must(t, sweep.Delete(ctx, apis, inv, nil, sweep.PollEvery(fast)))
	if strings.Contains(strings.Join(c.log, ","), "disassociate") {
		t.Errorf("second Delete disassociated something: %v", c.log)
	}
	// And a sweep of the empty result is a no-op.
	c.log = nil
	must(t, sweep.Delete(ctx, apis, after, nil, sweep.PollEvery(fast)))
	if len(c.log) != 0 {
		t.Errorf("Delete of an empty inventory called %v", c.log)
	}
}

func TestFindNeedsAProject(t *testing.T) {
	w := build(t)
	if _, err := sweep.Find(context.Background(), w.apis, ""); err == nil {
		t.Fatal("Find with no project must refuse: it would judge every resource")
	}
}

// busyEC2 answers ReleaseAddress with the errors AWS returns while a deleted
// NLB's network interfaces linger (the error shape is smithy's, as the SDK
// produces from EC2's XML), `fails` times, then passes to moto.
type busyEC2 struct {
	sweep.EC2
	mu    sync.Mutex
	fails int
	codes []string
}

func (b *busyEC2) ReleaseAddress(ctx context.Context, in *ec2.ReleaseAddressInput, o ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error) {
	b.mu.Lock()
	if b.fails > 0 {
		b.fails--
		code := b.codes[b.fails%len(b.codes)]
		b.mu.Unlock()
		msg := "The address with allocation id [" + aws.ToString(in.AllocationId) + "] is in use"
		if code == "InvalidParameterValue" {
			msg = "The allocation IDs are not available for use"
		}
		return nil, &smithy.GenericAPIError{Code: code, Message: msg}
	}
	b.mu.Unlock()
	return b.EC2.ReleaseAddress(ctx, in, o...)
}

func TestReleaseRetriesWhileTheAddressIsBusy(t *testing.T) {
	w := build(t)
	ctx := context.Background()
	inv, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	busy := &busyEC2{EC2: w.ec2, fails: 3, codes: []string{"AuthFailure", "InvalidIPAddress.InUse", "InvalidParameterValue"}}
	var steps []string
	err = sweep.Delete(ctx, sweep.APIs{ELB: w.elb, EC2: busy}, inv, func(s string, _ time.Duration) { steps = append(steps, s) }, sweep.PollEvery(fast))
	must(t, err)
	if log := strings.Join(steps, "\n"); strings.Count(log, "busy (") != 3 {
		t.Errorf("want 3 retries reported:\n%s", log)
	}
	after, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	if !after.Empty() {
		t.Fatalf("left behind:\n%s", after)
	}
}

func TestReleaseGivesUpWithTheAllocationID(t *testing.T) {
	w := build(t)
	ctx := context.Background()
	inv, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	busy := &busyEC2{EC2: w.ec2, fails: 1 << 30, codes: []string{"InvalidIPAddress.InUse"}}
	// The addresses never free up: only the 200 ms retry limit lets Delete return.
	err = sweep.Delete(ctx, sweep.APIs{ELB: w.elb, EC2: busy}, inv, nil, sweep.PollEvery(fast), sweep.Limits(time.Minute, 200*time.Millisecond))
	if err == nil {
		t.Fatal("Delete succeeded with addresses that never free up")
	}
	for _, id := range w.sessionEIPs {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("error does not name %s:\n%v", id, err)
		}
	}
	if !strings.Contains(err.Error(), "InvalidIPAddress.InUse") || !strings.Contains(err.Error(), "run the sweep again") {
		t.Errorf("error is not actionable:\n%v", err)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Errorf("the API error is not wrapped: %v", err)
	}

	// The load balancer and groups went anyway: Delete carries on.
	after, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	if len(after.LoadBalancers)+len(after.TargetGroups) != 0 || len(after.Addresses) != 3 {
		t.Errorf("after a partial sweep:\n%s", after)
	}
}

// inUseELB answers DeleteTargetGroup with ResourceInUse `fails` times, as ELB
// does for a moment after the load balancer using the group is deleted.
type inUseELB struct {
	sweep.ELB
	mu    sync.Mutex
	fails int
}

func (e *inUseELB) DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, o ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error) {
	e.mu.Lock()
	if e.fails > 0 {
		e.fails--
		e.mu.Unlock()
		msg := "Target group '" + aws.ToString(in.TargetGroupArn) + "' is currently in use by a listener or a rule"
		return nil, &elbtypes.ResourceInUseException{Message: &msg}
	}
	e.mu.Unlock()
	return e.ELB.DeleteTargetGroup(ctx, in, o...)
}

func TestTargetGroupInUseIsRetried(t *testing.T) {
	w := build(t)
	ctx := context.Background()
	inv, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	must(t, sweep.Delete(ctx, sweep.APIs{ELB: &inUseELB{ELB: w.elb, fails: 2}, EC2: w.ec2}, inv, nil, sweep.PollEvery(fast)))
	after, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	if !after.Empty() {
		t.Fatalf("left behind:\n%s", after)
	}
}

// protectedELB refuses DeleteLoadBalancer as ELB does with deletion
// protection on (moto stores the attribute but does not enforce it). It counts
// the looks for a deleted load balancer and the target group deletions after.
type protectedELB struct {
	sweep.ELB
	mu                 sync.Mutex
	refused            bool
	lbLooks, tgDeletes int
}

func (p *protectedELB) DeleteLoadBalancer(context.Context, *elbv2.DeleteLoadBalancerInput, ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error) {
	p.mu.Lock()
	p.refused = true
	p.mu.Unlock()
	msg := "Load balancer 'jitsi-session' cannot be deleted because deletion protection is enabled"
	return nil, &elbtypes.OperationNotPermittedException{Message: &msg}
}

func (p *protectedELB) DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, o ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	p.mu.Lock()
	if p.refused {
		p.lbLooks++
	}
	p.mu.Unlock()
	return p.ELB.DescribeLoadBalancers(ctx, in, o...)
}

func (p *protectedELB) DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, o ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error) {
	p.mu.Lock()
	p.tgDeletes++
	p.mu.Unlock()
	return p.ELB.DeleteTargetGroup(ctx, in, o...)
}

func TestUndeletableLoadBalancerFailsFastAndTheRestGoes(t *testing.T) {
	w := build(t)
	ctx := context.Background()
	inv, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	// Limits of an hour: only not waiting at all lets Delete return.
	elb := &protectedELB{ELB: w.elb}
	err = sweep.Delete(ctx, sweep.APIs{ELB: elb, EC2: w.ec2}, inv, nil, sweep.PollEvery(fast), sweep.Limits(time.Hour, time.Hour))
	if err == nil || !strings.Contains(err.Error(), "delete load balancer jitsi-session") || !strings.Contains(err.Error(), "deletion protection is on") {
		t.Fatalf("Delete of a protected load balancer: %v", err)
	}
	if elb.lbLooks != 0 || elb.tgDeletes > len(inv.TargetGroups) {
		t.Errorf("after the refused delete: %d looks for the load balancer, %d target group deletions for %d groups; a load balancer that was not deleted must not be waited for, its target groups tried once",
			elb.lbLooks, elb.tgDeletes, len(inv.TargetGroups))
	}
	after, err := sweep.Find(ctx, w.apis, "jitsi")
	must(t, err)
	if names(after.LoadBalancers) != "jitsi-session" || len(after.Listeners) != 0 || len(after.Addresses) != 0 {
		t.Errorf("after a sweep with a protected load balancer:\n%s", after)
	}
}

func TestCancelledDeleteStops(t *testing.T) {
	w := build(t)
	inv, err := sweep.Find(context.Background(), w.apis, "jitsi")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = sweep.Delete(ctx, w.apis, inv, nil, sweep.PollEvery(fast))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "sweep interrupted") {
		t.Fatalf("Delete with a cancelled context: %v", err)
	}
	if n := strings.Count(err.Error(), "\n"); n > 3 {
		t.Errorf("%d error lines; an interrupted sweep should stop early:\n%v", n+1, err)
	}
}

// tagCounter records the size of each DescribeTags call.
type tagCounter struct {
	sweep.ELB
	sizes []string
}

func (c *tagCounter) DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, o ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error) {
	c.sizes = append(c.sizes, fmt.Sprint(len(in.ResourceArns)))
	return c.ELB.DescribeTags(ctx, in, o...)
}
