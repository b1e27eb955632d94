// Package sweep finds and deletes what a session leaves behind when Terraform
// does not: a crash mid-apply can leave an NLB, its listeners, target groups
// and Elastic IPs outside the state, each billed by the hour (the seed system
// paid 1,444 NLB-hours in a 744-hour month that way). Everything carrying
// Project=<project> and Component=session is session-owned by definition.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Tag keys and the Component value that mark session resources.
const (
	TagProject   = "Project"
	TagComponent = "Component"
	Component    = "session"
)

// ELB is the part of the ELBv2 client the sweeper uses.
type ELB interface {
	DescribeLoadBalancers(context.Context, *elbv2.DescribeLoadBalancersInput, ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	DescribeTargetGroups(context.Context, *elbv2.DescribeTargetGroupsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	DescribeListeners(context.Context, *elbv2.DescribeListenersInput, ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	DescribeTags(context.Context, *elbv2.DescribeTagsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	DeleteListener(context.Context, *elbv2.DeleteListenerInput, ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error)
	DeleteLoadBalancer(context.Context, *elbv2.DeleteLoadBalancerInput, ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error)
	DeleteTargetGroup(context.Context, *elbv2.DeleteTargetGroupInput, ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error)
}

// EC2 is the part of the EC2 client the sweeper uses.
type EC2 interface {
	DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	DisassociateAddress(context.Context, *ec2.DisassociateAddressInput, ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error)
	ReleaseAddress(context.Context, *ec2.ReleaseAddressInput, ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error)
}

// APIs are the clients Find and Delete use.
type APIs struct {
	ELB ELB
	EC2 EC2
}

// Resource is one ELBv2 resource.
type Resource struct {
	ARN  string
	Name string
}

// Address is one Elastic IP.
type Address struct {
	AllocationID  string
	PublicIP      string
	AssociationID string // empty when not associated
}

// Inventory is what Find found, in deletion order.
type Inventory struct {
	Project       string
	Listeners     []Resource // every listener of a session load balancer
	LoadBalancers []Resource
	TargetGroups  []Resource
	Addresses     []Address
}

// Empty reports that nothing session-owned exists.
func (inv Inventory) Empty() bool {
	return len(inv.Listeners)+len(inv.LoadBalancers)+len(inv.TargetGroups)+len(inv.Addresses) == 0
}

// Except returns the inventory without the resources whose ARN or allocation
// id is in keep: what Terraform's state still manages (a live session) must
// not be swept, only what fell outside it.
func (inv Inventory) Except(keep ...string) Inventory {
	k := make(map[string]bool, len(keep))
	for _, id := range keep {
		k[id] = true
	}
	drop := func(rs []Resource) []Resource {
		var out []Resource
		for _, r := range rs {
			if !k[r.ARN] {
				out = append(out, r)
			}
		}
		return out
	}
	out := Inventory{Project: inv.Project, Listeners: drop(inv.Listeners), LoadBalancers: drop(inv.LoadBalancers), TargetGroups: drop(inv.TargetGroups)}
	for _, a := range inv.Addresses {
		if !k[a.AllocationID] {
			out.Addresses = append(out.Addresses, a)
		}
	}
	return out
}

// String lists the resources one per line, for logs and summaries.
func (inv Inventory) String() string {
	if inv.Empty() {
		return fmt.Sprintf("nothing tagged %s=%s, %s=%s\n", TagProject, inv.Project, TagComponent, Component)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tagged %s=%s, %s=%s:\n", TagProject, inv.Project, TagComponent, Component)
	for _, r := range inv.LoadBalancers {
		fmt.Fprintf(&b, "  load balancer  %s\n", r.Name)
	}
	for _, r := range inv.Listeners {
		fmt.Fprintf(&b, "  listener       %s\n", r.Name)
	}
	for _, r := range inv.TargetGroups {
		fmt.Fprintf(&b, "  target group   %s\n", r.Name)
	}
	for _, a := range inv.Addresses {
		assoc := ""
		if a.AssociationID != "" {
			assoc = ", associated"
		}
		fmt.Fprintf(&b, "  Elastic IP     %s (%s%s)\n", a.PublicIP, a.AllocationID, assoc)
	}
	return b.String()
}

// errNoProject refuses to look without a project: the Project tag is what
// makes a resource this stack's session's (Find and FindTargetGroups).
var errNoProject = errors.New("sweep needs a project name: it deletes only resources tagged Project=<project>")

// Find lists every session-owned load balancer (with its listeners), target
// group and Elastic IP of project in the client's region.
func Find(ctx context.Context, apis APIs, project string) (Inventory, error) {
	inv := Inventory{Project: project}
	if project == "" {
		return inv, errNoProject
	}
	var lbs []Resource
	lbp := elbv2.NewDescribeLoadBalancersPaginator(apis.ELB, &elbv2.DescribeLoadBalancersInput{})
	for lbp.HasMorePages() {
		page, err := lbp.NextPage(ctx)
		if err != nil {
			return inv, fmt.Errorf("list load balancers: %w", err)
		}
		for _, lb := range page.LoadBalancers {
			lbs = append(lbs, Resource{ARN: aws.ToString(lb.LoadBalancerArn), Name: aws.ToString(lb.LoadBalancerName)})
		}
	}
	var err error
	if inv.LoadBalancers, err = tagged(ctx, apis.ELB, lbs, project); err != nil {
		return inv, err
	}
	for _, lb := range inv.LoadBalancers {
		p := elbv2.NewDescribeListenersPaginator(apis.ELB, &elbv2.DescribeListenersInput{LoadBalancerArn: &lb.ARN})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			var nf *elbtypes.LoadBalancerNotFoundException
			if errors.As(err, &nf) {
				break // deleted since we listed it
			}
			if err != nil {
				return inv, fmt.Errorf("list listeners of %s: %w", lb.Name, err)
			}
			for _, l := range page.Listeners {
				inv.Listeners = append(inv.Listeners, Resource{
					ARN:  aws.ToString(l.ListenerArn),
					Name: fmt.Sprintf("%s %s/%d", lb.Name, l.Protocol, aws.ToInt32(l.Port)),
				})
			}
		}
	}

	if inv.TargetGroups, err = FindTargetGroups(ctx, apis.ELB, project); err != nil {
		return inv, err
	}

	out, err := apis.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + TagProject), Values: []string{project}},
		{Name: aws.String("tag:" + TagComponent), Values: []string{Component}},
	}})
	if err != nil {
		return inv, fmt.Errorf("list Elastic IPs: %w", err)
	}
	for _, a := range out.Addresses {
		inv.Addresses = append(inv.Addresses, Address{
			AllocationID: aws.ToString(a.AllocationId), PublicIP: aws.ToString(a.PublicIp),
			AssociationID: aws.ToString(a.AssociationId),
		})
	}
	sort.Slice(inv.Addresses, func(i, j int) bool { return inv.Addresses[i].AllocationID < inv.Addresses[j].AllocationID })
	return inv, nil
}

// FindTargetGroups lists only the session-owned target groups of project: what
// a session polls for while Terraform creates its NLB (every few seconds for
// minutes), without Find's load balancers, listeners and addresses.
func FindTargetGroups(ctx context.Context, api ELB, project string) ([]Resource, error) {
	if project == "" {
		return nil, errNoProject
	}
	var tgs []Resource
	tgp := elbv2.NewDescribeTargetGroupsPaginator(api, &elbv2.DescribeTargetGroupsInput{})
	for tgp.HasMorePages() {
		page, err := tgp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list target groups: %w", err)
		}
		for _, tg := range page.TargetGroups {
			tgs = append(tgs, Resource{ARN: aws.ToString(tg.TargetGroupArn), Name: aws.ToString(tg.TargetGroupName)})
		}
	}
	return tagged(ctx, api, tgs, project)
}

// describeTagsBatch is ELBv2's limit on ARNs per DescribeTags call.
const describeTagsBatch = 20

// tagged keeps the resources whose tags mark them as the project's session.
func tagged(ctx context.Context, api ELB, rs []Resource, project string) ([]Resource, error) {
	byARN := make(map[string]Resource, len(rs))
	for _, r := range rs {
		byARN[r.ARN] = r
	}
	var keep []Resource
	for start := 0; start < len(rs); start += describeTagsBatch {
		batch := rs[start:min(start+describeTagsBatch, len(rs))]
		descs, err := describeTags(ctx, api, batch)
		if err != nil {
			return nil, err
		}
		for _, d := range descs {
			if hasSessionTags(d.Tags, project) {
				keep = append(keep, byARN[aws.ToString(d.ResourceArn)])
			}
		}
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].Name < keep[j].Name })
	return keep, nil
}

// describeTags asks for a batch; if one resource vanished since it was listed
// (the whole call fails then), it asks one by one and skips the vanished.
func describeTags(ctx context.Context, api ELB, batch []Resource) ([]elbtypes.TagDescription, error) {
	arns := make([]string, len(batch))
	for i, r := range batch {
		arns[i] = r.ARN
	}
	out, err := api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns})
	if err == nil {
		return out.TagDescriptions, nil
	}
	if !isELBNotFound(err) {
		return nil, fmt.Errorf("read tags of %d load balancing resources: %w", len(arns), err)
	}
	var descs []elbtypes.TagDescription
	for _, r := range batch {
		out, err := api.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{r.ARN}})
		if isELBNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read tags of %s: %w", r.Name, err)
		}
		descs = append(descs, out.TagDescriptions...)
	}
	return descs, nil
}

func hasSessionTags(tags []elbtypes.Tag, project string) bool {
	var p, c bool
	for _, t := range tags {
		switch aws.ToString(t.Key) {
		case TagProject:
			p = aws.ToString(t.Value) == project
		case TagComponent:
			c = aws.ToString(t.Value) == Component
		}
	}
	return p && c
}

func isELBNotFound(err error) bool {
	var lb *elbtypes.LoadBalancerNotFoundException
	var tg *elbtypes.TargetGroupNotFoundException
	var l *elbtypes.ListenerNotFoundException
	return errors.As(err, &lb) || errors.As(err, &tg) || errors.As(err, &l)
}
