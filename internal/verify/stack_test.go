package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// The real stack, applied with real Terraform to moto with a session's NLB,
// must pass every configuration check verify makes; what no task can supply
// in the emulator (registered targets, listening servers) must fail with the
// reasons a user would see.
func TestRealStackPassesConsistencyChecks(t *testing.T) {
	emu := testbed.Moto(t)
	st := testbed.NewStack(t, emu)
	st.Apply(t, tf.Vars{"nlb_enabled": true})
	out := st.Outputs(t)
	target := FromOutputs(out)
	if target.MediaPort != 10000 || target.HealthPort != 8080 || target.NLBARN == "" || len(target.EIPAddresses) == 0 {
		t.Fatalf("FromOutputs(%+v) = %+v", out, target)
	}

	cfg := emu.AWSConfig(t)
	deps := depsFromConfig(cfg)
	deps.STUN = probe.STUNOptions{Attempts: 1, Timeout: 100 * time.Millisecond}
	rep := Run(context.Background(), deps, target)
	t.Logf("verify of the applied stack:\n%s", text(rep))

	seen := map[string]bool{}
	for _, r := range rep.Results {
		seen[r.Check] = true
		want := probe.Pass
		reason := ""
		switch r.Check {
		case "target-health":
			want, reason = probe.Fail, "no targets registered"
		case "tcp":
			want, reason = probe.Fail, "refused"
		case "udp-stun":
			want, reason = probe.Fail, "ICMP port unreachable"
		case "https", "access":
			want, reason = probe.Fail, "refused"
		}
		if r.Status != want || !strings.Contains(r.Reason, reason) {
			t.Errorf("%s %s: got %s (%s), want %s containing %q", r.Check, r.Target, r.Status, r.Reason, want, reason)
		}
	}
	for _, c := range []string{"load-balancer", "advertised-address", "jvb-config", "security-group", "target-health", "tcp", "udp-stun", "access"} {
		if !seen[c] {
			t.Errorf("no %s check in the run:\n%s", c, text(rep))
		}
	}
}
