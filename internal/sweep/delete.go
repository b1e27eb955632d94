package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
)

// Progress receives one line per step (deleted, waiting, retrying) and the
// time since Delete began. It may be nil.
type Progress func(step string, elapsed time.Duration)

// Option tunes Delete.
type Option func(*options)

type options struct {
	lbGone     time.Duration // limit for one load balancer to disappear
	lbPoll     time.Duration
	retryLimit time.Duration // limit for one busy target group or Elastic IP
	retryFirst time.Duration // first backoff; doubles up to retryMax
	retryMax   time.Duration
}

// Limits bound the waits: how long a load balancer may take to disappear and
// how long a busy target group or Elastic IP is retried.
func Limits(lbGone, retry time.Duration) Option {
	return func(o *options) { o.lbGone, o.retryLimit = lbGone, retry }
}

// PollEvery sets how often Delete looks again (load balancer gone, busy
// resource free). Tests use milliseconds.
func PollEvery(d time.Duration) Option {
	return func(o *options) { o.lbPoll, o.retryFirst, o.retryMax = d, d, d }
}

func defaults() options {
	// An NLB takes 40-50 s to delete; its network interfaces, and so its
	// Elastic IPs, stay busy for a few minutes after.
	return options{lbGone: 10 * time.Minute, lbPoll: 10 * time.Second,
		retryLimit: 10 * time.Minute, retryFirst: 5 * time.Second, retryMax: 30 * time.Second}
}

// Delete removes inv in dependency order: listeners, load balancers (waiting
// until each is gone), target groups, then Elastic IPs (disassociated first).
// Something already gone counts as deleted, so Delete can be repeated. It
// carries on past a failed resource and returns all failures joined.
func Delete(ctx context.Context, apis APIs, inv Inventory, progress Progress, opts ...Option) error {
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	start := time.Now()
	say := func(format string, a ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, a...), time.Since(start))
		}
	}
	var errs []error
	// Between stages: an interrupted sweep stops instead of piling up one
	// "context canceled" per remaining resource.
	interrupted := func() error {
		if ctx.Err() == nil {
			return nil
		}
		return errors.Join(append(errs, fmt.Errorf("sweep interrupted: %w", ctx.Err()))...)
	}

	for _, l := range inv.Listeners {
		_, err := apis.ELB.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: &l.ARN})
		switch {
		case err == nil || isELBNotFound(err):
			say("deleted listener %s", l.Name)
		default:
			errs = append(errs, fmt.Errorf("delete listener %s: %w", l.Name, err))
		}
	}

	if err := interrupted(); err != nil {
		return err
	}
	lbFailed := false
	var deleting []Resource
	for _, lb := range inv.LoadBalancers {
		// DeleteLoadBalancer succeeds for a load balancer that is gone.
		if _, err := apis.ELB.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: &lb.ARN}); err != nil && !isELBNotFound(err) {
			hint := ""
			if code(err) == "OperationNotPermitted" {
				hint = " (deletion protection is on: turn it off in the console or Terraform first)"
			}
			errs = append(errs, fmt.Errorf("delete load balancer %s: %w%s", lb.Name, err, hint))
			lbFailed = true
			continue
		}
		say("deleting load balancer %s", lb.Name)
		deleting = append(deleting, lb)
	}
	for _, lb := range deleting {
		// One ARN per wait: DescribeLoadBalancers fails with NotFound when any
		// listed ARN is gone, which the SDK waiter takes as all deleted.
		w := elbv2.NewLoadBalancersDeletedWaiter(apis.ELB, func(wo *elbv2.LoadBalancersDeletedWaiterOptions) {
			wo.MinDelay, wo.MaxDelay = o.lbPoll, max(o.lbPoll, 30*time.Second)
		})
		if err := w.Wait(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{lb.ARN}}, o.lbGone); err != nil {
			errs = append(errs, fmt.Errorf("load balancer %s not gone after %v: %w", lb.Name, o.lbGone, err))
			lbFailed = true
			continue
		}
		say("load balancer %s is gone", lb.Name)
	}

	if err := interrupted(); err != nil {
		return err
	}
	// A target group stays "in use" for a moment after its load balancer is
	// deleted; if a load balancer could not be deleted, one try is enough.
	tgLimit := o.retryLimit
	if lbFailed {
		tgLimit = 0
	}
	for _, tg := range inv.TargetGroups {
		err := retry(ctx, tgLimit, o, say, "target group "+tg.Name, func() (bool, error) {
			_, err := apis.ELB.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: &tg.ARN})
			var inUse *elbtypes.ResourceInUseException
			switch {
			case err == nil || isELBNotFound(err):
				return false, nil
			case errors.As(err, &inUse):
				return true, err
			default:
				return false, err
			}
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("delete target group %s: %w", tg.Name, err))
			continue
		}
		say("deleted target group %s", tg.Name)
	}

	if err := interrupted(); err != nil {
		return err
	}
	// Likewise an Elastic IP stays held while its load balancer lives.
	eipOpts := o
	if lbFailed {
		eipOpts.retryLimit = 0
	}
	for _, a := range inv.Addresses {
		if err := release(ctx, apis.EC2, a, eipOpts, say); err != nil {
			errs = append(errs, err)
			continue
		}
		say("released Elastic IP %s (%s)", a.PublicIP, a.AllocationID)
	}
	return errors.Join(errs...)
}

// release disassociates (if needed) and releases one Elastic IP, retrying the
// errors AWS returns while a deleted NLB's network interfaces linger.
func release(ctx context.Context, api EC2, a Address, o options, say func(string, ...any)) error {
	what := fmt.Sprintf("Elastic IP %s (%s)", a.PublicIP, a.AllocationID)
	err := retry(ctx, o.retryLimit, o, say, what, func() (bool, error) {
		// Look again each time: the association may have gone with the ENI.
		out, err := api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{a.AllocationID}})
		if code(err) == "InvalidAllocationID.NotFound" {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("describe: %w", err)
		}
		if len(out.Addresses) == 0 {
			return false, nil
		}
		if assoc := out.Addresses[0].AssociationId; assoc != nil && *assoc != "" {
			_, err := api.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: assoc})
			if err != nil && code(err) != "InvalidAssociationID.NotFound" {
				return eipBusy(err), fmt.Errorf("disassociate %s: %w", *assoc, err)
			}
			say("disassociated %s", what)
		}
		_, err = api.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &a.AllocationID})
		if err == nil || code(err) == "InvalidAllocationID.NotFound" {
			return false, nil
		}
		return eipBusy(err), err
	})
	if err != nil {
		return fmt.Errorf("release %s: %w (a deleted NLB's network interfaces can hold it for minutes; run the sweep again later)", what, err)
	}
	return nil
}

// eipBusy reports the errors AWS gives for an address still held by a
// deleted load balancer's lingering network interface.
func eipBusy(err error) bool {
	switch code(err) {
	case "AuthFailure", "InvalidIPAddress.InUse":
		return true
	}
	return err != nil && strings.Contains(err.Error(), "allocation IDs are not available")
}

// retry runs op until it reports no retry, with doubling backoff, for at most
// limit (0: once). It returns op's last error.
func retry(ctx context.Context, limit time.Duration, o options, say func(string, ...any), what string, op func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	delay := o.retryFirst
	for {
		again, err := op()
		if !again || err == nil {
			return err
		}
		if limit <= 0 {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("still failing after %v: %w", limit, err)
		}
		say("%s busy (%s), retrying in %v", what, code(err), delay)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(delay*2, o.retryMax)
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
