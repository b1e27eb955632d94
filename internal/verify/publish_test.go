package verify

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/report"
)

// Publish through the real Actions face: what a runner would read from the
// log (annotations) and from the step summary and output files.
func TestPublishToActions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	summary, output := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
	for _, p := range []string{summary, output} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output}
	var stdout, stderr bytes.Buffer
	rep, err := report.New(report.Options{Format: report.FormatActions, Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	r := mixedReport()
	r.Publish(rep)
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}

	log := stdout.String()
	if n := strings.Count(log, "::error::verify "); n != 2 {
		t.Errorf("%d error annotations, want one per FAIL (2):\n%s", n, log)
	}
	if n := strings.Count(log, "::warning::verify "); n != 2 {
		t.Errorf("%d warning annotations, want one per WARN (2):\n%s", n, log)
	}
	if !strings.Contains(log, "::error::verify advertised-address /jitsi/session/advertise-ips: parameter") {
		t.Errorf("the advertised-address FAIL is not annotated with its check and target:\n%s", log)
	}
	got, _ := os.ReadFile(summary)
	if !strings.Contains(string(got), r.Markdown()) {
		t.Errorf("step summary lacks the Markdown report:\n%s", got)
	}
	out, _ := os.ReadFile(output)
	for name, want := range r.Outputs() {
		if !strings.Contains(string(out), name+"<<") || !strings.Contains(string(out), "\n"+want+"\n") {
			t.Errorf("step output lacks %s=%s:\n%s", name, want, out)
		}
	}
	if r.Outputs()["result"] != "fail" {
		t.Errorf("result output %q for a report with FAILs, want fail", r.Outputs()["result"])
	}
}
