package verify

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/probe"
)

// Parameters reads the advertised-address parameter.
type Parameters interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// LoadBalancers reads the NLB, its listeners and its targets' health.
type LoadBalancers interface {
	DescribeLoadBalancers(context.Context, *elb.DescribeLoadBalancersInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error)
	DescribeListeners(context.Context, *elb.DescribeListenersInput, ...func(*elb.Options)) (*elb.DescribeListenersOutput, error)
	DescribeTargetHealth(context.Context, *elb.DescribeTargetHealthInput, ...func(*elb.Options)) (*elb.DescribeTargetHealthOutput, error)
}

// Network reads Elastic IPs and the task's security group.
type Network interface {
	DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
}

// TaskDefinitions reads the JVB container's configuration.
type TaskDefinitions interface {
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// Resolver resolves the meeting's domain; *net.Resolver satisfies it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Deps are verify's edges and knobs.
type Deps struct {
	SSM      Parameters
	ELB      LoadBalancers
	EC2      Network
	ECS      TaskDefinitions
	Resolver Resolver

	// RootCAs replaces the system roots for the HTTPS probe (tests).
	RootCAs *x509.CertPool
	// STUN bounds each UDP probe (default 3 attempts of 1 s).
	STUN probe.STUNOptions
	// CheckTimeout bounds each check (default 20 s).
	CheckTimeout time.Duration
	// Concurrency bounds checks run at once (default 8; 1 runs them one by one).
	Concurrency int
}
