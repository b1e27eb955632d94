package github_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jitsictl/jitsictl/internal/github"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRunContextNumberFromEvent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		payload, ref string
		want         int
		err          bool
	}{
		{`{"pull_request":{"number":42},"number":42}`, "", 42, false},
		{`{"issue":{"number":7},"comment":{"id":1}}`, "", 7, false},
		{`{"ref":"refs/heads/main"}`, "refs/heads/main", 0, false}, // push
		{`{"inputs":{"hours":"2"}}`, "", 0, false},                 // workflow_dispatch
		{`{}`, "refs/pull/9/merge", 9, false},                      // a payload without the PR, the ref has it
		{`not json`, "", 0, true},
	} {
		p := filepath.Join(dir, "event.json")
		if err := os.WriteFile(p, []byte(c.payload), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := github.ReadRunContext(env(map[string]string{"GITHUB_EVENT_PATH": p, "GITHUB_REF": c.ref}))
		if got.Number != c.want || (err != nil) != c.err {
			t.Errorf("number of %s = %d, %v; want %d, error %v", c.payload, got.Number, err, c.want, c.err)
		}
		os.Remove(p)
	}
	if c, err := github.ReadRunContext(env(nil)); c.Number != 0 || err != nil {
		t.Errorf("no GITHUB_EVENT_PATH: %d, %v", c.Number, err)
	}
	if _, err := github.ReadRunContext(env(map[string]string{"GITHUB_EVENT_PATH": filepath.Join(dir, "missing.json")})); err == nil {
		t.Error("a missing event file is not reported")
	}
}

func TestRunContextVisibilityDefaultsToPublic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for payload, want := range map[string]bool{
		`{"repository":{"visibility":"private","private":true}}`: true,
		`{"repository":{"visibility":"internal"}}`:               true,
		`{"repository":{"private":true}}`:                        true,
		`{"repository":{"visibility":"public"}}`:                 false,
		`{}`:                                                     false,
	} {
		p := filepath.Join(dir, "event.json")
		if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := github.ReadRunContext(env(map[string]string{"GITHUB_EVENT_PATH": p}))
		if err != nil || c.Private() != want {
			t.Errorf("%s: Private() = %v (%q), %v; want %v", payload, c.Private(), c.Visibility, err, want)
		}
	}
	if c, _ := github.ReadRunContext(env(nil)); c.Private() || c.Visibility != "public" {
		t.Errorf("outside Actions: visibility %q, want public", c.Visibility)
	}
}

func TestRunContextRunURLAndClient(t *testing.T) {
	t.Parallel()
	c, err := github.ReadRunContext(env(map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "octo/meet", "GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": "2",
		"GITHUB_ACTOR": "octocat", "GITHUB_API_URL": "http://127.0.0.1:9/api/v3",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Actions || c.Actor != "octocat" || c.RunAttempt != 2 {
		t.Errorf("context %+v", c)
	}
	if got, want := c.RunURL(), "https://github.com/octo/meet/actions/runs/99"; got != want {
		t.Errorf("RunURL = %q, want %q", got, want)
	}
	if _, err := c.Client(); err == nil {
		t.Error("a client without GITHUB_TOKEN")
	}
	c.Token = "t"
	gc, err := c.Client()
	if err != nil || gc.Repo.String() != "octo/meet" || gc.BaseURL.String() != "http://127.0.0.1:9/api/v3/" {
		t.Errorf("Client() = %+v, %v", gc, err)
	}
	if _, err := github.ReadRunContext(env(map[string]string{"GITHUB_RUN_ID": "abc"})); err == nil {
		t.Error("GITHUB_RUN_ID=abc accepted")
	}
	if u := (github.RunContext{}).RunURL(); u != "" {
		t.Errorf("outside Actions RunURL = %q", u)
	}
}
