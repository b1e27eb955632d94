package cli

import (
	"cmp"
	"context"

	"github.com/spf13/cobra"

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
			return doctor.Command(cmd.Context(), doctor.Sources{
				StackDir: a.StackDir, DirTyped: cmd.Flags().Changed("dir"), Dir: a.Dir,
				BackendConfig: a.BackendConfig, Profile: a.awsSettings().ProfileName(),
				AWS: a.AWS, Terraform: a.terraform, Getenv: a.Getenv,
				GitHub: func() (func(context.Context) ([]ghenv.Finding, error), error) {
					return ghenv.Checker(a.githubAdmin, cmp.Or(repo, a.run().Repository), env, branch)
				},
			}, a.Reporter, a.Stdout, a.format)
		},
	}
	c.Flags().StringVar(&repo, "repo", "", "also check this GitHub repository's production environment and OIDC subject (default: $GITHUB_REPOSITORY; needs GITHUB_TOKEN)")
	c.Flags().StringVar(&env, "environment", "production", "with --repo: the environment the deploy role trusts")
	c.Flags().StringVar(&branch, "default-branch", "main", "with --repo: the only branch that may deploy")
	return c
}
