package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// childEnvKeys are passed from the injected environment to Terraform, so an
// in-process run (tests, the demo) points Terraform where it points the SDK.
var childEnvKeys = []string{
	"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
	tf.PluginMirrorEnv, tf.PluginCacheEnv, tf.LockTimeoutEnv,
}

// terraform builds the runner for dir.
func (a *App) terraform(ctx context.Context, dir string) (*tf.Runner, error) {
	var env []string
	for _, k := range childEnvKeys {
		if v := a.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	if a.Profile != "" {
		env = append(env, "AWS_PROFILE="+a.Profile)
	}
	if a.Region != "" {
		env = append(env, "AWS_REGION="+a.Region)
	}
	opts := []tf.Option{tf.WithEnv(env), tf.WithProgress(a.terraformLog())}
	if a.planWithoutRefresh {
		opts = append(opts, tf.WithoutRefresh())
	}
	if a.Getenv("AWS_ENDPOINT_URL") != "" {
		// Emulators answer path-style S3 only; on AWS the default stays. An emulator
		// has no bootstrap, so the stack creates its own IAM roles there.
		opts = append(opts, tf.WithVars(tf.Vars{"s3_use_path_style": true, "create_iam_roles": true}))
	}
	return tf.New(ctx, dir, opts...)
}

// initialisedStack returns a runner for --dir, running terraform init first
// when the root was never initialised (a fresh checkout in Actions).
func (a *App) initialisedStack(ctx context.Context) (*tf.Runner, tf.Backend, error) {
	dir, err := a.StackDir()
	if err != nil {
		return nil, tf.Backend{}, err
	}
	r, err := a.terraform(ctx, dir)
	if err != nil {
		return nil, tf.Backend{}, err
	}
	be, err := tf.ReadBackend(dir)
	if err != nil {
		cfg := a.BackendConfig
		if cfg == "" {
			if _, serr := os.Stat(filepath.Join(dir, "backend.hcl")); serr == nil {
				cfg = filepath.Join(dir, "backend.hcl")
			}
		}
		if cfg == "" {
			return nil, tf.Backend{}, fmt.Errorf("%w; pass --backend-config <file> (see terraform/backend.hcl.example)", err)
		}
		a.Reporter.Infof("initialising %s with %s", dir, cfg)
		if err := r.Init(ctx, cfg); err != nil {
			return nil, tf.Backend{}, err
		}
		if be, err = tf.ReadBackend(dir); err != nil {
			return nil, tf.Backend{}, err
		}
	}
	return r, be, nil
}

// sessionStore is the session record beside the stack's state.
func (a *App) sessionStore(cfg aws.Config, be tf.Backend) session.Store {
	return session.StoreBeside(awsx.S3(cfg, a.Getenv), be.Bucket, be.Key)
}

// sessionManager wires the session flows to Terraform and AWS.
func (a *App) sessionManager(ctx context.Context) (*session.Manager, error) {
	r, be, err := a.initialisedStack(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := a.AWS(ctx)
	if err != nil {
		return nil, err
	}
	out, err := r.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	a.stackOutputs = out
	if out.ClusterName == "" || out.ServiceName == "" {
		return nil, errors.New("the stack outputs name no ECS cluster/service: apply the stack first (jitsictl deploy apply)")
	}
	store := a.sessionStore(cfg, be)
	w := a.sessionWiring
	if w.Linger == (session.LingerPolicy{}) {
		if w.Linger, err = session.ReadLingerPolicy(a.sessionConfig); err != nil {
			return nil, err
		}
	}
	w.Owner = a.owner()
	w.Lock = session.S3StateLock{API: store.API, Bucket: be.Bucket, StateKey: be.Key, TF: r}
	m := session.NewAWS(cfg, store, tfStack{r}, out, a.Reporter, w)
	m.Reaper, m.LeaseWait = a.reaper(), a.leaseWait
	return m, nil
}

// session is the Manager and the Publisher of a session command.
func (a *App) session(ctx context.Context) (*session.Manager, session.Publisher, error) {
	m, err := a.sessionManager(ctx)
	return m, a.sessionPublisher(), err
}

// sessionPublisher shows session results to this run's reader (after
// sessionManager read the stack's outputs and loaded the AWS config).
func (a *App) sessionPublisher() session.Publisher {
	rc := a.run()
	p := session.Publisher{Report: a.Reporter, Actions: rc.Actions, Private: rc.Private(), Outputs: a.stackOutputs, Zone: time.Local}
	if a.format == report.FormatText {
		p.Terminal = a.Stdout
	}
	if a.awsCfg != nil {
		p.SSM = ssm.NewFromConfig(*a.awsCfg)
	}
	return p
}

// reportRecord publishes a session's outputs and, with a title, its summary.
func (a *App) reportRecord(rec session.Record, title string) { a.sessionPublisher().Record(rec, title) }

// tfStack is the Terraform stack as sessions see it.
type tfStack struct{ r *tf.Runner }

func (s tfStack) Apply(ctx context.Context, nlbEnabled bool, targets []string) error {
	return s.r.Apply(ctx, tf.Vars{"nlb_enabled": nlbEnabled}, targets)
}

func (s tfStack) Outputs(ctx context.Context) (outputs.Outputs, error) { return s.r.Outputs(ctx) }

// owner identifies this run in the lease: the Actions run, or user@host:pid.
func (a *App) owner() string {
	if u := a.runURL(); u != "" {
		return fmt.Sprintf("%s/attempts/%d", u, a.run().RunAttempt)
	}
	return fmt.Sprintf("%s:%d", a.actor(), os.Getpid())
}

// terraformLog is where Terraform's own output goes. In Actions it goes to the
// log, folded inside the step's group; on a terminal it would bury the
// progress, so it goes to a file that the user is told about (failures quote
// Terraform's error text anyway).
func (a *App) terraformLog() io.Writer {
	if a.tfLog != nil {
		return a.tfLog
	}
	a.tfLog = a.Stderr
	if a.run().Actions && a.Output != "json" {
		return a.tfLog
	}
	path, flags := a.Getenv("JITSICTL_TERRAFORM_LOG"), os.O_CREATE|os.O_WRONLY|os.O_APPEND
	if path == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return a.tfLog
		}
		path, flags = filepath.Join(dir, "jitsictl", "terraform.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return a.tfLog
		}
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return a.tfLog
	}
	a.tfLog = f
	// The path is named once, when Terraform first writes to it, and only when
	// jitsictl chose it: whoever set JITSICTL_TERRAFORM_LOG knows where it is.
	if a.Reporter != nil && a.Getenv("JITSICTL_TERRAFORM_LOG") == "" {
		a.tfLog = &announcingWriter{w: f, announce: func() { a.Reporter.Infof("terraform output: %s", path) }}
	}
	return a.tfLog
}

// announcingWriter calls announce before its first write.
type announcingWriter struct {
	w        io.Writer
	once     sync.Once
	announce func()
}

func (w *announcingWriter) Write(p []byte) (int, error) {
	w.once.Do(w.announce)
	return w.w.Write(p)
}
