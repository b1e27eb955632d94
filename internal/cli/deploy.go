package cli

import (
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/stage"
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
			return a.deployFlow(f, func(fl stage.Flow) error { return fl.PlanStages(cmd.Context(), f.config, f.stage, comment, pr) })
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
			return a.deployFlow(f, func(fl stage.Flow) error { return fl.ApplyStages(cmd.Context(), f.config, f.stage, reviewed) })
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
			return a.deployFlow(f, func(fl stage.Flow) error { return fl.Rollback(cmd.Context(), ref, reviewed, branch) })
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
			return a.deployFlow(f, func(fl stage.Flow) error { return fl.Restore(cmd.Context(), args[0], force) })
		},
	}
	c.Flags().BoolVar(&force, "force", false, "restore a backup of another lineage or an older serial")
	return c
}
