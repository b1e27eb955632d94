package testbed

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/jitsictl/jitsictl/internal/ecssim"
)

// ECSFixture is a minimal Fargate service: a VPC with DNS hostnames (moto needs
// them for awsvpc tasks), one subnet, a security group, a cluster, an awsvpc
// task definition and a service at desiredCount 0.
type ECSFixture struct {
	VPC, Subnet, SecurityGroup string
	Cluster, Service           string
	TaskDefinition             string // ARN
}

// ECSFixtureOptions choose names and whether containers declare health checks.
type ECSFixtureOptions struct {
	Cluster, Service string // default "jitsi", "jvb"
	HealthCheck      bool
}

// NewECSFixture creates the resources in the account cfg points at.
func NewECSFixture(t testing.TB, cfg aws.Config, o ECSFixtureOptions) ECSFixture {
	t.Helper()
	ctx := context.Background()
	if o.Cluster == "" {
		o.Cluster = "jitsi"
	}
	if o.Service == "" {
		o.Service = "jvb"
	}
	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatalf("create vpc: %v", err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	if _, err := e.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{
		VpcId: &vpcID, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)},
	}); err != nil {
		t.Fatalf("enable dns hostnames: %v", err)
	}
	sub, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: &vpcID, CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String(cfg.Region + "a"),
	})
	if err != nil {
		t.Fatalf("create subnet: %v", err)
	}
	sg, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		VpcId: &vpcID, GroupName: aws.String(o.Service + "-task"), Description: aws.String("task"),
	})
	if err != nil {
		t.Fatalf("create security group: %v", err)
	}
	f := ECSFixture{
		VPC: vpcID, Subnet: aws.ToString(sub.Subnet.SubnetId), SecurityGroup: aws.ToString(sg.GroupId),
		Cluster: o.Cluster, Service: o.Service,
	}

	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: &f.Cluster}); err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	container := types.ContainerDefinition{
		Name: aws.String("jvb"), Image: aws.String("ghcr.io/jitsi/jvb:stable-11146-2"),
		Essential: aws.Bool(true),
		// moto sums container memory when placing a task; Fargate itself only
		// needs the task-level value.
		MemoryReservation: aws.Int32(512),
	}
	if o.HealthCheck {
		container.HealthCheck = &types.HealthCheck{
			Command: []string{"CMD-SHELL", "curl -fs http://localhost:8080/about/health"},
		}
	}
	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(o.Service),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{container},
	})
	if err != nil {
		t.Fatalf("register task definition: %v", err)
	}
	f.TaskDefinition = aws.ToString(td.TaskDefinition.TaskDefinitionArn)
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: &f.Cluster, ServiceName: &f.Service, TaskDefinition: &f.TaskDefinition,
		DesiredCount: aws.Int32(0), LaunchType: types.LaunchTypeFargate,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{f.Subnet}, SecurityGroups: []string{f.SecurityGroup},
		}},
	}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	return f
}

// StartECSSim is ecssim.Run for tests: a scheduler error fails the test, and
// the scheduler stops with it.
func StartECSSim(t testing.TB, cfg aws.Config, cluster, service string, opts ecssim.Options) *ecssim.Scheduler {
	t.Helper()
	s, err := ecssim.Run(cfg, cluster, service, opts, func(err error) { t.Errorf("ecssim: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}
