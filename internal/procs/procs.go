// Package procs reads the process table from Linux's /proc, so jitsictl and its tests can
// find the process groups of the terraform, moto and act children they start and end them
// whole: a provider or a local-exec command otherwise outlives a killed terraform,
// reparented to init. Elsewhere List returns nothing and the callers do nothing.
package procs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is one live (not zombie) process.
type Proc struct {
	PID, PPID, PGID int
	// Cmd is the command line, arguments joined by spaces.
	Cmd string
}

// List returns the live processes of the machine (of this PID namespace).
func List() []Proc {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []Proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := read(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

func read(pid int) (Proc, bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return Proc{}, false // gone meanwhile
	}
	// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
		return Proc{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgid, _ := strconv.Atoi(f[2])
	cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
	return Proc{PID: pid, PPID: ppid, PGID: pgid, Cmd: strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))}, true
}

// Cwd returns the working directory of pid, or "" when it cannot be read.
func Cwd(pid int) string {
	d, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "cwd"))
	return d
}

// InGroup returns the live processes of process group pgid.
func InGroup(pgid int) []Proc {
	var out []Proc
	for _, p := range List() {
		if p.PGID == pgid {
			out = append(out, p)
		}
	}
	return out
}

// KillGroup sends SIGKILL to every process of group pgid. A group that no longer exists is
// not an error.
func KillGroup(pgid int) {
	if pgid > 1 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// EndGroup kills group pgid and waits, at most limit, until none of its processes is left.
func EndGroup(pgid int, limit time.Duration) {
	KillGroup(pgid)
	for deadline := time.Now().Add(limit); len(InGroup(pgid)) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}
