package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/clidocs"
)

// run executes the real command tree in-process with an empty environment.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, Env{
		Getenv: func(k string) string { return env[k] },
		Stdout: &out, Stderr: &errb,
	})
	return code, out.String(), errb.String()
}

func TestBadInputIsRejectedWithExit2(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"sesion"}, `unknown command "sesion"`},
		{"unknown flag", []string{"doctor", "--profle", "x"}, "unknown flag: --profle"},
		{"missing --dir value", []string{"doctor", "--dir"}, "--dir needs a value: Terraform root of the stack"},
		{"empty --dir", []string{"doctor", "--dir", ""}, "--dir is empty"},
		{"stack root missing", []string{"doctor", "--dir", "/nonexistent/stack"}, `Terraform root "/nonexistent/stack" does not exist`},
		{"region typo", []string{"doctor", "--region", "us-est-1"}, `did you mean "us-east-1"`},
		{"hours zero", []string{"session", "open", "--hours", "0"}, "--hours 0 is out of range"},
		{"hours huge", []string{"session", "open", "--hours", "1000"}, "--hours 1000 is out of range"},
		{"unknown session action", []string{"session", "teleport"}, `unknown command "teleport" for "jitsictl session"`},
		{"session without action", []string{"session"}, "session needs an action"},
		{"bad output format", []string{"doctor", "--output", "yaml"}, `--output "yaml"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, nil, c.args...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Fatalf("stderr does not explain the problem (want %q):\n%s", c.want, stderr)
			}
		})
	}
}

func TestHelpListsCommandsWithExamples(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, nil, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"doctor", "session"} {
		if !strings.Contains(out, c) {
			t.Errorf("--help does not list %s:\n%s", c, out)
		}
	}
	root := (&App{}).rootCommand()
	for _, c := range clidocs.Commands(root) {
		if c.Runnable() && c.Example == "" {
			t.Errorf("%q has no example in --help", c.CommandPath())
		}
	}
}
