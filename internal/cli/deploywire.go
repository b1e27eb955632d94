package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/stage"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// deployer wires a stage.Deployer to the stack, the session record and AWS.
func (a *App) deployer(ctx context.Context, f *deployFlags, withChecks bool) (*stage.Deployer, *tf.Runner, error) {
	// --out is the user's path; Terraform writes plan files from inside --dir.
	out, err := filepath.Abs(f.out)
	if err != nil {
		return nil, nil, Usagef("--out %q: %v", f.out, err)
	}
	f.out = out
	sel, err := stage.LoadStages(f.config, f.stage)
	if err != nil {
		return nil, nil, err
	}
	r, be, err := a.initialisedStack(ctx)
	if err != nil {
		return nil, nil, err
	}
	nlb, awsCfg, err := a.nlbWanted(ctx, be)
	if err != nil {
		return nil, nil, err
	}
	d := &stage.Deployer{TF: r, Vars: tf.Vars{"nlb_enabled": nlb}, Stages: sel, Dir: f.out, Report: a.Reporter, Cost: stage.RegionCost(awsCfg.Region, a.Reporter)}
	if withChecks {
		d.Checks = &stage.Checker{SSM: ssm.NewFromConfig(awsCfg), ECS: ecs.NewFromConfig(awsCfg)}
		d.Backup = &stage.Backup{S3: awsx.S3(awsCfg, a.Getenv), Bucket: be.Bucket, StateKey: be.Key, Dir: f.out}
	}
	return d, r, nil
}

// nlbWanted is stage.NLBWanted on this stack's session record.
func (a *App) nlbWanted(ctx context.Context, be tf.Backend) (bool, aws.Config, error) {
	cfg, err := a.AWS(ctx)
	if err != nil {
		return false, cfg, err
	}
	nlb, err := stage.NLBWanted(ctx, a.sessionStore(cfg, be), a.Reporter)
	return nlb, cfg, err
}

// deployFlow publishes the deploy commands' results; r is the stack whose images an apply copies.
func (a *App) deployFlow(f *deployFlags, r *tf.Runner) stage.Flow {
	return stage.Flow{
		Report: a.Reporter, Run: a.run(), GitHub: a.github, Out: f.out,
		CheckImages: func(ctx context.Context, planned []stage.Planned) (string, error) {
			return a.checkImages(ctx, planVariables(planned)) // bad input stays a report.UsageError
		},
		CopyImages: func(ctx context.Context) error {
			cfg, err := a.AWS(ctx)
			if err != nil {
				return err
			}
			return a.copyImagesAfterApply(ctx, r, cfg)
		},
	}
}

func runDeployPlan(ctx context.Context, a *App, f *deployFlags, comment bool, pr int) error {
	d, _, err := a.deployer(ctx, f, false)
	if err != nil {
		return err
	}
	return a.deployFlow(f, nil).Plan(ctx, d, comment, pr)
}

func runDeployApply(ctx context.Context, a *App, f *deployFlags, reviewedFrom string) error {
	flow := a.deployFlow(f, nil)
	rev, err := flow.Reviewed(ctx, reviewedFrom)
	if err != nil {
		return err
	}
	d, r, err := a.deployer(ctx, f, true)
	if err != nil {
		return err
	}
	d.RollbackHint = stage.RollbackHint(a.Getenv("JITSICTL_DEPLOY_BEFORE"))
	return a.deployFlow(f, r).Apply(ctx, d, rev)
}

func runDeployRollback(ctx context.Context, a *App, f *deployFlags, ref, reviewedFile, branch string) error {
	if err := stage.ValidRef(ref); err != nil {
		return err
	}
	dir, err := a.StackDir()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "jitsictl-rollback-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	commit, old, rev, err := stage.RollbackSource(ctx, dir, ref, branch, reviewedFile, tmp)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return Usagef("--out %q: %v", f.out, err)
	}
	_, be, err := a.initialisedStack(ctx)
	if err != nil {
		return err
	}
	backend, err := tf.BackendConfigFile(dir, a.BackendConfig)
	if err == nil && backend == "" {
		// The stack was initialised with a file we do not have: the same backend from what init recorded.
		backend = filepath.Join(tmp, "backend.hcl")
		err = be.WriteConfig(backend, a.Getenv("AWS_ENDPOINT_URL") != "")
	}
	if err != nil {
		return err
	}
	r, err := a.terraform(ctx, old)
	if err != nil {
		return err
	}
	if err := r.Init(ctx, backend); err != nil {
		return err
	}
	nlb, awsCfg, err := a.nlbWanted(ctx, be)
	if err != nil {
		return err
	}
	d := &stage.Deployer{TF: r, Vars: tf.Vars{"nlb_enabled": nlb}, Stages: []stage.Numbered{stage.RollbackStage}, Dir: f.out, Report: a.Reporter, HeadSHA: commit}
	flow := a.deployFlow(f, r)
	if reviewedFile == "" {
		return flow.PlanRollback(ctx, d, ref, commit)
	}
	d.Backup = &stage.Backup{S3: awsx.S3(awsCfg, a.Getenv), Bucket: be.Bucket, StateKey: be.Key, Dir: f.out}
	return flow.ApplyRollback(ctx, d, rev, ref, commit)
}

func runDeployRestore(ctx context.Context, a *App, src string, force bool) error {
	r, _, err := a.initialisedStack(ctx)
	if err != nil {
		return err
	}
	cfg, err := a.AWS(ctx)
	if err == nil {
		err = stage.RestoreFrom(ctx, r, awsx.S3(cfg, a.Getenv), src, force, a.Reporter)
	}
	return err
}
