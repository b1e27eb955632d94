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
	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/emulator"
	"github.com/jitsictl/jitsictl/internal/probe"
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
		}, Stdout: a.Stdout, Stderr: a.Stderr, TTY: a.TTY},
		Reporter: r,
		sessionWiring: session.Wiring{
			Poll:  500 * time.Millisecond,
			Sweep: []sweep.Option{sweep.PollEvery(500 * time.Millisecond)},
		},
	}

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
	r.Infof("meeting URL %s, media advertised on %s, open until %s", rec.URL, strings.Join(rec.Addresses, ", "), rec.ExpiresAt.Format(time.Kitchen))

	if err := step("verify the session", func() error { return demoVerify(ctx, sub, cfg) }); err != nil {
		return err
	}
	// cost runs as a user would run it, through the command tree.
	args := []string{"--dir", sub.Dir, "--backend-config", sub.BackendConfig}
	if code := Run(ctx, append([]string{"cost"}, args...), sub.Env); code != ExitOK {
		return errors.New("cost failed (see above)")
	}

	closed, err := m.Close(ctx, session.CloseOptions{Reason: "demo finished"})
	sub.reportRecord(closed, "Session close")
	if err != nil {
		return demoFailed(err, schedErr)
	}
	return step("check that nothing is left running", func() error {
		left, err := leftovers(ctx, cfg, out.Project, out.ClusterName, out.ServiceName)
		if err != nil {
			return err
		}
		if left != "" {
			return fmt.Errorf("still billing after close: %s", left)
		}
		r.Infof("nothing left: no load balancer, target group, listener or Elastic IP tagged Project=%s, desired count 0; demo took %s",
			out.Project, time.Since(began).Round(time.Second))
		return nil
	})
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
// moto) reports about the session. The reachability probes cannot: nothing
// answers on the emulator's Elastic IPs, where the NLB would forward to JVB.
var configChecks = []string{"load-balancer", "target-health", "advertised-address", "jvb-config", "security-group"}

func demoVerify(ctx context.Context, sub *App, cfg aws.Config) error {
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
	if err := rep.WriteText(sub.Stdout); err != nil {
		return err
	}
	var bad []string
	for _, c := range configChecks {
		if got := rep.Category(c); got != "pass" {
			bad = append(bad, c+" "+got)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("configuration checks failed on the emulator: %s", strings.Join(bad, ", "))
	}
	sub.Reporter.Infof("configuration checks pass; reachability (tcp %s, https %s, udp %s) cannot pass here: nothing listens on the emulator's Elastic IPs, where on AWS the NLB reaches the task",
		rep.Category("tcp"), rep.Category("https"), rep.Category("udp-stun"))
	return nil
}
