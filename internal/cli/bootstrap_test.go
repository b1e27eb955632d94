package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

// TestBootstrapGitHubAndDoctor: doctor FAILs with the fix while the production
// environment is missing; `bootstrap github` creates it through the same code, and then
// doctor's row passes. No AWS here: the AWS rows fail fast on a missing profile.
func TestBootstrapGitHubAndDoctor(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New(t)
	gh.AddToken("admin-token", "octocat", fakegithub.Admin)
	gh.AddUser("octocat")
	dir := testbed.CopyStack(t)
	env := map[string]string{
		"AWS_CONFIG_FILE":   filepath.Join(t.TempDir(), "none"),
		"AWS_PROFILE":       "nope",
		"GITHUB_API_URL":    gh.URL,
		"GITHUB_TOKEN":      "admin-token",
		"GITHUB_REPOSITORY": "octo-org/jitsi",
	}

	_, out, _ := run(t, env, "doctor", "--dir", dir)
	row := doctorRow(out, "GitHub production environment")
	if !strings.Contains(row, "FAIL") || !strings.Contains(row, `environment "production" does not exist`) || !strings.Contains(row, "jitsictl bootstrap github --repo octo-org/jitsi") {
		t.Errorf("doctor row %q: want FAIL, the missing environment and the bootstrap command", row)
	}

	if code, _, stderr := run(t, env, "bootstrap", "github"); code != ExitUsage || !strings.Contains(stderr, "--reviewer") {
		t.Errorf("bootstrap github without --reviewer: exit %d, want %d asking for --reviewer\n%s", code, ExitUsage, stderr)
	}
	if code, _, stderr := run(t, env, "bootstrap", "github", "--repo", "octo-org/*", "--reviewer", "octocat"); code != ExitUsage {
		t.Errorf("bootstrap github --repo octo-org/*: exit %d, want %d\n%s", code, ExitUsage, stderr)
	}
	if code, out, stderr := run(t, env, "bootstrap", "github", "--reviewer", "octocat"); code != ExitOK {
		t.Fatalf("bootstrap github: exit %d\n%s\n%s", code, out, stderr)
	}

	_, out, _ = run(t, env, "doctor", "--dir", dir)
	if row := doctorRow(out, "GitHub production environment"); !strings.Contains(row, "PASS") {
		t.Errorf("doctor row after bootstrap github: %q, want PASS", row)
	}
	if v := gh.TakeViolations(); len(v) > 0 {
		t.Errorf("requests outside GitHub's description: %v", v)
	}
}
