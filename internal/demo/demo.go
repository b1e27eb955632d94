// Package demo runs the whole session lifecycle against a local AWS
// emulator: moto on loopback, the real Terraform stack deployed in stages,
// a session opened, verified, closed and priced, and proof that nothing is
// left running. The cli hands it jitsictl itself (Stack), wired to the
// emulator's environment, so the demo runs the same flows a user runs.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	jitsictl "github.com/jitsictl/jitsictl"
	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/emulator"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Stack is jitsictl wired to the emulator's environment and the stack the
// demo deploys (the cli's App).
type Stack interface {
	// Run runs a jitsictl command in-process, as a user would type it; it
	// reports its own failure, so the error only says that it failed.
	Run(ctx context.Context, args ...string) error
	// Init runs terraform init in the stack's directory if it never ran.
	Init(ctx context.Context) error
	AWS(ctx context.Context) (aws.Config, error)
	Outputs(ctx context.Context) (outputs.Outputs, error)
	Sessions(ctx context.Context) (*session.Manager, error)
	// ReportRecord shows a session record as `jitsictl session` does.
	ReportRecord(rec session.Record, title string)
}

// StackEnv is what a Stack is built from.
type StackEnv struct {
	// Getenv is the demo's environment: the emulator's, nothing of the user's AWS setup.
	Getenv             func(string) string
	Dir, BackendConfig string
	Reporter           report.Reporter
	Wiring             session.Wiring
}

// Deps are the demo's edges.
type Deps struct {
	Reporter report.Reporter
	Format   report.Format
	Stdout   io.Writer
	// Getenv is the user's environment (TMPDIR, PATH, HOME).
	Getenv   func(string) string
	NewStack func(StackEnv) Stack
}

// Run is `jitsictl demo`.
func Run(ctx context.Context, d Deps) error {
	r := d.Reporter
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
	work, err := os.MkdirTemp(d.Getenv("TMPDIR"), "jitsictl-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// Terraform's output goes to a file inside the work folder, also for the
	// verify and cost commands the demo runs through the command tree.
	tfLogPath := filepath.Join(work, "terraform.log")
	r.Infof("terraform output: %s", tfLogPath)

	env := StackEnv{
		Getenv:   emulatorEnv(emu.Env(), map[string]string{"JITSICTL_TERRAFORM_LOG": tfLogPath}, d.Getenv),
		Reporter: r,
		Wiring: session.Wiring{
			Poll:  500 * time.Millisecond,
			Sweep: []sweep.Option{sweep.PollEvery(500 * time.Millisecond)},
		},
	}
	if d.Format == report.FormatText {
		// The verdict block sums the results up in words: no key/value lines.
		env.Reporter = withoutOutputs{r}
	}
	v := verdict{project: "jitsi"}

	var sub Stack
	stopProvider := func() {}
	defer func() { stopProvider() }()
	if err := step("deploy the stack in stages", func() (err error) {
		sub, stopProvider, err = deploy(ctx, d.NewStack, env, work)
		if err == nil {
			v.pass("staged deploy: every stage planned, reviewed, applied and checked; the final plan is empty")
		}
		return err
	}); err != nil {
		return err
	}

	cfg, err := sub.AWS(ctx)
	if err != nil {
		return err
	}
	out, err := sub.Outputs(ctx)
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

	m, err := sub.Sessions(ctx)
	if err != nil {
		return err
	}
	rec, err := m.Open(ctx, session.OpenOptions{Hours: 1, OpenedBy: "jitsictl demo"})
	sub.ReportRecord(rec, "Session open")
	if err != nil {
		return failed(err, schedErr)
	}
	r.Infof("meeting URL %s", rec.URL)
	r.Infof("media advertised on %s, open until %s", strings.Join(rec.Addresses, ", "), rec.ExpiresAt.Format(time.Kitchen))
	v.pass("session opened: Elastic IPs, NLB, Fargate task and targets, with the meeting URL")

	if err := step("verify the session", func() error { return verifySession(ctx, sub, cfg, d.Stdout, &v) }); err != nil {
		return err
	}

	closed, err := m.Close(ctx, session.CloseOptions{Reason: "demo finished", Now: true})
	sub.ReportRecord(closed, "Session close")
	if err != nil {
		return failed(err, schedErr)
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
		in, err := cost.StackReader{Config: cfg, Getenv: env.Getenv}.SessionInputs(ctx, out, closed, false)
		if err != nil {
			return err
		}
		v.cost = cost.PriceSession(in)
		v.idle = in.Prices.IdlePerMonth(in.Idle).Total
		return nil
	}); err != nil {
		return err
	}
	v.took = time.Since(began)
	if d.Format == report.FormatJSON {
		r.Result(v.doc())
	} else {
		fmt.Fprint(d.Stdout, v.text())
	}
	return nil
}

// emulatorEnv is the environment the demo's jitsictl sees: the emulator's
// and the demo's own settings, the user's for the rest (PATH, HOME) except
// every AWS_ variable, so it cannot touch a real account.
func emulatorEnv(emu []string, own map[string]string, user func(string) string) func(string) string {
	envs := map[string]string{}
	for k, v := range own {
		envs[k] = v
	}
	for _, kv := range emu {
		k, v, _ := strings.Cut(kv, "=")
		envs[k] = v
	}
	return func(k string) string {
		if v, ok := envs[k]; ok {
			return v
		}
		if strings.HasPrefix(k, "AWS_") {
			return ""
		}
		return user(k)
	}
}

// deploy writes the embedded stack and its state bucket, starts the
// provider process its Terraform commands attach to, then runs the staged
// deploy a pull request would run: plan every stage, then apply exactly the
// reviewed plans, with the state backed up. stop ends the provider; it is
// never nil.
func deploy(ctx context.Context, newStack func(StackEnv) Stack, env StackEnv, work string) (sub Stack, stop func(), err error) {
	stop = func() {}
	dir, err := jitsictl.WriteStack(work)
	if err != nil {
		return nil, stop, err
	}
	env.Dir, env.BackendConfig = dir, filepath.Join(work, "backend.hcl")
	const bucket, key = "jitsictl-demo-state", "jitsi/terraform.tfstate"
	conf := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nuse_lockfile = true\nencrypt = true\nuse_path_style = true\n", bucket, key, awsx.DefaultRegion)
	if err := os.WriteFile(env.BackendConfig, []byte(conf), 0o600); err != nil {
		return nil, stop, err
	}
	sub = newStack(env)
	cfg, err := sub.AWS(ctx)
	if err != nil {
		return nil, stop, err
	}
	if _, err := awsx.S3(cfg, env.Getenv).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return nil, stop, fmt.Errorf("create the state bucket: %w", err)
	}
	// One provider process for all of the demo's Terraform commands: each
	// would otherwise start its own, two or three times, at about two
	// CPU-seconds each (a quarter of the demo's CPU, measured). It shows
	// Terraform only the types the stack names: decoding all 2,141
	// cost each command another 1.4 CPU-seconds.
	if err := sub.Init(ctx); err != nil {
		return nil, stop, err
	}
	types, err := tf.TypesNamed(dir)
	if err != nil {
		return nil, stop, err
	}
	p, err := tf.StartProvider(ctx, dir, env.Getenv, io.Discard, types)
	if err != nil {
		return nil, stop, err
	}
	getenv := env.Getenv
	env.Getenv = func(k string) string {
		if k == tf.ReattachEnv {
			return p.Reattach
		}
		return getenv(k)
	}
	sub = newStack(env)
	plans := filepath.Join(work, "deploy")
	flags := []string{"--dir", dir, "--backend-config", env.BackendConfig, "--config", filepath.Join(work, "jitsictl.yaml"), "--out", plans}
	if err := sub.Run(ctx, append([]string{"deploy", "plan"}, flags...)...); err != nil {
		return nil, p.Stop, errors.New("deploy plan failed (see above)")
	}
	if err := sub.Run(ctx, append([]string{"deploy", "apply", "--reviewed", filepath.Join(plans, "reviewed.json")}, flags...)...); err != nil {
		return nil, p.Stop, errors.New("deploy apply failed (see above)")
	}
	return sub, p.Stop, nil
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

func failed(err error, schedErr <-chan error) error {
	select {
	case se := <-schedErr:
		return fmt.Errorf("%w (the ECS scheduler stand-in stopped: %v)", err, se)
	default:
		return err
	}
}

// withoutOutputs drops key/value outputs: the demo's verdict says it in words.
type withoutOutputs struct{ report.Reporter }

func (withoutOutputs) Output(string, string) {}
