package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

var h1Hash = regexp.MustCompile(`"(h1:[A-Za-z0-9+/=]+)"`)

// The workflows key their provider cache on the committed lock files, and a
// runner or laptop on another platform checks the provider against them. So
// both stacks commit one, with the hashes of more platforms than this one,
// and the hash of the provider this machine has must be among them: terraform
// itself computes it here from the filesystem mirror.
func TestLockFilesHoldEveryPlatformsHashes(t *testing.T) {
	t.Parallel()
	mirror, err := tf.PluginMirror(os.Getenv)
	if err != nil || mirror == "" {
		t.Fatalf("no provider mirror (%v): the test computes the local hash from it", err)
	}
	root := testbed.RepoRoot(t)
	for _, stack := range []string{"terraform", filepath.Join("terraform", "bootstrap")} {
		raw, err := os.ReadFile(filepath.Join(root, stack, ".terraform.lock.hcl"))
		if err != nil {
			t.Fatalf("%s: %v (commit the lock file)", stack, err)
		}
		committed := h1Hash.FindAllStringSubmatch(string(raw), -1)
		if len(committed) < 3 {
			t.Errorf("%s/.terraform.lock.hcl holds %d h1 hashes; it needs linux_amd64, linux_arm64 and darwin_arm64 at least", stack, len(committed))
		}
		// terraform providers lock for this platform, from the mirror, in a copy.
		dir := t.TempDir()
		versions, err := os.ReadFile(filepath.Join(root, stack, "versions.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "versions.tf"), versions, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("terraform", "providers", "lock", "-fs-mirror="+mirror, "-platform=linux_amd64")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform providers lock: %v\n%s", err, out)
		}
		local, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		m := h1Hash.FindStringSubmatch(string(local))
		if m == nil {
			t.Fatalf("no h1 hash in the lock terraform wrote:\n%s", local)
		}
		if !strings.Contains(string(raw), `"`+m[1]+`"`) {
			t.Errorf("%s/.terraform.lock.hcl lacks %s, the linux_amd64 hash of the provider in %s", stack, m[1], mirror)
		}
	}
}
