package cost

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"golang.org/x/sync/errgroup"
)

func TestReadTaskSize(t *testing.T) {
	ctx := context.Background()
	cfg, _ := awsConfig(t)
	c := ecs.NewFromConfig(cfg)
	for _, tc := range []struct {
		family, cpu, mem string
		platform         *ecstypes.RuntimePlatform
		want             TaskSize
	}{
		{"cost-jvb-arm", "4096", "8192", &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureArm64}, TaskSize{4096, 8192, ARM}},
		{"cost-jvb-x86", "1024", "3072", &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureX8664}, TaskSize{1024, 3072, X86}},
		{"cost-jvb-default", "512", "1024", nil, TaskSize{512, 1024, X86}},
	} {
		_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String(tc.family), Cpu: aws.String(tc.cpu), Memory: aws.String(tc.mem),
			NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			RuntimePlatform:      tc.platform,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("jvb"), Image: aws.String("ghcr.io/jitsi/jvb:stable-11146-2")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadTaskSize(ctx, c, tc.family)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.family, got, tc.want)
		}
	}
	if _, err := ReadTaskSize(ctx, c, "cost-no-such-family"); err == nil || !strings.Contains(err.Error(), "cost-no-such-family") {
		t.Errorf("missing task definition: %v", err)
	}
}

func TestTaskUnits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, suffix string
		want       int64
		ok         bool
	}{
		{"4096", "vcpu", 4096, true}, {"4 vCPU", "vcpu", 4096, true}, {".25 vCPU", "vcpu", 256, true},
		{"8 GB", "gb", 8192, true}, {"", "gb", 0, false}, {"lots", "gb", 0, false},
	} {
		got, err := taskUnits(tc.in, tc.suffix)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("taskUnits(%q) = %d, %v", tc.in, got, err)
		}
	}
}

// An idle project measured in moto: two buckets in two storage classes
// (more than one page of objects), parameters of both tiers, zones by name
// and by tag, a log group with events, and tagged Elastic IPs.
func TestReadIdleFromMoto(t *testing.T) {
	ctx := context.Background()
	cfg, _ := awsConfig(t)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ssmc := ssm.NewFromConfig(cfg)
	r53 := route53.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ec2c := ec2.NewFromConfig(cfg)

	// S3: 1,005 objects of 1,000 bytes in STANDARD (two ListObjectsV2 pages)
	// and three of 4 MiB in GLACIER.
	for _, b := range []string{"cost-recordings", "cost-logs"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	var g errgroup.Group
	g.SetLimit(16)
	for i := range 1005 {
		g.Go(func() error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cost-recordings"), Key: aws.String(fmt.Sprintf("r/%04d", i)),
				Body: bytes.NewReader(make([]byte, 1000))})
			return err
		})
	}
	for i := range 3 {
		g.Go(func() error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cost-logs"), Key: aws.String(fmt.Sprintf("a/%d", i)),
				Body: bytes.NewReader(make([]byte, 4<<20)), StorageClass: s3types.StorageClassGlacier})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	// SSM: two advanced and one standard under the prefix, one advanced elsewhere.
	for name, tier := range map[string]ssmtypes.ParameterTier{
		"/cost-test/jitsi/a": ssmtypes.ParameterTierAdvanced, "/cost-test/jitsi/deep/b": ssmtypes.ParameterTierAdvanced,
		"/cost-test/jitsi/c": ssmtypes.ParameterTierStandard, "/cost-elsewhere/d": ssmtypes.ParameterTierAdvanced,
	} {
		if _, err := ssmc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Tier: tier}); err != nil {
			t.Fatal(err)
		}
	}

	// Route 53: the Cloud Map namespace's private zone (by name), a public
	// zone tagged for the project, and an unrelated zone.
	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("cost-jitsi.local"), CallerReference: aws.String("cost-1"),
		VPC: &r53types.VPC{VPCId: vpc.Vpc.VpcId, VPCRegion: r53types.VPCRegionUsEast1}}); err != nil {
		t.Fatal(err)
	}
	pub, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("cost-meet.example.com"), CallerReference: aws.String("cost-2")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r53.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone,
		ResourceId: aws.String(strings.TrimPrefix(aws.ToString(pub.HostedZone.Id), "/hostedzone/")),
		AddTags:    []r53types.Tag{{Key: aws.String("Project"), Value: aws.String("cost-test")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("cost-other.example.org"), CallerReference: aws.String("cost-3")}); err != nil {
		t.Fatal(err)
	}

	// Logs: 3 events of 100 bytes under the prefix, one outside.
	for _, grp := range []string{"/cost-test/jvb", "/cost-other/web"} {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(grp)}); err != nil {
			t.Fatal(err)
		}
		if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(grp), LogStreamName: aws.String("s")}); err != nil {
			t.Fatal(err)
		}
		var ev []logstypes.InputLogEvent
		now := time.Now().UnixMilli() // events older than 14 days are rejected
		for i := range 3 {
			ev = append(ev, logstypes.InputLogEvent{Message: aws.String(strings.Repeat("x", 100)), Timestamp: aws.Int64(now + int64(i))})
		}
		out, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(grp), LogStreamName: aws.String("s"), LogEvents: ev})
		if err != nil {
			t.Fatal(err)
		}
		if out.RejectedLogEventsInfo != nil {
			t.Fatalf("log events rejected: %+v", out.RejectedLogEventsInfo)
		}
	}

	// Elastic IPs: two tagged for the project, one not.
	for i, tag := range []string{"cost-test", "cost-test", "someone-else"} {
		if _, err := ec2c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeElasticIp, Tags: []ec2types.Tag{{Key: aws.String("Project"), Value: aws.String(tag)}, {Key: aws.String("n"), Value: aws.String(fmt.Sprint(i))}},
		}}}); err != nil {
			t.Fatal(err)
		}
	}

	idle, err := ReadIdle(ctx, IdleSources{S3: s3c, SSM: ssmc, Route53: r53, Logs: logs, Addresses: ec2c}, IdleNames{
		Buckets:         []string{"cost-recordings", "cost-logs"},
		ParameterPrefix: "/cost-test/",
		Zones:           ZoneFilter{Names: []string{"cost-jitsi.local."}, TagKey: "Project", TagValue: "cost-test"},
		LogGroupPrefix:  "/cost-test/",
		AddressTagKey:   "Project", AddressTagValue: "cost-test",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Idle{
		BucketBytes:        map[StorageClass]int64{"STANDARD": 1005 * 1000, "GLACIER": 3 * 4 << 20},
		AdvancedParameters: 2, HostedZones: 2, LogBytes: 300, PublicIPv4: 2,
	}
	if fmt.Sprint(idle) != fmt.Sprint(want) {
		t.Fatalf("idle\n got %+v\nwant %+v", idle, want)
	}
	e := region(t, "us-east-1").IdlePerMonth(idle)
	// 2 × $0.05 + 2 × $0.50 + 2 × 730 h × $0.005, plus a few cents of storage.
	if got := e.Line(CSSM) + e.Line(CZones) + e.Line(CIPv4); got != mustMoney(t, "8.4") {
		t.Errorf("parameters + zones + addresses = %s, want $8.40", got)
	}
}

func TestReadIdleReportsTheFailingPart(t *testing.T) {
	cfg, _ := awsConfig(t)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := ReadIdle(context.Background(), IdleSources{S3: s3c}, IdleNames{Buckets: []string{"cost-no-such-bucket"}})
	if err == nil || !strings.Contains(err.Error(), "listing bucket cost-no-such-bucket") {
		t.Fatalf("error %v", err)
	}
}
