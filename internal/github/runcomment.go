package github

import (
	"context"
	"fmt"
)

// RunComment keeps one comment carrying marker on the run's pull request or
// issue up to date: the marker, body and a link to this run. client builds
// the client (the token masked); purpose names the comment in errors.
// Without a pull request or issue number, a token or a repository it does
// nothing: the result is zero. A read-only token (a fork's pull request) is
// SummaryOnly. where names the pull request or issue, for the caller's log.
func (c RunContext) RunComment(ctx context.Context, client func(purpose string) (*Client, error), purpose, marker, body string) (res CommentResult, where string, err error) {
	if _, err := c.Repo(); c.Number == 0 || c.Token == "" || err != nil {
		return CommentResult{}, "", nil
	}
	gc, err := client(purpose)
	if err != nil {
		return CommentResult{}, "", err
	}
	where = fmt.Sprintf("%s#%d", gc.Repo, c.Number)
	body = marker + "\n" + body
	if u := c.RunURL(); u != "" {
		body += fmt.Sprintf("\n<sub>Updated by [this run](%s).</sub>\n", u)
	}
	res, err = UpsertComment(ctx, gc.Issues, CommentTarget{Owner: gc.Repo.Owner, Repo: gc.Repo.Name, Number: c.Number, Marker: marker}, body)
	if err != nil {
		return res, where, fmt.Errorf("%s on %s: %w", purpose, where, err)
	}
	return res, where, nil
}
