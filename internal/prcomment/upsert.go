package prcomment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"

	ghclient "github.com/jitsictl/jitsictl/internal/github"
)

// DefaultAuthor is the login of comments written with a GitHub Actions GITHUB_TOKEN.
const DefaultAuthor = "github-actions[bot]"

// GitHubLimit is GitHub's hard limit on a comment body.
const GitHubLimit = 65536

// Commenter is the part of the go-github issues service Upsert uses
// (*github.IssuesService satisfies it).
type Commenter interface {
	ListComments(ctx context.Context, owner, repo string, number int, opts *github.IssueListCommentsOptions) ([]*github.IssueComment, *github.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, comment *github.IssueComment) (*github.IssueComment, *github.Response, error)
	EditComment(ctx context.Context, owner, repo string, commentID int64, comment *github.IssueComment) (*github.IssueComment, *github.Response, error)
}

// Target names the pull request and how to recognise our comment on it.
type Target struct {
	Owner, Repo string
	Number      int
	// Marker is the hidden line the comment carries (Marker(key)).
	Marker string
	// Author is the login the token writes as; DefaultAuthor when empty. A comment with
	// the marker by anyone else is never edited.
	Author string
}

// Outcome says what Upsert did.
type Outcome int

const (
	Created Outcome = iota + 1
	Updated
	// SummaryOnly: the token may not write (a fork pull request's read-only token). The
	// caller writes the job summary and succeeds.
	SummaryOnly
)

func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Updated:
		return "updated"
	case SummaryOnly:
		return "summary only"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is Upsert's answer.
type Result struct {
	Outcome Outcome
	ID      int64  // comment id; 0 for SummaryOnly
	URL     string // the comment's html_url
	Reason  string // for SummaryOnly: GitHub's message
}

// Upsert keeps one sticky comment: it pages through the pull request's comments (100 per
// page), edits the first one carrying t.Marker written by t.Author, and creates one
// otherwise. A 403 on create or edit (read-only token) is not an error: the result is
// SummaryOnly.
func Upsert(ctx context.Context, c Commenter, t Target, body string) (Result, error) {
	if t.Marker == "" || !strings.Contains(body, t.Marker) {
		return Result{}, errors.New("comment body must contain the marker, or the next run cannot find it")
	}
	if len(body) > GitHubLimit {
		return Result{}, fmt.Errorf("comment body is %d bytes, over GitHub's %d limit: render it with prcomment.Render", len(body), GitHubLimit)
	}
	author := t.Author
	if author == "" {
		author = DefaultAuthor
	}
	existing, err := find(ctx, c, t, author)
	if err != nil {
		return Result{}, err
	}
	in := &github.IssueComment{Body: github.String(body)}
	if existing != 0 {
		out, resp, err := c.EditComment(ctx, t.Owner, t.Repo, existing, in)
		if forbidden(resp, err) {
			return Result{Outcome: SummaryOnly, Reason: message(err)}, nil
		}
		if err != nil {
			return Result{}, fmt.Errorf("edit comment %d on %s/%s#%d: %w", existing, t.Owner, t.Repo, t.Number, err)
		}
		return Result{Outcome: Updated, ID: out.GetID(), URL: out.GetHTMLURL()}, nil
	}
	out, resp, err := c.CreateComment(ctx, t.Owner, t.Repo, t.Number, in)
	if forbidden(resp, err) {
		return Result{Outcome: SummaryOnly, Reason: message(err)}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("create comment on %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
	}
	return Result{Outcome: Created, ID: out.GetID(), URL: out.GetHTMLURL()}, nil
}

func find(ctx context.Context, c Commenter, t Target, author string) (int64, error) {
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.ListComments(ctx, t.Owner, t.Repo, t.Number, opt)
		if err != nil {
			return 0, fmt.Errorf("list comments on %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
		}
		for _, cm := range page {
			if cm.GetUser().GetLogin() == author && strings.Contains(cm.GetBody(), t.Marker) {
				return cm.GetID(), nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return 0, nil
		}
		opt.Page = resp.NextPage
	}
}

// forbidden reports a plain 403 (no write permission). Rate-limit 403s come back from
// go-github as *RateLimitError / *AbuseRateLimitError and stay errors.
func forbidden(resp *github.Response, err error) bool {
	var rl *github.RateLimitError
	var arl *github.AbuseRateLimitError
	if err == nil || errors.As(err, &rl) || errors.As(err, &arl) {
		return false
	}
	return resp != nil && resp.StatusCode == http.StatusForbidden
}

func message(err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		return er.Message
	}
	return err.Error()
}

// NewClient returns a go-github client for token against apiURL, the value of
// GITHUB_API_URL (https://api.github.com on github.com, https://HOST/api/v3 on GitHub
// Enterprise Server, a loopback URL in tests). An empty apiURL means api.github.com.
func NewClient(token, apiURL string) (*github.Client, error) {
	return ghclient.NewClient(token, apiURL)
}
