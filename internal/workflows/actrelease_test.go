package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/testbed"
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
// checkout of a release tag does: it builds jitsictl for this machine (once
// per test binary) into a release's archive and SHA256SUMS, publishes them on
// gh with scripts/release.sh, tags the workspace's commit and makes gh the
// runner's github.com.
func publishRelease(t *testing.T, r *runner, gh *fakegithub.Server) {
	t.Helper()
	script := filepath.Join(r.ws, "scripts", "release.sh")
	buildRelease(testbed.RepoRoot(t), r.ws)
	if distErr != nil {
		t.Fatalf("build the release for the act runs: %v\n%s", distErr, distOut)
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

// buildRelease builds the release from root once per test binary, stamped with the
// commit of the workspace ws; callers after the first wait for that build.
func buildRelease(root, ws string) {
	distOnce.Do(func() {
		var sha []byte
		if sha, distErr = exec.Command("git", "-C", ws, "rev-parse", "HEAD").Output(); distErr == nil {
			distDir, distOut, distErr = buildActRelease(root, strings.TrimSpace(string(sha)))
		}
	})
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

// buildActRelease builds jitsictl with the race detector from the repository
// (the source the workspace copies) and packs it as scripts/release.sh
// packs a release: jitsictl_<version>_linux_<arch>.tar.gz holding jitsictl,
// and SHA256SUMS. Not release.sh's own build: its -trimpath, cgo-free
// binary shares no compiled package with the test run's race build, and
// compiling the whole module again cost 330 CPU-seconds per test run (the
// run's largest single item, measured). release.sh build is tested by
// TestReleaseWithAct; the act runs need a stamped jitsictl behind a real
// release, and with -race they also check jitsictl for data races.
func buildActRelease(root, sha string) (dir string, out []byte, err error) {
	if dir, err = os.MkdirTemp("", "act-release-"); err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "jitsictl")
	pkg := "github.com/jitsictl/jitsictl/internal/buildinfo"
	cmd := exec.Command("go", "build", "-race", "-ldflags", "-X "+pkg+".version="+actRelease+" -X "+pkg+".commit="+sha, "-o", bin, "./cmd/jitsictl")
	cmd.Dir = root
	if out, err = cmd.CombinedOutput(); err != nil {
		return dir, out, fmt.Errorf("go build: %w", err)
	}
	defer os.Remove(bin)
	archive := fmt.Sprintf("jitsictl_%s_linux_%s.tar.gz", actRelease, runtime.GOARCH)
	// tar and gzip, not archive/tar and compress/gzip: in this race-instrumented
	// test binary, compressing the 140 MB race build took ~50 CPU-s (measured,
	// the workflows package's largest item); gzip -1 takes 2.
	pack := exec.Command("tar", "--owner=0", "--group=0", "--numeric-owner", "--mode=0755",
		"--use-compress-program=gzip -1 -n", "-cf", archive, "jitsictl")
	pack.Dir = dir
	if out, err = pack.CombinedOutput(); err != nil {
		return dir, out, fmt.Errorf("tar: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, archive))
	if err != nil {
		return dir, nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return dir, nil, err
	}
	return dir, nil, os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(hex.EncodeToString(h.Sum(nil))+"  "+archive+"\n"), 0o644)
}
