package testbed

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestMain(m *testing.M) { Main(m) }

func TestS3PathStyleAndReset(t *testing.T) {
	e := Moto(t)
	ctx := context.Background()
	c := s3.NewFromConfig(e.AWSConfig(t))
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-one")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "v" {
		t.Fatalf("object = %q", b)
	}

	e.Reset(t)
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Buckets) != 0 {
		t.Fatalf("buckets after Reset: %d, want 0", len(list.Buckets))
	}
	if !slices.Contains(e.Env(), "AWS_ENDPOINT_URL="+e.URL) {
		t.Fatalf("Env() = %v does not point at %s", e.Env(), e.URL)
	}
}

// The shim's LoadBalancerAddresses must be what the real SDK decodes from a real AWS
// response; a misplaced or misspelt element would be silently ignored and fail here.
func TestAddressShimMatchesSDKShape(t *testing.T) {
	e := Moto(t)
	ctx := context.Background()
	cfg := e.AWSConfig(t)
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
	e.shim.mu.Lock()
	n := len(e.shim.lbs)
	e.shim.mu.Unlock()
	if n != 0 {
		t.Fatalf("shim still remembers %d load balancers after DeleteLoadBalancer", n)
	}
}
