package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/github"
)

// The run's comment is one sticky comment: created, then edited, with the
// marker and a link to the run; a read-only token writes nothing; a run with
// no pull request, token or repository does nothing at all.
func TestRunCommentIsSticky(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New(t)
	gh.AddToken("rw", github.DefaultAuthor, fakegithub.ReadWrite)
	gh.AddToken("ro", github.DefaultAuthor, fakegithub.ReadOnly)
	const marker = "<!-- test:marker -->"
	run := github.RunContext{Repository: owner + "/" + repo, Token: "rw", APIURL: gh.URL, ServerURL: "https://github.com", RunID: 99, Number: 7}
	client := func(rc github.RunContext) func(string) (*github.Client, error) {
		return func(string) (*github.Client, error) { return rc.Client() }
	}
	ctx := context.Background()
	for i, want := range []github.Outcome{github.Created, github.Updated} {
		res, where, err := run.RunComment(ctx, client(run), "test comment", marker, "body")
		if err != nil || res.Outcome != want || where != "octo/meet#7" {
			t.Fatalf("run %d: %+v at %q, %v; want %s", i+1, res, where, err, want)
		}
	}
	cs := gh.Comments(owner, repo, 7)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, marker+"\nbody\n") || !strings.Contains(cs[0].Body, "(https://github.com/octo/meet/actions/runs/99)") {
		t.Errorf("comments: %+v", cs)
	}

	ro := run
	ro.Token, ro.Number = "ro", 8
	if res, _, err := ro.RunComment(ctx, client(ro), "test comment", marker, "body"); err != nil || res.Outcome != github.SummaryOnly || len(gh.Comments(owner, repo, 8)) != 0 {
		t.Errorf("read-only token: %+v, %v", res, err)
	}

	called := false
	never := func(string) (*github.Client, error) { called = true; return nil, errors.New("no client") }
	for _, rc := range []github.RunContext{{Repository: "octo/meet", Token: "rw"}, {Repository: "octo/meet", Number: 7}, {Token: "rw", Number: 7}} {
		if res, _, err := rc.RunComment(ctx, never, "test comment", marker, "body"); res.Outcome != 0 || err != nil || called {
			t.Errorf("%+v: %+v, %v, client built %v; want nothing done", rc, res, err, called)
		}
	}
	if _, _, err := run.RunComment(ctx, func(string) (*github.Client, error) { return nil, errors.New("test comment: no client") }, "test comment", marker, "body"); err == nil || err.Error() != "test comment: no client" {
		t.Errorf("client error: %v", err)
	}
}
