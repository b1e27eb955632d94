package procs

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestListFindsAChildAndKillGroupEndsItsGroup(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Fatalf("no /proc: these helpers need Linux (%v)", err)
	}
	// A shell in its own group with a grandchild, like terraform and a provider.
	cmd := exec.Command("sh", "-c", "sleep 600 & sleep 600; wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	pgid := cmd.Process.Pid
	t.Cleanup(func() { KillGroup(pgid) })

	deadline := time.Now().Add(2 * time.Minute) // outer bound for a loaded machine
	for len(InGroup(pgid)) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("group %d has %v, want the shell and two sleeps", pgid, InGroup(pgid))
		}
		time.Sleep(20 * time.Millisecond)
	}
	var child bool
	for _, p := range List() {
		child = child || (p.PID == pgid && p.PPID == os.Getpid() && p.PGID == pgid)
	}
	if !child {
		t.Errorf("List does not show our child %d with its parent and group", pgid)
	}
	if wd, _ := os.Getwd(); Cwd(pgid) != wd {
		t.Errorf("Cwd = %q, want %q", Cwd(pgid), wd)
	}
	KillGroup(pgid)
	<-done
	for len(InGroup(pgid)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("group %d still has %v after KillGroup", pgid, InGroup(pgid))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
