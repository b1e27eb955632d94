package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/verify"
)

func init() { register(newVerifyCmd) }

func newVerifyCmd(a *App) *cobra.Command {
	var (
		stun        probe.STUNOptions
		timeout     time.Duration
		concurrency int
	)
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check the open session: target health, configuration, HTTPS, TCP and UDP reachability",
		Long: `verify reads the stack's outputs and checks the open session, all checks at once:

  - target health of every target group (AWS's own health checks);
  - the advertised-address parameter equals the NLB's Elastic IPs, STUN discovery
    is off in the jvb container, the security group admits UDP media from anywhere
    and JVB's health port from the VPC, the domain (when set) resolves to the
    Elastic IPs;
  - on every Elastic IP: a TCP connect to each TCP listener, HTTPS to the meeting
    URL (certificate, days to expiry, HTTP 200, Jitsi Meet's page) and a STUN
    Binding Request to each UDP listener.

Each check is PASS, FAIL, WARN or UNCONFIRMED. JVB ignores STUN requests without
a participant's ICE credentials, so a silent UDP port is UNCONFIRMED, not PASS;
an ICMP port-unreachable answer is FAIL. verify exits 1 when any check fails.

It also prices the session from its record: the running hour for this stack's
task size and addresses, this session so far (Fargate per second, NLB per
started hour), the month to date (idle prorated, closed sessions, this one)
and the delta against the previous month. In GitHub Actions the results are
outputs (result, udp, tcp, https, cost-per-hour, session-cost, month-estimate)
and a step summary with a chart; with GITHUB_TOKEN set on a pull request or
issue event, one sticky comment holds the cost.`,
		Example: `  jitsictl verify
  jitsictl verify --output json
  jitsictl verify --stun-attempts 5 --stun-timeout 2s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			deps := verify.Deps{STUN: stun, CheckTimeout: timeout, Concurrency: concurrency}
			if err := deps.Validate(); err != nil {
				return err
			}
			r, be, err := a.initialisedStack(ctx)
			if err != nil {
				return err
			}
			out, err := r.Outputs(ctx)
			if err != nil {
				return err
			}
			cfg, err := a.AWS(ctx)
			if err != nil {
				return err
			}
			rep := verify.Run(ctx, deps.WithAWS(cfg), verify.FromOutputs(out))
			rep.Publish(a.Reporter)
			res := verify.Result{Report: rep}
			if f, ok := a.costPublisher().Live(ctx, cost.StackReader{Config: cfg, Getenv: a.Getenv}, a.sessionStore(cfg, be), out); ok {
				res.Cost = f
			}
			return res.Publish(a.Reporter, a.text())
		},
	}
	f := c.Flags()
	f.IntVar(&stun.Attempts, "stun-attempts", 3, "STUN Binding Requests sent to each UDP address before calling it silent")
	f.DurationVar(&stun.Timeout, "stun-timeout", time.Second, "wait for a STUN answer per request")
	f.DurationVar(&timeout, "timeout", 20*time.Second, "limit for each check")
	f.IntVar(&concurrency, "concurrency", 8, "checks run at once (1 runs them one by one)")
	return c
}
