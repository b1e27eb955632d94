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

// waitFor polls cond until it holds or ctx (binaryDeadline: the test binary's own
// deadline) ends. No shorter limit: the suite runs this package at a lower priority beside
// CPU-bound ones, where a terraform apply that takes seconds alone took over 5 minutes.
// binaryDeadline ends a minute before go test's -timeout, so the test fails with its
// output instead of the binary's panic (testbed.Context, which this package's own tests
// cannot import: testbed imports tf).
func binaryDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	if d, ok := t.Deadline(); ok {
		ctx, cancel = context.WithDeadline(context.Background(), d.Add(-time.Minute))
	}
	t.Cleanup(cancel)
	return ctx
}

func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatalf("%s: not before the test binary's deadline", what)
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
	ctx := binaryDeadline(t)
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
	waitFor(ctx, t, "terraform apply with a busy provider and local-exec", func() bool {
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
	case <-ctx.Done():
		t.Fatalf("apply did not return before the test binary's deadline after its context was cancelled\n%s", progress.String())
	}
	// The group is gone once Apply has returned; the wait only absorbs a loaded machine.
	for ; ; time.Sleep(100 * time.Millisecond) {
		var left []string
		for _, p := range procs.List() {
			if p.PGID == group || p.PPID == group {
				left = append(left, strconv.Itoa(p.PID)+" "+p.Cmd)
			}
		}
		if len(left) == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("processes of the cancelled terraform remain:\n%s", strings.Join(left, "\n"))
		}
	}
}
