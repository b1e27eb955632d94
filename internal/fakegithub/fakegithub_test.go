package fakegithub

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
)

func client(t *testing.T, s *Server, tok string) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken(tok)
	u, err := url.Parse(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func TestServedOperationsAreValidAgainstTheDescription(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("w", "github-actions[bot]", ReadWrite)
	gh := client(t, s, "w")
	ctx := context.Background()
	c, resp, err := gh.Issues.CreateComment(ctx, "o", "r", 7, &github.IssueComment{Body: github.String("hello")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if _, _, err := gh.Issues.EditComment(ctx, "o", "r", c.GetID(), &github.IssueComment{Body: github.String("edited")}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	list, _, err := gh.Issues.ListComments(ctx, "o", "r", 7, &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil || len(list) != 1 || list[0].GetBody() != "edited" || list[0].GetUser().GetLogin() != "github-actions[bot]" {
		t.Fatalf("list = %v, %v", list, err)
	}
	// New's cleanup fails the test on any violation; assert here too for a clear message.
	if v := s.TakeViolations(); len(v) != 0 {
		t.Fatalf("violations on valid traffic: %q", v)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("w", "someone", ReadWrite)
	for i := range 250 {
		s.Seed("o", "r", 1, "someone", "c"+string(rune('a'+i%26)))
	}
	gh := client(t, s, "w")
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	var got, pages int
	for {
		list, resp, err := gh.Issues.ListComments(context.Background(), "o", "r", 1, opt)
		if err != nil {
			t.Fatal(err)
		}
		got += len(list)
		pages++
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if got != 250 || pages != 3 {
		t.Errorf("listed %d comments in %d pages, want 250 in 3", got, pages)
	}
}

// The checks must be able to fail: requests the description does not allow are recorded.
func TestRejectsRequestsTheDescriptionDoesNotAllow(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("w", "github-actions[bot]", ReadWrite)
	cases := []struct {
		name, method, path, body, want string
	}{
		{"body of wrong type", "POST", "/repos/o/r/issues/1/comments", `{"body": 123}`, "request POST"},
		{"missing required body", "POST", "/repos/o/r/issues/1/comments", `{"text": "hi"}`, "request POST"},
		{"no request body", "PATCH", "/repos/o/r/issues/comments/5", ``, "request PATCH"},
		{"non-integer issue number", "GET", "/repos/o/r/issues/abc/comments", ``, "request GET"},
		{"per_page not an integer", "GET", "/repos/o/r/issues/1/comments?per_page=lots", ``, "request GET"},
		{"unserved but real operation", "DELETE", "/repos/o/r/issues/comments/5", ``, "does not serve"},
		{"no such operation", "PUT", "/repos/o/r/issues/1/comments", `{"body":"x"}`, "no operation"},
	}
	for _, tc := range cases {
		req, err := http.NewRequest(tc.method, s.URL+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer w")
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		v := s.TakeViolations()
		t.Logf("%s: %q", tc.name, v)
		if len(v) == 0 || !strings.Contains(v[0], tc.want) {
			t.Errorf("%s: violations %q, want one containing %q", tc.name, v, tc.want)
		}
		if resp.StatusCode < 400 {
			t.Errorf("%s: status %d, want an error status", tc.name, resp.StatusCode)
		}
	}
	if n := len(s.Comments("o", "r", 1)); n != 0 {
		t.Errorf("invalid requests stored %d comments", n)
	}
}

// The response check must be able to fail too: a comment without its required user field,
// or with an id of the wrong type, is reported.
func TestRejectsResponsesTheDescriptionDoesNotDescribe(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(map[string]any){
		"missing user":   func(m map[string]any) { delete(m, "user") },
		"string id":      func(m map[string]any) { m["id"] = "1001" },
		"user w/o login": func(m map[string]any) { delete(m["user"].(map[string]any), "login") },
	} {
		s := New(t)
		s.AddToken("w", "github-actions[bot]", ReadWrite)
		s.mutateResponse = func(op string, body any) any {
			if m, ok := body.(map[string]any); ok && strings.HasPrefix(op, "POST") {
				mutate(m)
			}
			return body
		}
		_, _, _ = client(t, s, "w").Issues.CreateComment(context.Background(), "o", "r", 1, &github.IssueComment{Body: github.String("x")})
		v := s.TakeViolations()
		if len(v) != 1 || !strings.Contains(v[0], "response 201") {
			t.Errorf("%s: violations %q, want one about the 201 response", name, v)
		}
	}
}

func TestReadOnlyTokenCannotWrite(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("ro", "github-actions[bot]", ReadOnly)
	_, resp, err := client(t, s, "ro").Issues.CreateComment(context.Background(), "o", "r", 1, &github.IssueComment{Body: github.String("x")})
	if err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("create with a read-only token: %v, want 403", err)
	}
	if n := len(s.Comments("o", "r", 1)); n != 0 {
		t.Errorf("read-only token stored %d comments", n)
	}
	id := s.Seed("o", "r", 1, "github-actions[bot]", "old")
	_, resp, err = client(t, s, "ro").Issues.EditComment(context.Background(), "o", "r", id, &github.IssueComment{Body: github.String("x")})
	if err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("edit with a read-only token: %v, want 403", err)
	}
	if got := s.Comments("o", "r", 1)[0].Body; got != "old" {
		t.Errorf("read-only edit changed the comment to %q", got)
	}
}

func TestEditUnknownCommentIs404(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("w", "github-actions[bot]", ReadWrite)
	_, resp, err := client(t, s, "w").Issues.EditComment(context.Background(), "o", "r", 99999, &github.IssueComment{Body: github.String("x")})
	if err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("edit of a missing comment: %v, want 404", err)
	}
}

// The undocumented answers the fake gives are still checked against basic-error.
func TestUndocumentedAnswerIsChecked(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("ro", "github-actions[bot]", ReadOnly)
	s.mutateResponse = func(op string, body any) any {
		if strings.HasPrefix(op, "PATCH") {
			body.(map[string]any)["message"] = 403 // basic-error.message is a string
		}
		return body
	}
	id := s.Seed("o", "r", 1, "github-actions[bot]", "old")
	_, _, _ = client(t, s, "ro").Issues.EditComment(context.Background(), "o", "r", id, &github.IssueComment{Body: github.String("x")})
	if v := s.TakeViolations(); len(v) != 1 || !strings.Contains(v[0], "does not match basic-error") {
		t.Errorf("violations %q", v)
	}
}

func TestMissingSpecSaysHowToInstall(t *testing.T) {
	// Not parallel: it changes the environment. readSpec is called directly, bypassing
	// the per-process cache.
	t.Setenv(EnvSpec, t.TempDir()+"/absent.json")
	_, err := readSpec()
	if err == nil || !strings.Contains(err.Error(), InstallCommand) {
		t.Errorf("error %v does not carry the install command", err)
	}
}

func TestBasePathIsEnforced(t *testing.T) {
	t.Parallel()
	s := New(t, WithBasePath("api/v3"))
	s.AddToken("w", "someone", ReadWrite)
	if _, _, err := client(t, s, "w").Issues.ListComments(context.Background(), "o", "r", 1, nil); err != nil {
		t.Fatalf("list under the base path: %v", err)
	}
	req, _ := http.NewRequest("GET", s.srv.URL+"/repos/o/r/issues/1/comments", nil)
	req.Header.Set("Authorization", "Bearer w")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := s.TakeViolations(); resp.StatusCode != http.StatusNotFound || len(v) != 1 {
		t.Errorf("request outside the base path: status %d, violations %q", resp.StatusCode, v)
	}
}
