package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/jitsictl/jitsictl/internal/guard"
)

// Guard is the AWS-side safety net (internal/guard): schedules that end the
// session at its expiry plus a grace period when no workflow does.
type Guard interface {
	Arm(ctx context.Context, s guard.Session) error
	Disarm(ctx context.Context) error
	// Fires says when the armed guard ends the session (false: none armed).
	Fires(ctx context.Context) (time.Time, bool, error)
}

// LoadBalancers tells whether a load balancer still exists: an open record
// whose NLB is gone is a session the guard (or someone) already ended.
type LoadBalancers interface {
	Exists(ctx context.Context, arn string) (bool, error)
}

// ELBLoadBalancers asks ELBv2.
type ELBLoadBalancers struct {
	API interface {
		DescribeLoadBalancers(context.Context, *elbv2.DescribeLoadBalancersInput, ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	}
}

// Exists reports whether arn names a load balancer.
func (e ELBLoadBalancers) Exists(ctx context.Context, arn string) (bool, error) {
	out, err := e.API.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
	if isCode(err, "LoadBalancerNotFound") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up the session's load balancer: %w", err)
	}
	return len(out.LoadBalancers) > 0, nil
}

// armGuard arms (or re-arms) the guard for a session that expires hours from
// now and returns that expiry for the record. Without a guard (a stack
// deployed before it existed) the session opens unguarded, with a warning.
func (m *Manager) armGuard(ctx context.Context, j *journal, hours int) (time.Time, error) {
	expires := m.now().Add(time.Duration(hours) * time.Hour)
	if m.Guard == nil {
		m.Reporter.Warnf("no session guard: only the scheduled reaper will close this session (deploy the current terraform/ to get the AWS-side guard)")
		return expires, nil
	}
	err := j.step(ctx, "guard", func(ctx context.Context) error {
		expires = m.now().Add(time.Duration(hours) * time.Hour)
		return m.armFor(ctx, j.snapshot().NLBArn, expires, false)
	})
	return expires, err
}

// guardEnded tells whether an open record describes a session whose load
// balancer is gone: the guard fired (or someone deleted it), and the record
// and the Terraform state still have to follow. It says which, for the user.
func (m *Manager) guardEnded(ctx context.Context, r Record) (string, bool, error) {
	if r.State != StateOpen || r.NLBArn == "" || m.LoadBalancers == nil {
		return "", false, nil
	}
	ok, err := m.LoadBalancers.Exists(ctx, r.NLBArn)
	if err != nil || ok {
		return "", false, err
	}
	if m.now().After(r.ExpiresAt) {
		return fmt.Sprintf("the session guard ended the session that expired at %s (its load balancer is gone)", r.ExpiresAt.Format(time.RFC3339)), true, nil
	}
	return "the session's load balancer was deleted outside jitsictl", true, nil
}

// convergeEnded closes an open record whose session has already ended on the
// AWS side, so the caller (open, status) starts from a record that is true.
// It reports what it found and did; "" means nothing was ended.
func (m *Manager) convergeEnded(ctx context.Context) (string, error) {
	v, err := m.Store.Load(ctx)
	if err != nil {
		return "", err
	}
	why, ended, err := m.guardEnded(ctx, v.Record)
	if err == nil && !ended {
		why, ended, err = m.lingerOver(ctx, v.Record, reuseMargin)
	}
	if err != nil || !ended {
		return "", err
	}
	if _, err := m.Close(ctx, CloseOptions{Reason: why, Now: true}); err != nil {
		return why, fmt.Errorf("%s, and converging the record failed: %w", why, err)
	}
	return why, nil
}

var errNoGuard = errors.New("no session guard")

// guardFires is the guard's time for status ("" when none is armed).
func (m *Manager) guardFires(ctx context.Context) (string, error) {
	if m.Guard == nil {
		return "", errNoGuard
	}
	at, ok, err := m.Guard.Fires(ctx)
	if err != nil || !ok {
		return "", err
	}
	return at.Format(time.RFC3339), nil
}
