package tf

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOneProgressWriterForBothStreams gives the runner a plain bytes.Buffer,
// as stage and session tests do: terraform-exec copies stdout and stderr in
// two goroutines, so under -race an unguarded writer is reported.
func TestOneProgressWriterForBothStreams(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	ctx := context.Background()
	dir := t.TempDir()
	// One resource is created (progress on stdout), then a postcondition
	// fails (the error on stderr): both copiers write during one command.
	const main = `
resource "terraform_data" "ok" { input = "x" }
resource "terraform_data" "bad" {
  input = terraform_data.ok.output
  lifecycle {
    postcondition {
      condition     = self.output == "y"
      error_message = "deliberate failure"
    }
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	r, err := New(ctx, dir, WithProgress(&progress))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, nil, nil); err == nil || !strings.Contains(err.Error(), "deliberate failure") {
		t.Fatalf("apply: %v, want the postcondition's failure", err)
	}
	if out := progress.String(); !strings.Contains(out, "Creating...") || !strings.Contains(out, "deliberate failure") {
		t.Fatalf("progress lacks stdout or stderr:\n%s", out)
	}
}

// TestApplyWaitsForAnotherRunsLock holds the local state's lock (the fcntl
// lock terraform takes on terraform.tfstate) the way a running apply would,
// and releases it a little later: apply must wait for it instead of failing.
func TestApplyWaitsForAnotherRunsLock(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	ctx := context.Background()
	dir := fixture(t)
	r, err := New(ctx, dir, WithLockTimeout(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if r.LockTimeout() != "300s" {
		t.Fatalf("lock timeout %q, want 300s", r.LockTimeout())
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	vars := Vars{"enabled": false, "names": []string{"a"}, "word": "x"}
	if err := r.Apply(ctx, vars, nil); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "terraform.tfstate"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Terraform reads who holds the lock from this file before it waits.
	info := `{"ID":"0f7a3c1e-held-by-test","Operation":"OperationTypeApply","Who":"test@host","Version":"1.11.0","Created":"2026-01-01T00:00:00Z","Path":"terraform.tfstate"}`
	if err := os.WriteFile(filepath.Join(dir, ".terraform.tfstate.lock.info"), []byte(info), 0o600); err != nil {
		t.Fatal(err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(3 * time.Second)
		_ = os.Remove(filepath.Join(dir, ".terraform.tfstate.lock.info"))
		unlock := syscall.Flock_t{Type: syscall.F_UNLCK, Whence: 0}
		_ = syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &unlock)
	}()
	vars["enabled"] = true
	err = r.Apply(ctx, vars, nil)
	<-released
	if err != nil {
		t.Fatalf("apply beside a lock released after 3s: %v (it must wait with -lock-timeout)", err)
	}
}

func TestLockTimeoutSetting(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if d, err := lockTimeout(0, env("")); err != nil || d != DefaultLockTimeout {
		t.Fatalf("default: %s, %v", d, err)
	}
	if d, err := lockTimeout(0, env("90s")); err != nil || d != 90*time.Second {
		t.Fatalf("env 90s: %s, %v", d, err)
	}
	if d, err := lockTimeout(time.Minute, env("90s")); err != nil || d != time.Minute {
		t.Fatalf("option over env: %s, %v", d, err)
	}
	if _, err := lockTimeout(0, env("soon")); err == nil || !strings.Contains(err.Error(), LockTimeoutEnv) {
		t.Fatalf("bad env value: %v", err)
	}
}
