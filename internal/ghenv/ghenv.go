// Package ghenv checks and sets the GitHub side of the deploy role's trust. AWS lets the
// deploy role be assumed only by deploy.yml on the default branch in the production
// environment (terraform/bootstrap/oidc.tf); what makes that environment a gate lives in
// GitHub: required reviewers, and a deployment branch policy that admits the default
// branch only. The roles also match GitHub's default OIDC subject format, which a
// repository can change. `jitsictl bootstrap github` sets all three with Ensure and
// `jitsictl doctor` reports them with Check: one definition of "right" for both.
package ghenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"
)

// Repo names the repository and the environment its deploy role trusts.
type Repo struct {
	Owner, Name   string
	Environment   string // e.g. "production"
	DefaultBranch string // e.g. "main"
}

// Finding is one missing or wrong setting and what fixes it.
type Finding struct {
	Problem string
	Fix     string
}

func (r Repo) path() string { return r.Owner + "/" + r.Name }

// FixCommand is the command that makes the settings right.
func (r Repo) FixCommand() string {
	return fmt.Sprintf("GITHUB_TOKEN=$(gh auth token) jitsictl bootstrap github --repo %s --environment %s --default-branch %s --reviewer <login>", r.path(), r.Environment, r.DefaultBranch)
}

// Check reads the environment, its branch policies and the OIDC subject template and
// lists what is not as the deploy role's trust needs it. An error means GitHub could not
// be asked (token, network), not that a setting is wrong.
func Check(ctx context.Context, c *github.Client, r Repo) ([]Finding, error) {
	var out []Finding
	add := func(format string, args ...any) {
		out = append(out, Finding{Problem: fmt.Sprintf(format, args...), Fix: r.FixCommand()})
	}
	env, _, err := c.Repositories.GetEnvironment(ctx, r.Owner, r.Name, r.Environment)
	if notFound(err) {
		add("environment %q does not exist in %s: any branch's workflow that names it gets its OIDC subject, with no reviewer", r.Environment, r.path())
	} else if err != nil {
		return nil, fmt.Errorf("read environment %s of %s: %w", r.Environment, r.path(), err)
	} else {
		reviewers := 0
		for _, rule := range env.ProtectionRules {
			if rule.GetType() == "required_reviewers" {
				reviewers += len(rule.Reviewers)
			}
		}
		if reviewers == 0 {
			add("environment %q has no required reviewers: deploys apply without anyone approving them", r.Environment)
		}
		bp := env.DeploymentBranchPolicy
		switch {
		case bp == nil:
			add("environment %q admits every branch: set its deployment branches to %s only", r.Environment, r.DefaultBranch)
		case bp.GetProtectedBranches():
			add("environment %q admits every protected branch, not %s only", r.Environment, r.DefaultBranch)
		default:
			pol, _, err := c.Repositories.ListDeploymentBranchPolicies(ctx, r.Owner, r.Name, r.Environment)
			if err != nil {
				return nil, fmt.Errorf("read deployment branch policies of %s: %w", r.Environment, err)
			}
			var names []string
			onlyDefault := len(pol.BranchPolicies) == 1
			for _, p := range pol.BranchPolicies {
				names = append(names, p.GetType()+" "+p.GetName())
				if p.GetName() != r.DefaultBranch || (p.GetType() != "" && p.GetType() != "branch") {
					onlyDefault = false
				}
			}
			if !onlyDefault {
				add("environment %q deploys from %v; want exactly branch %s", r.Environment, names, r.DefaultBranch)
			}
		}
	}
	sub, _, err := c.Actions.GetRepoOIDCSubjectClaimCustomTemplate(ctx, r.Owner, r.Name)
	if err != nil {
		return nil, fmt.Errorf("read the OIDC subject template of %s: %w", r.path(), err)
	}
	if !sub.GetUseDefault() {
		add("%s customizes its OIDC subject (%s): the roles match GitHub's default format and refuse every token", r.path(), strings.Join(sub.IncludeClaimKeys, ","))
	}
	return out, nil
}

// Ensure creates or updates the environment with these reviewers (GitHub logins) and a
// deployment policy for the default branch only, resets the OIDC subject template to
// GitHub's default, and checks again. It needs a token with admin rights on the
// repository. Branch policies other than the default branch are reported, not deleted.
func Ensure(ctx context.Context, c *github.Client, r Repo, reviewers []string) ([]Finding, error) {
	if len(reviewers) == 0 {
		return nil, errors.New("at least one reviewer is needed: the environment's approval is what gates the deploy role")
	}
	type reviewer struct {
		Type string `json:"type"`
		ID   int64  `json:"id"`
	}
	body := struct {
		Reviewers []reviewer `json:"reviewers"`
		Policy    struct {
			Protected bool `json:"protected_branches"`
			Custom    bool `json:"custom_branch_policies"`
		} `json:"deployment_branch_policy"`
	}{}
	body.Policy.Custom = true
	for _, login := range reviewers {
		u, _, err := c.Users.Get(ctx, login)
		if err != nil {
			return nil, fmt.Errorf("reviewer %q: %w", login, err)
		}
		body.Reviewers = append(body.Reviewers, reviewer{Type: "User", ID: u.GetID()})
	}
	// Our own body, not go-github's CreateUpdateEnvironment: that one always sends
	// can_admins_bypass and wait_timer (null when unset), which the API's description
	// does not allow in this request.
	req, err := c.NewRequest(http.MethodPut, fmt.Sprintf("repos/%s/%s/environments/%s", r.Owner, r.Name, r.Environment), body)
	if err != nil {
		return nil, err
	}
	if _, err := c.Do(ctx, req, nil); err != nil {
		return nil, fmt.Errorf("create or update environment %s of %s (the token needs admin rights on the repository): %w", r.Environment, r.path(), err)
	}
	pol, _, err := c.Repositories.ListDeploymentBranchPolicies(ctx, r.Owner, r.Name, r.Environment)
	if err != nil {
		return nil, fmt.Errorf("read deployment branch policies of %s: %w", r.Environment, err)
	}
	have := false
	for _, p := range pol.BranchPolicies {
		have = have || (p.GetName() == r.DefaultBranch && p.GetType() != "tag")
	}
	if !have {
		if _, _, err := c.Repositories.CreateDeploymentBranchPolicy(ctx, r.Owner, r.Name, r.Environment,
			&github.DeploymentBranchPolicyRequest{Name: github.String(r.DefaultBranch), Type: github.String("branch")}); err != nil {
			return nil, fmt.Errorf("add deployment branch %s to %s: %w", r.DefaultBranch, r.Environment, err)
		}
	}
	sub, _, err := c.Actions.GetRepoOIDCSubjectClaimCustomTemplate(ctx, r.Owner, r.Name)
	if err != nil {
		return nil, fmt.Errorf("read the OIDC subject template of %s: %w", r.path(), err)
	}
	if !sub.GetUseDefault() {
		if _, err := c.Actions.SetRepoOIDCSubjectClaimCustomTemplate(ctx, r.Owner, r.Name, &github.OIDCSubjectClaimCustomTemplate{UseDefault: github.Bool(true)}); err != nil {
			return nil, fmt.Errorf("reset the OIDC subject template of %s to GitHub's default: %w", r.path(), err)
		}
	}
	return Check(ctx, c, r)
}

func notFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}
