package tf

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// waitFor polls cond until it holds; limit is an outer bound for a loaded machine.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A cancelled apply leaves no process behind: not terraform, not the AWS provider, not a
// local-exec command. Processes are matched by this test's terraform child's process group
// (and parentage), never by name: other tests run terraform on the same machine.
func TestCancelledApplyLeavesNoProcess(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	// An S3 endpoint that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conns := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	defer func() {
		for len(conns) > 0 {
			(<-conns).Close()
		}
	}()

	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "stuck", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var progress syncBuffer
	r, err := New(ctx, dir, WithProgress(&progress), WithVars(Vars{"endpoint": "http://" + ln.Addr().String()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}

	applyCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Apply(applyCtx, nil, nil) }()

	// Our terraform child (this test's directory; other tests run terraform too) and its
	// process group, once the provider and the local-exec are both busy.
	me := os.Getpid()
	group := 0
	waitFor(t, 5*time.Minute, "terraform apply with a busy provider and local-exec", func() bool {
		group = 0
		for _, p := range procs.List() {
			if p.PPID == me && p.PID == p.PGID && strings.Contains(p.Cmd, " apply ") {
				if procs.Cwd(p.PID) == r.dir {
					group = p.PID
				}
			}
		}
		if group == 0 {
			return false
		}
		provider, sleep := false, false
		for _, p := range procs.List() {
			if p.PGID == group {
				provider = provider || strings.Contains(p.Cmd, "terraform-provider-aws")
				sleep = sleep || strings.HasPrefix(p.Cmd, "sleep 900")
			}
		}
		return provider && sleep && len(conns) > 0
	})
	t.Logf("terraform group %d busy; cancelling", group)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a cancelled apply reported success")
		}
		t.Logf("apply returned: %v", err)
	case <-time.After(10 * time.Minute):
		t.Fatalf("apply did not return within 10 minutes of its context being cancelled\n%s", progress.String())
	}
	// The group is gone once Apply has returned; the limit only absorbs a loaded machine.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var left []string
		for _, p := range procs.List() {
			if p.PGID == group || p.PPID == group {
				left = append(left, strconv.Itoa(p.PID)+" "+p.Cmd)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the cancelled terraform remain:\n%s", strings.Join(left, "\n"))
		}
	}
}
