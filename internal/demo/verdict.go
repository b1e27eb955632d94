package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/verify"
)

// configChecks must pass on the emulator as on AWS: they read what AWS (here
// moto) reports about the session. Each is named in the verdict in words.
var configChecks = []struct{ check, words string }{
	{"load-balancer", "the NLB is active with its listeners (TCP 443, UDP 10000)"},
	{"target-health", "the task is a healthy target in every target group"},
	{"advertised-address", "JVB advertises exactly the NLB's Elastic IPs (SSM parameter)"},
	{"jvb-config", "the task definition feeds JVB_ADVERTISE_IPS from that parameter"},
	{"security-group", "the security group admits UDP 10000 and the health check"},
}

// unprovable are the checks the emulator cannot answer: moto records an NLB
// but forwards no traffic, and nothing listens on its Elastic IPs.
var unprovable = []struct{ check, words string }{
	{"tcp", "TCP 443 through the NLB to the task"},
	{"https", "HTTPS to the meeting URL"},
	{"udp-stun", "UDP 10000 media to JVB (a STUN answer)"},
	{"access", "the served web config asks for a meeting link (token authentication)"},
}

func verifySession(ctx context.Context, sub Stack, cfg aws.Config, stdout io.Writer, v *verdict) error {
	out, err := sub.Outputs(ctx)
	if err != nil {
		return err
	}
	deps := verify.Deps{STUN: probe.STUNOptions{Attempts: 1, Timeout: 300 * time.Millisecond}, CheckTimeout: 10 * time.Second, Concurrency: 8}
	rep := verify.Run(ctx, deps.WithAWS(cfg), verify.FromOutputs(out))
	var bad []string
	for _, c := range configChecks {
		if got := rep.Category(c.check); got != "pass" {
			bad = append(bad, c.check+" "+got)
			continue
		}
		v.pass(c.check + ": " + c.words)
	}
	if len(bad) > 0 {
		_ = rep.WriteText(stdout) // the whole table, to see why
		return fmt.Errorf("configuration checks failed on the emulator: %s", strings.Join(bad, ", "))
	}
	for _, c := range unprovable {
		v.unproven = append(v.unproven, c.words)
	}
	return nil
}

// verdict is the demo's last word: what it proved, what the emulator
// cannot prove and why, what the session cost, and that nothing is left.
type verdict struct {
	proven   []string
	unproven []string
	cost     cost.SessionFigures
	idle     cost.Money
	project  string
	took     time.Duration
}

func (v *verdict) pass(what string) { v.proven = append(v.proven, what) }

// doc is the verdict as the --output json document.
func (v verdict) doc() any {
	return struct {
		Passed         []string   `json:"passed"`
		NotProvable    []string   `json:"not_provable_on_emulator"`
		SessionCost    cost.Money `json:"session_cost"`
		CostPerHour    cost.Money `json:"cost_per_hour"`
		IdlePerMonth   cost.Money `json:"idle_per_month"`
		NothingLeft    bool       `json:"nothing_left"`
		ElapsedSeconds int64      `json:"elapsed_seconds"`
	}{v.proven, v.unproven, v.cost.Session, v.cost.PerHour, v.idle, true, int64(v.took.Seconds())}
}

func (v verdict) text() string {
	var b strings.Builder
	b.WriteString("\nDemo verdict\n")
	for _, p := range v.proven {
		b.WriteString(report.WrapIndented("  PASS  ", "        ", p))
	}
	b.WriteString("  Not provable on the emulator (not failures): moto records the NLB but forwards no\n" +
		"  traffic, and nothing listens on its Elastic IPs. On AWS, `jitsictl verify` checks:\n")
	for _, u := range v.unproven {
		b.WriteString(report.WrapIndented("    - ", "      ", u))
	}
	b.WriteString(report.WrapIndented("  Cost: ", "        ", fmt.Sprintf("this session %s on AWS prices (%s an hour while open, %s a month idle)",
		v.cost.Session.Cents(), v.cost.PerHour, v.idle.Cents())))
	b.WriteString(report.WrapIndented("  Nothing left: ", "    ", fmt.Sprintf("no load balancer, target group, listener or Elastic IP tagged Project=%s, "+
		"desired count 0; the emulator and the demo's temporary folder go as it exits.", v.project)))
	fmt.Fprintf(&b, "Demo passed in %s.\n", v.took.Round(time.Second))
	return b.String()
}
