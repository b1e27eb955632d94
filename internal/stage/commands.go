package stage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Stack is the Terraform stack and the AWS account the deploy commands run
// on, as cli wires them from its global flags.
type Stack struct {
	// Dir checks --dir and returns the stack's absolute root.
	Dir func() (string, error)
	// BackendConfig is --backend-config (absolute; empty: <dir>/backend.hcl when it exists).
	BackendConfig string
	// Initialised is the runner of the stack's root, initialised, and its backend.
	Initialised func(context.Context) (*tf.Runner, tf.Backend, error)
	// Terraform builds a runner for another root (a rollback's old checkout).
	Terraform func(ctx context.Context, dir string) (*tf.Runner, error)
	AWS       func(context.Context) (aws.Config, error)
	Getenv    func(string) string
}

// PlanStages plans the stages sel (name or number; empty: all) of the
// config file and publishes them (see plan).
func (f Flow) PlanStages(ctx context.Context, config, sel string, comment bool, pr int) error {
	d, _, err := f.deployer(ctx, config, sel, false)
	if err != nil {
		return err
	}
	return f.plan(ctx, d, comment, pr)
}

// ApplyStages backs the state up and applies the stages sel of the config
// file exactly as reviewed (reviewedFrom: see Reviewed), checking each.
func (f Flow) ApplyStages(ctx context.Context, config, sel, reviewedFrom string) error {
	rev, err := f.Reviewed(ctx, reviewedFrom)
	if err != nil {
		return err
	}
	d, r, err := f.deployer(ctx, config, sel, true)
	if err != nil {
		return err
	}
	d.RollbackHint = RollbackHint(f.Stack.Getenv("JITSICTL_DEPLOY_BEFORE"))
	return f.apply(ctx, d, r, rev)
}

// deployer wires a Deployer to the initialised stack, the session record
// and AWS; withChecks adds apply's checks and state backup.
func (f Flow) deployer(ctx context.Context, config, sel string, withChecks bool) (*Deployer, *tf.Runner, error) {
	stages, err := LoadStages(config, sel)
	if err != nil {
		return nil, nil, err
	}
	r, be, err := f.Stack.Initialised(ctx)
	if err != nil {
		return nil, nil, err
	}
	nlb, cfg, err := f.nlbWanted(ctx, be)
	if err != nil {
		return nil, nil, err
	}
	d := &Deployer{TF: r, Vars: tf.Vars{"nlb_enabled": nlb}, Stages: stages, Dir: f.Out, Report: f.Report, Cost: RegionCost(cfg.Region, f.Report)}
	if withChecks {
		d.Checks = &Checker{SSM: ssm.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg)}
		d.Backup = f.backup(cfg, be)
	}
	return d, r, nil
}

// nlbWanted is NLBWanted on the session record beside the stack's state.
func (f Flow) nlbWanted(ctx context.Context, be tf.Backend) (bool, aws.Config, error) {
	cfg, err := f.Stack.AWS(ctx)
	if err != nil {
		return false, cfg, err
	}
	nlb, err := NLBWanted(ctx, session.StoreBeside(awsx.S3(cfg, f.Stack.Getenv), be.Bucket, be.Key), f.Report)
	return nlb, cfg, err
}

// backup is apply's state backup: beside the state, and a copy in Out.
func (f Flow) backup(cfg aws.Config, be tf.Backend) *Backup {
	return &Backup{S3: awsx.S3(cfg, f.Stack.Getenv), Bucket: be.Bucket, StateKey: be.Key, Dir: f.Out}
}

// Rollback re-applies the stack configuration of ref, a commit on branch,
// read from git into a temporary folder and run against the current state
// and backend: without reviewedFile it plans it (planRollback), with it it
// applies exactly that plan (applyRollback).
func (f Flow) Rollback(ctx context.Context, ref, reviewedFile, branch string) error {
	if err := ValidRef(ref); err != nil {
		return err
	}
	dir, err := f.Stack.Dir()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "jitsictl-rollback-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	commit, old, rev, err := RollbackSource(ctx, dir, ref, branch, reviewedFile, tmp)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Out, 0o755); err != nil {
		return report.Usagef("--out %q: %v", f.Out, err)
	}
	_, be, err := f.Stack.Initialised(ctx)
	if err != nil {
		return err
	}
	backend, err := tf.BackendConfigFile(dir, f.Stack.BackendConfig)
	if err == nil && backend == "" {
		// The stack was initialised with a file we do not have: the same backend from what init recorded.
		backend = filepath.Join(tmp, "backend.hcl")
		err = be.WriteConfig(backend, f.Stack.Getenv("AWS_ENDPOINT_URL") != "")
	}
	if err != nil {
		return err
	}
	r, err := f.Stack.Terraform(ctx, old)
	if err != nil {
		return err
	}
	if err := r.Init(ctx, backend); err != nil {
		return err
	}
	nlb, cfg, err := f.nlbWanted(ctx, be)
	if err != nil {
		return err
	}
	d := &Deployer{TF: r, Vars: tf.Vars{"nlb_enabled": nlb}, Stages: []Numbered{RollbackStage}, Dir: f.Out, Report: f.Report, HeadSHA: commit}
	if reviewedFile == "" {
		return f.planRollback(ctx, d, ref, commit)
	}
	d.Backup = f.backup(cfg, be)
	return f.applyRollback(ctx, d, r, rev, ref, commit)
}

// Restore pushes the state backup src (s3://… or a file) as the stack's
// current state (RestoreFrom).
func (f Flow) Restore(ctx context.Context, src string, force bool) error {
	r, _, err := f.Stack.Initialised(ctx)
	if err != nil {
		return err
	}
	cfg, err := f.Stack.AWS(ctx)
	if err == nil {
		err = RestoreFrom(ctx, r, awsx.S3(cfg, f.Stack.Getenv), src, force, f.Report)
	}
	return err
}

// checkImages is plan's image check (images.CheckPlanned) on the root
// variables of the first stage that planned, and Markdown for the summary;
// images.CheckEnv=skip skips it on an emulator. Bad settings are a
// report.UsageError, which stops the plan; a failed check fails it after it
// is published.
func (f Flow) checkImages(ctx context.Context, planned []Planned) (string, error) {
	src, skip, err := images.CheckSource(f.Stack.Getenv)
	switch {
	case err != nil:
		return "", report.UsageError{Err: err}
	case skip:
		f.Report.Warnf("image check skipped (%s=skip, on the emulator AWS_ENDPOINT_URL names)", images.CheckEnv)
		return "", nil
	}
	return images.CheckPlanned(ctx, f.Report, src, planVariables(planned))
}

// planVariables are the root variables of the first stage that planned.
func planVariables(planned []Planned) map[string]any {
	for _, p := range planned {
		if p.Plan != nil && p.Plan.Variables != nil {
			return images.VariableValues(p.Plan.Variables)
		}
	}
	return nil
}

// copyImages reads the applied stack's images output (r's) and copies them
// into ECR when it says so: before any session can start a task that pulls
// them.
func (f Flow) copyImages(ctx context.Context, r *tf.Runner) error {
	cfg, err := f.Stack.AWS(ctx)
	if err != nil {
		return err
	}
	out, err := r.Outputs(ctx)
	if err != nil {
		return fmt.Errorf("read the stack's outputs to copy its images: %w", err)
	}
	return images.CopyToECR(ctx, f.Report, out.Images, images.Registry{Host: f.Stack.Getenv(images.RegistryEnv)}, cfg)
}
