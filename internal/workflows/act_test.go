package workflows

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// netnsMarker tells the re-executed test binary it already runs inside its
// private network namespace.
const netnsMarker = "JITSICTL_WORKFLOWS_NETNS"

// TestMain re-executes the tests in a network namespace of their own: moto
// allocates the session's Elastic IPs in 127.0.0.0/8, and the verify step of
// session.yml probes them, so the test serves HTTPS and UDP on every loopback
// address (0.0.0.0:443, 0.0.0.0:10000). Only a private namespace makes that
// possible without colliding with anything else on the machine, and it keeps
// every packet the workflows send off the machine's real network.
func TestMain(m *testing.M) {
	if os.Getenv(netnsMarker) == "" {
		os.Exit(reexecInNetns())
	}
	// The directories built once per test binary (the hosted PATH, the release
	// archives) outlive every test: remove them when all are done.
	testbed.Main(m, func() {
		for _, d := range []string{hostedDir, distDir} {
			if d != "" {
				_ = os.RemoveAll(d)
			}
		}
	})
}

func reexecInNetns() int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "internal/workflows: the tests run in a private network namespace and need root (CAP_SYS_ADMIN): run them as root, as CI does")
		return 1
	}
	for bin, pkg := range map[string]string{"unshare": "util-linux", "ip": "iproute2"} {
		if _, err := exec.LookPath(bin); err != nil {
			fmt.Fprintf(os.Stderr, "internal/workflows: %s not found: apt-get install %s\n", bin, pkg)
			return 1
		}
	}
	args := append([]string{"--net", "--", "/bin/sh", "-c", `ip link set lo up && exec "$@"`, "sh", os.Args[0]}, os.Args[1:]...)
	cmd := exec.Command("unshare", args...)
	cmd.Env = append(os.Environ(), netnsMarker+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// unshare execs the test binary in place: it must not outlive this one (go test kills
	// this process when the package times out), nor must its moto, terraform and act.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "internal/workflows: unshare --net: %v\n", err)
		return 1
	}
	return 0
}

// tool finds a binary the tests need or fails with how to install it.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if gobin := goEnv(t, "GOPATH"); gobin != "" {
		p := filepath.Join(gobin, "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found on PATH or in $(go env GOPATH)/bin: %s (scripts/test.sh --install does it)", name, install)
	return ""
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// workspace copies the repository's files as they are in the work tree
// (tracked, and new ones git does not ignore: a package being written
// compiles only with its new files) into a new git repository, which is what
// act runs a workflow in. Its origin names the GitHub repository so
// github.repository is jitsictl/jitsictl.
func workspace(t *testing.T, extra map[string]string) (dir, sha string) {
	t.Helper()
	root := testbed.RepoRoot(t)
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", root, err)
	}
	dir = t.TempDir()
	for _, rel := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or a symlink/submodule
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	for rel, content := range extra {
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=jitsictl test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("remote", "add", "origin", "https://github.com/jitsictl/jitsictl.git")
	git("add", "-A")
	git("commit", "-q", "-m", "workspace for act")
	return dir, git("rev-parse", "HEAD")
}

// actLine is one line of act's --json log.
type actLine struct {
	Msg        string   `json:"msg"`
	Level      string   `json:"level"`
	Job        string   `json:"job"`
	StepID     []string `json:"stepID"`
	StepResult string   `json:"stepResult"`
	JobResult  string   `json:"jobResult"`
	Command    string   `json:"command"`
	Name       string   `json:"name"`
	Arg        string   `json:"arg"`
	Content    string   `json:"content"`
	RawOutput  bool     `json:"raw_output"`
}

// actRun is what one act invocation did.
type actRun struct {
	err   error
	lines []actLine
	log   string // everything act printed
}

// outputs are the outputs of the workflow step stepID. For a composite
// action these are what its action.yml maps from its inner steps: act logs
// them under the step's own id, the inner steps' under longer id paths.
func (r actRun) outputs(stepID string) map[string]string {
	out := map[string]string{}
	for _, l := range r.lines {
		if l.Command == "set-output" && len(l.StepID) == 1 && l.StepID[0] == stepID {
			out[l.Name] = l.Arg
		}
	}
	return out
}

// summary is what the steps under stepID wrote to GITHUB_STEP_SUMMARY.
func (r actRun) summary(stepID string) string {
	var b strings.Builder
	for _, l := range r.lines {
		if l.Command == "summary" && len(l.StepID) > 0 && l.StepID[0] == stepID {
			b.WriteString(l.Content)
		}
	}
	return b.String()
}

// jobResult is act's verdict on the job ("success", "failure"), "" if it never ran.
func (r actRun) jobResult() string {
	res := ""
	for _, l := range r.lines {
		if l.JobResult != "" {
			res = l.JobResult
		}
	}
	return res
}

// stepResults maps the top-level step ids to their outcome.
func (r actRun) stepResults() map[string]string {
	out := map[string]string{}
	for _, l := range r.lines {
		if l.StepResult != "" && len(l.StepID) == 1 {
			out[l.StepID[0]] = l.StepResult
		}
	}
	return out
}

// stepLog is the raw output of every step (for failure messages).
func (r actRun) stepLog() string {
	var b strings.Builder
	for _, l := range r.lines {
		if l.RawOutput || l.Level == "error" || l.StepResult != "" {
			b.WriteString(l.Msg)
			if !strings.HasSuffix(l.Msg, "\n") {
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// runner runs act in one workspace with the stand-ins mapped in.
type runner struct {
	act      string
	ws       string
	env      []string // act's whole environment: nothing else of the test's leaks in
	vars     map[string]string
	secrets  map[string]string
	actEnv   map[string]string // --env: the job's environment
	standins string
	cache    string
}

func (r *runner) run(t *testing.T, event, workflow string, args ...string) actRun {
	t.Helper()
	argv := []string{event,
		"-W", filepath.Join(".github", "workflows", workflow),
		"-P", "ubuntu-latest=-self-hosted", // jobs run on this host: no Docker engine here
		"--json",
		"--no-cache-server",
		"--action-cache-path", r.cache,
	}
	for _, ref := range pinnedActions(t, r.ws) {
		argv = append(argv, "--local-repository", ref+"="+standin(t, r.standins, ref))
	}
	for _, kv := range []struct {
		flag string
		m    map[string]string
	}{{"--var", r.vars}, {"--secret", r.secrets}, {"--env", r.actEnv}} {
		for k, v := range kv.m {
			argv = append(argv, kv.flag, k+"="+v)
		}
	}
	argv = append(argv, args...)

	cmd := testbed.Command(t, testbed.Context(t), r.act, argv...)
	cmd.Dir = r.ws
	cmd.Env = r.env
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	t.Logf("act %s -W %s: %v after %s", event, workflow, err, time.Since(start).Round(time.Second))
	res := actRun{err: err, log: buf.String()}
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var l actLine
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			res.lines = append(res.lines, l)
		}
	}
	return res
}

// setArtifacts points the upload- and download-artifact stand-ins at dir from the next run on.
func (r *runner) setArtifacts(dir string) {
	for i, kv := range r.env {
		if strings.HasPrefix(kv, "STANDIN_ARTIFACTS=") {
			r.env[i] = "STANDIN_ARTIFACTS=" + dir
		}
	}
}

// newRunner sets act up for the workspace ws: the stand-ins mapped in, the
// repository variables and token the workflows read, and an environment made
// from scratch. endpoint is the AWS endpoint the credentials stand-in exports.
func newRunner(t *testing.T, ws, endpoint, artifacts string) *runner {
	t.Helper()
	standins, err := filepath.Abs(filepath.Join("testdata", "actions"))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		// What a job on GitHub's ubuntu-latest starts with: no terraform, no
		// go. The setup-terraform and setup-go stand-ins add the STANDIN_ ones.
		"PATH=" + hostedPATH(t),
		"STANDIN_TERRAFORM=" + tool(t, "terraform", "install Terraform 1.11.4"),
		"STANDIN_GOROOT=" + goEnv(t, "GOROOT"),
		"HOME=" + os.Getenv("HOME"),
		"XDG_CACHE_HOME=" + t.TempDir(), // act's host workspaces live here
		// Warm Go caches, and no module downloads: nothing leaves the namespace anyway.
		"GOCACHE=" + goEnv(t, "GOCACHE"),
		"GOMODCACHE=" + goEnv(t, "GOMODCACHE"),
		"GOPROXY=off",
		"GOTOOLCHAIN=local",
		"GOFLAGS=-mod=mod",
		"CHECKPOINT_DISABLE=1",
		"ACT_DISABLE_VERSION_CHECK=1",
		"AWS_EC2_METADATA_DISABLED=true",
		// What the configure-aws-credentials stand-in hands to later steps
		// (the real one gets them from STS): no AWS_* reaches act directly.
		"STANDIN_AWS_ACCESS_KEY_ID=test",
		"STANDIN_AWS_SECRET_ACCESS_KEY=test",
		"STANDIN_AWS_ENDPOINT_URL=" + endpoint,
		"STANDIN_ARTIFACTS=" + artifacts,
	}
	// GOGC: terraform and its provider collect less often (testbed.ChildGOGC).
	for _, k := range []string{tf.PluginMirrorEnv, tf.PluginCacheEnv, "GOGC"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return &runner{
		act: tool(t, "act", "go install github.com/nektos/act@v0.2.89"), ws: ws, env: env, standins: standins, cache: t.TempDir(),
		vars:    map[string]string{"AWS_REGION": testbed.Region, "AWS_SESSION_ROLE_ARN": sessionRole, "AWS_PLAN_ROLE_ARN": planRole, "AWS_DEPLOY_ROLE_ARN": deployRole},
		secrets: map[string]string{"GITHUB_TOKEN": botToken},
		actEnv:  map[string]string{},
	}
}
