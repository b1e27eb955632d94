package stage

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/report"
)

func TestRollbackHintNamesTheCommitBefore(t *testing.T) {
	for before, want := range map[string]string{
		"":         "jitsictl deploy rollback --ref HEAD~1",
		"00000000": "jitsictl deploy rollback --ref HEAD~1", // a new branch's push
		"1a2b3c4":  "jitsictl deploy rollback --ref 1a2b3c4",
	} {
		if got := RollbackHint(before); got != want {
			t.Errorf("RollbackHint(%q) = %q, want %q", before, got, want)
		}
	}
}

// What a reviewer approved is bad input when it cannot be read: exit 2, no AWS call.
func TestReviewedRefusesBadSourcesAsUsage(t *testing.T) {
	f := Flow{Run: github.RunContext{Repository: "o/r"}}
	for _, from := range []string{"pr:x", "pr:0", "pr:7", "/nonexistent/reviewed.json"} {
		_, err := f.Reviewed(context.Background(), from)
		if !errors.As(err, new(report.UsageError)) {
			t.Errorf("Reviewed(%q): %v; want a usage error", from, err)
		}
	}
	if _, err := f.Reviewed(context.Background(), "pr:7"); err == nil || !strings.Contains(err.Error(), "needs GITHUB_TOKEN") {
		t.Errorf("pr:7 without a token: %v", err)
	}
	for _, ref := range []string{"", " ", "--exec=x"} {
		if err := ValidRef(ref); !errors.As(err, new(report.UsageError)) {
			t.Errorf("ValidRef(%q) = %v; want a usage error", ref, err)
		}
	}
	if err := ValidRef("HEAD~1"); err != nil {
		t.Errorf("ValidRef(HEAD~1) = %v", err)
	}
}

func TestPlanCommentNeedsAPullRequest(t *testing.T) {
	if _, err := (Flow{}).prNumber(0); !errors.As(err, new(report.UsageError)) {
		t.Errorf("no --pr, no event: %v; want a usage error", err)
	}
	if n, err := (Flow{Run: github.RunContext{Number: 9}}).prNumber(0); n != 9 || err != nil {
		t.Errorf("the event's number: %d, %v", n, err)
	}
	if n, _ := (Flow{Run: github.RunContext{Number: 9}}).prNumber(4); n != 4 {
		t.Errorf("--pr 4 on PR 9's event: %d; the flag wins", n)
	}
}
