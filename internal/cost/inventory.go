package cost

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// The AWS edges the inventory reads through; each is one method of the
// SDK client, so tests hand in real clients pointed at moto.
type (
	TaskDefinitionAPI interface {
		DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	}
	ObjectListAPI interface {
		ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	}
	ParameterAPI interface {
		DescribeParameters(context.Context, *ssm.DescribeParametersInput, ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error)
	}
	HostedZoneAPI interface {
		ListHostedZones(context.Context, *route53.ListHostedZonesInput, ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error)
		ListTagsForResources(context.Context, *route53.ListTagsForResourcesInput, ...func(*route53.Options)) (*route53.ListTagsForResourcesOutput, error)
	}
	LogGroupAPI interface {
		DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	}
	AddressAPI interface {
		DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	}
)

// ReadTaskSize reads a task definition's size and architecture (family,
// family:revision or ARN).
func ReadTaskSize(ctx context.Context, api TaskDefinitionAPI, taskDefinition string) (TaskSize, error) {
	out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDefinition)})
	if err != nil {
		return TaskSize{}, fmt.Errorf("cost: reading task definition %s: %w", taskDefinition, err)
	}
	td := out.TaskDefinition
	if td == nil {
		return TaskSize{}, fmt.Errorf("cost: task definition %s not found", taskDefinition)
	}
	cpu, err := taskUnits(aws.ToString(td.Cpu), "vcpu")
	if err != nil {
		return TaskSize{}, fmt.Errorf("cost: task definition %s cpu: %w", taskDefinition, err)
	}
	mem, err := taskUnits(aws.ToString(td.Memory), "gb")
	if err != nil {
		return TaskSize{}, fmt.Errorf("cost: task definition %s memory: %w", taskDefinition, err)
	}
	size := TaskSize{CPUUnits: cpu, MemoryMiB: mem, Arch: X86}
	if rp := td.RuntimePlatform; rp != nil && rp.CpuArchitecture != "" {
		size.Arch = Arch(rp.CpuArchitecture)
	}
	return size, nil
}

// taskUnits reads "4096" (CPU units or MiB) or ECS's other spelling,
// "4 vCPU" / "8 GB", into CPU units or MiB.
func taskUnits(s, suffix string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return 0, fmt.Errorf("not set (Fargate task definitions need a task-level size)")
	}
	if strings.HasSuffix(t, suffix) {
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, suffix)), 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		return int64(f * 1024), nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a number nor %s", s, suffix)
	}
	return n, nil
}

// ReadBucketBytes sums a bucket's current objects by storage class.
// Noncurrent versions of a versioned bucket are billed too and are not
// counted here.
func ReadBucketBytes(ctx context.Context, api ObjectListAPI, bucket string) (map[StorageClass]int64, error) {
	sizes := map[StorageClass]int64{}
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("cost: listing bucket %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			class := StorageClass(o.StorageClass)
			if class == "" {
				class = "STANDARD"
			}
			sizes[class] += aws.ToInt64(o.Size)
		}
	}
	return sizes, nil
}

// CountAdvancedParameters counts the advanced-tier parameters under a path
// prefix; standard parameters are free.
func CountAdvancedParameters(ctx context.Context, api ParameterAPI, prefix string) (int64, error) {
	in := &ssm.DescribeParametersInput{ParameterFilters: []ssmtypes.ParameterStringFilter{{
		Key: aws.String("Path"), Option: aws.String("Recursive"), Values: []string{prefix},
	}}}
	var n int64
	p := ssm.NewDescribeParametersPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("cost: listing parameters under %s: %w", prefix, err)
		}
		for _, m := range page.Parameters {
			if m.Tier == ssmtypes.ParameterTierAdvanced {
				n++
			}
		}
	}
	return n, nil
}

// ZoneFilter says which hosted zones belong to the project: by name (the
// Cloud Map namespace's zone carries the namespace name) or by tag.
type ZoneFilter struct {
	Names            []string
	TagKey, TagValue string
}

// CountHostedZones counts the project's hosted zones, public or private.
func CountHostedZones(ctx context.Context, api HostedZoneAPI, f ZoneFilter) (int64, error) {
	names := map[string]bool{}
	for _, n := range f.Names {
		names[strings.TrimSuffix(strings.ToLower(n), ".")] = true
	}
	var n int64
	var untagged []string
	p := route53.NewListHostedZonesPaginator(api, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("cost: listing hosted zones: %w", err)
		}
		for _, z := range page.HostedZones {
			if names[strings.TrimSuffix(strings.ToLower(aws.ToString(z.Name)), ".")] {
				n++
			} else if f.TagKey != "" {
				untagged = append(untagged, strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"))
			}
		}
	}
	// ListTagsForResources takes at most 10 zones a call.
	for len(untagged) > 0 {
		batch := untagged[:min(10, len(untagged))]
		untagged = untagged[len(batch):]
		out, err := api.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{
			ResourceType: r53types.TagResourceTypeHostedzone, ResourceIds: batch,
		})
		if err != nil {
			return 0, fmt.Errorf("cost: reading hosted zone tags: %w", err)
		}
		for _, rs := range out.ResourceTagSets {
			for _, t := range rs.Tags {
				if aws.ToString(t.Key) == f.TagKey && aws.ToString(t.Value) == f.TagValue {
					n++
					break
				}
			}
		}
	}
	return n, nil
}

// ReadLogBytes sums the stored bytes of the log groups under a prefix.
func ReadLogBytes(ctx context.Context, api LogGroupAPI, prefix string) (int64, error) {
	var total int64
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(api, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("cost: listing log groups under %s: %w", prefix, err)
		}
		for _, g := range page.LogGroups {
			total += aws.ToInt64(g.StoredBytes)
		}
	}
	return total, nil
}

// CountAddresses counts the Elastic IPs tagged for the project: allocated
// or associated, each is billed every hour it exists.
func CountAddresses(ctx context.Context, api AddressAPI, tagKey, tagValue string) (int64, error) {
	out, err := api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{
		Name: aws.String("tag:" + tagKey), Values: []string{tagValue},
	}}})
	if err != nil {
		return 0, fmt.Errorf("cost: listing Elastic IPs tagged %s=%s: %w", tagKey, tagValue, err)
	}
	return int64(len(out.Addresses)), nil
}

// IdleSources are the clients ReadIdle reads through; a nil one skips its part.
type IdleSources struct {
	S3        ObjectListAPI
	SSM       ParameterAPI
	Route53   HostedZoneAPI
	Logs      LogGroupAPI
	Addresses AddressAPI
}

// IdleNames says what belongs to the project.
type IdleNames struct {
	Buckets         []string
	ParameterPrefix string
	Zones           ZoneFilter
	LogGroupPrefix  string
	// AddressTag selects the Elastic IPs kept between sessions.
	AddressTagKey, AddressTagValue string
}

// ReadIdle measures everything that stays while no session is open.
func ReadIdle(ctx context.Context, src IdleSources, names IdleNames) (Idle, error) {
	i := Idle{BucketBytes: map[StorageClass]int64{}}
	var err error
	if src.S3 != nil {
		for _, b := range names.Buckets {
			sizes, err := ReadBucketBytes(ctx, src.S3, b)
			if err != nil {
				return Idle{}, err
			}
			for c, n := range sizes {
				i.BucketBytes[c] += n
			}
		}
	}
	if src.SSM != nil && names.ParameterPrefix != "" {
		if i.AdvancedParameters, err = CountAdvancedParameters(ctx, src.SSM, names.ParameterPrefix); err != nil {
			return Idle{}, err
		}
	}
	if src.Route53 != nil {
		if i.HostedZones, err = CountHostedZones(ctx, src.Route53, names.Zones); err != nil {
			return Idle{}, err
		}
	}
	if src.Logs != nil && names.LogGroupPrefix != "" {
		if i.LogBytes, err = ReadLogBytes(ctx, src.Logs, names.LogGroupPrefix); err != nil {
			return Idle{}, err
		}
	}
	if src.Addresses != nil && names.AddressTagKey != "" {
		if i.PublicIPv4, err = CountAddresses(ctx, src.Addresses, names.AddressTagKey, names.AddressTagValue); err != nil {
			return Idle{}, err
		}
	}
	return i, nil
}
