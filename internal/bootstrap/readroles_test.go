// Package bootstrap reads back what terraform/bootstrap created: the GitHub roles, their
// trust and permission policies, and the repository settings the workflows need. Tests
// use it to prove each role allows exactly its flow; `jitsictl doctor` can use it to show
// what a role may do.
package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Flows are the three roles' short names, as in terraform/bootstrap (role <project>-github-<flow>).
var Flows = []string{"plan", "deploy", "session"}

// RoleName is the IAM role terraform/bootstrap creates for a flow.
func RoleName(project, flow string) string { return project + "-github-" + flow }

// IAMReader is the part of IAM this package reads.
type IAMReader interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// NamedPolicy is one policy document with the name IAM knows it by: the inline policy's
// name, or the managed policy's ARN.
type NamedPolicy struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"policy"`
}

// Role is a role as IAM evaluates it: who may assume it and what its policies allow.
type Role struct {
	Name     string
	ARN      string
	Trust    json.RawMessage
	Policies []NamedPolicy
}

// ReadRole reads a role's trust policy, inline policies and the default version of each
// attached managed policy.
func ReadRole(ctx context.Context, api IAMReader, name string) (Role, error) {
	got, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	if err != nil {
		return Role{}, fmt.Errorf("read role %s (has terraform/bootstrap been applied?): %w", name, err)
	}
	r := Role{Name: name, ARN: deref(got.Role.Arn)}
	if r.Trust, err = document(deref(got.Role.AssumeRolePolicyDocument)); err != nil {
		return Role{}, fmt.Errorf("role %s trust policy: %w", name, err)
	}

	var marker *string
	for {
		page, err := api.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: &name, Marker: marker})
		if err != nil {
			return Role{}, fmt.Errorf("list inline policies of %s: %w", name, err)
		}
		for _, pn := range page.PolicyNames {
			p, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &name, PolicyName: &pn})
			if err != nil {
				return Role{}, fmt.Errorf("read inline policy %s of %s: %w", pn, name, err)
			}
			doc, err := document(deref(p.PolicyDocument))
			if err != nil {
				return Role{}, fmt.Errorf("inline policy %s of %s: %w", pn, name, err)
			}
			r.Policies = append(r.Policies, NamedPolicy{Name: pn, Document: doc})
		}
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}

	marker = nil
	for {
		page, err := api.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &name, Marker: marker})
		if err != nil {
			return Role{}, fmt.Errorf("list attached policies of %s: %w", name, err)
		}
		for _, ap := range page.AttachedPolicies {
			pol, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: ap.PolicyArn})
			if err != nil {
				return Role{}, fmt.Errorf("read policy %s: %w", deref(ap.PolicyArn), err)
			}
			v, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: ap.PolicyArn, VersionId: pol.Policy.DefaultVersionId})
			if err != nil {
				return Role{}, fmt.Errorf("read default version of %s: %w", deref(ap.PolicyArn), err)
			}
			doc, err := document(deref(v.PolicyVersion.Document))
			if err != nil {
				return Role{}, fmt.Errorf("policy %s: %w", deref(ap.PolicyArn), err)
			}
			r.Policies = append(r.Policies, NamedPolicy{Name: deref(ap.PolicyArn), Document: doc})
		}
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	return r, nil
}

// document decodes a policy as IAM returns it: URL-encoded JSON (RFC 3986). Some
// emulators return the JSON as is; that is taken unchanged, so a '+' in it stays a '+'.
func document(s string) (json.RawMessage, error) {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s), nil
	}
	dec, err := url.QueryUnescape(s)
	if err != nil {
		return nil, fmt.Errorf("neither JSON nor URL-encoded JSON: %w", err)
	}
	if !json.Valid([]byte(dec)) {
		return nil, fmt.Errorf("not a JSON policy document: %.80q", dec)
	}
	return json.RawMessage(dec), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
