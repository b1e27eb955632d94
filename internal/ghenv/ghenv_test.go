package ghenv

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	ghclient "github.com/jitsictl/jitsictl/internal/github"
)

var testRepo = Repo{Owner: "octo-org", Name: "jitsi", Environment: "production", DefaultBranch: "main"}

func client(t *testing.T, gh *fakegithub.Server, token string) *github.Client {
	t.Helper()
	c, err := ghclient.NewClient(token, gh.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func problems(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Problem + "\n")
	}
	return b.String()
}

func TestEnsureThenCheckIsClean(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	gh := fakegithub.New(t)
	gh.AddToken("admin", "octocat", fakegithub.Admin)
	gh.AddToken("workflow", "github-actions[bot]", fakegithub.ReadWrite)
	gh.AddUser("octocat")
	gh.CustomizeOIDCSubject("octo-org", "jitsi", []string{"repo", "context", "job_workflow_ref"})

	// Nothing set up: every gap is reported, each with the command that fixes it.
	got, err := Check(ctx, client(t, gh, "admin"), testRepo)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`environment "production" does not exist`, "customizes its OIDC subject (repo,context,job_workflow_ref)"} {
		if !strings.Contains(problems(got), want) {
			t.Errorf("findings lack %q:\n%s", want, problems(got))
		}
	}
	for _, f := range got {
		if !strings.Contains(f.Fix, "jitsictl bootstrap github --repo octo-org/jitsi") {
			t.Errorf("finding %q has no fix command: %q", f.Problem, f.Fix)
		}
	}

	// A workflow's token may not change repository settings.
	if _, err := Ensure(ctx, client(t, gh, "workflow"), testRepo, []string{"octocat"}); err == nil || !strings.Contains(err.Error(), "admin rights") {
		t.Errorf("Ensure with a non-admin token: %v, want the admin-rights error", err)
	}
	if _, err := Ensure(ctx, client(t, gh, "admin"), testRepo, nil); err == nil {
		t.Error("Ensure without reviewers succeeded")
	}

	got, err = Ensure(ctx, client(t, gh, "admin"), testRepo, []string{"octocat"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("after Ensure, Check still finds:\n%s", problems(got))
	}
	// Idempotent: a second run adds no second branch policy.
	if got, err = Ensure(ctx, client(t, gh, "admin"), testRepo, []string{"octocat"}); err != nil || len(got) != 0 {
		t.Errorf("second Ensure: %v\n%s", err, problems(got))
	}
	if v := gh.TakeViolations(); len(v) > 0 {
		t.Errorf("requests or responses outside GitHub's description: %v", v)
	}
}

func TestCheckFindsEachGap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		body string // PUT environments body, as a settings page would leave it
		add  []string
		want string
	}{
		{"no reviewers", `{"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}}`, []string{"main"}, "no required reviewers"},
		{"every branch", `{"reviewers":[{"type":"User","id":%d}],"deployment_branch_policy":null}`, nil, "admits every branch"},
		{"protected branches", `{"reviewers":[{"type":"User","id":%d}],"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":false}}`, nil, "every protected branch"},
		{"another branch too", `{"reviewers":[{"type":"User","id":%d}],"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}}`, []string{"main", "release/*"}, "want exactly branch main"},
	} {
		t.Run(c.name, func(t *testing.T) {
			gh := fakegithub.New(t)
			gh.AddToken("admin", "octocat", fakegithub.Admin)
			id := gh.AddUser("octocat")
			cl := client(t, gh, "admin")
			body := c.body
			if strings.Contains(body, "%d") {
				body = strings.Replace(body, "%d", strconv.FormatInt(id, 10), 1)
			}
			req, err := cl.NewRequest("PUT", "repos/octo-org/jitsi/environments/production", rawJSON(body))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Do(ctx, req, nil); err != nil {
				t.Fatal(err)
			}
			for _, b := range c.add {
				if _, _, err := cl.Repositories.CreateDeploymentBranchPolicy(ctx, "octo-org", "jitsi", "production",
					&github.DeploymentBranchPolicyRequest{Name: github.String(b), Type: github.String("branch")}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Check(ctx, cl, testRepo)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !strings.Contains(got[0].Problem, c.want) {
				t.Errorf("findings:\n%s\nwant exactly one containing %q", problems(got), c.want)
			}
		})
	}
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
