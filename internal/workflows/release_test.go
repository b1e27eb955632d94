package workflows

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

const releaseTag = "v0.9.1"

// release.yml runs under act on a tag push against the fake GitHub: it must
// publish the four archives and SHA256SUMS (checked against GitHub's API
// description by the fake), attest them, and build reproducibly. Then the
// actions' install script downloads the release for this machine, checks it,
// caches it and runs it; a tampered archive is refused.
//
// The workflow packages internal/buildinfo/testdata/printversion in place of
// cmd/jitsictl: the workflow, the build flags, the archives and the upload
// are the real ones, but a cold cross-build of the real binary for four
// platforms would cost many CPU-minutes per test run.
func TestReleaseWithAct(t *testing.T) {
	t.Parallel()
	root := testbed.RepoRoot(t)
	tiny, err := os.ReadFile(filepath.Join(root, "internal", "buildinfo", "testdata", "printversion", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	gh := fakegithub.New(t)
	gh.AddToken(botToken, "github-actions[bot]", fakegithub.ReadWrite)
	ws, sha := workspace(t, map[string]string{"cmd/jitsictl/main.go": string(tiny)})
	arts := t.TempDir()
	r := newRunner(t, ws, "http://127.0.0.1:9", arts)
	r.actEnv["GITHUB_API_URL"] = gh.URL
	ev := filepath.Join(t.TempDir(), "push.json")
	event := fmt.Sprintf(`{"ref": "refs/tags/%s", "before": "0000000000000000000000000000000000000000", "after": %q, "repository": {"full_name": "%s/%s", "name": %q, "owner": {"login": %q}}}`,
		releaseTag, sha, owner, repo, repo, owner)
	if err := os.WriteFile(ev, []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	run := r.run(t, "push", "release.yml", "--eventpath", ev)
	requireSuccess(t, run)

	rels := gh.Releases(owner, repo)
	if len(rels) != 1 || rels[0].Tag != releaseTag || rels[0].Draft {
		t.Fatalf("releases after the run: %+v, want one published %s", rels, releaseTag)
	}
	assets := map[string][]byte{}
	var names []string
	for _, a := range rels[0].Assets {
		assets[a.Name] = a.Data
		names = append(names, a.Name)
	}
	sort.Strings(names)
	var want []string
	for _, p := range []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"} {
		want = append(want, "jitsictl_"+releaseTag+"_"+p+".tar.gz")
	}
	want = append(want, "SHA256SUMS")
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("release assets %v, want %v", names, want)
	}
	sums := string(assets["SHA256SUMS"])
	for name, data := range assets {
		if name == "SHA256SUMS" {
			continue
		}
		sum := sha256.Sum256(data)
		if !strings.Contains(sums, hex.EncodeToString(sum[:])+"  "+name+"\n") {
			t.Errorf("SHA256SUMS has no line for %s with its sha256:\n%s", name, sums)
		}
	}
	if att, err := os.ReadFile(filepath.Join(arts, "attestation.txt")); err != nil || string(att) != sums {
		t.Errorf("the attestation step did not attest SHA256SUMS' subjects (%v):\n%s", err, att)
	}

	plat := "linux_" + runtime.GOARCH
	archive := "jitsictl_" + releaseTag + "_" + plat + ".tar.gz"
	t.Run("reproducible", func(t *testing.T) {
		// The same commit built again, elsewhere, gives the same bytes.
		out := t.TempDir()
		cmd := exec.Command("bash", filepath.Join(ws, "scripts", "release.sh"), "build", releaseTag, out)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "RELEASE_PLATFORMS=linux/"+runtime.GOARCH)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("release.sh build: %v\n%s", err, b)
		}
		again, err := os.ReadFile(filepath.Join(out, archive))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, assets[archive]) {
			t.Errorf("a second build of %s differs from the released one: the build is not reproducible", archive)
		}
	})

	cache := t.TempDir()
	t.Run("install downloads, checks, caches and runs the release", func(t *testing.T) {
		out, err := install(t, gh, cache, releaseTag)
		if err != nil {
			t.Fatalf("install.sh: %v\n%s", err, out)
		}
		if !strings.Contains(out, "sha256 ") || !strings.Contains(out, "matches SHA256SUMS") {
			t.Errorf("install did not say it checked the checksum:\n%s", out)
		}
		if first := "jitsictl " + releaseTag + " (commit " + sha + ", "; !strings.Contains(out, first) {
			t.Errorf("install did not run the stamped binary (want %q):\n%s", first, out)
		}
		out, err = install(t, gh, cache, releaseTag)
		if err != nil || !strings.Contains(out, "in the runner tool cache") {
			t.Errorf("second install did not use the tool cache: %v\n%s", err, out)
		}
	})
	t.Run("install refuses a tampered archive", func(t *testing.T) {
		if err := gh.ReplaceAsset(owner, repo, releaseTag, archive, assets["jitsictl_"+releaseTag+"_darwin_arm64.tar.gz"]); err != nil {
			t.Fatal(err)
		}
		fresh := t.TempDir()
		out, err := install(t, gh, fresh, releaseTag)
		if err == nil {
			t.Fatalf("install accepted a tampered %s:\n%s", archive, out)
		}
		if !strings.Contains(out, archive+" does not match SHA256SUMS of release "+releaseTag) || !strings.Contains(out, "refusing to run it") {
			t.Errorf("the refusal does not say what is wrong:\n%s", out)
		}
		if entries, _ := filepath.Glob(filepath.Join(fresh, "jitsictl", "*", "*", "jitsictl")); len(entries) != 0 {
			t.Errorf("the tampered binary reached the tool cache: %v", entries)
		}
	})
}

// install runs actions/install/install.sh as the composite actions do on a
// runner used at ref, with the fake GitHub as github.com.
func install(t *testing.T, gh *fakegithub.Server, toolCache, ref string) (string, error) {
	t.Helper()
	tmp := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(testbed.RepoRoot(t), "actions", "install", "install.sh"))
	cmd.Env = []string{
		"PATH=" + hostedPATH(t),
		"HOME=" + tmp,
		"JITSICTL_REPOSITORY=" + owner + "/" + repo,
		"JITSICTL_REF=" + ref,
		"GITHUB_SERVER_URL=" + gh.ServerURL(),
		"RUNNER_TOOL_CACHE=" + toolCache,
		"RUNNER_TEMP=" + tmp,
		"RUNNER_OS=Linux",
		"RUNNER_ARCH=" + map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH],
		"GITHUB_OUTPUT=" + filepath.Join(tmp, "output"),
		"GITHUB_PATH=" + filepath.Join(tmp, "path"),
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
