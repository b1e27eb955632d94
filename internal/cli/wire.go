package cli

import (
	"context"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// terraform builds the runner for dir.
func (a *App) terraform(ctx context.Context, dir string) (*tf.Runner, error) {
	return tf.Settings{Getenv: a.Getenv, Profile: a.Profile, Region: a.Region, Log: a.terraformLog(), WithoutRefresh: a.planWithoutRefresh}.Runner(ctx, dir)
}

// initialisedStack returns a runner for --dir, initialised (tf.Initialised).
func (a *App) initialisedStack(ctx context.Context) (*tf.Runner, tf.Backend, error) {
	dir, err := a.StackDir()
	if err != nil {
		return nil, tf.Backend{}, err
	}
	r, err := a.terraform(ctx, dir)
	if err != nil {
		return nil, tf.Backend{}, err
	}
	be, err := tf.Initialised(ctx, r, dir, a.BackendConfig, a.Reporter.Infof)
	return r, be, err
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
	store, w := a.sessionStore(cfg, be), a.sessionWiring
	w.Owner, w.Reaper, w.LeaseWait = a.run().LeaseOwner(), a.reaper(), a.leaseWait
	w.Lock = session.S3StateLock{API: store.API, Bucket: be.Bucket, StateKey: be.Key, TF: r}
	return session.ForStack(cfg, store, tf.SessionStack{R: r}, out, a.Reporter, w, a.sessionConfig)
}

// sessionCommands are the session subcommands wired to this run: the
// Manager and Publisher, and the cost after a close.
func (a *App) sessionCommands() session.Commands {
	return session.Commands{Closed: a.closeCost, Wire: func(ctx context.Context) (*session.Manager, session.Publisher, error) {
		m, err := a.sessionManager(ctx)
		return m, a.sessionPublisher(), err
	}}
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

// terraformLog is where Terraform's own output goes (tf.Log), opened once.
func (a *App) terraformLog() io.Writer {
	if a.tfLog == nil {
		var announce func(string)
		if a.Reporter != nil {
			announce = func(path string) { a.Reporter.Infof("terraform output: %s", path) }
		}
		a.tfLog = tf.Log(a.Getenv, a.run().Actions && a.Output != "json", a.Stderr, announce)
	}
	return a.tfLog
}
