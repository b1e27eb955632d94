package prcomment

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/github"
)

const (
	botToken = "ghs_write"
	roToken  = "ghs_fork_read_only"
)

func fake(t *testing.T) *fakegithub.Server {
	t.Helper()
	s := fakegithub.New(t)
	s.AddToken(botToken, github.DefaultAuthor, fakegithub.ReadWrite)
	s.AddToken(roToken, github.DefaultAuthor, fakegithub.ReadOnly)
	return s
}

func upsert(t *testing.T, s *fakegithub.Server, tok string, target github.CommentTarget, body string) github.CommentResult {
	t.Helper()
	// The client is built the way the CLI builds it: token + GITHUB_API_URL.
	gh, err := github.NewClient(tok, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	res, err := github.UpsertComment(context.Background(), gh.Issues, target, body)
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	return res
}

func TestUpsertCreateThenEditOnEachPush(t *testing.T) {
	t.Parallel()
	s := fake(t)
	s.Seed("jitsictl", "infra", 42, "alice", "Looks good, but please check the NLB.")
	target := github.CommentTarget{Owner: "jitsictl", Repo: "infra", Number: 42, Marker: Marker("")}
	pushes := []Comment{
		{Stages: []StageResult{stage(t, "1", "creates.json", allActions, nil)}, RunURL: runURL + "1"},
		{Stages: []StageResult{stage(t, "1", "replacedelete.json", nil, nil)}, RunURL: runURL + "2"},
		{Stages: []StageResult{stage(t, "1", "nochanges.json", allActions, nil)}, RunURL: runURL + "3"},
	}
	var ids []int64
	for i, c := range pushes {
		res := upsert(t, s, botToken, target, Render(c))
		want := github.Updated
		if i == 0 {
			want = github.Created
		}
		if res.Outcome != want || res.ID == 0 || !strings.Contains(res.URL, "#issuecomment-") {
			t.Fatalf("push %d: %+v, want %v", i+1, res, want)
		}
		ids = append(ids, res.ID)
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("comment ids %v: the sticky comment was not edited in place", ids)
	}
	var ours []fakegithub.Comment
	for _, c := range s.Comments("jitsictl", "infra", 42) {
		if c.Author == github.DefaultAuthor {
			ours = append(ours, c)
		}
	}
	if len(ours) != 1 {
		t.Fatalf("%d bot comments after three pushes, want 1", len(ours))
	}
	if ours[0].Body != Render(pushes[2]) {
		t.Errorf("the comment does not hold the last push's body:\n%s", ours[0].Body)
	}
	if n := len(s.Comments("jitsictl", "infra", 42)); n != 2 {
		t.Errorf("%d comments on the PR, want alice's and ours", n)
	}
}

func TestUpsertPaginatesAndEditsOnlyItsOwnComment(t *testing.T) {
	t.Parallel()
	s := fake(t)
	marker := Marker("")
	var foreign, ours int64
	for i := range 250 {
		switch i {
		case 120: // someone quoting our marker must never be edited
			foreign = s.Seed("o", "r", 9, "mallory", "copied:\n"+marker+"\nnot yours")
		case 230:
			ours = s.Seed("o", "r", 9, github.DefaultAuthor, marker+"\nold plan")
		default:
			s.Seed("o", "r", 9, fmt.Sprintf("user%d", i%5), "comment "+fmt.Sprint(i))
		}
	}
	res := upsert(t, s, botToken, github.CommentTarget{Owner: "o", Repo: "r", Number: 9, Marker: marker}, marker+"\nnew plan")
	if res.Outcome != github.Updated || res.ID != ours {
		t.Fatalf("result %+v, want an update of comment %d (page 3)", res, ours)
	}
	for _, c := range s.Comments("o", "r", 9) {
		switch c.ID {
		case foreign:
			if !strings.Contains(c.Body, "not yours") {
				t.Error("another author's comment with the marker was edited")
			}
		case ours:
			if c.Body != marker+"\nnew plan" {
				t.Errorf("our comment = %q", c.Body)
			}
		}
	}
	var lists []string
	for _, r := range s.Requests() {
		if strings.HasPrefix(r, "GET ") {
			lists = append(lists, r)
			if !strings.Contains(r, "per_page=100") {
				t.Errorf("list request without per_page=100: %s", r)
			}
		}
	}
	if len(lists) != 3 {
		t.Errorf("list requests %q, want 3 pages", lists)
	}
}

func TestUpsertCreatesWhenOnlyAForeignMarkerExists(t *testing.T) {
	t.Parallel()
	s := fake(t)
	marker := Marker("")
	foreign := s.Seed("o", "r", 3, "mallory", marker)
	res := upsert(t, s, botToken, github.CommentTarget{Owner: "o", Repo: "r", Number: 3, Marker: marker}, marker+"\nplan")
	if res.Outcome != github.Created || res.ID == foreign {
		t.Fatalf("result %+v, want a new comment", res)
	}
	if got := s.Comments("o", "r", 3)[0]; got.Body != marker {
		t.Errorf("foreign comment changed to %q", got.Body)
	}
}

func TestUpsertKeysKeepSeparateComments(t *testing.T) {
	t.Parallel()
	s := fake(t)
	for _, key := range []string{"terraform/", "terraform/bootstrap", "terraform/"} {
		upsert(t, s, botToken, github.CommentTarget{Owner: "o", Repo: "r", Number: 5, Marker: Marker(key)}, Marker(key)+"\nplan of "+key)
	}
	if n := len(s.Comments("o", "r", 5)); n != 2 {
		t.Errorf("%d comments for two keys, want 2", n)
	}
}

func TestUpsertForkPullRequestWritesSummaryOnly(t *testing.T) {
	t.Parallel()
	s := fake(t)
	body := Render(Comment{Stages: []StageResult{stage(t, "1", "creates.json", allActions, nil)}, RunURL: runURL})
	res := upsert(t, s, roToken, github.CommentTarget{Owner: "o", Repo: "r", Number: 11, Marker: Marker("")}, body)
	if res.Outcome != github.SummaryOnly || res.ID != 0 || res.Reason != "Resource not accessible by integration" {
		t.Fatalf("result %+v, want github.SummaryOnly with GitHub's message", res)
	}
	if n := len(s.Comments("o", "r", 11)); n != 0 {
		t.Errorf("read-only token left %d comments", n)
	}
}

func TestUpsertAgainstEnterpriseAPIURL(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.WithBasePath("/api/v3"))
	s.AddToken(botToken, github.DefaultAuthor, fakegithub.ReadWrite)
	if !strings.HasSuffix(s.URL, "/api/v3") {
		t.Fatalf("fake URL %s", s.URL)
	}
	target := github.CommentTarget{Owner: "o", Repo: "r", Number: 2, Marker: Marker("")}
	for i, want := range []github.Outcome{github.Created, github.Updated} {
		if res := upsert(t, s, botToken, target, Marker("")+fmt.Sprint(i)); res.Outcome != want {
			t.Errorf("upsert %d: %v, want %v", i, res.Outcome, want)
		}
	}
	for _, r := range s.Requests() {
		if !strings.Contains(r, " /api/v3/repos/o/r/issues/") {
			t.Errorf("request outside the enterprise base path: %s", r)
		}
	}
}

func TestUpsertForkPullRequestWithAnEarlierComment(t *testing.T) {
	t.Parallel()
	s := fake(t)
	// An earlier run with a write token (e.g. a maintainer's re-run) left the comment.
	id := s.Seed("o", "r", 12, github.DefaultAuthor, Marker("")+"\nold plan")
	res := upsert(t, s, roToken, github.CommentTarget{Owner: "o", Repo: "r", Number: 12, Marker: Marker("")}, Marker("")+"\nnew plan")
	if res.Outcome != github.SummaryOnly {
		t.Fatalf("result %+v, want github.SummaryOnly", res)
	}
	if c := s.Comments("o", "r", 12); len(c) != 1 || c[0].ID != id || !strings.HasSuffix(c[0].Body, "old plan") {
		t.Errorf("comments %+v", c)
	}
}

func TestUpsertRejectsBadBodies(t *testing.T) {
	t.Parallel()
	s := fake(t)
	gh, err := github.NewClient(botToken, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	target := github.CommentTarget{Owner: "o", Repo: "r", Number: 1, Marker: Marker("")}
	if _, err := github.UpsertComment(context.Background(), gh.Issues, target, "no marker"); err == nil {
		t.Error("a body without the marker was accepted")
	}
	huge := Marker("") + strings.Repeat("x", github.CommentLimit)
	if _, err := github.UpsertComment(context.Background(), gh.Issues, target, huge); err == nil || !strings.Contains(err.Error(), "Render") {
		t.Errorf("an over-long body: %v", err)
	}
	if len(s.Requests()) != 0 {
		t.Errorf("bad bodies reached GitHub: %q", s.Requests())
	}
}

func TestNewClientHonoursAPIURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                               "https://api.github.com/",
		"https://api.github.com":         "https://api.github.com/",
		"https://ghe.example.com/api/v3": "https://ghe.example.com/api/v3/",
		"http://127.0.0.1:8080/":         "http://127.0.0.1:8080/",
	} {
		c, err := github.NewClient("t", in)
		if err != nil || c.BaseURL.String() != want {
			t.Errorf("github.NewClient(%q).BaseURL = %v, %v; want %s", in, c.BaseURL, err, want)
		}
	}
	if _, err := github.NewClient("t", "api.github.com"); err == nil {
		t.Error("a relative GITHUB_API_URL was accepted")
	}
}
