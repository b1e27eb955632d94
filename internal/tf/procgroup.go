package tf

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// groupPoll is how often a guarded call looks for its terraform child until it finds it.
const groupPoll = 100 * time.Millisecond

// groupEnd bounds the wait for a killed group's processes to be gone.
const groupEnd = time.Minute

// guardGroup watches one terraform call in this runner's directory and returns the
// function to call when it has returned: that function kills whatever is left of the
// terraform child's process group. terraform-exec starts terraform in its own process
// group but on cancel interrupts only terraform: terraform stops its providers, yet a
// local-exec command (and every provider, if terraform is killed) outlives it, reparented
// to init, a ~550 MB provider each. Once the call has returned terraform has exited, so
// anything still in its group is an orphan.
func (r *Runner) guardGroup(ctx context.Context) (release func()) {
	done := make(chan struct{})
	found := make(chan int, 1)
	go func() {
		t := time.NewTicker(groupPoll)
		defer t.Stop()
		for {
			if g := r.terraformChild(); g != 0 {
				found <- g
				return
			}
			select {
			case <-done:
				found <- 0
				return
			case <-ctx.Done():
				// Look once more, at once: terraform is being interrupted now.
				found <- r.terraformChild()
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		if g := <-found; g != 0 {
			procs.EndGroup(g, groupEnd)
		}
	}
}

// terraformChild returns the PID (= process group) of this process's terraform child
// running in the runner's directory, or 0.
func (r *Runner) terraformChild() int {
	return childRunning(procs.List(), os.Getpid(), r.tf.ExecPath(), r.dir, procs.Cwd)
}

// childRunning picks, among ps, the group leader that is me's child running exe in dir.
// exe may be a shim (tfenv's and asdf's terraform are shell scripts): while the script
// runs, the kernel shows "interpreter exe args", exe the second word; once it has exec'd
// the real binary, that binary's own path, named terraform as well. Without those cases
// the guard never found a wrapped terraform and polled /proc for the whole call.
func childRunning(ps []procs.Proc, me int, exe, dir string, cwd func(int) string) int {
	for _, p := range ps {
		if p.PPID != me || p.PGID != p.PID {
			continue
		}
		words := strings.Fields(p.Cmd)
		runs := len(words) > 0 && filepath.Base(words[0]) == filepath.Base(exe) || len(words) > 1 && words[1] == exe
		if runs && cwd(p.PID) == dir {
			return p.PID
		}
	}
	return 0
}
