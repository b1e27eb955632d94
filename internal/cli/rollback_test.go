package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jitsictl/jitsictl/internal/stage"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

// TestRollbackRefusesRefsOffTheDefaultBranch: a rollback target that is not in the
// default branch's history (a pushed but unmerged branch, a commit of a fork), or a
// reviewed plan of another commit, is bad input: exit 2, and no request reaches AWS.
func TestRollbackRefusesRefsOffTheDefaultBranch(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no AWS call expected", http.StatusTeapot)
	}))
	defer aws.Close()

	repo := t.TempDir()
	stack := filepath.Join(repo, "terraform")
	if err := os.CopyFS(stack, os.DirFS(testbed.CopyStack(t))); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-qm", "v1")
	onMain := git("rev-parse", "HEAD")
	git("checkout", "-qb", "feature")
	edit(t, filepath.Join(stack, "variables.tf"), "default     = 4096", "default     = 16384")
	git("commit", "-qam", "unreviewed")
	offMain := git("rev-parse", "HEAD")
	git("checkout", "-q", "main")

	env := map[string]string{
		"AWS_ENDPOINT_URL": aws.URL, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true",
	}
	otherPlan := filepath.Join(t.TempDir(), stage.ReviewedFile)
	if err := (stage.Reviewed{HeadSHA: offMain, Stages: map[string]string{"rollback": "sha256:0"}}).Write(otherPlan); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"branch not merged", []string{"--ref", "feature"}, "is not on main"},
		{"commit not merged", []string{"--ref", offMain}, "is not on main"},
		{"reviewed plan of another commit", []string{"--ref", onMain, "--reviewed", otherPlan}, "is the plan of commit"},
		{"unknown ref", []string{"--ref", "no-such-ref"}, `git ref "no-such-ref"`},
		{"default branch missing", []string{"--ref", onMain, "--default-branch", "trunk"}, "default branch trunk is not in this checkout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"deploy", "rollback", "--dir", stack, "--out", t.TempDir()}, c.args...)
			code, out, stderr := run(t, env, args...)
			// Messages wrap at 100 columns on a terminal: compare word by word.
			if code != ExitUsage || !strings.Contains(strings.Join(strings.Fields(out+stderr), " "), c.want) {
				t.Errorf("exit %d, want %d and %q:\n%s%s", code, ExitUsage, c.want, out, stderr)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests reached AWS; a refused rollback must make none", n)
	}
}
