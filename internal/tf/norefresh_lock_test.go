package tf_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// A plan WithoutRefresh takes no state lock: a pull request's plan role may not create
// or delete the lock file, and must never break a running deploy's lock. Here another
// process "holds" the local state's lock (the fcntl lock Terraform's local backend takes
// on the state file): a locking plan is refused, the read-only plan goes through.
func TestWithoutRefreshTakesNoLock(t *testing.T) {
	t.Parallel()
	ctx := testbed.Context(t) // no shorter limit: this package runs at a lower priority in the suite
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("variable \"v\" {\n  default = \"one\"\n}\n\nresource \"terraform_data\" \"x\" {\n  input = var.v\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := tf.New(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}

	f, err := os.OpenFile(filepath.Join(dir, "terraform.tfstate"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Terraform's own lock, taken by this process: a deploy in the middle of its apply.
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}); err != nil {
		t.Fatal(err)
	}

	vars := tf.Vars{"v": "two"}
	if _, err := r.Plan(ctx, vars, nil, ""); err == nil || !strings.Contains(err.Error(), "lock") {
		t.Fatalf("a locking plan while the state is locked: %v; want the lock refused (is the lock test meaningful?)", err)
	}
	ro, err := tf.New(ctx, dir, tf.WithoutRefresh())
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := ro.Plan(ctx, vars, nil, ""); err != nil || !changed {
		t.Fatalf("plan WithoutRefresh while the state is locked: changed=%v, %v; want the change, without waiting for the lock", changed, err)
	}
}
