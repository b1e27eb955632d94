package session

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/jitsictl/jitsictl/internal/awsx"
)

// testReap: the scheduled clean-up closes an expired session, closes an idle
// one only after its grace period and only when the NLB carried no media,
// and removes an orphaned NLB when no session is open.
func testReap(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("orphan", func(t *testing.T) {
		e.orphan(t)
		if left := e.leftovers(t); left == "" {
			t.Fatal("the orphan was not created")
		}
		res, err := e.manager(t, "reaper").Reap(ctx, ReapOptions{IdleAfter: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != "swept" || !strings.Contains(res.Detail, "orphan-nlb") {
			t.Fatalf("reap: %+v, want the orphan swept", res)
		}
		if left := e.leftovers(t); left != "" {
			t.Fatalf("after reap: %s", left)
		}
	})

	t.Run("expired", func(t *testing.T) {
		if _, err := e.manager(t, "alice").Open(ctx, OpenOptions{Hours: 1}); err != nil {
			t.Fatal(err)
		}
		early := e.manager(t, "reaper")
		if res, err := early.Reap(ctx, ReapOptions{}); err != nil || res.Action != "none" {
			t.Fatalf("reap before expiry: %+v, %v", res, err)
		}
		late := e.manager(t, "reaper")
		late.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
		res, err := late.Reap(ctx, ReapOptions{})
		if err != nil || res.Action != "closed-expired" {
			t.Fatalf("reap after expiry: %+v, %v", res, err)
		}
		if left := e.leftovers(t); left != "" {
			t.Fatalf("after reaping the expired session: %s", left)
		}
	})

	t.Run("idle", func(t *testing.T) {
		rec, err := e.manager(t, "alice").Open(ctx, OpenOptions{Hours: 2})
		if err != nil {
			t.Fatal(err)
		}
		dim, err := LoadBalancerDimension(rec.NLBArn)
		if err != nil {
			t.Fatal(err)
		}
		// Within the grace period nothing is read or closed.
		if res, err := e.manager(t, "reaper").Reap(ctx, ReapOptions{IdleAfter: 30 * time.Minute}); err != nil || res.Action != "none" {
			t.Fatalf("reap within grace: %+v, %v", res, err)
		}
		// Media 20 minutes ago, nothing since (zero flows and bytes reported).
		e.putUDP(t, dim, 20*time.Minute, 1500)
		e.putUDP(t, dim, 2*time.Minute, 0)
		at := func(d time.Duration) *Manager {
			m := e.manager(t, "reaper")
			m.Now = func() time.Time { return time.Now().Add(d) }
			return m
		}
		// A 30-minute window sees the media: not idle.
		if res, err := at(31*time.Minute).Reap(ctx, ReapOptions{IdleAfter: 30 * time.Minute}); err != nil || res.Action != "none" {
			t.Fatalf("reap with media in the window: %+v, %v", res, err)
		}
		// A 10-minute window sees only zeros: idle, closed.
		res, err := at(11*time.Minute).Reap(ctx, ReapOptions{IdleAfter: 10 * time.Minute})
		if err != nil || res.Action != "closed-idle" {
			t.Fatalf("reap of an idle session: %+v, %v", res, err)
		}
		if left := e.leftovers(t); left != "" {
			t.Fatalf("after reaping the idle session: %s", left)
		}
	})
}

// putUDP seeds the NLB's UDP metrics as CloudWatch would publish them.
func (e *env) putUDP(t *testing.T, dim string, ago time.Duration, bytes float64) {
	t.Helper()
	flows := 0.0
	if bytes > 0 {
		flows = 1
	}
	at := aws.Time(time.Now().Add(-ago))
	d := []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(dim)}}
	_, err := awsx.CloudWatch(e.cfg).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("AWS/NetworkELB"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("NewFlowCount_UDP"), Value: aws.Float64(flows), Timestamp: at, Dimensions: d},
			{MetricName: aws.String("ProcessedBytes_UDP"), Value: aws.Float64(bytes), Timestamp: at, Dimensions: d},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// orphan leaves what a crashed Terraform run leaves: a tagged NLB on a tagged
// Elastic IP, with a target group and a listener, outside any state.
func (e *env) orphan(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	tags := []ec2types.Tag{{Key: aws.String("Project"), Value: aws.String(e.out.Project)}, {Key: aws.String("Component"), Value: aws.String("session")}}
	eip, err := ec2.NewFromConfig(e.cfg).AllocateAddress(ctx, &ec2.AllocateAddressInput{
		Domain:            ec2types.DomainTypeVpc,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp, Tags: tags}},
	})
	if err != nil {
		t.Fatal(err)
	}
	elbTags := []elbtypes.Tag{{Key: aws.String("Project"), Value: aws.String(e.out.Project)}, {Key: aws.String("Component"), Value: aws.String("session")}}
	elb := elbv2.NewFromConfig(e.cfg)
	lb, err := elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String("orphan-nlb"), Type: elbtypes.LoadBalancerTypeEnumNetwork, Tags: elbTags,
		SubnetMappings: []elbtypes.SubnetMapping{{SubnetId: aws.String(e.out.SubnetIDs[0]), AllocationId: eip.AllocationId}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := elb.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name: aws.String("orphan-udp"), Protocol: elbtypes.ProtocolEnumUdp, Port: aws.Int32(10000),
		VpcId: aws.String(e.out.VPCID), TargetType: elbtypes.TargetTypeEnumIp, Tags: elbTags,
		HealthCheckProtocol: elbtypes.ProtocolEnumHttp, HealthCheckPort: aws.String("8080"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := elb.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumUdp, Port: aws.Int32(10000),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}},
	}); err != nil {
		t.Fatal(err)
	}
}
