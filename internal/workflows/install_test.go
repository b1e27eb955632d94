package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// runInstall runs actions/install/install.sh with a runner's environment plus env.
func runInstall(t *testing.T, env map[string]string, args ...string) (out string, outputs string, err error) {
	t.Helper()
	tmp := t.TempDir()
	cmd := exec.Command("bash", append([]string{filepath.Join(testbed.RepoRoot(t), "actions", "install", "install.sh")}, args...)...)
	cmd.Env = []string{
		"PATH=" + hostedPATH(t),
		"HOME=" + tmp,
		"RUNNER_TOOL_CACHE=" + filepath.Join(tmp, "toolcache"),
		"RUNNER_TEMP=" + tmp,
		"RUNNER_OS=Linux",
		"RUNNER_ARCH=X64",
		"GITHUB_OUTPUT=" + filepath.Join(tmp, "output"),
		"GITHUB_PATH=" + filepath.Join(tmp, "path"),
		"GITHUB_SERVER_URL=http://127.0.0.1:9", // closed: nothing is downloaded here
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b, err := cmd.CombinedOutput()
	o, _ := os.ReadFile(filepath.Join(tmp, "output"))
	return string(b), string(o), err
}

// tinySource is a source tree shaped like the action's repository whose
// jitsictl builds in a second.
func tinySource(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":               "module example.com/tiny\n\ngo 1.22\n",
		"cmd/jitsictl/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"jitsictl built-from-source\") }\n",
	}
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Without a release to download (a local path at an untagged commit), or when
// asked, the actions build from source, and say so in the log.
func TestInstallFallsBackToASourceBuild(t *testing.T) {
	t.Parallel()
	src := tinySource(t)
	cases := []struct {
		name string
		env  map[string]string
		says string
	}{
		{"local path, untagged", map[string]string{"JITSICTL_SOURCE": src}, "no jitsictl release matches this action"},
		{"asked for", map[string]string{"JITSICTL_SOURCE": src, "JITSICTL_REF": "v1.2.3", "JITSICTL_BUILD_FROM_SOURCE": "true"}, "as build-from-source asks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, outputs, err := runInstall(t, c.env)
			if err != nil || !strings.Contains(outputs, "build=true") {
				t.Fatalf("install.sh: %v, outputs %q, want build=true\n%s", err, outputs, out)
			}
			if !strings.Contains(out, "::notice") || !strings.Contains(out, c.says) {
				t.Errorf("the log does not say why it builds (want %q):\n%s", c.says, out)
			}
		})
	}
	t.Run("build", func(t *testing.T) {
		t.Parallel()
		// The build step runs after setup-go put Go on PATH.
		env := map[string]string{"JITSICTL_SOURCE": src, "PATH": filepath.Join(goEnv(t, "GOROOT"), "bin") + ":" + hostedPATH(t),
			"GOCACHE": goEnv(t, "GOCACHE"), "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
		out, outputs, err := runInstall(t, env, "build")
		if err != nil || !strings.Contains(out, "jitsictl built-from-source") || !strings.Contains(outputs, "path=") {
			t.Fatalf("install.sh build: %v, outputs %q\n%s", err, outputs, out)
		}
	})
	t.Run("build without setup-go", func(t *testing.T) {
		t.Parallel()
		out, _, err := runInstall(t, map[string]string{"JITSICTL_SOURCE": src}, "build")
		if err == nil || !strings.Contains(out, "go not found") {
			t.Errorf("install.sh build without Go: %v\n%s", err, out)
		}
	})
}

// A moving major tag (@v1) or a commit pin (@<sha>) is resolved to the
// release tag on the same commit, found with git ls-remote on the server.
func TestInstallResolvesMajorTagsAndCommits(t *testing.T) {
	t.Parallel()
	server := t.TempDir()
	bare := filepath.Join(server, "jitsictl", "jitsictl.git")
	work := t.TempDir()
	git := func(dir string, args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git(work, "init", "-q")
	git(work, "commit", "-q", "--allow-empty", "-m", "one")
	git(work, "tag", "-a", "-m", "release", "v1.2.2")
	git(work, "commit", "-q", "--allow-empty", "-m", "two")
	git(work, "tag", "-a", "-m", "release", "v1.2.3")
	git(work, "tag", "v1") // the moving major tag, lightweight
	head := git(work, "rev-parse", "HEAD")
	if err := os.MkdirAll(filepath.Dir(bare), 0o755); err != nil {
		t.Fatal(err)
	}
	git(work, "clone", "-q", "--bare", work, bare)
	for _, ref := range []string{"v1", head} {
		out, _, err := runInstall(t, map[string]string{"JITSICTL_REF": ref, "JITSICTL_REPOSITORY": "jitsictl/jitsictl", "GITHUB_SERVER_URL": "file://" + server})
		// The release files are not there: the download fails, naming the release it resolved.
		if err == nil || !strings.Contains(out, "of release v1.2.3") {
			t.Errorf("ref %s: %v, want a download of release v1.2.3:\n%s", ref, err, out)
		}
	}
}

// A user's repository may hold only its tfvars and backend file: the action
// then runs the stack of its own release, and never overwrites the user's files.
func TestInstallGivesAnEmptyStackDirTheReleasesStack(t *testing.T) {
	t.Parallel()
	root := testbed.RepoRoot(t)
	dir := filepath.Join(t.TempDir(), "terraform")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := map[string]string{"terraform.tfvars": "project = \"mine\"\n", "backend.hcl": "bucket = \"mine\"\n"}
	for n, c := range mine {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := runInstall(t, map[string]string{"JITSICTL_SOURCE": root, "JITSICTL_STACK_DIR": dir})
	if err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	for _, f := range []string{"versions.tf", "session.tf", ".terraform.lock.hcl", "modules/jvb-nlb"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not copied from the action's stack: %v\n%s", f, err, out)
		}
	}
	for n, c := range mine {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != c {
			t.Errorf("%s was overwritten: %q", n, b)
		}
	}
	// A directory with its own stack is left alone.
	own := t.TempDir()
	if err := os.WriteFile(filepath.Join(own, "main.tf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runInstall(t, map[string]string{"JITSICTL_SOURCE": root, "JITSICTL_STACK_DIR": own}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(own, "versions.tf")); err == nil {
		t.Errorf("the action's stack was copied over a directory with its own .tf files")
	}
}
