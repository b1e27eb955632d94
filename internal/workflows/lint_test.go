package workflows

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

// actionlint runs actionlint (with shellcheck, which it finds on PATH) in dir
// and returns its report and whether it found anything.
func actionlint(t *testing.T, dir string) (string, bool) {
	t.Helper()
	bin := tool(t, "actionlint", "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12")
	sc := tool(t, "shellcheck", "apt-get install shellcheck")
	cmd := exec.Command(bin, "-shellcheck", sc, "-no-color")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("actionlint: %v\n%s", err, out)
		}
		return string(out), true
	}
	return string(out), false
}

func TestActionlintReportsNothing(t *testing.T) {
	t.Parallel()
	ws, _ := workspace(t, nil)
	if out, found := actionlint(t, ws); found {
		t.Errorf("actionlint reports problems in .github/workflows:\n%s", out)
	}
}

// expr is a GitHub expression in a run: script. On a runner it becomes text
// before bash sees the script; shellcheck gets a plain word in its place.
var expr = regexp.MustCompile(`\$\{\{.*?\}\}`)

// actionlint checks workflows only, not the scripts inside composite actions
// (it reads action.yml for the inputs and outputs). Those scripts go through
// shellcheck here, the repository's actions and the stand-ins alike.
func TestActionScriptsPassShellcheck(t *testing.T) {
	t.Parallel()
	sc := tool(t, "shellcheck", "apt-get install shellcheck")
	root := testbed.RepoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	stand, _ := filepath.Glob(filepath.Join("testdata", "actions", "*", "action.yml"))
	files = append(append(files, filepath.Join(root, "action.yml")), stand...)
	scripts := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Runs struct {
				Using string `yaml:"using"`
				Steps []struct {
					Name  string `yaml:"name"`
					ID    string `yaml:"id"`
					Shell string `yaml:"shell"`
					Run   string `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"runs"`
		}
		if err := yaml.Unmarshal(raw, &a); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for i, s := range a.Runs.Steps {
			if s.Run == "" {
				continue
			}
			if s.Shell != "bash" {
				t.Errorf("%s step %d: shell %q; composite run steps here use bash", f, i, s.Shell)
				continue
			}
			scripts++
			cmd := exec.Command(sc, "--shell=bash", "--norc", "-")
			cmd.Stdin = strings.NewReader(expr.ReplaceAllString(s.Run, "EXPR"))
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Errorf("%s step %d (%s%s): shellcheck: %v\n%s", f, i, s.ID, s.Name, err, out.String())
			}
		}
	}
	// The shell scripts the actions and the release workflow run.
	sh, _ := filepath.Glob(filepath.Join(root, "actions", "*", "*.sh"))
	for _, rel := range []string{"release.sh", "bench-action-start.sh"} {
		if _, err := os.Stat(filepath.Join(root, "scripts", rel)); err == nil {
			sh = append(sh, filepath.Join(root, "scripts", rel))
		}
	}
	if len(sh) == 0 {
		t.Errorf("no actions/*/*.sh: the install script is missing")
	}
	for _, f := range sh {
		scripts++
		if out, err := exec.Command(sc, "--norc", f).CombinedOutput(); err != nil {
			t.Errorf("%s: shellcheck: %v\n%s", f, err, out)
		}
	}
	if scripts < 8 {
		t.Errorf("shellchecked %d scripts in %d action.yml files; the glob or the parsing is wrong", scripts, len(files))
	}
}

// breakWorkflow returns a workspace whose file rel has old replaced by new
// (exactly once: the test must break what it means to break).
func breakWorkflow(t *testing.T, rel, old, new string) string {
	t.Helper()
	root := testbed.RepoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once", rel, old, n)
	}
	ws, _ := workspace(t, map[string]string{rel: strings.Replace(string(raw), old, new, 1)})
	return ws
}

// A broken workflow input must not reach main unnoticed. An input name the
// action does not declare is ignored at run time (GitHub only warns; act
// v0.2.89 has no check for it at all, and the action then runs with its
// default), so actionlint is the gate for it. A misspelt expression reaches
// the action as an empty value: actionlint reports it, and the act run
// itself fails on jitsictl's input check.
func TestBrokenWorkflowInputFails(t *testing.T) {
	t.Parallel()
	t.Run("unknown input name: actionlint", func(t *testing.T) {
		t.Parallel()
		ws := breakWorkflow(t, ".github/workflows/session.yml", "          hours: ${{ inputs.hours }}", "          hour: ${{ inputs.hours }}")
		out, found := actionlint(t, ws)
		if !found || !strings.Contains(out, `input "hour" is not defined in action "jitsictl session"`) {
			t.Errorf("actionlint does not report the unknown input (found=%v):\n%s", found, out)
		}
	})
	t.Run("misspelt input reference: actionlint and act", func(t *testing.T) {
		t.Parallel()
		ws := breakWorkflow(t, ".github/workflows/session.yml", "action: ${{ inputs.action }}", "action: ${{ inputs.acton }}")
		out, found := actionlint(t, ws)
		if !found || !strings.Contains(out, `property "acton" is not defined`) {
			t.Errorf("actionlint does not report inputs.acton (found=%v):\n%s", found, out)
		}
		// jitsictl refuses the empty action before it touches AWS, so no
		// emulator is needed: the endpoint is a closed loopback port.
		r := newRunner(t, ws, "http://127.0.0.1:9", t.TempDir())
		publishRelease(t, r, fakegithub.New(t))
		run := r.run(t, "workflow_dispatch", "session.yml", "--input", "action=open")
		if run.err == nil || run.jobResult() != "failure" {
			t.Fatalf("act: %v, job %q; want the run to fail\n%s", run.err, run.jobResult(), run.stepLog())
		}
		if !strings.Contains(run.log, `input action \"\": use open, close, extend, status, reap or links`) &&
			!strings.Contains(run.log, `input action "": use open, close, extend, status, reap or links`) {
			t.Errorf("the run failed, but not on the empty action input:\n%s", run.stepLog())
		}
	})
}
