package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/report"
)

// actionsReporter is the Actions face writing its outputs and summary to files.
func actionsReporter(t *testing.T) (report.Reporter, func() (outputs, summary string)) {
	t.Helper()
	dir := t.TempDir()
	out, sum := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	env := map[string]string{"GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": sum}
	r, err := report.New(report.Options{Format: report.FormatActions, Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	return r, func() (string, string) {
		o, _ := os.ReadFile(out)
		s, _ := os.ReadFile(sum)
		return string(o), string(s)
	}
}

// An open session's outputs carry the expiry; its summary leads with the
// meeting. A public repository's summary says how to get links and mints none
// (no SSM client is given: a mint would fail the test).
func TestPublisherInActions(t *testing.T) {
	r, read := actionsReporter(t)
	exp := time.Date(2026, 12, 2, 15, 30, 0, 0, time.UTC)
	rec := Record{State: StateOpen, URL: "https://meet.example.org", Addresses: []string{"192.0.2.1", "192.0.2.2"}, ExpiresAt: exp}
	p := Publisher{Report: r, Actions: true, Zone: time.UTC}
	p.Record(rec, "Session open")
	if err := p.LinksAfter(context.Background(), rec, []string{"standup"}); err != nil {
		t.Fatal(err)
	}
	outs, sum := read()
	for _, want := range []string{"state", "open", "url", "https://meet.example.org", "addresses", "192.0.2.1,192.0.2.2", "expires-at", "2026-12-02T15:30:00Z"} {
		if !strings.Contains(outs, want) {
			t.Errorf("outputs lack %q:\n%s", want, outs)
		}
	}
	for _, want := range []string{"### Session open: open", "**Open until 15:30 (UTC)**", "jitsictl session links --rooms standup"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if strings.Contains(sum, "jwt=") {
		t.Errorf("a public repository's summary holds a link:\n%s", sum)
	}
}

// Links are minted for an open session only; another state is a clear error.
func TestLinksNeedAnOpenSession(t *testing.T) {
	r, _ := actionsReporter(t)
	p := Publisher{Report: r, Actions: true, Private: true}
	if err := p.LinksAfter(context.Background(), Record{State: StateClosed}, nil); err != nil {
		t.Errorf("a closed session: %v; want no links and no error", err)
	}
	err := p.LinksAfter(context.Background(), Record{State: StateOpen, ExpiresAt: time.Now().Add(time.Hour)}, nil)
	if err == nil || !strings.Contains(err.Error(), "retry with `jitsictl session links`") || !strings.Contains(err.Error(), "no JWT settings") {
		t.Errorf("a stack without JWT outputs: %v", err)
	}
}
