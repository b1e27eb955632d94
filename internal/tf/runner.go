// Package tf is the only place jitsictl runs terraform. It wraps terraform-exec with the
// project's conventions: a version floor, the local provider mirror when there is one,
// variables as -var flags, progress streamed to a writer, and an environment given only to
// terraform's child processes (never set on the jitsictl process itself).
package tf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/outputs"
)

// MinVersion is the oldest terraform that can run the stack: write-only arguments
// (value_wo) and ephemeral resources keep secrets out of state only from 1.11 on.
var MinVersion = version.Must(version.NewVersion("1.11.0"))

// Runner runs terraform in one working directory.
type Runner struct {
	tf *tfexec.Terraform
	// quiet runs the machine-readable commands (show -json, output, state pull): their
	// stdout carries variable values, sensitive ones included, so it never reaches the
	// progress writer.
	quiet    *tfexec.Terraform
	dir      string
	version  *version.Version
	baseVars Vars
	// noRefresh: see WithoutRefresh.
	noRefresh bool
	// lockTimeout is how long a command waits for another run's state lock.
	lockTimeout string
	// reattach: see WithReattach (nil: terraform starts its providers).
	reattach *tfexec.ReattachOption
}

type config struct {
	noRefresh bool
	execPath  string
	env       []string
	progress  io.Writer
	vars      Vars
	getenv    func(string) string
	lockWait  time.Duration
	reattach  string
}

// Option configures New.
type Option func(*config)

// WithExecPath uses this terraform binary instead of the one on PATH.
func WithExecPath(path string) Option { return func(c *config) { c.execPath = path } }

// WithEnv adds KEY=VALUE entries to terraform's environment (for example an emulator's
// AWS_ENDPOINT_URL). They override the inherited environment for terraform only.
func WithEnv(env []string) Option { return func(c *config) { c.env = append(c.env, env...) } }

// WithProgress streams terraform's stdout and stderr to w. Terraform prints sensitive
// values as (sensitive value) and never prints write-only ones.
func WithProgress(w io.Writer) Option { return func(c *config) { c.progress = w } }

// WithVars sets variables passed to every Plan and Apply; per-call Vars override them.
func WithVars(v Vars) Option { return func(c *config) { c.vars = c.vars.merge(v) } }

// WithLockTimeout sets how long every locking command waits for a state lock
// another run holds before it fails (terraform -lock-timeout). The default is
// DefaultLockTimeout, or LockTimeoutEnv when set.
func WithLockTimeout(d time.Duration) Option { return func(c *config) { c.lockWait = d } }

// WithoutRefresh makes every plan of this runner skip refreshing state
// (-refresh=false). A pull request's plan role may not read the stack's
// secrets, which a refresh of their SSM parameters would; such a plan shows
// the change against the recorded state, and apply (which refreshes) is held
// to it by the reviewed hash. Such a plan also takes no state lock (-lock=false):
// it writes nothing, and the plan role may not create or delete the lock file, so
// it can never break a running deploy's lock.
func WithoutRefresh() Option { return func(c *config) { c.noRefresh = true } }

// withGetenv replaces os.Getenv when reading JITSICTL_* settings (tests).
func withGetenv(f func(string) string) Option { return func(c *config) { c.getenv = f } }

// New prepares a runner for the configuration in dir: it finds terraform, checks its
// version and writes the provider-mirror CLI config when a mirror exists.
func New(ctx context.Context, dir string, opts ...Option) (*Runner, error) {
	c := config{getenv: os.Getenv}
	for _, o := range opts {
		o(&c)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	execPath := c.execPath
	if execPath == "" {
		if execPath, err = exec.LookPath("terraform"); err != nil {
			return nil, fmt.Errorf("terraform not found on PATH: install Terraform >= %s (https://developer.hashicorp.com/terraform/install) or pass its path", MinVersion)
		}
	}
	t, err := tfexec.NewTerraform(abs, execPath)
	if err != nil {
		return nil, fmt.Errorf("terraform in %s: %w", abs, err)
	}
	quiet, err := tfexec.NewTerraform(abs, execPath)
	if err != nil {
		return nil, fmt.Errorf("terraform in %s: %w", abs, err)
	}

	env, err := childEnv(os.Environ(), c.env)
	if err != nil {
		return nil, err
	}
	// JITSICTL_PLUGIN_* given with WithEnv count as much as the process's own.
	getenv := func(k string) string {
		for _, kv := range c.env {
			if key, v, _ := strings.Cut(kv, "="); key == k {
				return v
			}
		}
		return c.getenv(k)
	}
	cliConfig, err := writeCLIConfig(abs, getenv)
	if err != nil {
		return nil, err
	}
	if cliConfig != "" {
		env["TF_CLI_CONFIG_FILE"] = cliConfig
	}
	for _, x := range []*tfexec.Terraform{t, quiet} {
		if err := x.SetEnv(env); err != nil {
			return nil, fmt.Errorf("terraform environment: %w", err)
		}
	}
	if c.progress != nil {
		// terraform-exec copies stdout and stderr in two goroutines: one
		// writer for both must take turns.
		w := &syncWriter{w: c.progress}
		t.SetStdout(w)
		t.SetStderr(w)
	}
	lockWait, err := lockTimeout(c.lockWait, getenv)
	if err != nil {
		return nil, err
	}
	reattach, err := reattachOption(c.reattach)
	if err != nil {
		return nil, err
	}

	v, _, err := quiet.Version(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("terraform version (%s): %w", execPath, err)
	}
	if err := checkVersion(v); err != nil {
		return nil, fmt.Errorf("%s: %w", execPath, err)
	}
	return &Runner{tf: t, quiet: quiet, dir: abs, version: v, baseVars: c.vars, noRefresh: c.noRefresh,
		lockTimeout: fmt.Sprintf("%ds", int64(lockWait/time.Second)), reattach: reattach}, nil
}

func checkVersion(v *version.Version) error {
	if v.Core().LessThan(MinVersion) {
		return fmt.Errorf("terraform %s is too old: jitsictl needs >= %s for write-only secrets (install from https://developer.hashicorp.com/terraform/install)", v, MinVersion)
	}
	return nil
}

// childEnv is the inherited environment plus extra, as the map tfexec wants. TF_VAR_*
// and other variables terraform-exec manages itself are refused by tfexec; inherited ones
// are dropped here so that only explicit Vars decide the configuration.
func childEnv(inherited, extra []string) (map[string]string, error) {
	env := make(map[string]string, len(inherited)+len(extra))
	for _, kv := range inherited {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	extras := map[string]string{}
	for _, kv := range extra {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("terraform environment entry %q is not KEY=VALUE", kv)
		}
		extras[k] = v
	}
	if bad := tfexec.ProhibitedEnv(extras); len(bad) > 0 {
		return nil, fmt.Errorf("terraform environment: %s is managed by jitsictl (pass variables as tf.Vars)", strings.Join(bad, ", "))
	}
	maps.Copy(env, extras)
	for _, k := range tfexec.ProhibitedEnv(env) {
		delete(env, k)
	}
	return env, nil
}

// Dir is the absolute working directory.
func (r *Runner) Dir() string { return r.dir }

// Version is the terraform version in use.
func (r *Runner) Version() *version.Version { return r.version }

// Init runs terraform init with a -backend-config file. With backendConfigFile "" it
// skips the backend (-backend=false): enough for validate, and for configurations without
// a backend block, whose local state needs no initialisation.
func (r *Runner) Init(ctx context.Context, backendConfigFile string) error {
	defer r.guardGroup(ctx)()
	opts := []tfexec.InitOption{tfexec.Upgrade(false)}
	if backendConfigFile != "" {
		opts = append(opts, tfexec.BackendConfig(backendConfigFile), tfexec.Reconfigure(true))
	} else {
		opts = append(opts, tfexec.Backend(false))
	}
	if err := r.tf.Init(ctx, opts...); err != nil {
		return fmt.Errorf("terraform init in %s: %w", r.dir, err)
	}
	return nil
}

// Plan runs terraform plan and reports whether it has changes. outFile may be "" to not
// save the plan. targets are resource addresses for -target (normally none).
func (r *Runner) Plan(ctx context.Context, vars Vars, targets []string, outFile string) (bool, error) {
	defer r.guardGroup(ctx)()
	var opts []tfexec.PlanOption
	vs, err := r.baseVars.merge(vars).args()
	if err != nil {
		return false, err
	}
	for _, v := range vs {
		opts = append(opts, tfexec.Var(v))
	}
	for _, t := range targets {
		opts = append(opts, tfexec.Target(t))
	}
	if outFile != "" {
		opts = append(opts, tfexec.Out(outFile))
	}
	if r.noRefresh {
		opts = append(opts, tfexec.Refresh(false), tfexec.Lock(false))
	}
	opts = append(opts, tfexec.LockTimeout(r.lockTimeout))
	if r.reattach != nil {
		opts = append(opts, r.reattach)
	}
	changes, err := r.tf.Plan(ctx, opts...)
	if err != nil {
		return false, fmt.Errorf("terraform plan in %s: %w", r.dir, err)
	}
	return changes, nil
}

// ShowPlan reads a saved plan file as JSON (terraform show -json).
func (r *Runner) ShowPlan(ctx context.Context, file string) (*tfjson.Plan, error) {
	var opts []tfexec.ShowOption
	if r.reattach != nil {
		opts = append(opts, r.reattach)
	}
	p, err := r.quiet.ShowPlanFile(ctx, file, opts...)
	if err != nil {
		return nil, fmt.Errorf("terraform show %s: %w", file, err)
	}
	return p, nil
}

// Apply runs terraform apply -auto-approve with vars and optional targets.
func (r *Runner) Apply(ctx context.Context, vars Vars, targets []string) error {
	defer r.guardGroup(ctx)()
	var opts []tfexec.ApplyOption
	vs, err := r.baseVars.merge(vars).args()
	if err != nil {
		return err
	}
	for _, v := range vs {
		opts = append(opts, tfexec.Var(v))
	}
	for _, t := range targets {
		opts = append(opts, tfexec.Target(t))
	}
	opts = append(opts, tfexec.LockTimeout(r.lockTimeout))
	if r.reattach != nil {
		opts = append(opts, r.reattach)
	}
	if err := r.tf.Apply(ctx, opts...); err != nil {
		return fmt.Errorf("terraform apply in %s: %w", r.dir, err)
	}
	return nil
}

// ApplyPlan applies a saved plan file exactly (terraform refuses a stale one).
func (r *Runner) ApplyPlan(ctx context.Context, file string) error {
	defer r.guardGroup(ctx)()
	opts := []tfexec.ApplyOption{tfexec.DirOrPlan(file), tfexec.LockTimeout(r.lockTimeout)}
	if r.reattach != nil {
		opts = append(opts, r.reattach)
	}
	if err := r.tf.Apply(ctx, opts...); err != nil {
		return fmt.Errorf("terraform apply %s: %w", file, err)
	}
	return nil
}

// Output returns every root output's JSON value by name.
func (r *Runner) Output(ctx context.Context) (map[string]json.RawMessage, error) {
	metas, err := r.quiet.Output(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform output in %s: %w", r.dir, err)
	}
	out := make(map[string]json.RawMessage, len(metas))
	for k, m := range metas {
		out[k] = m.Value
	}
	return out, nil
}

// Outputs returns the stack's outputs as the typed struct the rest of jitsictl uses.
func (r *Runner) Outputs(ctx context.Context) (outputs.Outputs, error) {
	raw, err := r.Output(ctx)
	if err != nil {
		return outputs.Outputs{}, err
	}
	if len(raw) == 0 {
		return outputs.Outputs{}, errors.New("the stack has no outputs: has it been applied (jitsictl deploy)?")
	}
	return outputs.Parse(raw)
}

// StatePull returns the current state document (terraform state pull). It may hold
// sensitive attributes: keep it off logs.
func (r *Runner) StatePull(ctx context.Context) ([]byte, error) {
	s, err := r.quiet.StatePull(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform state pull in %s: %w", r.dir, err)
	}
	return []byte(s), nil
}

// StatePush replaces the remote state with the file's (terraform refuses an older serial
// or another lineage unless forced; this never forces).
func (r *Runner) StatePush(ctx context.Context, file string) error {
	if err := r.tf.StatePush(ctx, file, tfexec.LockTimeout(r.lockTimeout)); err != nil {
		return fmt.Errorf("terraform state push %s: %w", file, err)
	}
	return nil
}

// Validate runs terraform validate and returns its diagnostics as one error.
func (r *Runner) Validate(ctx context.Context) error {
	out, err := r.quiet.Validate(ctx)
	if err != nil {
		return fmt.Errorf("terraform validate in %s: %w", r.dir, err)
	}
	if out.Valid {
		return nil
	}
	var msgs []string
	for _, d := range out.Diagnostics {
		where := ""
		if d.Range != nil {
			where = fmt.Sprintf("%s:%d: ", d.Range.Filename, d.Range.Start.Line)
		}
		msgs = append(msgs, where+d.Summary+": "+d.Detail)
	}
	return fmt.Errorf("terraform validate in %s: %s", r.dir, strings.Join(msgs, "; "))
}

// UnformattedFiles lists the files terraform fmt -recursive would change.
func (r *Runner) UnformattedFiles(ctx context.Context) ([]string, error) {
	ok, files, err := r.quiet.FormatCheck(ctx, tfexec.Recursive(true))
	if err != nil {
		return nil, fmt.Errorf("terraform fmt -check in %s: %w", r.dir, err)
	}
	if ok {
		return nil, nil
	}
	return files, nil
}
