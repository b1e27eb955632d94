package targets_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/jitsictl/jitsictl/internal/targets"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

const fast = 20 * time.Millisecond

// Wait limits. A wait meant to succeed gets minutes: it returns as soon as the targets are
// healthy, and a loaded machine must not fail it. A wait meant to time out gets timesOut:
// long enough for its first look at moto on a loaded machine, so its error names a state.
const (
	patient  = 5 * time.Minute
	timesOut = 10 * time.Second
)

type env struct {
	elb        *elbv2.Client
	media, web string // target group ARNs
}

// setup resets moto and creates the session's two target groups as the NLB
// module does: UDP 10000 with an HTTP check on 8080, and TCP 443.
func setup(t *testing.T) env {
	t.Helper()
	cfg := testbed.Moto(t).AWSConfig(t)
	ctx := context.Background()
	vpc, err := ec2.NewFromConfig(cfg).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	e := env{elb: elbv2.NewFromConfig(cfg)}
	mk := func(name string, proto types.ProtocolEnum, port int32, hc types.ProtocolEnum, hcPort string) string {
		out, err := e.elb.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
			Name: &name, Protocol: proto, Port: &port, VpcId: vpc.Vpc.VpcId, TargetType: types.TargetTypeEnumIp,
			HealthCheckProtocol: hc, HealthCheckPort: &hcPort,
		})
		if err != nil {
			t.Fatalf("create target group %s: %v", name, err)
		}
		return aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	e.media = mk("jitsi-media", types.ProtocolEnumUdp, 10000, types.ProtocolEnumHttp, "8080")
	e.web = mk("jitsi-web", types.ProtocolEnumTcp, 443, types.ProtocolEnumTcp, "traffic-port")
	return e
}

// targetsOf lists what moto holds, as "ip:port", sorted.
func targetsOf(t *testing.T, api targets.API, tg string) []string {
	t.Helper()
	out, err := api.DescribeTargetHealth(context.Background(), &elbv2.DescribeTargetHealthInput{TargetGroupArn: &tg})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, d := range out.TargetHealthDescriptions {
		if d.TargetHealth != nil && d.TargetHealth.State == types.TargetHealthStateEnumDraining {
			continue
		}
		s = append(s, fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port)))
	}
	sort.Strings(s)
	return s
}

func same(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestSyncRegistersAtEachGroupsPortAndRemovesStaleTargets(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	groups := []string{e.media, e.web}

	ch, err := targets.Sync(ctx, e.elb, groups, "10.0.1.5")
	if err != nil {
		t.Fatal(err)
	}
	if got := ch.String(); got != "registered 10.0.1.5:10000 in jitsi-media, 10.0.1.5:443 in jitsi-web" {
		t.Errorf("first Sync: %s", got)
	}
	if got := targetsOf(t, e.elb, e.media); !same(got, []string{"10.0.1.5:10000"}) {
		t.Errorf("media targets %v", got)
	}

	// A replacement task: its IP goes in, the old one goes out.
	ch, err = targets.Sync(ctx, e.elb, groups, "10.0.1.6")
	if err != nil {
		t.Fatal(err)
	}
	want := "registered 10.0.1.6:10000 in jitsi-media, 10.0.1.6:443 in jitsi-web; deregistered 10.0.1.5:10000 in jitsi-media, 10.0.1.5:443 in jitsi-web"
	if got := ch.String(); got != want {
		t.Errorf("second Sync:\n got %s\nwant %s", got, want)
	}
	if got := targetsOf(t, e.elb, e.web); !same(got, []string{"10.0.1.6:443"}) {
		t.Errorf("web targets %v", got)
	}

	// Repeating is a no-op.
	ch, err = targets.Sync(ctx, e.elb, groups, "10.0.1.6")
	if err != nil || !ch.Empty() {
		t.Fatalf("third Sync = %s, %v; want no change", ch, err)
	}

	// (A target at the right IP but another port is stale too; moto keys
	// targets by IP alone, so that case cannot be played here.)
}

func TestSyncRejectsBadInputWithContext(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := targets.Sync(ctx, e.elb, []string{e.media}, "not-an-ip"); err == nil || !strings.Contains(err.Error(), `"not-an-ip"`) {
		t.Errorf("bad IP: %v", err)
	}
	if _, err := targets.Sync(ctx, e.elb, nil, "10.0.1.5"); err == nil {
		t.Error("no target groups: no error")
	}
	gone := strings.Replace(e.media, "jitsi-media", "jitsi-gone", 1)
	_, err := targets.Sync(ctx, e.elb, []string{gone}, "10.0.1.5")
	if !errors.Is(err, targets.ErrGroupNotFound) || !strings.Contains(err.Error(), gone) {
		t.Errorf("missing group: %v", err)
	}
}

// refuseRegister is moto whose RegisterTargets fails the way ELB does for an
// IP outside the VPC. The seed ignored this error; Sync must not.
type refuseRegister struct{ *elbv2.Client }

func (r refuseRegister) RegisterTargets(context.Context, *elbv2.RegisterTargetsInput, ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error) {
	msg := "The IP address '192.0.2.7' is not within the range of the VPC"
	return nil, &types.InvalidTargetException{Message: &msg}
}

func TestSyncReturnsRegisterErrors(t *testing.T) {
	e := setup(t)
	_, err := targets.Sync(context.Background(), refuseRegister{e.elb}, []string{e.media, e.web}, "192.0.2.7")
	var invalid *types.InvalidTargetException
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "register 192.0.2.7:10000 in jitsi-media") {
		t.Fatalf("Sync with a refused registration: %v", err)
	}
}

func TestDeregisterAllConverges(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	groups := []string{e.media, e.web}
	if _, err := targets.Sync(ctx, e.elb, groups, "10.0.1.5"); err != nil {
		t.Fatal(err)
	}
	ch, err := targets.DeregisterAll(ctx, e.elb, groups)
	if err != nil || len(ch.Deregistered) != 2 {
		t.Fatalf("DeregisterAll = %s, %v", ch, err)
	}
	if got := targetsOf(t, e.elb, e.media); len(got) != 0 {
		t.Errorf("media still has %v", got)
	}
	ch, err = targets.DeregisterAll(ctx, e.elb, groups)
	if err != nil || !ch.Empty() {
		t.Fatalf("second DeregisterAll = %s, %v", ch, err)
	}
	// Terraform destroyed a group already: still no error.
	if _, err := targets.Sync(ctx, e.elb, []string{e.web}, "10.0.1.5"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.elb.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: &e.media}); err != nil {
		t.Fatal(err)
	}
	ch, err = targets.DeregisterAll(ctx, e.elb, groups)
	if err != nil || ch.String() != "deregistered 10.0.1.5:443 in jitsi-web" {
		t.Fatalf("DeregisterAll with a deleted group = %s, %v", ch, err)
	}
}

func TestWaitHealthyOnMoto(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	groups := []string{e.media, e.web}
	if _, err := targets.Sync(ctx, e.elb, groups, "10.0.1.5"); err != nil {
		t.Fatal(err)
	}
	var p testbed.Progress
	if err := targets.WaitHealthy(ctx, e.elb, groups, "10.0.1.5", patient, p.Report, targets.PollEvery(fast)); err != nil {
		t.Fatal(err)
	}
	if log := p.All(); !strings.Contains(log, "jitsi-media: healthy; jitsi-web: healthy") {
		t.Errorf("progress:\n%s", log)
	}
	// An IP nobody registered fails at its first look, not at the limit.
	looks := &lookCounter{Client: e.elb}
	err := targets.WaitHealthy(ctx, looks, groups, "10.0.1.9", patient, nil, targets.PollEvery(fast))
	if !errors.Is(err, targets.ErrLost) || !strings.Contains(err.Error(), "Target.NotRegistered") {
		t.Fatalf("WaitHealthy for an unregistered IP: %v", err)
	}
	if n := looks.count(); n > len(groups) {
		t.Errorf("looked %d times at %d groups; a lost target must fail at once", n, len(groups))
	}
}

// lookCounter passes every call to moto and counts DescribeTargetHealth calls for targets.
type lookCounter struct {
	*elbv2.Client
	mu    sync.Mutex
	looks int
}

func (c *lookCounter) DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, o ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	if len(in.Targets) > 0 {
		c.mu.Lock()
		c.looks++
		c.mu.Unlock()
	}
	return c.Client.DescribeTargetHealth(ctx, in, o...)
}

func (c *lookCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.looks
}

// scripted is moto with the health checks of a real NLB played over it: moto
// marks every target healthy at once, while an NLB reports unused (no
// listener yet), initial, then unhealthy until the containers answer. Each
// look takes the next state of the script; after it ends, moto's answer
// passes through. States and reasons are the ELB API's own enums.
type scripted struct {
	*elbv2.Client
	mu     sync.Mutex
	script map[string][]types.TargetHealth // by target group ARN
}

func (s *scripted) DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, o ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	out, err := s.Client.DescribeTargetHealth(ctx, in, o...)
	if err != nil || len(in.Targets) == 0 {
		return out, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := aws.ToString(in.TargetGroupArn)
	if steps := s.script[arn]; len(steps) > 0 {
		for i := range out.TargetHealthDescriptions {
			h := steps[0]
			out.TargetHealthDescriptions[i].TargetHealth = &h
		}
		s.script[arn] = steps[1:]
	}
	return out, err
}

func health(state types.TargetHealthStateEnum, reason types.TargetHealthReasonEnum, desc string) types.TargetHealth {
	h := types.TargetHealth{State: state, Reason: reason}
	if desc != "" {
		h.Description = &desc
	}
	return h
}

func TestWaitHealthyReportsReasonsUntilHealthy(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	groups := []string{e.media, e.web}
	if _, err := targets.Sync(ctx, e.elb, groups, "10.0.1.5"); err != nil {
		t.Fatal(err)
	}
	api := &scripted{Client: e.elb, script: map[string][]types.TargetHealth{
		e.media: {
			health(types.TargetHealthStateEnumUnused, types.TargetHealthReasonEnumNotInUse, "Target group is not configured to receive traffic from the load balancer"),
			health(types.TargetHealthStateEnumInitial, types.TargetHealthReasonEnumRegistrationInProgress, "Target registration is in progress"),
			health(types.TargetHealthStateEnumUnhealthy, types.TargetHealthReasonEnumFailedHealthChecks, "Health checks failed with these codes: [503]"),
		},
	}}
	var p testbed.Progress
	if err := targets.WaitHealthy(ctx, api, groups, "10.0.1.5", patient, p.Report, targets.PollEvery(fast)); err != nil {
		t.Fatal(err)
	}
	log := p.All()
	for _, want := range []string{
		"jitsi-media: unused (Target.NotInUse: Target group is not configured to receive traffic from the load balancer)",
		"jitsi-media: unhealthy (Target.FailedHealthChecks: Health checks failed with these codes: [503])",
		"jitsi-media: healthy; jitsi-web: healthy",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("progress lacks %q:\n%s", want, log)
		}
	}
}

func TestWaitHealthyTimesOutWithTheReason(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := targets.Sync(ctx, e.elb, []string{e.media}, "10.0.1.5"); err != nil {
		t.Fatal(err)
	}
	var forever []types.TargetHealth
	for range 1000 {
		forever = append(forever, health(types.TargetHealthStateEnumUnhealthy, types.TargetHealthReasonEnumTimeout, "Request timed out"))
	}
	api := &scripted{Client: e.elb, script: map[string][]types.TargetHealth{e.media: forever}}
	err := targets.WaitHealthy(ctx, api, []string{e.media}, "10.0.1.5", timesOut, nil, targets.PollEvery(fast))
	if err == nil || !strings.Contains(err.Error(), "10.0.1.5:10000 in jitsi-media not healthy after") ||
		!strings.Contains(err.Error(), "unhealthy (Target.Timeout: Request timed out)") {
		t.Fatalf("WaitHealthy on a failing target: %v", err)
	}
}
