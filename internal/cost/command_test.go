package cost

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/report"
)

// A fresh clone (a stack never initialised, no backend file) is priced from
// the stack's defaults with a note; bad figures are bad input, refused before
// any source is asked.
func TestCommandFallsBackToTheStacksDefaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	vars := `variable "task_cpu" { default = 2048 }` + "\n" + `variable "task_memory" { default = 4096 }` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "variables.tf"), []byte(vars), 0o644); err != nil {
		t.Fatal(err)
	}
	o := OverviewOptions{Session: Session{Participants: 5, DownKbps: 2000, UpKbps: 1000, NLBAddresses: 2,
		Task: TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: ARM}}, Hours: DefaultHours, Region: "us-east-1",
		Actions: ActionsOptions{Plan: "free", Meetings: 10}, Reopened: 2}
	run := func(o OverviewOptions) (string, string, bool, error) {
		var log, out strings.Builder
		r, _ := report.New(report.Options{Stdout: &log, Stderr: &log})
		asked := false
		err := Command(context.Background(), OverviewSources{Reporter: r, Stack: nil, AWS: nil}, o, CommandInputs{
			Dir: func() (string, error) { return dir, nil }, Changed: func(string) bool { return false },
			Workflows: func() WorkflowMinutes { asked = true; return nil }, Stdout: &out, Format: report.FormatText,
		})
		return log.String(), out.String(), asked, err
	}
	log, out, asked, err := run(o)
	if err != nil || !asked || !strings.Contains(log, "the stack is not initialised: estimated from its defaults") || out == "" {
		t.Fatalf("fresh clone: %v, workflows asked %v\nlog:\n%s\nout:\n%s", err, asked, log, out)
	}
	bad := o
	bad.Reopened = 11
	if _, _, asked, err := run(bad); !errors.As(err, new(report.UsageError)) || asked {
		t.Errorf("reopened > meetings: %v, workflows asked %v; want bad input, nothing asked", err, asked)
	}
}
