package cli

import (
	"fmt"

	"github.com/jitsictl/jitsictl/internal/github"
)

// run is this workflow run's GitHub context (internal/github reads it once).
// A payload that cannot be read is a warning: what needs it then finds no
// pull request, and says so.
func (a *App) run() github.RunContext {
	if a.runCtx == nil {
		c, err := github.ReadRunContext(a.Getenv)
		if err != nil && a.Reporter != nil {
			a.Reporter.Warnf("GitHub context: %v", err)
		}
		a.runCtx = &c
	}
	return *a.runCtx
}

// github is a client for the run's repository with its token (masked in
// the log); the error names what is missing and what it was needed for.
func (a *App) github(purpose string) (*github.Client, error) {
	c, err := a.run().Client()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", purpose, err)
	}
	a.Reporter.Mask(a.run().Token)
	return c, nil
}
