package verify

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/probe"
)

func pass(format string, a ...any) probe.Result {
	return probe.Result{Status: probe.Pass, Reason: fmt.Sprintf(format, a...)}
}

func fail(format string, a ...any) probe.Result {
	return probe.Result{Status: probe.Fail, Reason: fmt.Sprintf(format, a...)}
}

func warn(format string, a ...any) probe.Result {
	return probe.Result{Status: probe.Warn, Reason: fmt.Sprintf(format, a...)}
}

// TargetHealth reads AWS's own health checks of one target group: PASS when
// at least one target is registered and all are healthy.
func TargetHealth(ctx context.Context, lbs LoadBalancers, arn string) probe.Result {
	out, err := lbs.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		return fail("reading target health of %s: %v", arn, err)
	}
	if len(out.TargetHealthDescriptions) == 0 {
		return fail("no targets registered: the task's IP was never registered (or was deregistered); run jitsictl session open again to re-register")
	}
	var parts []string
	worst := probe.Pass
	for _, d := range out.TargetHealthDescriptions {
		id := aws.ToString(d.Target.Id)
		if d.Target.Port != nil {
			id = fmt.Sprintf("%s:%d", id, *d.Target.Port)
		}
		state := elbtypes.TargetHealthStateEnumUnavailable
		desc := ""
		if d.TargetHealth != nil {
			state = d.TargetHealth.State
			desc = aws.ToString(d.TargetHealth.Description)
		}
		part := id + " " + string(state)
		if desc != "" {
			part += " (" + desc + ")"
		}
		parts = append(parts, part)
		switch state {
		case elbtypes.TargetHealthStateEnumHealthy:
		case elbtypes.TargetHealthStateEnumInitial, elbtypes.TargetHealthStateEnumDraining:
			if worst == probe.Pass {
				worst = probe.Warn
			}
		default: // unhealthy, unused, unavailable, unhealthy.draining
			worst = probe.Fail
		}
	}
	reason := strings.Join(parts, "; ")
	switch worst {
	case probe.Warn:
		return warn("%s: still registering or draining, check again in a minute", reason)
	case probe.Fail:
		return fail("%s: AWS's health check fails; look at the task's logs and its security group", reason)
	}
	return pass("%s", reason)
}

// nlbAddresses is what the load balancer answers to, with where that came from.
type nlbAddresses struct {
	ips    []string
	source string
	err    error
}

// discoverAddresses reads the NLB's public addresses: the per-AZ
// LoadBalancerAddresses, which with subnet_mapping are the Elastic IPs (an
// allocation listed without its address is resolved through EC2). An NLB
// without them cannot work with JVB's fixed advertised addresses, and one
// whose addresses differ from the stack's Elastic IPs means drift; both fail.
func discoverAddresses(ctx context.Context, d Deps, t Target, lb elbtypes.LoadBalancer) nlbAddresses {
	var ips, allocs []string
	for _, az := range lb.AvailabilityZones {
		for _, a := range az.LoadBalancerAddresses {
			switch {
			case aws.ToString(a.IpAddress) != "":
				ips = append(ips, aws.ToString(a.IpAddress))
			case aws.ToString(a.AllocationId) != "":
				allocs = append(allocs, aws.ToString(a.AllocationId))
			}
		}
	}
	if len(allocs) > 0 {
		eips, err := d.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: allocs})
		if err != nil {
			return nlbAddresses{err: fmt.Errorf("reading the load balancer's Elastic IPs %s: %w", strings.Join(allocs, ", "), err)}
		}
		for _, a := range eips.Addresses {
			ips = append(ips, aws.ToString(a.PublicIp))
		}
	}
	ips = sortedSet(ips)
	if len(ips) == 0 {
		return nlbAddresses{err: fmt.Errorf("load balancer %s has no Elastic IPs (no subnet_mapping allocation): JVB cannot advertise a fixed address; recreate it with jitsictl session close and open", t.NLBARN)}
	}
	if stack := sortedSet(t.EIPAddresses); len(stack) > 0 && !slices.Equal(stack, ips) {
		return nlbAddresses{ips: ips, err: fmt.Errorf("load balancer carries %s but the stack's Elastic IPs are %s: the state has drifted; run jitsictl session open to reconcile", strings.Join(ips, ", "), strings.Join(stack, ", "))}
	}
	return nlbAddresses{ips: ips, source: "the load balancer's Elastic IPs"}
}

// AdvertisedAddress compares the advertise-ips parameter (what JVB puts in its
// ICE candidates) with the NLB's addresses: the seed advertised "AUTO", so
// media went around the load balancer.
func AdvertisedAddress(ctx context.Context, ps Parameters, name string, nlb nlbAddresses) probe.Result {
	if nlb.err != nil {
		return fail("%v", nlb.err)
	}
	out, err := ps.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		return fail("reading parameter %s: %v", name, err)
	}
	value := aws.ToString(out.Parameter.Value)
	advertised, bad := parseAdvertised(value)
	if len(bad) > 0 {
		return fail("parameter %s holds %q, which is not a list of addresses (JVB takes each item literally): it must be %s",
			name, strings.Join(bad, ","), strings.Join(nlb.ips, ","))
	}
	if slices.Equal(advertised, nlb.ips) {
		return pass("parameter %s advertises %s, exactly %s", name, strings.Join(advertised, ", "), nlb.source)
	}
	return fail("parameter %s advertises %s but %s are %s: clients would send media where the NLB is not; rerun jitsictl session open to rewrite it and restart the task",
		name, orNone(advertised), nlb.source, orNone(nlb.ips))
}

// parseAdvertised splits JVB_ADVERTISE_IPS ("ip[#port],...") into sorted IPs
// and the items that are not addresses.
func parseAdvertised(v string) (ips, bad []string) {
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		host, _, _ := strings.Cut(item, "#")
		if _, err := netip.ParseAddr(host); err != nil {
			bad = append(bad, item)
			continue
		}
		ips = append(ips, host)
	}
	return sortedSet(ips), bad
}

// JVBConfig checks the videobridge container of the task definition: STUN
// discovery off (with fixed addresses it can only find the task's own IP) and
// JVB_ADVERTISE_IPS fed from the parameter verify compares.
func JVBConfig(ctx context.Context, tds TaskDefinitions, family, container, parameter string) probe.Result {
	out, err := tds.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)})
	if err != nil {
		return fail("reading task definition %s: %v", family, err)
	}
	td := out.TaskDefinition
	rev := fmt.Sprintf("%s:%d", aws.ToString(td.Family), td.Revision)
	for _, c := range td.ContainerDefinitions {
		if aws.ToString(c.Name) != container {
			continue
		}
		var problems []string
		stun := ""
		for _, e := range c.Environment {
			switch aws.ToString(e.Name) {
			case "JVB_DISABLE_STUN":
				stun = aws.ToString(e.Value)
			case "JVB_ADVERTISE_IPS":
				problems = append(problems, fmt.Sprintf("JVB_ADVERTISE_IPS is a fixed environment value %q instead of the parameter %s", aws.ToString(e.Value), parameter))
			}
		}
		if s := strings.ToLower(stun); s != "1" && s != "true" {
			problems = append(problems, fmt.Sprintf("STUN discovery is on (JVB_DISABLE_STUN=%q): JVB would advertise the task's own public IP and bypass the NLB; set JVB_DISABLE_STUN=1", stun))
		}
		fromParam := false
		for _, s := range c.Secrets {
			if aws.ToString(s.Name) == "JVB_ADVERTISE_IPS" && parameterMatches(aws.ToString(s.ValueFrom), parameter) {
				fromParam = true
			}
		}
		if !fromParam {
			problems = append(problems, fmt.Sprintf("JVB_ADVERTISE_IPS does not come from parameter %s", parameter))
		}
		if len(problems) > 0 {
			return fail("%s container %s: %s", rev, container, strings.Join(problems, "; "))
		}
		return pass("%s container %s: JVB_DISABLE_STUN=%s, JVB_ADVERTISE_IPS from %s", rev, container, stun, parameter)
	}
	return fail("task definition %s has no container named %s", rev, container)
}

// parameterMatches accepts a parameter's name or ARN in a valueFrom.
func parameterMatches(valueFrom, name string) bool {
	return valueFrom == name || strings.HasSuffix(valueFrom, ":parameter/"+strings.TrimPrefix(name, "/"))
}

// SecurityGroup checks the task's ingress: media from anywhere (the NLB
// preserves client IPs for UDP) and JVB's health port from the VPC (the
// seed's NLB could never pass its health check).
func SecurityGroup(ctx context.Context, n Network, id, vpcCIDR string, mediaPort, healthPort int) probe.Result {
	out, err := n.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil {
		return fail("reading security group %s: %v", id, err)
	}
	if len(out.SecurityGroups) == 0 {
		return fail("security group %s does not exist", id)
	}
	vpc, err := netip.ParsePrefix(vpcCIDR)
	if err != nil {
		return fail("VPC CIDR %q from the stack outputs is not a CIDR", vpcCIDR)
	}
	anywhere := netip.MustParsePrefix("0.0.0.0/0")
	perms := out.SecurityGroups[0].IpPermissions
	var missing []string
	if !admits(perms, "udp", mediaPort, anywhere) {
		missing = append(missing, fmt.Sprintf("UDP %d from 0.0.0.0/0 (clients' media; the NLB keeps their addresses)", mediaPort))
	}
	if !admits(perms, "tcp", healthPort, vpc) {
		missing = append(missing, fmt.Sprintf("TCP %d from the VPC %s (the NLB's health checks)", healthPort, vpcCIDR))
	}
	if len(missing) > 0 {
		return fail("security group %s lacks ingress for %s", id, strings.Join(missing, " and "))
	}
	return pass("security group %s admits UDP %d from anywhere and TCP %d from %s", id, mediaPort, healthPort, vpcCIDR)
}

// admits reports whether some rule allows proto/port from every address of src.
func admits(perms []ec2types.IpPermission, proto string, port int, src netip.Prefix) bool {
	num := map[string]string{"tcp": "6", "udp": "17"}[proto]
	for _, p := range perms {
		ip := aws.ToString(p.IpProtocol)
		if ip != proto && ip != num && ip != "-1" {
			continue
		}
		if ip != "-1" && (p.FromPort == nil || p.ToPort == nil || int(*p.FromPort) > port || int(*p.ToPort) < port) {
			continue
		}
		for _, r := range p.IpRanges {
			if c, err := netip.ParsePrefix(aws.ToString(r.CidrIp)); err == nil && c.Bits() <= src.Bits() && c.Contains(src.Addr()) {
				return true
			}
		}
	}
	return false
}

// DNS checks that the meeting's domain resolves to exactly the NLB's addresses.
func DNS(ctx context.Context, r Resolver, domain string, nlb nlbAddresses) probe.Result {
	if nlb.err != nil {
		return fail("%v", nlb.err)
	}
	addrs, err := r.LookupHost(ctx, domain)
	if err != nil {
		return fail("%s does not resolve: %v; point an A record per Elastic IP (%s) at it", domain, err, strings.Join(nlb.ips, ", "))
	}
	var v4 []string
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
			v4 = append(v4, a)
		}
	}
	v4 = sortedSet(v4)
	if slices.Equal(v4, nlb.ips) {
		return pass("%s resolves to %s", domain, strings.Join(v4, ", "))
	}
	return fail("%s resolves to %s but %s are %s: update its A records", domain, orNone(v4), nlb.source, orNone(nlb.ips))
}

func sortedSet(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "nothing"
	}
	return strings.Join(s, ", ")
}
