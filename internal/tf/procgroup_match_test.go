package tf

import (
	"testing"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// The guard finds its terraform child whether terraform is the binary itself or a
// shim in front of it (tfenv, asdf), and nothing else: not another directory's
// terraform, not a grandchild, not a process that is no group leader.
func TestChildRunningFindsTerraformAndItsWrappers(t *testing.T) {
	const me, exe, dir = 100, "/usr/local/bin/terraform", "/stack"
	cwd := func(pid int) string {
		if pid == 204 {
			return "/other"
		}
		return dir
	}
	cases := []struct {
		name string
		p    procs.Proc
		want bool
	}{
		{"the binary", procs.Proc{PID: 201, PPID: me, PGID: 201, Cmd: exe + " apply -no-color"}, true},
		{"a shell-script wrapper", procs.Proc{PID: 202, PPID: me, PGID: 202, Cmd: "/bin/bash " + exe + " apply"}, true},
		{"an env-bash wrapper", procs.Proc{PID: 203, PPID: me, PGID: 203, Cmd: "bash " + exe + " plan"}, true},
		{"the shim after exec'ing the real one", procs.Proc{PID: 209, PPID: me, PGID: 209, Cmd: "/root/.tfenv/versions/1.11.4/terraform apply"}, true},
		{"another directory", procs.Proc{PID: 204, PPID: me, PGID: 204, Cmd: exe + " apply"}, false},
		{"not our child", procs.Proc{PID: 205, PPID: 1, PGID: 205, Cmd: exe + " apply"}, false},
		{"no group leader", procs.Proc{PID: 206, PPID: me, PGID: me, Cmd: exe + " apply"}, false},
		{"a name that only starts like it", procs.Proc{PID: 207, PPID: me, PGID: 207, Cmd: exe + "-provider-aws"}, false},
		{"the script's argument elsewhere", procs.Proc{PID: 208, PPID: me, PGID: 208, Cmd: "grep -r x " + exe}, false},
	}
	for _, c := range cases {
		got := childRunning([]procs.Proc{c.p}, me, exe, dir, cwd) == c.p.PID
		if got != c.want {
			t.Errorf("%s (%q): found=%v, want %v", c.name, c.p.Cmd, got, c.want)
		}
	}
}
