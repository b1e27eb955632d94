package cli

import (
	"cmp"
	"errors"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/doctor"
	"github.com/jitsictl/jitsictl/internal/ghenv"
)

func init() { register(newDoctorCmd) }

func newDoctorCmd(a *App) *cobra.Command {
	var repo, env, branch string
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check that AWS, Terraform, the state backend and the stack are ready",
		Long: `doctor runs every prerequisite check and prints a PASS/FAIL table with the
exact fix for each failure. It exits 1 when any check fails.`,
		Example: `  jitsictl doctor
  jitsictl doctor --profile jitsi-hosting --dir terraform
  jitsictl doctor --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			deps := doctor.Deps{BackendConfig: a.BackendConfig, Profile: a.awsSettings().ProfileName()}
			dir, err := a.StackDir()
			switch {
			case err != nil && cmd.Flags().Changed("dir"):
				return err // a mistyped --dir: say so before checking anything
			case err != nil:
				// Outside a repository: identity, Terraform and tools can still be checked.
				deps.StackErr, dir = errors.Unwrap(err), "."
			default:
				deps.Dir = filepath.Clean(a.Dir) // as the user typed it: fixes read like their commands
			}
			if deps.GitHub, err = ghenv.Checker(a.githubAdmin, cmp.Or(repo, a.run().Repository), env, branch); err != nil {
				return err
			}
			if cfg, err := a.AWS(ctx); err != nil {
				deps.AWSErr = err
			} else {
				deps.Identity = sts.NewFromConfig(cfg)
				deps.Bucket = awsx.S3(cfg, a.Getenv)
			}
			if r, err := a.terraform(ctx, dir); err != nil {
				deps.TerraformErr = err
			} else {
				deps.Terraform = r
			}
			checks := doctor.Run(ctx, deps)
			doctor.Render(a.Reporter, a.Stdout, a.format, checks)
			if doctor.Failed(checks) {
				return Failed("doctor found problems")
			}
			return nil
		},
	}
	c.Flags().StringVar(&repo, "repo", "", "also check this GitHub repository's production environment and OIDC subject (default: $GITHUB_REPOSITORY; needs GITHUB_TOKEN)")
	c.Flags().StringVar(&env, "environment", "production", "with --repo: the environment the deploy role trusts")
	c.Flags().StringVar(&branch, "default-branch", "main", "with --repo: the only branch that may deploy")
	return c
}
