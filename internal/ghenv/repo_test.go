package ghenv

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/jitsictl/jitsictl/internal/report"
)

// ParseRepo accepts owner/name as GitHub spells it and nothing a shell or a
// path could read otherwise.
func TestParseRepo(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo("octo-org/jitsi.meet", "production", "main")
	if err != nil || r != (Repo{Owner: "octo-org", Name: "jitsi.meet", Environment: "production", DefaultBranch: "main"}) {
		t.Fatalf("octo-org/jitsi.meet: %+v, %v", r, err)
	}
	for _, bad := range []string{"", "octo-org", "octo-org/*", "-org/jitsi", "octo-org/jitsi/x", "octo org/jitsi"} {
		if _, err := ParseRepo(bad, "production", "main"); !errors.As(err, new(report.UsageError)) {
			t.Errorf("--repo %q accepted", bad)
		}
	}
	if _, err := ParseRepo("o/r", " ", "main"); err == nil {
		t.Error("an empty environment accepted")
	}
}

// doctor's GitHub row: none without a repository, bad input for a bad one,
// and the client is made only when the check runs.
func TestChecker(t *testing.T) {
	t.Parallel()
	made := 0
	client := func() (*github.Client, error) { made++; return nil, errors.New("no client") }
	if c, err := Checker(client, "", "production", "main"); c != nil || err != nil {
		t.Errorf("no repository: %v, %v", c != nil, err)
	}
	if _, err := Checker(client, "octo org/x", "production", "main"); !errors.As(err, new(report.UsageError)) {
		t.Errorf("bad repository: %v", err)
	}
	c, err := Checker(client, "o/r", "production", "main")
	if err != nil || made != 0 {
		t.Fatalf("o/r: %v, client made %d times before the check ran", err, made)
	}
	if _, err := c(context.Background()); err == nil || made != 1 {
		t.Errorf("check: %v, client made %d times", err, made)
	}
}

func TestAdminClientNeedsAToken(t *testing.T) {
	t.Parallel()
	var masked []string
	mask := func(s string) { masked = append(masked, s) }
	if _, err := AdminClient("", "", mask); !errors.As(err, new(report.UsageError)) || len(masked) != 0 {
		t.Errorf("no token: %v, masked %v", err, masked)
	}
	if c, err := AdminClient("tok", "", mask); err != nil || c == nil || len(masked) != 1 || masked[0] != "tok" {
		t.Errorf("token: %v, masked %v", err, masked)
	}
}
