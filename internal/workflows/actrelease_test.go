package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
)

// actRelease is the release the act runs of the operational workflows
// download jitsictl from, as a user's workflows download a real release.
const actRelease = "v0.0.0-actrun" // no "test": the act runs mask the stand-in credentials, "test"

var (
	distOnce sync.Once
	distDir  string
	distErr  error
	distOut  []byte
)

// publishRelease makes the workspace's ./actions/* find a release, as a
// checkout of a release tag does: it builds jitsictl for this machine with
// scripts/release.sh (once per test binary), publishes it on gh with the same
// script, tags the workspace's commit and makes gh the runner's github.com.
func publishRelease(t *testing.T, r *runner, gh *fakegithub.Server) {
	t.Helper()
	script := filepath.Join(r.ws, "scripts", "release.sh")
	distOnce.Do(func() {
		if distDir, distErr = os.MkdirTemp("", "act-release-"); distErr != nil {
			return
		}
		cmd := exec.Command("bash", script, "build", actRelease, distDir)
		cmd.Dir = r.ws
		cmd.Env = append(os.Environ(), "RELEASE_PLATFORMS=linux/"+runtime.GOARCH)
		distOut, distErr = cmd.CombinedOutput()
	})
	if distErr != nil {
		t.Fatalf("scripts/release.sh build: %v\n%s", distErr, distOut)
	}
	gh.AddToken(releaseToken, "release-bot", fakegithub.ReadWrite)
	cmd := exec.Command("bash", script, "publish", actRelease, distDir)
	cmd.Dir = r.ws
	cmd.Env = append(os.Environ(), "GITHUB_TOKEN="+releaseToken, "GITHUB_API_URL="+gh.URL, "GITHUB_REPOSITORY="+owner+"/"+repo)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/release.sh publish: %v\n%s", err, out)
	}
	if out, err := exec.Command("git", "-C", r.ws, "tag", actRelease).CombinedOutput(); err != nil {
		t.Fatalf("git tag: %v\n%s", err, out)
	}
	r.actEnv["GITHUB_SERVER_URL"] = gh.ServerURL()
}

const releaseToken = "ghs_releasetoken"

// downloaded checks that a run's actions installed the published release,
// checked against SHA256SUMS now or by an earlier run that left it in the
// tool cache (act's persists across runs; a hosted runner's within a job),
// built nothing, and logged its version first.
func downloaded(t *testing.T, r actRun) {
	t.Helper()
	checked := strings.Contains(r.log, "matches SHA256SUMS") || strings.Contains(r.log, "is in the runner tool cache")
	if strings.Contains(r.log, "building from source") || !checked {
		t.Errorf("the actions did not install the release binary:\n%s", r.stepLog())
	}
	if !strings.Contains(r.log, "jitsictl "+actRelease+" (commit ") {
		t.Errorf("the actions did not log jitsictl's version:\n%s", r.stepLog())
	}
}
