package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// stackDefaults is what `cost` prices when it has no initialised stack to
// read: the task size the stack's variables.tf declares by default.
type stackDefaults struct {
	noStack bool // no Terraform root at all: jitsictl's own defaults
	cpu     int64
	mem     int64
	arch    string
}

// uninitialisedStack reports a Terraform root that was never initialised and
// has no backend file to initialise it with (a fresh clone): nothing live can
// be read, so cost falls back to the stack's defaults.
func (a *App) uninitialisedStack(dirGiven bool) (stackDefaults, bool) {
	dir, err := a.StackDir()
	switch {
	case err != nil && dirGiven:
		return stackDefaults{}, false // the live path explains a mistyped --dir
	case err != nil:
		return stackDefaults{noStack: true}, true // run outside a clone
	}
	if _, err := tf.ReadBackend(dir); err == nil || a.BackendConfig != "" {
		return stackDefaults{}, false
	}
	if _, err := os.Stat(filepath.Join(dir, "backend.hcl")); err == nil {
		return stackDefaults{}, false
	}
	var d stackDefaults
	vars, _ := os.ReadFile(filepath.Join(dir, "variables.tf"))
	d.cpu, _ = strconv.ParseInt(variableDefault(vars, "task_cpu"), 10, 64)
	d.mem, _ = strconv.ParseInt(variableDefault(vars, "task_memory"), 10, 64)
	d.arch = variableDefault(vars, "cpu_architecture")
	return d, true
}

// variableDefault is the literal default of `variable "name"` in a .tf file
// ("" when there is none): numbers and quoted strings, all the task size uses.
func variableDefault(tf []byte, name string) string {
	re := regexp.MustCompile(`(?s)variable\s+"` + regexp.QuoteMeta(name) + `"\s*\{[^}]*?\bdefault\s*=\s*"?([A-Za-z0-9_.-]+)"?`)
	if m := re.FindSubmatch(tf); m != nil {
		return string(m[1])
	}
	return ""
}

// task is the stack's default task size, except where a flag was given.
func (d stackDefaults) task(changed func(string) bool, flags cost.TaskSize) cost.TaskSize {
	t := flags
	if d.cpu > 0 && !changed("task-cpu") {
		t.CPUUnits = d.cpu
	}
	if d.mem > 0 && !changed("task-memory") {
		t.MemoryMiB = d.mem
	}
	if (d.arch == string(cost.X86) || d.arch == string(cost.ARM)) && !changed("arch") {
		t.Arch = cost.Arch(d.arch)
	}
	return t
}

// note is the one line that says the figures are estimates, and how to get live ones.
func (d stackDefaults) note() string {
	if d.noStack {
		return "no Terraform stack here: estimated from jitsictl's defaults; run it in a clone, or pass --dir"
	}
	return "the stack is not initialised: estimated from its defaults; for live figures: --backend-config FILE"
}
