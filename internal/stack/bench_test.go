package stack

import (
	"context"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// BenchmarkSessionApplySteps measures, side by side on one stack, the two applies of a
// session open: the targeted one (Elastic IPs + advertised-address parameter, after
// which the task may start with the right JVB_ADVERTISE_IPS) and the full one (NLB,
// target groups, listeners), plus the closing apply. full/targeted is how much sooner
// the task can start than if it waited for the whole session apply. Against moto the
// absolute times are the provider's waiter floors, not AWS's provisioning times.
//
//	go test -run '^$' -bench SessionApplySteps ./internal/stack/
func BenchmarkSessionApplySteps(b *testing.B) {
	e := testbed.Moto(b)
	s := testbed.NewStack(b, e)
	s.Apply(b, tf.Vars{"nlb_enabled": false})
	ctx := context.Background()
	on := tf.Vars{"nlb_enabled": true}
	targets := []string{"module.jvb_nlb[0].aws_eip.this", "aws_ssm_parameter.advertise_ips"}

	var targeted, full, closing time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := s.Runner.Apply(ctx, on, targets); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := s.Runner.Apply(ctx, on, nil); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := s.Runner.Apply(ctx, tf.Vars{"nlb_enabled": false}, nil); err != nil {
			b.Fatal(err)
		}
		targeted += t1.Sub(t0)
		full += t2.Sub(t1)
		closing += time.Since(t2)
	}
	n := float64(b.N)
	b.ReportMetric(targeted.Seconds()/n, "targeted-s/op")
	b.ReportMetric(full.Seconds()/n, "full-s/op")
	b.ReportMetric(closing.Seconds()/n, "close-s/op")
	b.ReportMetric(full.Seconds()/targeted.Seconds(), "full/targeted")
}
