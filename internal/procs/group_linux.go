package procs

import "syscall"

// OwnGroup is the process attributes of a child that must not outlive this
// process: a process group of its own (EndGroup ends it whole) and SIGKILL
// when this process dies, even by SIGKILL.
func OwnGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
