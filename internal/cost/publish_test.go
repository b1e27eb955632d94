package cost

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
)

// The cost comment's outcome is a line in the log, never a failure; a close
// that cannot be priced is a warning, one that can prints its figures.
func TestSessionPublisherNeverFails(t *testing.T) {
	t.Parallel()
	f := SessionFigures{Region: "eu-central-1", PerHour: 12, Session: 34}
	for _, c := range []struct {
		res   github.CommentResult
		err   error
		wants []string
	}{
		{github.CommentResult{Outcome: github.Created, URL: "https://x/1"}, nil, []string{"cost comment created: https://x/1"}},
		{github.CommentResult{Outcome: github.SummaryOnly, Reason: "Resource not accessible"}, nil, []string{"cost comment: the token may not write to o/r#7 (Resource not accessible); the cost is in the job summary only"}},
		{github.CommentResult{}, errors.New("cost comment on o/r#7: 500"), []string{"warning", "cost comment on o/r#7: 500"}},
		{github.CommentResult{}, nil, nil},
	} {
		var log, out strings.Builder
		r, _ := report.New(report.Options{Format: report.FormatText, Stdout: &out, Stderr: &log})
		var body string
		p := SessionPublisher{Report: r, Text: &out, Comment: func(_ context.Context, b string) (github.CommentResult, string, error) {
			body = b
			return c.res, "o/r#7", c.err
		}}
		p.Closed(context.Background(), session.Record{}, func(context.Context) (SessionFigures, error) { return f, nil })
		if body != f.Markdown() || !strings.Contains(out.String(), f.Text()) {
			t.Errorf("%+v: comment body %q, text %q", c.res, body, out.String())
		}
		for _, w := range c.wants {
			if !strings.Contains(strings.ToLower(log.String()), strings.ToLower(w)) {
				t.Errorf("%+v, %v: log lacks %q:\n%s", c.res, c.err, w, log.String())
			}
		}
		if c.wants == nil && strings.Contains(log.String(), "cost comment") {
			t.Errorf("no comment to keep, yet the log says:\n%s", log.String())
		}
	}

	var log, out strings.Builder
	r, _ := report.New(report.Options{Format: report.FormatText, Stdout: &out, Stderr: &log})
	SessionPublisher{Report: r, Text: &out}.Closed(context.Background(), session.Record{}, func(context.Context) (SessionFigures, error) {
		return SessionFigures{}, errors.New("no stack outputs")
	})
	if !strings.Contains(log.String(), "session cost: no stack outputs") || out.Len() != 0 {
		t.Errorf("unpriced close: log %q, text %q", log.String(), out.String())
	}
}
