package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/testbed/golden"
)

// transcriptWidth is the widest line a newcomer's first commands may print.
const transcriptWidth = 100

// goldenTranscript compares a command's human output with testdata/name (or
// rewrites it under -update) and checks that no line is wider than 100 columns.
func goldenTranscript(t *testing.T, name, got string) {
	t.Helper()
	for i, line := range strings.Split(got, "\n") {
		if n := utf8.RuneCountInString(line); n > transcriptWidth {
			t.Errorf("%s line %d is %d columns wide (at most %d):\n%s", name, i+1, n, transcriptWidth, line)
		}
	}
	golden.Check(t, name, got)
}

// Values that differ from run to run, masked in transcripts.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ms|µs|s)\b`), "<t>"},
	{regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "<id>"},
	{regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`), "<ip>"},
	{regexp.MustCompile(`\b\d{1,2}:\d{2}(AM|PM)\b`), "<clock>"},
	{regexp.MustCompile(`terraform \d+\.\d+\.\d+`), "terraform <version>"},
	{regexp.MustCompile(`this session \$\d+\.\d+`), "this session $<cost>"},
}

// maskTranscript replaces paths given in dirs (longest first) with <name>, and
// timings, ids, addresses and clock times with placeholders.
func maskTranscript(s string, dirs map[string]string) string {
	keys := make([]string, 0, len(dirs))
	for k := range dirs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, dirs[k])
	}
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

func runTranscript(t *testing.T, env map[string]string, dirs map[string]string, args ...string) string {
	t.Helper()
	_, stdout, stderr := run(t, env, args...)
	return maskTranscript("$ jitsictl "+strings.Join(args, " ")+"\n"+stderr+stdout, dirs)
}

// freshClone is a user's first minutes: a copy of the repository's stack
// never initialised, no AWS configuration, no credentials, no instance role.
func freshClone(t *testing.T) (env map[string]string, dirs map[string]string, stack string) {
	stack = testbed.CopyStack(t)
	home := t.TempDir()
	env = map[string]string{
		"HOME": home, "PATH": os.Getenv("PATH"),
		"AWS_CONFIG_FILE":             filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, ".aws", "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	return env, map[string]string{filepath.Dir(stack): "<clone>", home: "<home>"}, stack
}

func TestCostOnAFreshClone(t *testing.T) {
	t.Parallel()
	env, dirs, stack := freshClone(t)
	got := runTranscript(t, env, dirs, "cost", "--dir", stack) + "\n" +
		runTranscript(t, env, dirs, "cost", "--dir", stack, "--seed")
	goldenTranscript(t, "cost-fresh-clone.txt", got)

	// --output json: the document on stdout, the fallback note on stderr;
	// a failure is one JSON object on stderr and nothing on stdout.
	code, stdout, stderr := run(t, env, "cost", "--dir", stack, "--output", "json")
	if code != ExitOK || !strings.HasPrefix(stdout, "{") || !strings.Contains(stderr, "estimated from its defaults") {
		t.Errorf("cost --output json: exit %d\nstdout:\n%.300s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, env, "cost", "--dir", stack, "--output", "json", "--actual")
	if code != ExitFailure || stdout != "" || !regexp.MustCompile(`(?m)^\{"error":".*not initialised.*"\}$`).MatchString(stderr) {
		t.Errorf("cost --actual --output json on a fresh clone: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

// Not parallel: doctor runs where a user would, in the clone (default --dir
// terraform) and then in a folder with no stack at all (t.Chdir).
func TestDoctorOnAFreshClone(t *testing.T) {
	env, dirs, stack := freshClone(t)
	outside := t.TempDir()
	dirs[outside] = "<elsewhere>"
	var got string
	for _, where := range []struct{ name, dir string }{{"in a fresh clone", filepath.Dir(stack)}, {"outside a repository", outside}} {
		t.Run(where.name, func(t *testing.T) {
			t.Chdir(where.dir)
			got += runTranscript(t, env, dirs, "doctor") + "\n"
		})
	}
	t.Run("cost outside a repository", func(t *testing.T) {
		t.Chdir(outside)
		code, stdout, stderr := run(t, env, "cost")
		if code != ExitOK || !strings.Contains(stderr, "no Terraform stack here: estimated from jitsictl's defaults") || !strings.Contains(stdout, "Session: 4 vCPU / 8 GB") {
			t.Errorf("cost outside a clone: exit %d\nstdout:\n%.300s\nstderr:\n%s", code, stdout, stderr)
		}
	})
	goldenTranscript(t, "doctor-fresh-clone.txt", strings.TrimSuffix(got, "\n"))
}

func TestBadFlagTranscript(t *testing.T) {
	t.Parallel()
	var got strings.Builder
	for _, args := range [][]string{
		{"session", "open", "--hours", "abc"},
		{"session", "extend", "--hours", "1.5"},
		{"session", "open", "--hours", "0"},
		{"session", "open", "--huors", "2"},
		{"cost", "--hours", "10,lots"},
		{"cost", "--participants"},
		{"verify", "--timeout", "20"},
		{"deploy", "plan", "--refresh=maybe"},
		{"doctor", "--dir"},
		{"sesion", "open"},
		{"session", "teleport"},
		{"cost", "--output", "json", "--bogus"},
	} {
		got.WriteString(runTranscript(t, nil, nil, args...) + "\n")
	}
	goldenTranscript(t, "bad-flags.txt", got.String())
}

// The estimate a fresh clone gets is the stack's own task size: read from
// its variables.tf, so a changed default shows; and outside a clone, the
// cost flags' defaults, which must be the stack's.
func TestCostFallbackPricesTheStacksDefaults(t *testing.T) {
	t.Parallel()
	env, _, stack := freshClone(t)
	vars := filepath.Join(stack, "variables.tf")
	raw, err := os.ReadFile(vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ name, flag string }{{"task_cpu", "task-cpu"}, {"task_memory", "task-memory"}, {"cpu_architecture", "arch"}} {
		cmd, _, _ := (&App{}).rootCommand().Find([]string{"cost"})
		if got, want := cmd.Flags().Lookup(v.flag).DefValue, cost.VariableDefault(raw, v.name); got != want || want == "" {
			t.Errorf("cost --%s defaults to %q, the stack's %s to %q", v.flag, got, v.name, want)
		}
	}
	edited := strings.Replace(string(raw), "default     = 4096", "default     = 2048", 1)
	if edited == string(raw) {
		t.Fatal("variables.tf no longer has task_cpu's default = 4096: update this test")
	}
	if err := os.WriteFile(vars, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := run(t, env, "cost", "--dir", stack)
	if code != ExitOK || !strings.Contains(stdout, "Session: 2 vCPU / 8 GB ARM64") {
		t.Errorf("cost on a clone whose task_cpu defaults to 2048: exit %d\n%s", code, stdout)
	}
}
