package tf_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// BenchmarkValidateStack runs terraform validate on the stack attached to a
// running provider that answers with its whole schema and with only the types the
// stack names, side by side; cpu-s/op is the terraform process's own CPU
// (user + system), what every command of a session or a test pays.
//
//	go test -run '^$' -bench ValidateStack -benchtime 5x ./internal/tf
func BenchmarkValidateStack(b *testing.B) {
	ctx := context.Background()
	dir := testbed.CopyStack(b)
	r, err := tf.New(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		b.Fatal(err)
	}
	named, err := tf.TypesNamed(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		serve tf.TypeSet
	}{{"whole-schema", nil}, {"named-types", named}} {
		b.Run(c.name, func(b *testing.B) {
			p, err := tf.StartProvider(ctx, dir, os.Getenv, io.Discard, c.serve)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Stop()
			var cpu time.Duration
			b.ResetTimer()
			for range b.N {
				cmd := exec.Command("terraform", "validate", "-no-color")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), tf.ReattachEnv+"="+p.Reattach)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("terraform validate: %v\n%s", err, out)
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				cpu += time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
