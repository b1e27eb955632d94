//go:build !linux

package procs

import "syscall"

// OwnGroup is the process attributes of a child that must not outlive this
// process: a process group of its own. Only Linux can also kill it when
// this process dies (Pdeathsig); elsewhere a child of a killed jitsictl
// lives on until it exits.
func OwnGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
