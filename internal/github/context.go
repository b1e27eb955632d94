package github

import (
	"fmt"
	"os"
	"os/user"
	"regexp"
	"strconv"

	gh "github.com/google/go-github/v66/github"
	githubactions "github.com/sethvargo/go-githubactions"
)

// RunContext is what a workflow run tells jitsictl about itself: the GITHUB_*
// variables and the event payload, read once (through go-githubactions) so
// no other package reads them. Outside Actions most fields are empty.
type RunContext struct {
	Actions    bool   // GITHUB_ACTIONS=true: running in a workflow
	Repository string // owner/name
	EventName  string
	// Number is the pull request or issue the event is about (the payload's
	// pull_request or issue, else a refs/pull/N/... ref); 0 for none.
	Number int
	Actor  string
	SHA    string
	// ServerURL and APIURL default to github.com's.
	ServerURL, APIURL string
	RunID, RunAttempt int64
	Token             string // GITHUB_TOKEN; empty when the step does not pass one
	// Visibility is the repository's, from the event payload: "public",
	// "private" or "internal"; "public" when the payload does not say.
	Visibility string
}

// ReadRunContext reads the run's context through getenv (os.Getenv, or a
// test's map). A payload that cannot be read or parsed is an error; a
// variable that does not parse (GITHUB_RUN_ID=abc) is too.
func ReadRunContext(getenv func(string) string) (RunContext, error) {
	// Even when the payload cannot be read, a run in Actions must know it is
	// one: what it prints lands in a log that may be public.
	unknown := RunContext{Actions: getenv("GITHUB_ACTIONS") == "true", Visibility: "public"}
	if p := getenv("GITHUB_EVENT_PATH"); p != "" {
		// go-githubactions skips a missing payload; a run that names one has it.
		if _, err := os.Stat(p); err != nil {
			return unknown, fmt.Errorf("reading the event payload GITHUB_EVENT_PATH: %w", err)
		}
	}
	c, err := githubactions.New(githubactions.WithGetenv(getenv)).Context()
	if c == nil {
		return unknown, fmt.Errorf("the event payload GITHUB_EVENT_PATH: %w", err)
	}
	return RunContext{
		Actions:    c.Actions,
		Repository: c.Repository,
		EventName:  c.EventName,
		Number:     number(c.Event, c.Ref),
		Actor:      c.Actor,
		SHA:        c.SHA,
		ServerURL:  c.ServerURL,
		APIURL:     c.APIURL,
		RunID:      c.RunID,
		RunAttempt: c.RunAttempt,
		Token:      getenv("GITHUB_TOKEN"),
		Visibility: visibility(c.Event),
	}, err
}

var pullRef = regexp.MustCompile(`^refs/pull/([0-9]+)/`)

func number(event map[string]any, ref string) int {
	for _, key := range []string{"pull_request", "issue"} {
		if obj, ok := event[key].(map[string]any); ok {
			if n, ok := obj["number"].(float64); ok && n > 0 {
				return int(n)
			}
		}
	}
	if m := pullRef.FindStringSubmatch(ref); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func visibility(event map[string]any) string {
	repo, _ := event["repository"].(map[string]any)
	if v, ok := repo["visibility"].(string); ok && v != "" {
		return v
	}
	if private, ok := repo["private"].(bool); ok && private {
		return "private"
	}
	return "public"
}

// Private reports a repository whose pages only members see (private or
// internal): what it publishes, its members alone read.
func (c RunContext) Private() bool { return c.Visibility == "private" || c.Visibility == "internal" }

// RunURL is the run's page; empty outside Actions.
func (c RunContext) RunURL() string {
	if c.Repository == "" || c.RunID == 0 {
		return ""
	}
	return fmt.Sprintf("%s/%s/actions/runs/%d", c.ServerURL, c.Repository, c.RunID)
}

// Repo is the run's repository; an error names what is missing.
func (c RunContext) Repo() (Repo, error) { return ParseRepo(c.Repository) }

// Client is a go-github client with the run's token, for its repository.
type Client struct {
	*gh.Client
	Repo Repo
}

// Client is a client for the run's repository with the run's token; an error
// says which of the two is missing.
func (c RunContext) Client() (*Client, error) {
	if c.Token == "" {
		return nil, fmt.Errorf("no GITHUB_TOKEN in the environment")
	}
	repo, err := c.Repo()
	if err != nil {
		return nil, fmt.Errorf("GITHUB_REPOSITORY: %w", err)
	}
	gc, err := NewClient(c.Token, c.APIURL)
	if err != nil {
		return nil, err
	}
	return &Client{Client: gc, Repo: repo}, nil
}

// Who names who runs jitsictl: the GitHub user in Actions, user@host elsewhere.
func (c RunContext) Who() string {
	if c.Actor != "" {
		return c.Actor
	}
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

// LeaseOwner identifies this process in a session lease: the Actions run's
// attempt, or user@host:pid.
func (c RunContext) LeaseOwner() string {
	if u := c.RunURL(); u != "" {
		return fmt.Sprintf("%s/attempts/%d", u, c.RunAttempt)
	}
	return fmt.Sprintf("%s:%d", c.Who(), os.Getpid())
}
