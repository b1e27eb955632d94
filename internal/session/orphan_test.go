package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/jitsictl/jitsictl/internal/sweep"
)

// testResumeSweepsOrphanedNLB leaves what a run killed inside the NLB apply
// leaves (found by the kill test): the record's "load balancer" step begun and
// never finished, and a load balancer and target group AWS created before
// Terraform could record them. The provider refuses to create either again
// under its name, so the resumed open must remove them first; then it opens a
// working session, and a close leaves nothing.
func testResumeSweepsOrphanedNLB(t *testing.T, e *env) {
	ctx := context.Background()
	crasher := e.manager(t, "crasher")
	crasher.afterStep = func(s string) error {
		if s == "addresses" {
			return errCrash
		}
		return nil
	}
	if _, err := crasher.Open(ctx, OpenOptions{Hours: 1}); !errors.Is(err, errCrash) {
		t.Fatalf("open returned %v, want the simulated crash after its addresses", err)
	}
	v, err := e.store().Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.Steps = append(v.Steps, Step{Name: "load balancer", Started: time.Now().UTC()})
	if _, err := e.store().Save(ctx, v.Record, v.ETag); err != nil {
		t.Fatalf("record the begun load balancer step: %v", err)
	}
	orphanLB, orphanTG := e.createOrphanedNLB(t)
	// The killed run's lease must lapse before another run may take over.
	time.Sleep(testLimits.Lease + 500*time.Millisecond)

	rec, err := e.manager(t, "rescuer").Open(ctx, OpenOptions{Hours: 1})
	if err != nil {
		t.Fatalf("resume after a kill inside the NLB apply: %v\n%s", err, e.log.String())
	}
	e.assertWorking(t, rec)
	if rec.NLBArn == orphanLB {
		t.Errorf("the session runs on the load balancer Terraform never recorded (%s)", orphanLB)
	}
	for _, tg := range e.stack.Outputs(t).TargetGroups() {
		if tg == orphanTG {
			t.Errorf("the stack's target groups include the one Terraform never recorded (%s)", orphanTG)
		}
	}
	if _, err := e.manager(t, "closer").Close(ctx, CloseOptions{}); err != nil {
		t.Fatal(err)
	}
	if left := e.leftovers(t); left != "" {
		t.Fatalf("resume then close left: %s", left)
	}
}

// createOrphanedNLB creates, with the SDK, the session's load balancer and its
// UDP target group under the names and tags the jvb-nlb module gives them.
func (e *env) createOrphanedNLB(t *testing.T) (lbARN, tgARN string) {
	t.Helper()
	ctx := context.Background()
	api := elbv2.NewFromConfig(e.cfg)
	tags := []elbtypes.Tag{
		{Key: aws.String(sweep.TagProject), Value: aws.String(e.out.Project)},
		{Key: aws.String(sweep.TagComponent), Value: aws.String(sweep.Component)},
	}
	lb, err := api.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(e.out.Project + "-jvb"), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Subnets: e.out.SubnetIDs, Tags: tags,
	})
	if err != nil {
		t.Fatalf("create the orphaned load balancer: %v", err)
	}
	tg, err := api.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name: aws.String(e.out.Project + "-udp-10000"), Protocol: elbtypes.ProtocolEnumUdp, Port: aws.Int32(10000),
		VpcId: aws.String(e.out.VPCID), TargetType: elbtypes.TargetTypeEnumIp, Tags: tags,
	})
	if err != nil {
		t.Fatalf("create the orphaned target group: %v", err)
	}
	return aws.ToString(lb.LoadBalancers[0].LoadBalancerArn), aws.ToString(tg.TargetGroups[0].TargetGroupArn)
}
