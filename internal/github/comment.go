package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// DefaultAuthor is the login of comments written with a GitHub Actions GITHUB_TOKEN.
const DefaultAuthor = "github-actions[bot]"

// CommentLimit is GitHub's hard limit on a comment body.
const CommentLimit = 65536

// Commenter is the part of the go-github issues service UpsertComment uses
// (*gh.IssuesService satisfies it).
type Commenter interface {
	CommentLister
	CreateComment(ctx context.Context, owner, repo string, number int, comment *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
	EditComment(ctx context.Context, owner, repo string, commentID int64, comment *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
}

// CommentTarget names the pull request or issue and how to recognise our comment on it.
type CommentTarget struct {
	Owner, Repo string
	Number      int
	// Marker is the hidden line the comment carries (Marker(key)).
	Marker string
	// Author is the login the token writes as; DefaultAuthor when empty. A comment with
	// the marker by anyone else is never edited.
	Author string
}

// Outcome says what UpsertComment did.
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

// CommentResult is UpsertComment's answer.
type CommentResult struct {
	Outcome Outcome
	ID      int64  // comment id; 0 for SummaryOnly
	URL     string // the comment's html_url
	Reason  string // for SummaryOnly: GitHub's message
}

// UpsertComment keeps one sticky comment: it pages through the pull request's comments (100 per
// page), edits the first one carrying t.Marker written by t.Author, and creates one
// otherwise. A 403 on create or edit (read-only token) is not an error: the result is
// SummaryOnly.
func UpsertComment(ctx context.Context, c Commenter, t CommentTarget, body string) (CommentResult, error) {
	if t.Marker == "" || !strings.Contains(body, t.Marker) {
		return CommentResult{}, errors.New("comment body must contain the marker, or the next run cannot find it")
	}
	if len(body) > CommentLimit {
		return CommentResult{}, fmt.Errorf("comment body is %d bytes, over GitHub's %d limit: render it with prcomment.Render", len(body), CommentLimit)
	}
	found, err := FindComment(ctx, c, t)
	if err != nil {
		return CommentResult{}, err
	}
	in := &gh.IssueComment{Body: gh.String(body)}
	if found != nil {
		existing := found.GetID()
		out, resp, err := c.EditComment(ctx, t.Owner, t.Repo, existing, in)
		if forbidden(resp, err) {
			return CommentResult{Outcome: SummaryOnly, Reason: message(err)}, nil
		}
		if err != nil {
			return CommentResult{}, fmt.Errorf("edit comment %d on %s/%s#%d: %w", existing, t.Owner, t.Repo, t.Number, err)
		}
		return CommentResult{Outcome: Updated, ID: out.GetID(), URL: out.GetHTMLURL()}, nil
	}
	out, resp, err := c.CreateComment(ctx, t.Owner, t.Repo, t.Number, in)
	if forbidden(resp, err) {
		return CommentResult{Outcome: SummaryOnly, Reason: message(err)}, nil
	}
	if err != nil {
		return CommentResult{}, fmt.Errorf("create comment on %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
	}
	return CommentResult{Outcome: Created, ID: out.GetID(), URL: out.GetHTMLURL()}, nil
}

// CommentLister is the part of the go-github issues service FindComment uses.
type CommentLister interface {
	ListComments(ctx context.Context, owner, repo string, number int, opts *gh.IssueListCommentsOptions) ([]*gh.IssueComment, *gh.Response, error)
}

// FindComment pages through the comments (100 a page) for the first one
// carrying t.Marker written by t.Author (DefaultAuthor when empty): anyone
// can post a comment that looks like ours. None found is (nil, nil).
func FindComment(ctx context.Context, c CommentLister, t CommentTarget) (*gh.IssueComment, error) {
	author := t.Author
	if author == "" {
		author = DefaultAuthor
	}
	opt := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.ListComments(ctx, t.Owner, t.Repo, t.Number, opt)
		if err != nil {
			return nil, fmt.Errorf("list comments on %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
		}
		for _, cm := range page {
			if cm.GetUser().GetLogin() == author && strings.Contains(cm.GetBody(), t.Marker) {
				return cm, nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return nil, nil
		}
		opt.Page = resp.NextPage
	}
}

// forbidden reports a plain 403 (no write permission). Rate-limit 403s come back from
// go-github as *RateLimitError / *AbuseRateLimitError and stay errors.
func forbidden(resp *gh.Response, err error) bool {
	var rl *gh.RateLimitError
	var arl *gh.AbuseRateLimitError
	if err == nil || errors.As(err, &rl) || errors.As(err, &arl) {
		return false
	}
	return resp != nil && resp.StatusCode == http.StatusForbidden
}

func message(err error) string {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		return er.Message
	}
	return err.Error()
}
