package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/prcomment"
	"github.com/jitsictl/jitsictl/internal/stage"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func init() { register(newDeployCmd) }

type deployFlags struct {
	config string
	stage  string
	out    string
}

func newDeployCmd(a *App) *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Plan and apply Terraform changes in reviewed stages; roll back",
		Long: `deploy runs a change to the stack as the ordered stages of jitsictl.yaml: each
stage is a targeted saved plan with a policy of allowed actions and checks of
its expected result. plan shows every stage (and comments on the pull request);
apply backs the state up, applies only what was reviewed, stage by stage, and
ends with a full plan that must be empty. Every Terraform run gets nlb_enabled
from the session record, so a deploy never removes a live session's NLB.`,
		Example: `  jitsictl deploy plan --out plans
  jitsictl deploy apply --reviewed plans/reviewed.json --out plans
  jitsictl deploy rollback --ref HEAD~1
  jitsictl deploy restore-state s3://my-state/jitsi/backups/terraform.tfstate.20261127T101500Z.serial-41`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Usagef("deploy needs an action: plan, apply, rollback or restore-state")
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.config, "config", "jitsictl.yaml", "file with the deploy stages")
	pf.StringVar(&f.stage, "stage", "", "run only this stage (name or number); default all")
	pf.StringVar(&f.out, "out", "jitsictl-deploy", "directory for plan files, reviewed.json, summary.md and the state backup")
	cmd.AddCommand(newDeployPlan(a, &f), newDeployApply(a, &f), newDeployRollback(a, &f), newDeployRestore(a, &f))
	return cmd
}

func newDeployPlan(a *App, f *deployFlags) *cobra.Command {
	var comment, refresh bool
	var pr int
	c := &cobra.Command{
		Use:   "plan",
		Short: "Plan every stage: summary, policy verdict, cost delta and hash (and the pull request comment)",
		Long: `plan saves one plan per stage into --out as Terraform sees it now. Stage 1 is
exactly what apply does first; a later stage's plan also shows the changes of
earlier stages it depends on, so it is the superset apply holds that stage to.
The hashes go to reviewed.json (and hidden into the pull request comment); the
Markdown goes to summary.md and the job summary. With --pr-comment it keeps one
sticky comment on the pull request (GITHUB_TOKEN, GITHUB_REPOSITORY and the PR
number from --pr or the event); a read-only token (fork) writes the summary only.`,
		Example: `  jitsictl deploy plan --out plans
  jitsictl deploy plan --stage parameters
  GITHUB_TOKEN=... jitsictl deploy plan --pr-comment --pr 42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !refresh {
				a.planWithoutRefresh = true
				a.Reporter.Infof("planning without refresh: changes against the recorded state; drift shows at apply, which must match this plan")
			}
			return runDeployPlan(cmd.Context(), a, f, comment, pr)
		},
	}
	c.Flags().BoolVar(&refresh, "refresh", true, "refresh state before planning; --refresh=false for the read-only plan role of pull requests: no refresh (it may not read the stack's secrets) and no state lock (it may not write the lock file)")
	c.Flags().BoolVar(&comment, "pr-comment", false, "create or update the sticky pull request comment")
	c.Flags().IntVar(&pr, "pr", 0, "pull request number (default: from the GitHub event)")
	return c
}

func newDeployApply(a *App, f *deployFlags) *cobra.Command {
	var reviewed string
	c := &cobra.Command{
		Use:   "apply",
		Short: "Back up the state, then apply each stage exactly as reviewed and check it",
		Example: `  jitsictl deploy apply --reviewed plans/reviewed.json --out plans
  jitsictl deploy apply --stage 1 --reviewed plans/reviewed.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reviewed == "" {
				return Usagef("deploy apply needs --reviewed <file|pr:N>: the reviewed.json written by deploy plan, or the pull request whose plan comment was reviewed")
			}
			return runDeployApply(cmd.Context(), a, f, reviewed)
		},
	}
	c.Flags().StringVar(&reviewed, "reviewed", "", "reviewed.json from deploy plan (stage → plan hash), or pr:N to read the hashes from pull request N's plan comment")
	return c
}

func newDeployRollback(a *App, f *deployFlags) *cobra.Command {
	var ref, reviewed, branch string
	c := &cobra.Command{
		Use:   "rollback",
		Short: "Plan the stack configuration of an earlier commit of the default branch, then apply exactly that plan",
		Long: `rollback extracts the Terraform files of --ref from git (never touching the
working tree). The commit must be on the default branch (an ancestor of it): a
rollback returns to reviewed history, never to an unmerged branch; anything else is
refused before any AWS call. Without --reviewed it plans that configuration in full
against the current state as one stage "rollback" and writes its hash to
reviewed.json and summary.md (like deploy plan). With --reviewed it backs the state
up, re-plans, refuses any plan whose hash differs from the reviewed one, applies it
and checks that a fresh plan is empty. It does not restore state: see deploy
restore-state.`,
		Example: `  jitsictl deploy rollback --ref 1a2b3c4 --out rollback
  jitsictl deploy rollback --ref 1a2b3c4 --out rollback --reviewed rollback/reviewed.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDeployRollback(cmd.Context(), a, f, ref, reviewed, branch)
		},
	}
	c.Flags().StringVar(&ref, "ref", "HEAD~1", "git commit whose configuration to re-apply (default: the commit before the deploy)")
	c.Flags().StringVar(&reviewed, "reviewed", "", "reviewed.json written by the rollback's plan: apply exactly that plan")
	c.Flags().StringVar(&branch, "default-branch", "main", "the repository's default branch; --ref must be on it")
	return c
}

func newDeployRestore(a *App, f *deployFlags) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "restore-state <backup>",
		Short: "Push a state backup (s3://… or a file) as the current state",
		Long: `restore-state replaces the current state with a backup taken by deploy apply.
It refuses a backup from another state (lineage) or one older than the current
state unless --force is given.`,
		Example: `  jitsictl deploy restore-state s3://my-state/jitsi/backups/terraform.tfstate.20261127T101500Z.serial-41
  jitsictl deploy restore-state jitsictl-deploy/state-backup-terraform.tfstate.20261127T101500Z.serial-41`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDeployRestore(cmd.Context(), a, args[0], force)
		},
	}
	c.Flags().BoolVar(&force, "force", false, "restore a backup of another lineage or an older serial")
	return c
}

// deployer wires a stage.Deployer to the stack, the session record and AWS.
func (a *App) deployer(ctx context.Context, f *deployFlags, withChecks bool) (*stage.Deployer, *tf.Runner, tf.Backend, error) {
	// --out is the user's path; Terraform writes plan files from inside --dir.
	out, err := filepath.Abs(f.out)
	if err != nil {
		return nil, nil, tf.Backend{}, usageError{fmt.Errorf("--out %q: %w", f.out, err)}
	}
	f.out = out
	cfg, err := stage.Load(f.config)
	if err != nil {
		return nil, nil, tf.Backend{}, usageError{fmt.Errorf("%w (pass --config with the file holding deploy.stages)", err)}
	}
	sel, err := cfg.Select(f.stage)
	if err != nil {
		return nil, nil, tf.Backend{}, usageError{fmt.Errorf("--stage: %w", err)}
	}
	r, be, err := a.initialisedStack(ctx)
	if err != nil {
		return nil, nil, be, err
	}
	awsCfg, err := a.AWS(ctx)
	if err != nil {
		return nil, nil, be, err
	}
	nlb, err := a.nlbWanted(ctx, be)
	if err != nil {
		return nil, nil, be, err
	}
	d := &stage.Deployer{TF: r, Vars: tf.Vars{"nlb_enabled": nlb}, Stages: sel, Dir: f.out, Report: a.Reporter}
	if withChecks {
		d.Checks = &stage.Checker{SSM: ssm.NewFromConfig(awsCfg), ECS: ecs.NewFromConfig(awsCfg)}
	}
	if prices, err := cost.Embedded(); err == nil {
		if rp, err := prices.Lookup(awsCfg.Region); err == nil {
			d.Cost = stage.CostOf(rp, deployCostBase())
		} else {
			a.Reporter.Warnf("no prices for %s: the cost delta shows n/a (%v)", awsCfg.Region, err)
		}
	}
	return d, r, be, nil
}

// deployCostBase is the session shape a plan's cost delta is priced on: the stack's
// defaults (two NLB addresses, a task public IP, five participants). Stored bytes are
// not in a plan, so the idle delta shows what the plan itself changes.
func deployCostBase() cost.Scenario {
	s, _ := cost.SeedScenario()
	return cost.Scenario{Session: s}
}

// nlbWanted reads the session record: while a session is (or may be) live, every
// Terraform run keeps nlb_enabled = true.
func (a *App) nlbWanted(ctx context.Context, be tf.Backend) (bool, error) {
	cfg, err := a.AWS(ctx)
	if err != nil {
		return false, err
	}
	store := a.sessionStore(cfg, be)
	rec, err := store.Load(ctx)
	if err != nil {
		return false, fmt.Errorf("read the session record s3://%s/%s (deploy must know whether a session is live, or it could destroy its NLB): %w", be.Bucket, store.Key, err)
	}
	want := rec.NLBWanted()
	if want {
		a.Reporter.Infof("session %s: planning with nlb_enabled = true so the live session's NLB stays", rec.State)
	}
	return want, nil
}

func runDeployPlan(ctx context.Context, a *App, f *deployFlags, comment bool, pr int) error {
	d, _, _, err := a.deployer(ctx, f, false)
	if err != nil {
		return err
	}
	head := a.run().SHA
	d.HeadSHA = head
	planned, err := d.Plan(ctx)
	if err != nil {
		return err
	}
	imagesMD, imagesErr := a.checkImages(ctx, planVariables(planned))
	if errors.As(imagesErr, new(usageError)) {
		return imagesErr
	}
	doc := stage.PlanComment(planned, a.runURL(), head)
	md := stage.PlanSummary(doc, len(planned)) + imagesMD
	if imagesErr != nil {
		md += "\n### Image check failed\n\n```\n" + imagesErr.Error() + "\n```\n"
	}
	if err := stage.PublishPlan(a.Reporter, planned, md, f.out); err != nil {
		return err
	}
	a.Reporter.Infof("%s", prcomment.Headline(doc.Stages))

	if comment {
		if err := a.upsertPlanComment(ctx, doc, pr); err != nil {
			return err
		}
	}
	if err := stage.Failed(planned); err != nil {
		a.Reporter.Errorf("%v", err)
		return Failed("deploy plan: a stage failed to plan or breaks its policy")
	}
	if imagesErr != nil {
		a.Reporter.Errorf("%v", imagesErr)
		return Failed("deploy plan: the pinned images failed their check")
	}
	return nil
}

// prNumber finds the pull request: --pr, else the run's (event payload or ref).
func (a *App) prNumber(flag int) (int, error) {
	if flag > 0 {
		return flag, nil
	}
	if n := a.run().Number; n > 0 {
		return n, nil
	}
	return 0, errors.New("no pull request number: pass --pr or run on a pull_request event")
}

func (a *App) upsertPlanComment(ctx context.Context, doc prcomment.Comment, prFlag int) error {
	if a.run().Token == "" {
		return Usagef("--pr-comment needs GITHUB_TOKEN in the environment (the action's github-token input)")
	}
	if _, err := a.run().Repo(); err != nil {
		return Usagef("--pr-comment needs GITHUB_REPOSITORY=owner/repo")
	}
	pr, err := a.prNumber(prFlag)
	if err != nil {
		return usageError{err}
	}
	client, err := a.github("pull request comment")
	if err != nil {
		return err
	}
	res, err := github.UpsertComment(ctx, client.Issues, github.CommentTarget{Owner: client.Repo.Owner, Repo: client.Repo.Name, Number: pr, Marker: prcomment.Marker(doc.Key)}, prcomment.Render(doc))
	if err != nil {
		return fmt.Errorf("pull request comment: %w", err)
	}
	switch res.Outcome {
	case github.SummaryOnly:
		a.Reporter.Warnf("the token may not comment on pull request #%d (%s): the plan is in the job summary only", pr, res.Reason)
	default:
		a.Reporter.Infof("pull request #%d: comment %s %s", pr, res.Outcome, res.URL)
		a.Reporter.Output("comment-url", res.URL)
	}
	return nil
}

func runDeployApply(ctx context.Context, a *App, f *deployFlags, reviewedFrom string) error {
	var rev stage.Reviewed
	var err error
	if n, ok := strings.CutPrefix(reviewedFrom, "pr:"); ok {
		pr, perr := strconv.Atoi(n)
		if perr != nil || pr <= 0 {
			return Usagef("--reviewed %q: use pr:<pull request number>", reviewedFrom)
		}
		if rev.Stages, err = a.reviewedFromPR(ctx, pr); err != nil {
			return err
		}
	} else if rev, err = stage.ReadReviewed(reviewedFrom); err != nil {
		return usageError{err}
	}
	d, r, be, err := a.deployer(ctx, f, true)
	if err != nil {
		return err
	}
	awsCfg, err := a.AWS(ctx)
	if err != nil {
		return err
	}
	d.Backup = &stage.Backup{S3: awsx.S3(awsCfg, a.Getenv), Bucket: be.Bucket, StateKey: be.Key, Dir: f.out}
	d.RollbackHint = a.rollbackHint()
	if sha := a.run().SHA; rev.HeadSHA != "" && sha != "" && rev.HeadSHA != sha {
		a.Reporter.Infof("reviewed at %s, applying at %s: the plan hashes decide", rev.HeadSHA, sha)
	}
	res, err := d.Apply(ctx, rev.Stages)
	if err == nil {
		err = a.copyImagesAfterApply(ctx, r, awsCfg)
	}
	if res.Backup.Local != "" {
		abs, _ := filepath.Abs(res.Backup.Local)
		a.Reporter.Output("backup-path", abs)
	}
	applied := make([]string, len(res.Applied))
	for i, s := range res.Applied {
		applied[i] = s.Label()
	}
	a.Reporter.Result(struct {
		Backup       stage.Saved `json:"backup"`
		Applied      []string    `json:"applied"`
		FinalChecked bool        `json:"final_plan_empty"`
		Error        string      `json:"error,omitempty"`
	}{res.Backup, applied, res.FinalChecked, errString(err)})
	if err != nil {
		a.Reporter.Summary("### Deploy failed\n\n```\n" + err.Error() + "\n```\n")
		return err
	}
	a.Reporter.Summary(fmt.Sprintf("### Deploy applied\n\nStages: %s. State backup (serial %d): `%s`.\n", strings.Join(applied, ", "), res.Backup.Serial, res.Backup.Remote))
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// rollbackHint names the command that undoes this deploy: the commit before it.
func (a *App) rollbackHint() string {
	ref := "HEAD~1"
	if b := a.Getenv("JITSICTL_DEPLOY_BEFORE"); b != "" && strings.Trim(b, "0") != "" {
		ref = b
	}
	return "jitsictl deploy rollback --ref " + ref
}

func runDeployRollback(ctx context.Context, a *App, f *deployFlags, ref, reviewedFile, branch string) error {
	if strings.TrimSpace(ref) == "" || strings.HasPrefix(ref, "-") {
		return Usagef("--ref %q is not a git ref", ref)
	}
	var rev stage.Reviewed
	if reviewedFile != "" {
		var err error
		if rev, err = stage.ReadReviewed(reviewedFile); err != nil {
			return usageError{err}
		}
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return usageError{fmt.Errorf("--out %q: %w", f.out, err)}
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
	// Git only, before any AWS call: which commit, and is it history of the default branch.
	commit, old, err := stage.ExtractRef(ctx, dir, ref, tmp)
	if err != nil {
		return usageError{err}
	}
	if err := stage.OnDefaultBranch(ctx, dir, commit, branch); err != nil {
		return usageError{err}
	}
	if reviewedFile != "" && rev.HeadSHA != commit {
		return Usagef("--reviewed %s is the plan of commit %q, not of %s (%s): plan this rollback first", reviewedFile, rev.HeadSHA, ref, commit)
	}

	_, be, err := a.initialisedStack(ctx)
	if err != nil {
		return err
	}
	backend := a.BackendConfig
	if backend == "" {
		if _, err := os.Stat(filepath.Join(dir, "backend.hcl")); err == nil {
			backend = filepath.Join(dir, "backend.hcl")
		}
	}
	if backend == "" {
		// The stack was initialised with a backend config file we do not have: describe
		// the same backend from what init recorded.
		backend = filepath.Join(tmp, "backend.hcl")
		conf := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nuse_lockfile = true\nencrypt = true\n", be.Bucket, be.Key, be.Region)
		if a.Getenv("AWS_ENDPOINT_URL") != "" {
			conf += "use_path_style = true\n"
		}
		if err := os.WriteFile(backend, []byte(conf), 0o600); err != nil {
			return err
		}
	} else if backend, err = filepath.Abs(backend); err != nil {
		return err
	}
	r, err := a.terraform(ctx, old)
	if err != nil {
		return err
	}
	if err := r.Init(ctx, backend); err != nil {
		return err
	}
	nlb, err := a.nlbWanted(ctx, be)
	if err != nil {
		return err
	}
	d := &stage.Deployer{TF: r, Vars: tf.Vars{"nlb_enabled": nlb}, Stages: []stage.Numbered{stage.RollbackStage}, Dir: f.out, Report: a.Reporter, HeadSHA: commit}

	if reviewedFile == "" {
		a.Reporter.Infof("planning a rollback to the configuration of %s (%s)", ref, commit)
		planned, err := d.Plan(ctx)
		if err != nil {
			return err
		}
		md := fmt.Sprintf("### Rollback to %s\n\nApply it with the hash below (reviewed.json) after approval.\n\n", commit) +
			stage.PlanSummary(stage.PlanComment(planned, a.runURL(), commit), 1)
		if err := stage.PublishPlan(a.Reporter, planned, md, f.out); err != nil {
			return err
		}
		if err := stage.Failed(planned); err != nil {
			a.Reporter.Errorf("%v", err)
			return Failed("deploy rollback: the plan failed")
		}
		return nil
	}

	awsCfg, err := a.AWS(ctx)
	if err != nil {
		return err
	}
	d.Backup = &stage.Backup{S3: awsx.S3(awsCfg, a.Getenv), Bucket: be.Bucket, StateKey: be.Key, Dir: f.out}
	a.Reporter.Infof("rolling back to the configuration of %s (%s), as reviewed", ref, commit)
	res, err := d.Apply(ctx, rev.Stages)
	if err == nil {
		err = a.copyImagesAfterApply(ctx, r, awsCfg)
	}
	a.Reporter.Result(struct {
		Commit       string      `json:"commit"`
		Backup       stage.Saved `json:"backup"`
		FinalChecked bool        `json:"final_plan_empty"`
		Error        string      `json:"error,omitempty"`
	}{commit, res.Backup, res.FinalChecked, errString(err)})
	if err != nil {
		return fmt.Errorf("rollback to %s: %w", commit, err)
	}
	a.Reporter.Summary(fmt.Sprintf("### Rolled back to %s\n\nApplied the reviewed plan; a fresh plan is empty. State backup (serial %d): `%s`.\n", commit, res.Backup.Serial, res.Backup.Remote))
	return nil
}

func runDeployRestore(ctx context.Context, a *App, src string, force bool) error {
	r, _, err := a.initialisedStack(ctx)
	if err != nil {
		return err
	}
	cfg, err := a.AWS(ctx)
	if err != nil {
		return err
	}
	b, err := stage.ReadBackup(ctx, awsx.S3(cfg, a.Getenv), src)
	if err != nil {
		return err
	}
	from, to, err := stage.Restore(ctx, r, b, "", force)
	if err != nil {
		return err
	}
	a.Reporter.Infof("restored %s (serial %d) as serial %d of lineage %s", src, from.Serial, to.Serial, to.Lineage)
	return nil
}

// reviewedFromPR reads the stage hashes hidden in a pull request's plan comment. Only the
// comment carrying the marker and written by the bot counts: anyone can post a comment
// that looks like it.
func (a *App) reviewedFromPR(ctx context.Context, pr int) (map[string]string, error) {
	if _, err := a.run().Repo(); a.run().Token == "" || err != nil {
		return nil, Usagef("--reviewed pr:%d needs GITHUB_TOKEN and GITHUB_REPOSITORY=owner/repo", pr)
	}
	client, err := a.github("--reviewed")
	if err != nil {
		return nil, err
	}
	t := github.CommentTarget{Owner: client.Repo.Owner, Repo: client.Repo.Name, Number: pr, Marker: prcomment.Marker("")}
	c, err := github.FindComment(ctx, client.Issues, t)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("pull request #%d has no plan comment by %s: run deploy plan --pr-comment on it first", pr, github.DefaultAuthor)
	}
	h, err := prcomment.ReviewedHashes(c.GetBody())
	if err != nil {
		return nil, fmt.Errorf("plan comment on #%d: %w", pr, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("the plan comment on #%d records no stage hashes (did its plan fail?)", pr)
	}
	a.Reporter.Infof("reviewed hashes from %s", c.GetHTMLURL())
	return h, nil
}
