package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

// hostedDirs is the PATH of a job on GitHub's ubuntu-24.04 image
// (actions/runner-images, images/ubuntu/Ubuntu2404-Readme.md and the
// image's /etc/environment), minus the per-user directories this machine
// does not have. The image installs neither Terraform (removed in 2024,
// runner-images#9848) nor Go on PATH: Go sits in the tool cache until
// setup-go adds it.
var hostedDirs = []string{"/snap/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// notOnHostedRunner are tools this machine has in those directories that the
// runner image does not put on PATH.
var notOnHostedRunner = map[string]bool{"terraform": true, "go": true, "gofmt": true}

var (
	hostedOnce sync.Once
	hostedDir  string
	hostedErr  error
)

// hostedPATH builds that PATH once per test binary: one directory of links
// to every program in hostedDirs except notOnHostedRunner, so a job sees
// what a hosted runner has and no more.
func hostedPATH(t *testing.T) string {
	t.Helper()
	hostedOnce.Do(func() {
		hostedDir, hostedErr = os.MkdirTemp("", "hosted-path-")
		if hostedErr != nil {
			return
		}
		for _, d := range hostedDirs {
			entries, err := os.ReadDir(d)
			if err != nil {
				continue
			}
			for _, e := range entries {
				link := filepath.Join(hostedDir, e.Name())
				if notOnHostedRunner[e.Name()] || e.IsDir() {
					continue
				}
				if _, err := os.Lstat(link); err == nil {
					continue // an earlier directory wins, as on PATH
				}
				if err := os.Symlink(filepath.Join(d, e.Name()), link); err != nil {
					hostedErr = err
					return
				}
			}
		}
	})
	if hostedErr != nil {
		t.Fatalf("build the hosted runner's PATH: %v", hostedErr)
	}
	for name := range notOnHostedRunner {
		if _, err := os.Stat(filepath.Join(hostedDir, name)); err == nil {
			t.Fatalf("%s is on the hosted PATH %s", name, hostedDir)
		}
	}
	return hostedDir
}

// usesRef is a uses: line naming a remote action.
var usesRef = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*([^\s#]+)(?:\s*#\s*(\S+))?`)

type usesLine struct {
	file, ref, comment string
}

// usesLines lists the remote actions in the workflows and action.yml files of dir.
func usesLines(t *testing.T, dir string) []usesLine {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.yml"))
	more, _ := filepath.Glob(filepath.Join(dir, "actions", "*", "action.yml"))
	files = append(append(files, more...), filepath.Join(dir, "action.yml"))
	var out []usesLine
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesRef.FindAllStringSubmatch(string(raw), -1) {
			if strings.HasPrefix(m[1], "./") {
				continue
			}
			rel, _ := filepath.Rel(dir, f)
			out = append(out, usesLine{file: rel, ref: m[1], comment: m[2]})
		}
	}
	return out
}

// pinnedActions are the distinct remote action refs (owner/repo@sha) the
// workspace uses: act maps each to its stand-in.
func pinnedActions(t *testing.T, ws string) []string {
	t.Helper()
	seen := map[string]bool{}
	var refs []string
	for _, u := range usesLines(t, ws) {
		if !seen[u.ref] {
			seen[u.ref] = true
			refs = append(refs, u.ref)
		}
	}
	sort.Strings(refs)
	return refs
}

// standin is the stand-in directory for owner/repo@ref: testdata/actions/<repo>.
func standin(t *testing.T, standins, ref string) string {
	t.Helper()
	name, _, _ := strings.Cut(ref, "@")
	dir := filepath.Join(standins, filepath.Base(name))
	if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
		t.Fatalf("no stand-in for %s: add %s/action.yml", ref, dir)
	}
	return dir
}

var (
	fullSHA    = regexp.MustCompile(`^[0-9a-f]{40}$`)
	versionTag = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
)

// A tag can be moved to other code after review; a commit cannot. Every
// remote action is pinned by its full commit, with the release it is in a
// comment (what Dependabot and a reviewer read).
func TestEveryActionIsPinnedByCommit(t *testing.T) {
	t.Parallel()
	lines := usesLines(t, testbed.RepoRoot(t))
	if len(lines) < 8 {
		t.Fatalf("found %d uses: lines; the parsing is wrong", len(lines))
	}
	for _, u := range lines {
		_, at, ok := strings.Cut(u.ref, "@")
		if !ok || !fullSHA.MatchString(at) {
			t.Errorf("%s: uses %s: pin a full commit SHA, not a tag or branch", u.file, u.ref)
		}
		if !versionTag.MatchString(u.comment) {
			t.Errorf("%s: uses %s: add the release as a comment (# vX.Y.Z)", u.file, u.ref)
		}
	}
}

// setupTerraformStep is the setup-terraform step of a workflow job.
var setupTerraformStep = regexp.MustCompile(`(?m)^      - uses: hashicorp/setup-terraform@.*\n(?:        .*\n)*`)

// The jobs start with the hosted runner's PATH, which has no terraform: a
// workflow that forgets to install it fails, as it would on GitHub. The
// successful runs of TestWorkflowsWithAct are the other half: with the step,
// the same PATH works.
func TestWorkflowWithoutSetupTerraformFails(t *testing.T) {
	t.Parallel()
	rel := filepath.Join(".github", "workflows", "session.yml")
	raw, err := os.ReadFile(filepath.Join(testbed.RepoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(setupTerraformStep.FindAllIndex(raw, -1)); n != 1 {
		t.Fatalf("%s has %d setup-terraform steps, want one", rel, n)
	}
	ws, _ := workspace(t, map[string]string{rel: setupTerraformStep.ReplaceAllString(string(raw), "")})
	// jitsictl looks for terraform before it talks to AWS, so no emulator is
	// needed: the endpoint is a closed loopback port.
	r := newRunner(t, ws, "http://127.0.0.1:9", t.TempDir())
	publishRelease(t, r, fakegithub.New(t))
	run := r.run(t, "workflow_dispatch", "session.yml", "--input", "action=status")
	if run.err == nil || run.jobResult() != "failure" {
		t.Fatalf("act: %v, job %q; want the run without setup-terraform to fail\n%s", run.err, run.jobResult(), run.stepLog())
	}
	if !strings.Contains(run.log, "terraform not found") {
		t.Errorf("the run failed, but not with 'terraform not found':\n%s", run.stepLog())
	}
}
