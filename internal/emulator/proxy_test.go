package emulator

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func sdkConfig(t *testing.T, url string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(url), config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The proxy's LoadBalancerAddresses must be what the real SDK decodes from a real AWS
// response; a misplaced or misspelt element would be silently ignored and fail here.
func TestProxyAddressesMatchSDKShape(t *testing.T) {
	ctx := context.Background()
	e, err := StartFaithful(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	cfg := sdkConfig(t, e.URL)
	ec := ec2.NewFromConfig(cfg)
	lbc := elb.NewFromConfig(cfg)

	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sn, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(az), CidrBlock: aws.String([]string{"10.9.0.0/24", "10.9.1.0/24"}[i])})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, *sn.Subnet.SubnetId)
	}
	want := map[string][2]string{} // subnet -> allocation id, ip
	var mappings []elbtypes.SubnetMapping
	for _, sn := range subnets {
		a, err := ec.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
		if err != nil {
			t.Fatal(err)
		}
		want[sn] = [2]string{*a.AllocationId, *a.PublicIp}
		mappings = append(mappings, elbtypes.SubnetMapping{SubnetId: aws.String(sn), AllocationId: a.AllocationId})
	}
	withEIPs, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("with-eips"), Type: elbtypes.LoadBalancerTypeEnumNetwork, SubnetMappings: mappings})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("plain"), Type: elbtypes.LoadBalancerTypeEnumNetwork, Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}

	desc, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.LoadBalancers) != 2 {
		t.Fatalf("%d load balancers, want 2", len(desc.LoadBalancers))
	}
	for _, lb := range desc.LoadBalancers {
		if len(lb.AvailabilityZones) != 2 {
			t.Fatalf("%s: %d zones, want 2", *lb.LoadBalancerName, len(lb.AvailabilityZones))
		}
		for _, az := range lb.AvailabilityZones {
			switch *lb.LoadBalancerArn {
			case *withEIPs.LoadBalancers[0].LoadBalancerArn:
				w := want[*az.SubnetId]
				if len(az.LoadBalancerAddresses) != 1 || aws.ToString(az.LoadBalancerAddresses[0].AllocationId) != w[0] || aws.ToString(az.LoadBalancerAddresses[0].IpAddress) != w[1] {
					t.Errorf("zone %s addresses = %+v, want allocation %s ip %s", *az.SubnetId, az.LoadBalancerAddresses, w[0], w[1])
				}
			case *plain.LoadBalancers[0].LoadBalancerArn:
				if len(az.LoadBalancerAddresses) != 0 {
					t.Errorf("an NLB created without Elastic IPs shows addresses %+v", az.LoadBalancerAddresses)
				}
			}
		}
	}

	// After deletion nothing is remembered for the ARN.
	if _, err := lbc.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: withEIPs.LoadBalancers[0].LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	e.proxy.mu.Lock()
	n := len(e.proxy.lbs)
	e.proxy.mu.Unlock()
	if n != 0 {
		t.Fatalf("proxy still remembers %d load balancers after DeleteLoadBalancer", n)
	}
}
