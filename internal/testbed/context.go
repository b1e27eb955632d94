package testbed

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// Context is the context for a test's long calls and child processes (terraform, moto,
// act, jitsictl itself). It ends when the test ends, and a little before the test binary's
// deadline (go test -timeout): a stuck child is then cancelled and its process group
// killed, and the test fails with its output and removes its temporary folders, where the
// binary's timeout panic would leave terraform providers (~550 MB each) and /tmp/Test*
// folders behind. It never ends earlier than that: a loaded machine is slow, not broken,
// so tests bound their waits by conditions, not by their own short deadlines.
//
// It is cancelled by a cleanup registered when it is made, so cleanups registered later
// (a terraform destroy, say) still run with it.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	if d, ok := deadline(t); ok {
		ctx, cancel = context.WithDeadline(context.Background(), d.Add(-cleanupMargin(time.Until(d))))
	}
	t.Cleanup(cancel)
	return ctx
}

// cleanupMargin leaves time for cleanups (terraform destroy, moto stop) before the
// binary's deadline: a twentieth of what is left, between 30 s and 2 minutes.
func cleanupMargin(left time.Duration) time.Duration {
	return min(max(left/20, 30*time.Second), 2*time.Minute)
}

func deadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

// Command is exec.CommandContext(ctx, ...) in a process group of its own that is killed
// whole, not just its first process, when ctx ends or the test ends, and with the test
// binary (Pdeathsig). act, terraform or moto started this way leave no descendant behind.
func Command(t testing.TB, ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = procs.OwnGroup()
	cmd.Cancel = func() error { procs.KillGroup(cmd.Process.Pid); return nil }
	// Output pipes held open by a killed descendant must not keep Wait waiting.
	cmd.WaitDelay = time.Minute
	t.Cleanup(func() {
		if cmd.Process != nil {
			procs.EndGroup(cmd.Process.Pid, time.Minute)
		}
	})
	return cmd
}
