package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	jitsictl "github.com/jitsictl/jitsictl"
	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/emulator"
	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/verify"
)

func init() { register(newDemoCmd) }

func newDemoCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run the whole session lifecycle against a local AWS emulator",
		Long: `demo starts moto_server (an AWS API emulator) on loopback, deploys the real
Terraform stack embedded in jitsictl to it, opens a session (Elastic IPs, NLB,
Fargate task, targets), verifies it, prices it, closes it and shows that
nothing is left running. The emulator has no ECS scheduler, so the demo plays
it (starting a task when the desired count rises, stopping it when it falls).

Nothing outside a temporary folder and the emulator is touched, and both are
removed at the end, also after Ctrl-C.`,
		Example: `  jitsictl demo
  go run ./cmd/jitsictl demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.demo(cmd.Context()) },
	}
}

func (a *App) demo(ctx context.Context) error {
	r := a.Reporter
	began := time.Now()
	r.Infof("jitsictl demo: the whole session lifecycle on a local AWS emulator (about 4 minutes on 2 cores)")
	step := func(name string, f func() error) error {
		r.Begin(name)
		err := f()
		r.End(name, err)
		return err
	}

	var emu *emulator.Faithful
	if err := step("start the AWS emulator", func() (err error) {
		emu, err = emulator.StartFaithful(ctx)
		return err
	}); err != nil {
		return err
	}
	defer emu.Stop()
	// TMPDIR through the injected environment, so a test can watch the folder.
	work, err := os.MkdirTemp(a.Getenv("TMPDIR"), "jitsictl-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// Terraform's output goes to a file inside the work folder, also for the
	// verify and cost commands the demo runs through the command tree.
	tfLogPath := filepath.Join(work, "terraform.log")
	r.Infof("terraform output: %s", tfLogPath)

	// The demo's own App sees the emulator's environment and nothing of the
	// user's AWS setup, so it cannot touch a real account.
	envs := map[string]string{"JITSICTL_TERRAFORM_LOG": tfLogPath}
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		envs[k] = v
	}
	sub := &App{
		Env: Env{Getenv: func(k string) string {
			if v, ok := envs[k]; ok {
				return v
			}
			if strings.HasPrefix(k, "AWS_") {
				return ""
			}
			return a.Getenv(k)
		}, Stdout: a.Stdout, Stderr: a.Stderr, TTY: a.TTY, HideOutputs: true},
		Reporter: r,
		sessionWiring: session.Wiring{
			Poll:  500 * time.Millisecond,
			Sweep: []sweep.Option{sweep.PollEvery(500 * time.Millisecond)},
		},
	}

	if a.format == report.FormatText {
		// The verdict block sums the results up in words: no key/value lines.
		sub.Reporter = withoutOutputs{r}
	}
	v := demoVerdict{project: "jitsi"}

	if err := step("deploy the stack in stages", func() error {
		dir, err := jitsictl.WriteStack(work)
		if err != nil {
			return err
		}
		sub.Dir = dir
		sub.BackendConfig = filepath.Join(work, "backend.hcl")
		const bucket, key = "jitsictl-demo-state", "jitsi/terraform.tfstate"
		conf := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nuse_lockfile = true\nencrypt = true\nuse_path_style = true\n", bucket, key, awsx.DefaultRegion)
		if err := os.WriteFile(sub.BackendConfig, []byte(conf), 0o600); err != nil {
			return err
		}
		cfg, err := sub.AWS(ctx)
		if err != nil {
			return err
		}
		if _, err := awsx.S3(cfg, sub.Getenv).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("create the state bucket: %w", err)
		}
		// The staged deploy a pull request would run: plan every stage,
		// then apply exactly the reviewed plans, with the state backed up.
		plans := filepath.Join(work, "deploy")
		deploy := []string{"--dir", sub.Dir, "--backend-config", sub.BackendConfig, "--config", filepath.Join(work, "jitsictl.yaml"), "--out", plans}
		if code := Run(ctx, append([]string{"deploy", "plan"}, deploy...), sub.Env); code != ExitOK {
			return errors.New("deploy plan failed (see above)")
		}
		if code := Run(ctx, append([]string{"deploy", "apply", "--reviewed", filepath.Join(plans, "reviewed.json")}, deploy...), sub.Env); code != ExitOK {
			return errors.New("deploy apply failed (see above)")
		}
		v.pass("staged deploy: every stage planned, reviewed, applied and checked; the final plan is empty")
		return nil
	}); err != nil {
		return err
	}

	cfg, err := sub.AWS(ctx)
	if err != nil {
		return err
	}
	runner, _, err := sub.initialisedStack(ctx)
	if err != nil {
		return err
	}
	out, err := runner.Outputs(ctx)
	if err != nil {
		return err
	}
	schedErr := make(chan error, 1)
	sched, err := ecssim.Run(cfg, out.ClusterName, out.ServiceName, ecssim.Options{StartDelay: 2 * time.Second, StopDelay: time.Second, Poll: 250 * time.Millisecond},
		func(err error) { schedErr <- err })
	if err != nil {
		return err
	}
	defer sched.Stop()
	r.Infof("playing the ECS scheduler for %s/%s (the emulator has none)", out.ClusterName, out.ServiceName)

	m, err := sub.sessionManager(ctx)
	if err != nil {
		return err
	}
	rec, err := m.Open(ctx, session.OpenOptions{Hours: 1, OpenedBy: "jitsictl demo"})
	sub.reportRecord(rec, "Session open")
	if err != nil {
		return demoFailed(err, schedErr)
	}
	r.Infof("meeting URL %s", rec.URL)
	r.Infof("media advertised on %s, open until %s", strings.Join(rec.Addresses, ", "), rec.ExpiresAt.Format(time.Kitchen))
	v.pass("session opened: Elastic IPs, NLB, Fargate task and targets, with the meeting URL")

	if err := step("verify the session", func() error { return demoVerify(ctx, sub, cfg, &v) }); err != nil {
		return err
	}

	closed, err := m.Close(ctx, session.CloseOptions{Reason: "demo finished", Now: true})
	sub.reportRecord(closed, "Session close")
	if err != nil {
		return demoFailed(err, schedErr)
	}
	v.pass("session closed: task stopped, targets deregistered, NLB removed, leftovers swept")
	v.project = out.Project
	if err := step("check that nothing is left running", func() error {
		left, err := leftovers(ctx, cfg, out.Project, out.ClusterName, out.ServiceName)
		if err != nil {
			return err
		}
		if left != "" {
			return fmt.Errorf("still billing after close: %s", left)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := step("price the session", func() error {
		in, err := sub.readCostInputs(ctx, cfg, out, closed, false)
		if err != nil {
			return err
		}
		v.cost = priceSessions(in)
		v.idle = in.Prices.IdlePerMonth(in.Idle).Total
		return nil
	}); err != nil {
		return err
	}
	v.took = time.Since(began)
	if a.format == report.FormatJSON {
		r.Result(v.doc())
	} else {
		fmt.Fprint(a.Stdout, v.text())
	}
	return nil
}

// leftovers is what a user would still pay for after a close.
func leftovers(ctx context.Context, cfg aws.Config, project, cluster, service string) (string, error) {
	inv, err := sweep.Find(ctx, sweep.APIs{ELB: elbv2.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg)}, project)
	if err != nil {
		return "", err
	}
	var left []string
	if !inv.Empty() {
		left = append(left, inv.String())
	}
	svc, err := ecs.NewFromConfig(cfg).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
	if err != nil {
		return "", err
	}
	if len(svc.Services) == 1 && svc.Services[0].DesiredCount != 0 {
		left = append(left, fmt.Sprintf("desired count %d", svc.Services[0].DesiredCount))
	}
	return strings.Join(left, "; "), nil
}

func demoFailed(err error, schedErr <-chan error) error {
	select {
	case se := <-schedErr:
		return fmt.Errorf("%w (the ECS scheduler stand-in stopped: %v)", err, se)
	default:
		return err
	}
}

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

func demoVerify(ctx context.Context, sub *App, cfg aws.Config, v *demoVerdict) error {
	runner, _, err := sub.initialisedStack(ctx)
	if err != nil {
		return err
	}
	out, err := runner.Outputs(ctx)
	if err != nil {
		return err
	}
	rep := verify.Run(ctx, verify.Deps{
		SSM: ssm.NewFromConfig(cfg), ELB: elbv2.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg),
		STUN: probe.STUNOptions{Attempts: 1, Timeout: 300 * time.Millisecond}, CheckTimeout: 10 * time.Second, Concurrency: 8,
	}, verify.FromOutputs(out))
	var bad []string
	for _, c := range configChecks {
		if got := rep.Category(c.check); got != "pass" {
			bad = append(bad, c.check+" "+got)
			continue
		}
		v.pass(c.check + ": " + c.words)
	}
	if len(bad) > 0 {
		_ = rep.WriteText(sub.Stdout) // the whole table, to see why
		return fmt.Errorf("configuration checks failed on the emulator: %s", strings.Join(bad, ", "))
	}
	for _, c := range unprovable {
		v.unproven = append(v.unproven, c.words)
	}
	return nil
}

// withoutOutputs drops key/value outputs: the demo's verdict says it in words.
type withoutOutputs struct{ report.Reporter }

func (withoutOutputs) Output(string, string) {}

// demoVerdict is the demo's last word: what it proved, what the emulator
// cannot prove and why, what the session cost, and that nothing is left.
type demoVerdict struct {
	proven   []string
	unproven []string
	cost     costFigures
	idle     cost.Money
	project  string
	took     time.Duration
}

func (v *demoVerdict) pass(what string) { v.proven = append(v.proven, what) }

// doc is the verdict as the --output json document.
func (v demoVerdict) doc() any {
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

func (v demoVerdict) text() string {
	var b strings.Builder
	b.WriteString("\nDemo verdict\n")
	for _, p := range v.proven {
		b.WriteString(wrapIndented("  PASS  ", "        ", p))
	}
	b.WriteString("  Not provable on the emulator (not failures): moto records the NLB but forwards no\n" +
		"  traffic, and nothing listens on its Elastic IPs. On AWS, `jitsictl verify` checks:\n")
	for _, u := range v.unproven {
		b.WriteString(wrapIndented("    - ", "      ", u))
	}
	b.WriteString(wrapIndented("  Cost: ", "        ", fmt.Sprintf("this session %s on AWS prices (%s an hour while open, %s a month idle)",
		v.cost.Session.Cents(), v.cost.PerHour, v.idle.Cents())))
	b.WriteString(wrapIndented("  Nothing left: ", "    ", fmt.Sprintf("no load balancer, target group, listener or Elastic IP tagged Project=%s, "+
		"desired count 0; the emulator and the demo's temporary folder go as it exits.", v.project)))
	fmt.Fprintf(&b, "Demo passed in %s.\n", v.took.Round(time.Second))
	return b.String()
}

// wrapIndented wraps s to 100 columns after first, continuing under indent.
func wrapIndented(first, indent, s string) string {
	lines := wrapWords(s, tableWidth-len(first))
	var b strings.Builder
	for i, l := range lines {
		if i == 0 {
			b.WriteString(first + l + "\n")
		} else {
			b.WriteString(indent + l + "\n")
		}
	}
	return b.String()
}
