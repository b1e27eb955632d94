package github

import (
	"context"
	"fmt"
)

// WorkflowSwitch turns a scheduled workflow on (Wake) and off (Sleep)
// through GitHub's API: the session reaper, enabled while a session may be
// open. Without a client (a laptop, no token) each switch fails with the gh
// command that does it by hand.
type WorkflowSwitch struct {
	File string
	Repo string // owner/name; "" when unknown (gh then uses the checkout's remote)
	API  *Workflows
	Why  string // why API is nil
}

// ReaperSwitch is the switch of workflow file for the run's repository:
// through the API when the run has a token (client builds it, the token
// masked), else one that says how to switch it by hand.
func (c RunContext) ReaperSwitch(file string, client func(purpose string) (*Client, error)) WorkflowSwitch {
	s := WorkflowSwitch{File: file, Repo: c.Repository}
	if c.Token == "" {
		s.Why = "no GITHUB_TOKEN (in Actions: give the session action `github-token: ${{ github.token }}` and the job `actions: write`)"
		return s
	}
	gc, err := client("the reaper workflow")
	if err != nil {
		s.Why = err.Error()
		return s
	}
	s.API = &Workflows{API: gc.Actions, Repo: gc.Repo}
	return s
}

func (s WorkflowSwitch) Wake(ctx context.Context) error  { return s.switchTo(ctx, "enable") }
func (s WorkflowSwitch) Sleep(ctx context.Context) error { return s.switchTo(ctx, "disable") }

func (s WorkflowSwitch) switchTo(ctx context.Context, verb string) error {
	if s.API == nil {
		return fmt.Errorf("%s; %s it with `%s`", s.Why, verb, s.command(verb))
	}
	f := s.API.Enable
	if verb == "disable" {
		f = s.API.Disable
	}
	if err := f(ctx, s.File); err != nil {
		return fmt.Errorf("%w; %s it by hand with `%s`", err, verb, s.command(verb))
	}
	return nil
}

// command is the GitHub CLI line that does what the API call would.
func (s WorkflowSwitch) command(verb string) string {
	c := "gh workflow " + verb + " " + s.File
	if s.Repo != "" {
		c += " --repo " + s.Repo
	}
	return c
}
