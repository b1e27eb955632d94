package cli

import (
	"context"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/session"
)

// costPublisher shows verify's and session close's cost: the Reporter and the
// sticky cost comment on the run's pull request or issue.
func (a *App) costPublisher() cost.SessionPublisher {
	return cost.SessionPublisher{Report: a.Reporter, Text: a.text(), Comment: func(ctx context.Context, body string) (github.CommentResult, string, error) {
		return a.run().RunComment(ctx, a.github, "cost comment", cost.SessionMarker, body)
	}}
}

// closeCost reports what the session just closed cost, after `session
// close` succeeded.
func (a *App) closeCost(ctx context.Context, rec session.Record) {
	a.costPublisher().Closed(ctx, rec, func(ctx context.Context) (cost.SessionFigures, error) {
		out, err := a.stackOutputsOf(ctx)
		if err != nil {
			return cost.SessionFigures{}, err
		}
		cfg, err := a.AWS(ctx)
		if err != nil {
			return cost.SessionFigures{}, err
		}
		return cost.StackReader{Config: cfg, Getenv: a.Getenv}.PriceClose(ctx, out, rec)
	})
}
