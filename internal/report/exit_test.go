package report

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestEndingExit(t *testing.T) {
	t.Parallel()
	explain := func(err error) error { return fmt.Errorf("explained: %w", err) }
	for _, c := range []struct {
		name   string
		err    error
		usage  bool
		json   bool
		code   int
		stderr string
	}{
		{"success", nil, false, false, ExitOK, ""},
		{"already shown", Failedf("doctor found problems"), false, false, ExitFailure, ""},
		{"bad input", Usagef("--hours 0 is out of range"), true, false, ExitUsage, "--hours 0 is out of range\nRun 'jitsictl session open --help' for usage.\n"},
		{"bad input, JSON", Usagef("--hours 0 is out of range"), true, true, ExitUsage, "run `jitsictl session open --help` for usage"},
		{"failure before a Reporter", errors.New("no credentials"), false, false, ExitFailure, "explained: no credentials"},
		{"failure before a Reporter, JSON", errors.New("no credentials"), false, true, ExitFailure, `"explained: no credentials"`},
	} {
		var stderr strings.Builder
		e := Ending{JSON: c.json, Stderr: &stderr, Help: "jitsictl session open --help", Explain: explain}
		if code := e.Exit(c.err, c.usage); code != c.code || !strings.Contains(stderr.String(), c.stderr) || (c.stderr == "" && stderr.Len() > 0) {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", c.name, code, stderr.String(), c.code, c.stderr)
		}
	}
	var out strings.Builder
	r, _ := New(Options{Stdout: &out, Stderr: &out})
	if code := (Ending{Reporter: r, Explain: explain}).Exit(errors.New("apply failed"), false); code != ExitFailure || !strings.Contains(out.String(), "explained: apply failed") {
		t.Errorf("failure with a Reporter: exit %d, %q", code, out.String())
	}
}
