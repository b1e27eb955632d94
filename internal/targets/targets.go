// Package targets keeps a session's NLB target groups pointing at exactly one
// task IP and waits for that IP to pass health checks. Every call is safe to
// repeat: registering a present target or deregistering an absent one is a
// no-op, which lets open and close resume after a crash.
package targets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// API is the part of the ELBv2 client this package uses.
type API interface {
	DescribeTargetGroups(context.Context, *elbv2.DescribeTargetGroupsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	DescribeTargetHealth(context.Context, *elbv2.DescribeTargetHealthInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error)
	RegisterTargets(context.Context, *elbv2.RegisterTargetsInput, ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error)
	DeregisterTargets(context.Context, *elbv2.DeregisterTargetsInput, ...func(*elbv2.Options)) (*elbv2.DeregisterTargetsOutput, error)
}

// Target is one IP:port registration in one target group.
type Target struct {
	TargetGroupARN  string
	TargetGroupName string
	IP              string
	Port            int32
}

func (t Target) String() string {
	return fmt.Sprintf("%s:%d in %s", t.IP, t.Port, t.TargetGroupName)
}

// Change is what a call did.
type Change struct {
	Registered   []Target
	Deregistered []Target
}

// Empty reports that nothing changed.
func (c Change) Empty() bool { return len(c.Registered) == 0 && len(c.Deregistered) == 0 }

func (c Change) String() string {
	if c.Empty() {
		return "targets already up to date"
	}
	var parts []string
	if len(c.Registered) > 0 {
		parts = append(parts, "registered "+join(c.Registered))
	}
	if len(c.Deregistered) > 0 {
		parts = append(parts, "deregistered "+join(c.Deregistered))
	}
	return strings.Join(parts, "; ")
}

func join(ts []Target) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// group is a target group as far as this package cares.
type group struct {
	arn, name string
	port      int32
}

// describeGroup reads one target group; a missing group is ErrGroupNotFound.
func describeGroup(ctx context.Context, api API, arn string) (group, error) {
	out, err := api.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	if err != nil {
		if isNotFound(err) {
			return group{}, fmt.Errorf("%w: %s", ErrGroupNotFound, arn)
		}
		return group{}, fmt.Errorf("describe target group %s: %w", arn, err)
	}
	if len(out.TargetGroups) != 1 {
		return group{}, fmt.Errorf("%w: %s", ErrGroupNotFound, arn)
	}
	tg := out.TargetGroups[0]
	if tg.TargetType != types.TargetTypeEnumIp {
		return group{}, fmt.Errorf("target group %s has target type %q; Fargate tasks need target type ip", aws.ToString(tg.TargetGroupName), tg.TargetType)
	}
	return group{arn: arn, name: aws.ToString(tg.TargetGroupName), port: aws.ToInt32(tg.Port)}, nil
}

// ErrGroupNotFound means a target group ARN names nothing (yet, or any more).
var ErrGroupNotFound = errors.New("target group not found")

func isNotFound(err error) bool {
	var nf *types.TargetGroupNotFoundException
	return errors.As(err, &nf)
}

// registered lists the group's targets that are not already on their way out.
func registered(ctx context.Context, api API, g group) ([]types.TargetHealthDescription, error) {
	out, err := api.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: &g.arn})
	if err != nil {
		return nil, fmt.Errorf("list targets of target group %s: %w", g.name, err)
	}
	var live []types.TargetHealthDescription
	for _, d := range out.TargetHealthDescriptions {
		if d.Target == nil || d.TargetHealth != nil && d.TargetHealth.State == types.TargetHealthStateEnumDraining {
			continue // already deregistered; draining finishes by itself
		}
		live = append(live, d)
	}
	return live, nil
}

// Sync makes ip, at each group's own port, the only target of every group in
// tgARNs: it registers ip where it is missing first, then deregisters every
// other target (a previous task's IP), so traffic always has somewhere to go.
// On error the returned Change says what was done before it.
func Sync(ctx context.Context, api API, tgARNs []string, ip string) (Change, error) {
	var ch Change
	if parsed := net.ParseIP(ip); parsed == nil || parsed.To4() == nil {
		return ch, fmt.Errorf("task IP %q is not an IPv4 address", ip)
	}
	if len(tgARNs) == 0 {
		return ch, errors.New("no target groups to register the task in (is the NLB module applied?)")
	}
	for _, arn := range tgARNs {
		g, err := describeGroup(ctx, api, arn)
		if err != nil {
			return ch, fmt.Errorf("register %s: %w", ip, err)
		}
		present, err := registered(ctx, api, g)
		if err != nil {
			return ch, err
		}
		want := Target{TargetGroupARN: g.arn, TargetGroupName: g.name, IP: ip, Port: g.port}
		found := false
		var stale []types.TargetDescription
		var staleT []Target
		for _, d := range present {
			id, port := aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port)
			if id == ip && port == g.port {
				found = true
				continue
			}
			stale = append(stale, types.TargetDescription{Id: d.Target.Id, Port: d.Target.Port})
			staleT = append(staleT, Target{TargetGroupARN: g.arn, TargetGroupName: g.name, IP: id, Port: port})
		}
		if !found {
			if _, err := api.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{
				TargetGroupArn: &g.arn,
				Targets:        []types.TargetDescription{{Id: &ip, Port: &g.port}},
			}); err != nil {
				return ch, fmt.Errorf("register %s: %w", want, err)
			}
			ch.Registered = append(ch.Registered, want)
		}
		if len(stale) > 0 {
			if _, err := api.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: &g.arn, Targets: stale}); err != nil {
				return ch, fmt.Errorf("deregister stale targets %s: %w", join(staleT), err)
			}
			ch.Deregistered = append(ch.Deregistered, staleT...)
		}
	}
	return ch, nil
}

// DeregisterAll removes every target from every group. A group that no longer
// exists has no targets, so it is skipped: close must converge even after
// Terraform destroyed the groups.
func DeregisterAll(ctx context.Context, api API, tgARNs []string) (Change, error) {
	var ch Change
	for _, arn := range tgARNs {
		g, err := describeGroup(ctx, api, arn)
		if errors.Is(err, ErrGroupNotFound) {
			continue
		}
		if err != nil {
			return ch, fmt.Errorf("deregister targets: %w", err)
		}
		present, err := registered(ctx, api, g)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return ch, err
		}
		if len(present) == 0 {
			continue
		}
		var ds []types.TargetDescription
		var ts []Target
		for _, d := range present {
			ds = append(ds, types.TargetDescription{Id: d.Target.Id, Port: d.Target.Port})
			ts = append(ts, Target{TargetGroupARN: g.arn, TargetGroupName: g.name, IP: aws.ToString(d.Target.Id), Port: aws.ToInt32(d.Target.Port)})
		}
		if _, err := api.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: &g.arn, Targets: ds}); err != nil {
			if isNotFound(err) {
				continue
			}
			return ch, fmt.Errorf("deregister %s: %w", join(ts), err)
		}
		ch.Deregistered = append(ch.Deregistered, ts...)
	}
	return ch, nil
}
