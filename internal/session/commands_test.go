package session

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jitsictl/jitsictl/internal/outputs"
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

// ForStack refuses a stack that was never applied, reads the linger policy
// from the config file unless the wiring sets one, and keeps the wiring's
// reaper and lease wait.
func TestForStack(t *testing.T) {
	t.Parallel()
	r, _ := report.New(report.Options{Stdout: io.Discard, Stderr: io.Discard})
	if _, err := ForStack(aws.Config{}, Store{}, nil, outputs.Outputs{}, r, Wiring{}, ""); err == nil || !strings.Contains(err.Error(), "apply the stack first") {
		t.Errorf("no service: %v", err)
	}
	out := outputs.Outputs{ClusterName: "c", ServiceName: "s"}
	file := filepath.Join(t.TempDir(), "jitsictl.yaml")
	if err := os.WriteFile(file, []byte("session:\n  linger: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ForStack(aws.Config{}, Store{}, nil, out, r, Wiring{LeaseWait: time.Minute}, file)
	if err != nil || m.Linger.Enabled || m.LeaseWait != time.Minute {
		t.Errorf("from the file: %v, linger %+v, wait %s", err, m.Linger, m.LeaseWait)
	}
	set := LingerPolicy{Enabled: true, Before: 7 * time.Minute}
	if m, err := ForStack(aws.Config{}, Store{}, nil, out, r, Wiring{Linger: set}, file); err != nil || m.Linger != set {
		t.Errorf("set by the wiring: %v, linger %+v", err, m.Linger)
	}
}
