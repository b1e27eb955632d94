package cost

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// ActionsOptions describe the repository and month the Actions minutes are priced for.
type ActionsOptions struct {
	Meetings, Deploys int64
	Plan              string // the GitHub plan, for its included minutes
	Private           bool
}

// WorkflowMinutes measures what a workflow's runs bill (internal/github.Workflows).
type WorkflowMinutes interface {
	BilledMinutes(ctx context.Context, file string, limit int) (minutes float64, runs int, err error)
}

// runsMeasured is how many completed runs of each workflow are averaged.
const runsMeasured = 20

// measuredActions prices the workflows' Actions minutes: measured from the
// workflow runs when src has a WorkflowMinutes, the documented defaults otherwise.
func measuredActions(ctx context.Context, src OverviewSources, o ActionsOptions, p ActionsPrices, hoursPerMonth int64) (ActionsReport, error) {
	wfs := append([]Workflow(nil), DefaultWorkflows...)
	if src.Workflows != nil {
		for i := range wfs {
			mins, runs, err := src.Workflows.BilledMinutes(ctx, wfs[i].File, runsMeasured)
			if err != nil {
				src.Reporter.Warnf("Actions minutes of %s: %v; using the default of %g a run", wfs[i].File, err, wfs[i].MinutesPerRun)
				continue
			}
			if runs > 0 {
				wfs[i].MinutesPerRun, wfs[i].MeasuredRuns = mins, runs
			}
		}
	}
	return p.Actions(wfs, ActionsUse{Meetings: o.Meetings, Length: time.Hour, Deploys: o.Deploys}, o.Private, o.Plan, hoursPerMonth)
}

// meanLinger is the linger a close keeps on average with lingering on.
func meanLinger() time.Duration { return session.LingerPolicy{Enabled: true}.MeanLinger() }

// markdown is the step summary's paragraph on the linger.
func (l LingerMonth) markdown(w io.Writer) {
	fmt.Fprintf(w, "\n#### Keeping the NLB to the end of its paid hour\n\n")
	fmt.Fprintf(w, "| %d one-hour meetings a month, %d reopened within the hour | NLB hours | |\n|---|---:|---:|\n", l.Meetings, l.Reopened)
	fmt.Fprintf(w, "| close removes the NLB at once (`--now`) | %d | |\n", l.NLBHoursWithoutLinger)
	fmt.Fprintf(w, "| close lingers (default) | %d | saves %s, costs %s in Elastic IP time: net %s |\n\n",
		l.NLBHoursWithLinger, l.NLBSaved, l.LingerCost, l.Net)
}

// StackDefaults is what `cost` prices when it has no initialised stack to
// read: the task size the stack's variables.tf declares by default.
type StackDefaults struct {
	noStack bool // no Terraform root at all: jitsictl's own defaults
	cpu     int64
	mem     int64
	arch    string
}

// UninitialisedStack reports a Terraform root that was never initialised and
// has no backend file to initialise it with (a fresh clone): nothing live can
// be read, so cost falls back to the stack's defaults. dirErr is why dir is no
// Terraform root; dirGiven says --dir was typed (then the live path explains it).
func UninitialisedStack(dir string, dirErr error, dirGiven bool, backendConfig string) (StackDefaults, bool) {
	switch {
	case dirErr != nil && dirGiven:
		return StackDefaults{}, false
	case dirErr != nil:
		return StackDefaults{noStack: true}, true // run outside a clone
	}
	if _, err := tf.ReadBackend(dir); err == nil || backendConfig != "" {
		return StackDefaults{}, false
	}
	if _, err := os.Stat(filepath.Join(dir, "backend.hcl")); err == nil {
		return StackDefaults{}, false
	}
	var d StackDefaults
	vars, _ := os.ReadFile(filepath.Join(dir, "variables.tf"))
	d.cpu, _ = strconv.ParseInt(VariableDefault(vars, "task_cpu"), 10, 64)
	d.mem, _ = strconv.ParseInt(VariableDefault(vars, "task_memory"), 10, 64)
	d.arch = VariableDefault(vars, "cpu_architecture")
	return d, true
}

// VariableDefault is the literal default of `variable "name"` in a .tf file
// ("" when there is none): numbers and quoted strings, all the task size uses.
func VariableDefault(tf []byte, name string) string {
	re := regexp.MustCompile(`(?s)variable\s+"` + regexp.QuoteMeta(name) + `"\s*\{[^}]*?\bdefault\s*=\s*"?([A-Za-z0-9_.-]+)"?`)
	if m := re.FindSubmatch(tf); m != nil {
		return string(m[1])
	}
	return ""
}

// Task is the stack's default task size, except where a flag was given.
func (d StackDefaults) Task(changed func(string) bool, flags TaskSize) TaskSize {
	t := flags
	if d.cpu > 0 && !changed("task-cpu") {
		t.CPUUnits = d.cpu
	}
	if d.mem > 0 && !changed("task-memory") {
		t.MemoryMiB = d.mem
	}
	if (d.arch == string(X86) || d.arch == string(ARM)) && !changed("arch") {
		t.Arch = Arch(d.arch)
	}
	return t
}

// Note is the one line that says the figures are estimates, and how to get live ones.
func (d StackDefaults) Note() string {
	if d.noStack {
		return "no Terraform stack here: estimated from jitsictl's defaults; run it in a clone, or pass --dir"
	}
	return "the stack is not initialised: estimated from its defaults; for live figures: --backend-config FILE"
}
