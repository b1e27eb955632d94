package cli

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestVersionPrintsVersionCommitAndGo(t *testing.T) {
	t.Parallel()
	code, out, stderr := run(t, nil, "version")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, "jitsictl dev (commit ") || !strings.Contains(out, runtime.Version()) || strings.Count(out, "\n") != 1 {
		t.Errorf("jitsictl version printed %q, want one line with version, commit and %s", out, runtime.Version())
	}
	code, out, _ = run(t, nil, "version", "--output", "json")
	var v struct{ Version, Commit, Go, Platform string }
	if code != ExitOK || json.Unmarshal([]byte(out), &v) != nil || v.Go != runtime.Version() || v.Commit == "" {
		t.Errorf("version --output json: exit %d, %q", code, out)
	}
}
