package cost

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/session"
)

// StackReader measures a deployed stack's session shape and idle inventory
// in its AWS account.
type StackReader struct {
	Config aws.Config
	// Getenv is the environment the S3 client is built from (path-style
	// addressing on an emulator).
	Getenv func(string) string
}

// SessionInputs reads what the session record rec is priced with.
func (s StackReader) SessionInputs(ctx context.Context, out outputs.Outputs, rec session.Record, live bool) (SessionInputs, error) {
	table, err := Embedded()
	if err != nil {
		return SessionInputs{}, err
	}
	region := cmp.Or(out.Region, s.Config.Region, awsx.DefaultRegion)
	prices, err := table.Lookup(region)
	if err != nil {
		return SessionInputs{}, err
	}
	ecsc := ecs.NewFromConfig(s.Config)
	task, err := ReadTaskSize(ctx, ecsc, out.TaskDefinitionFamily)
	if err != nil {
		return SessionInputs{}, err
	}
	publicIP, err := taskPublicIP(ctx, ecsc, out.ClusterName, out.ServiceName)
	if err != nil {
		return SessionInputs{}, err
	}
	addrs := int64(len(out.EIPAddresses))
	if addrs == 0 {
		addrs = int64(len(out.SubnetIDs)) // closed: the session module allocates one EIP per subnet
	}
	idle, err := s.Idle(ctx, out)
	if err != nil {
		return SessionInputs{}, err
	}
	return SessionInputs{
		Prices: prices,
		Session: Session{Task: task, NLBAddresses: addrs, TaskPublicIP: publicIP,
			Participants: DefaultParticipants, DownKbps: DefaultDownKbps, UpKbps: DefaultUpKbps},
		Idle: idle, Record: rec, Live: live, Now: time.Now(),
	}, nil
}

// Price prices the session in rec: live, from its start times to now; or
// its last usage.
func (s StackReader) Price(ctx context.Context, out outputs.Outputs, rec session.Record, live bool) (SessionFigures, error) {
	in, err := s.SessionInputs(ctx, out, rec, live)
	if err != nil {
		return SessionFigures{}, err
	}
	return PriceSession(in), nil
}

// PriceClose prices the session a close just ended, with what its linger
// costs and saves (CloseLingerNotes).
func (s StackReader) PriceClose(ctx context.Context, out outputs.Outputs, rec session.Record) (SessionFigures, error) {
	in, err := s.SessionInputs(ctx, out, rec, false)
	if err != nil {
		return SessionFigures{}, err
	}
	f := PriceSession(in)
	f.AddNotes(CloseLingerNotes(in.Prices, rec, in.Now)...)
	return f, nil
}

// serviceReader reads the ECS service's network configuration.
type serviceReader interface {
	DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
}

// taskPublicIP reads whether the service gives its task a public IPv4,
// which bills like any other address.
func taskPublicIP(ctx context.Context, api serviceReader, cluster, service string) (bool, error) {
	if cluster == "" || service == "" {
		return false, errors.New("the stack outputs name no ECS cluster/service: apply the stack first (jitsictl deploy apply)")
	}
	o, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil {
		return false, fmt.Errorf("reading ECS service %s/%s: %w", cluster, service, err)
	}
	if len(o.Services) == 0 {
		return false, fmt.Errorf("ECS service %s/%s does not exist: apply the stack first (jitsictl deploy apply)", cluster, service)
	}
	nc := o.Services[0].NetworkConfiguration
	return nc != nil && nc.AwsvpcConfiguration != nil && nc.AwsvpcConfiguration.AssignPublicIp == ecstypes.AssignPublicIpEnabled, nil
}

// Idle measures what stays while no session is open. While one is, its
// Elastic IPs are priced with the session, not as idle leftovers.
func (s StackReader) Idle(ctx context.Context, out outputs.Outputs) (Idle, error) {
	var buckets []string
	if out.BucketName != "" {
		buckets = []string{out.BucketName}
	}
	idle, err := ReadIdle(ctx, IdleSources{
		S3: awsx.S3(s.Config, s.Getenv), SSM: ssm.NewFromConfig(s.Config), Route53: route53.NewFromConfig(s.Config),
		Logs: cloudwatchlogs.NewFromConfig(s.Config), Addresses: ec2.NewFromConfig(s.Config),
	}, IdleNames{
		Buckets: buckets, ParameterPrefix: out.SSMParameterPrefix,
		Zones:          ZoneFilter{TagKey: "Project", TagValue: out.Project},
		LogGroupPrefix: out.LogGroupName, AddressTagKey: "Project", AddressTagValue: out.Project,
	})
	if err != nil {
		return Idle{}, err
	}
	if out.NLBEnabled {
		idle.PublicIPv4 = 0
	}
	if out.Images.Mode == "ecr" {
		repos := make([]string, 0, len(out.Images.ECRRepositories))
		for _, r := range out.Images.ECRRepositories {
			repos = append(repos, r)
		}
		if idle.ECRBytes, err = ReadECRBytes(ctx, ecr.NewFromConfig(s.Config), repos); err != nil {
			return Idle{}, err
		}
	}
	return idle, nil
}

// TaskSize reads the size of the stack's task definition.
func (s StackReader) TaskSize(ctx context.Context, family string) (TaskSize, error) {
	return ReadTaskSize(ctx, ecs.NewFromConfig(s.Config), family)
}
