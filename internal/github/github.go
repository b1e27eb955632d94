// Package github is jitsictl's edge to GitHub's REST API: a client built from
// the token and API URL a run has, and the few calls jitsictl makes through
// go-github, each behind a small interface so tests can use the fake GitHub
// (internal/fakegithub) or any stand-in.
package github

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// NewClient returns a go-github client for token. apiURL is GITHUB_API_URL
// (empty: api.github.com), which GitHub Enterprise Server and tests set.
func NewClient(token, apiURL string) (*gh.Client, error) {
	c := gh.NewClient(nil).WithAuthToken(token)
	if apiURL == "" {
		return c, nil
	}
	u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an absolute URL", apiURL)
	}
	c.BaseURL = u
	return c, nil
}

// Repo names a repository.
type Repo struct{ Owner, Name string }

func (r Repo) String() string { return r.Owner + "/" + r.Name }

// ParseRepo reads "owner/name" (GITHUB_REPOSITORY).
func ParseRepo(s string) (Repo, error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return Repo{}, fmt.Errorf("repository %q is not owner/name", s)
	}
	return Repo{owner, name}, nil
}

// ActionsAPI is the part of go-github's Actions service used here
// (*github.ActionsService satisfies it).
type ActionsAPI interface {
	EnableWorkflowByFileName(ctx context.Context, owner, repo, file string) (*gh.Response, error)
	DisableWorkflowByFileName(ctx context.Context, owner, repo, file string) (*gh.Response, error)
	ListWorkflowRunsByFileName(ctx context.Context, owner, repo, file string, opts *gh.ListWorkflowRunsOptions) (*gh.WorkflowRuns, *gh.Response, error)
}

// Workflows switches one repository's workflows on and off and reads how
// long their runs take.
type Workflows struct {
	API  ActionsAPI
	Repo Repo
}

// Enable turns a workflow (by file name, e.g. scale-down.yml) on; enabling
// an enabled workflow is a no-op on GitHub's side.
func (w Workflows) Enable(ctx context.Context, file string) error {
	if _, err := w.API.EnableWorkflowByFileName(ctx, w.Repo.Owner, w.Repo.Name, file); err != nil {
		return fmt.Errorf("enable workflow %s in %s: %w", file, w.Repo, explain(err))
	}
	return nil
}

// Disable turns a workflow off: its schedule stops until it is enabled.
func (w Workflows) Disable(ctx context.Context, file string) error {
	if _, err := w.API.DisableWorkflowByFileName(ctx, w.Repo.Owner, w.Repo.Name, file); err != nil {
		return fmt.Errorf("disable workflow %s in %s: %w", file, w.Repo, explain(err))
	}
	return nil
}

// BilledMinutes measures what a run of the workflow bills: the mean over
// its last completed runs (at most limit) of each run's wall time rounded up
// to whole minutes, as GitHub rounds each job (the workflows jitsictl ships
// have one job each). It returns the runs it measured; none is (0, 0, nil).
func (w Workflows) BilledMinutes(ctx context.Context, file string, limit int) (minutes float64, runs int, err error) {
	out, _, err := w.API.ListWorkflowRunsByFileName(ctx, w.Repo.Owner, w.Repo.Name, file,
		&gh.ListWorkflowRunsOptions{Status: "completed", ListOptions: gh.ListOptions{PerPage: limit}})
	if err != nil {
		return 0, 0, fmt.Errorf("list runs of %s in %s: %w", file, w.Repo, explain(err))
	}
	var total int64
	for _, r := range out.WorkflowRuns {
		start, end := r.GetRunStartedAt().Time, r.GetUpdatedAt().Time
		if start.IsZero() || !end.After(start) {
			continue
		}
		total += int64(math.Ceil(end.Sub(start).Minutes()))
		runs++
		if runs == limit {
			break
		}
	}
	if runs == 0 {
		return 0, 0, nil
	}
	return float64(total) / float64(runs), runs, nil
}

// explain turns GitHub's usual refusals into what to do about them.
func explain(err error) error {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return err
	}
	switch er.Response.StatusCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w (the token lacks `actions: write`: give the job `permissions: actions: write`)", err)
	case http.StatusNotFound:
		return fmt.Errorf("%w (no such workflow file, or the token cannot see the repository)", err)
	}
	return err
}
