package verify

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/jitsictl/jitsictl/internal/probe"
)

// Report is a whole verify run.
type Report struct {
	Results []probe.Result `json:"results"`
	// Elapsed is the wall time of the run, discovery included.
	Elapsed time.Duration `json:"-"`
}

// Failed reports whether any check failed; the command exits non-zero then.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r.Results, func(x probe.Result) bool { return x.Status == probe.Fail })
}

// Count returns how many results have status s.
func (r Report) Count(s probe.Status) int {
	n := 0
	for _, x := range r.Results {
		if x.Status == s {
			n++
		}
	}
	return n
}

// Run discovers the load balancer, builds every check and runs them
// concurrently. It never stops early: one run shows every problem.
func Run(ctx context.Context, d Deps, t Target) Report {
	start := time.Now()
	lb, checks := Plan(ctx, d, t)
	results := probe.Run(ctx, checks, probe.RunOptions{Concurrency: d.Concurrency})
	return Report{Results: append([]probe.Result{lb}, results...), Elapsed: time.Since(start)}
}

// Plan reads the load balancer (state, addresses, listeners) and returns that
// reading as the first result and the checks to run. Checks that need the
// load balancer are left out when it cannot be read; its result says why.
func Plan(ctx context.Context, d Deps, t Target) (probe.Result, []probe.Check) {
	t = t.withDefaults()
	timeout := d.CheckTimeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	var checks []probe.Check
	add := func(name, target string, run func(context.Context) probe.Result) {
		checks = append(checks, probe.Check{Name: name, Target: target, Timeout: timeout, Run: run})
	}

	start := time.Now()
	lb, nlb, listeners := discover(ctx, d, t)
	lb.Check, lb.Target, lb.Duration = "load-balancer", shortARN(t.NLBARN), time.Since(start)
	if lb.Target == "" {
		lb.Target = "(none)"
	}

	for _, name := range sortedKeys(t.TargetGroupARNs) {
		arn := t.TargetGroupARNs[name]
		add("target-health", name, func(ctx context.Context) probe.Result { return TargetHealth(ctx, d.ELB, arn) })
	}
	if nlb.err == nil {
		add("advertised-address", t.AdvertiseIPsParameter, func(ctx context.Context) probe.Result {
			if r, ok := missing(t.AdvertiseIPsParameter, "advertise_ips_parameter_name"); !ok {
				return r
			}
			return AdvertisedAddress(ctx, d.SSM, t.AdvertiseIPsParameter, nlb)
		})
	}
	add("jvb-config", t.TaskDefinitionFamily, func(ctx context.Context) probe.Result {
		if r, ok := missing(t.TaskDefinitionFamily, "task_definition_family"); !ok {
			return r
		}
		return JVBConfig(ctx, d.ECS, t.TaskDefinitionFamily, t.JVBContainer, t.AdvertiseIPsParameter)
	})
	add("security-group", t.SecurityGroupID, func(ctx context.Context) probe.Result {
		if r, ok := missing(t.SecurityGroupID, "security_group_id"); !ok {
			return r
		}
		return SecurityGroup(ctx, d.EC2, t.SecurityGroupID, t.VPCCIDR, t.MediaPort, t.HealthPort)
	})
	if t.Domain != "" && nlb.err == nil {
		resolver := d.Resolver
		if resolver == nil {
			resolver = net.DefaultResolver
		}
		add("dns", t.Domain, func(ctx context.Context) probe.Result { return DNS(ctx, resolver, t.Domain, nlb) })
	}
	if nlb.err != nil {
		return lb, checks
	}

	for _, l := range listeners {
		if l.proto == elbtypes.ProtocolEnumUdp {
			continue
		}
		for _, ip := range nlb.ips {
			addr := net.JoinHostPort(ip, fmt.Sprint(l.port))
			add("tcp", addr, func(ctx context.Context) probe.Result { return probe.TCP(ctx, addr) })
		}
	}
	if t.MeetingURL != "" {
		port := "443"
		if u, err := url.Parse(t.MeetingURL); err == nil && u.Port() != "" {
			port = u.Port()
		}
		for _, ip := range nlb.ips {
			opts := probe.HTTPSOptions{RootCAs: d.RootCAs, DialAddr: net.JoinHostPort(ip, port)}
			add("https", t.MeetingURL+" via "+opts.DialAddr, func(ctx context.Context) probe.Result {
				r := probe.HTTPS(ctx, t.MeetingURL, opts)
				// Without a domain no public CA can issue a certificate for the
				// URL: that is the operator's choice, not a broken session.
				if t.Domain == "" && r.Status == probe.Fail && strings.HasPrefix(r.Reason, "certificate") {
					r.Status = probe.Warn
					r.Reason += " (no domain_name is configured, so browsers will warn; set one for a trusted certificate)"
				}
				return r
			})
		}
	}
	if t.MeetingURL != "" && t.Access != "" {
		addAccessCheck(add, t, nlb.ips)
	}
	for _, l := range listeners {
		if l.proto != elbtypes.ProtocolEnumUdp && l.proto != elbtypes.ProtocolEnumTcpUdp {
			continue
		}
		for _, ip := range nlb.ips {
			addr := net.JoinHostPort(ip, fmt.Sprint(l.port))
			add("udp-stun", addr, func(ctx context.Context) probe.Result { return probe.STUN(ctx, addr, d.STUN) })
		}
	}
	return lb, checks
}

type listener struct {
	proto elbtypes.ProtocolEnum
	port  int32
}

// discover reads the NLB once for every check that needs it.
func discover(ctx context.Context, d Deps, t Target) (probe.Result, nlbAddresses, []listener) {
	if t.NLBARN == "" {
		err := fmt.Errorf("no session is open (the stack's nlb_arn output is empty): run jitsictl session open first")
		return fail("%v", err), nlbAddresses{err: err}, nil
	}
	out, err := d.ELB.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{t.NLBARN}})
	if err != nil {
		err = fmt.Errorf("reading load balancer %s: %w", t.NLBARN, err)
		return fail("%v", err), nlbAddresses{err: err}, nil
	}
	if len(out.LoadBalancers) == 0 {
		err = fmt.Errorf("load balancer %s does not exist: open a session first (jitsictl session open)", t.NLBARN)
		return fail("%v", err), nlbAddresses{err: err}, nil
	}
	state := elbtypes.LoadBalancerStateEnumActive
	if s := out.LoadBalancers[0].State; s != nil {
		state = s.Code
	}
	nlb := discoverAddresses(ctx, d, t, out.LoadBalancers[0])
	if nlb.err != nil {
		return fail("%v", nlb.err), nlb, nil
	}
	lo, err := d.ELB.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(t.NLBARN)})
	if err != nil {
		err = fmt.Errorf("reading listeners of %s: %w", t.NLBARN, err)
		return fail("%v", err), nlbAddresses{err: err}, nil
	}
	var ls []listener
	var names []string
	for _, l := range lo.Listeners {
		ls = append(ls, listener{proto: l.Protocol, port: aws.ToInt32(l.Port)})
	}
	slices.SortFunc(ls, func(a, b listener) int {
		if a.port != b.port {
			return int(a.port - b.port)
		}
		return strings.Compare(string(a.proto), string(b.proto))
	})
	for _, l := range ls {
		names = append(names, fmt.Sprintf("%s %d", l.proto, l.port))
	}
	desc := fmt.Sprintf("%s; addresses %s; listeners %s", state, strings.Join(nlb.ips, ", "), orNone(names))
	switch {
	case len(ls) == 0:
		return fail("%s: the load balancer has no listeners", desc), nlb, ls
	case state == elbtypes.LoadBalancerStateEnumProvisioning:
		return warn("%s: still provisioning (usually 2-3 minutes), probes may fail until it is active", desc), nlb, ls
	case state != elbtypes.LoadBalancerStateEnumActive:
		return fail("%s: not active", desc), nlb, ls
	}
	return pass("%s", desc), nlb, ls
}

// missing fails a check whose stack output is empty.
func missing(value, output string) (probe.Result, bool) {
	if value != "" {
		return probe.Result{}, true
	}
	return fail("the stack output %s is empty: apply the stack first (jitsictl deploy apply)", output), false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// shortARN keeps the load balancer's name part ("net/<name>/<id>") for tables.
func shortARN(arn string) string {
	if _, name, ok := strings.Cut(arn, ":loadbalancer/"); ok {
		return name
	}
	return arn
}
