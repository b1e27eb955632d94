package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/report"
)

// Bad input is refused before the session is wired (nothing touched); a
// wiring failure ends every command with its error.
func TestCommandsCheckBeforeWiring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	wired := 0
	failing := errors.New("no stack outputs")
	c := Commands{Wire: func(context.Context) (*Manager, Publisher, error) { wired++; return nil, Publisher{}, failing }}
	for name, err := range map[string]error{
		"open 0 hours":   c.Open(ctx, OpenOptions{Hours: 0}),
		"open 13 hours":  c.Open(ctx, OpenOptions{Hours: MaxHours + 1}),
		"extend 0 hours": c.Extend(ctx, 0),
		"reap idle -5m":  c.Reap(ctx, ReapOptions{IdleAfter: -5 * time.Minute}),
	} {
		if !errors.As(err, new(report.UsageError)) {
			t.Errorf("%s: %v, want bad input", name, err)
		}
	}
	if wired != 0 {
		t.Fatalf("bad input wired the session %d times", wired)
	}
	for name, err := range map[string]error{
		"open":   c.Open(ctx, OpenOptions{Hours: 2}),
		"close":  c.Close(ctx, CloseOptions{}),
		"extend": c.Extend(ctx, 1),
		"status": c.Status(ctx),
		"reap":   c.Reap(ctx, ReapOptions{}),
		"links":  c.Links(ctx, nil),
	} {
		if !errors.Is(err, failing) {
			t.Errorf("%s: %v, want the wiring error", name, err)
		}
	}
	if wired != 6 {
		t.Errorf("wired %d times, want once per command", wired)
	}
}
