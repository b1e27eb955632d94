package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/session"
)

// publishCost hands the figures to the Reporter (outputs, step summary) and
// the sticky comment; the caller writes text and the JSON result.
func (a *App) publishCost(ctx context.Context, f cost.SessionFigures) {
	f.Publish(a.Reporter)
	a.stickyCostComment(ctx, f.Markdown())
}

// stickyCostComment keeps one cost comment on the run's pull request or
// issue up to date. Without a number or a token it does nothing; a
// read-only token (a fork's pull request) leaves the job summary alone.
// A comment that cannot be written is a warning: cost is not what verify
// or close is judged by.
func (a *App) stickyCostComment(ctx context.Context, summary string) {
	number := a.run().Number
	if _, err := a.run().Repo(); number == 0 || a.run().Token == "" || err != nil {
		return
	}
	client, err := a.github("cost comment")
	if err != nil {
		a.Reporter.Warnf("%v", err)
		return
	}
	owner, repo := client.Repo.Owner, client.Repo.Name
	body := cost.SessionMarker + "\n" + summary
	if u := a.runURL(); u != "" {
		body += fmt.Sprintf("\n<sub>Updated by [this run](%s).</sub>\n", u)
	}
	res, err := github.UpsertComment(ctx, client.Issues, github.CommentTarget{Owner: owner, Repo: repo, Number: number, Marker: cost.SessionMarker}, body)
	switch {
	case err != nil:
		a.Reporter.Warnf("cost comment on %s/%s#%d: %v", owner, repo, number, err)
	case res.Outcome == github.SummaryOnly:
		a.Reporter.Infof("cost comment: the token may not write to %s/%s#%d (%s); the cost is in the job summary only", owner, repo, number, res.Reason)
	default:
		a.Reporter.Infof("cost comment %s: %s", res.Outcome, res.URL)
	}
}

// liveSessionCost prices the session in store's record and publishes it; a
// warning when it cannot. With no session live it is the last closed one's.
func (a *App) liveSessionCost(ctx context.Context, cfg aws.Config, store session.Store, out outputs.Outputs) (cost.SessionFigures, bool) {
	rec, err := store.Load(ctx)
	if err == nil {
		var f cost.SessionFigures
		if f, err = (cost.StackReader{Config: cfg, Getenv: a.Getenv}).Price(ctx, out, rec.Record, rec.NLBWanted()); err == nil {
			a.publishCost(ctx, f)
			return f, true
		}
	}
	a.Reporter.Warnf("session cost: %v", err)
	return cost.SessionFigures{}, false
}

// closeCost reports what the session just closed cost, after `session
// close` succeeded. Failing to price it is a warning: the close is done.
func (a *App) closeCost(ctx context.Context, rec session.Record) {
	f, err := a.closedSessionCost(ctx, rec)
	if err != nil {
		a.Reporter.Warnf("session cost: %v", err)
		return
	}
	a.publishCost(ctx, f)
	// The JSON result is the record with the cost beside it.
	a.Reporter.Result(struct {
		session.Record
		Cost cost.SessionFigures `json:"cost"`
	}{rec, f})
	if a.Output != "json" {
		fmt.Fprint(a.Stdout, f.Text())
	}
}

func (a *App) closedSessionCost(ctx context.Context, rec session.Record) (cost.SessionFigures, error) {
	out, err := a.stackOutputsOf(ctx)
	if err != nil {
		return cost.SessionFigures{}, err
	}
	cfg, err := a.AWS(ctx)
	if err != nil {
		return cost.SessionFigures{}, err
	}
	return cost.StackReader{Config: cfg, Getenv: a.Getenv}.PriceClose(ctx, out, rec)
}
