package cost

import (
	"context"
	"fmt"
	"io"

	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
)

// SessionPublisher shows what a session costs, for verify and session close:
// the Reporter (outputs, step summary, JSON result) and the run's sticky cost
// comment. Nothing here fails the command: cost is not what verify or close
// is judged by, so what cannot be priced or commented is a warning.
type SessionPublisher struct {
	Report report.Reporter
	// Comment keeps the sticky comment with body (github.RunContext.RunComment
	// with SessionMarker); a zero result: this run has none to keep.
	Comment func(ctx context.Context, body string) (res github.CommentResult, where string, err error)
	// Text is where session close prints the figures; nil on the JSON face.
	Text io.Writer
}

// Publish hands f to the Reporter and the sticky comment.
func (p SessionPublisher) Publish(ctx context.Context, f SessionFigures) {
	f.Publish(p.Report)
	if p.Comment == nil {
		return
	}
	res, where, err := p.Comment(ctx, f.Markdown())
	switch {
	case err != nil:
		p.Report.Warnf("%v", err)
	case res.Outcome == github.SummaryOnly:
		p.Report.Infof("cost comment: the token may not write to %s (%s); the cost is in the job summary only", where, res.Reason)
	case res.Outcome != 0:
		p.Report.Infof("cost comment %s: %s", res.Outcome, res.URL)
	}
}

// Live prices the session in store's record (the last closed one when none
// is live) and publishes it; false, after a warning, when it cannot.
func (p SessionPublisher) Live(ctx context.Context, s StackReader, store session.Store, out outputs.Outputs) (SessionFigures, bool) {
	rec, err := store.Load(ctx)
	if err == nil {
		var f SessionFigures
		if f, err = s.Price(ctx, out, rec.Record, rec.NLBWanted()); err == nil {
			p.Publish(ctx, f)
			return f, true
		}
	}
	p.Report.Warnf("session cost: %v", err)
	return SessionFigures{}, false
}

// Closed reports what the session rec, just closed, cost (price reads it):
// published, the JSON result (the record with the cost beside it) and Text.
func (p SessionPublisher) Closed(ctx context.Context, rec session.Record, price func(context.Context) (SessionFigures, error)) {
	f, err := price(ctx)
	if err != nil {
		p.Report.Warnf("session cost: %v", err)
		return
	}
	p.Publish(ctx, f)
	p.Report.Result(struct {
		session.Record
		Cost SessionFigures `json:"cost"`
	}{rec, f})
	if p.Text != nil {
		fmt.Fprint(p.Text, f.Text())
	}
}
