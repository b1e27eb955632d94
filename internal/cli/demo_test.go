package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// The README's first command, run as a user runs it (no AWS environment at
// all): the whole session lifecycle on a local emulator, nothing left behind.
func TestDemoRunsTheWholeLifecycle(t *testing.T) {
	t.Parallel() // starts a moto of its own
	tmp := t.TempDir()
	var stdout, stderr testbed.Buffer
	ctx := testbed.Context(t)
	env := map[string]string{"HOME": os.Getenv("HOME"), "PATH": os.Getenv("PATH"), "TMPDIR": tmp}
	code := Run(ctx, []string{"demo"}, Env{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr})
	if code != ExitOK {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"meeting URL https://", "configuration checks pass", "nothing left: no load balancer"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("demo log lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "state: closed") {
		t.Errorf("demo did not end closed:\n%s", stdout.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("demo left files in its temporary folder: %v", left)
	}
}
