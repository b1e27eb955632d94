package cli

import (
	"cmp"

	gogithub "github.com/google/go-github/v66/github"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/ghenv"
)

func init() { register(newBootstrapCmd) }

func newBootstrapCmd(a *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "bootstrap",
		Short:   "Set up what terraform/bootstrap cannot: the repository's GitHub settings",
		Example: `  GITHUB_TOKEN=$(gh auth token) jitsictl bootstrap github --repo octo-org/jitsi --reviewer octocat`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return Usagef("bootstrap needs an action: github")
		},
	}
	var repo, env, branch string
	var reviewers []string
	gh := &cobra.Command{
		Use:   "github",
		Short: "Create the production environment (required reviewers, default branch only) and keep GitHub's default OIDC subject",
		Long: `github makes the repository's settings what the deploy role's trust relies on:
the environment exists, needs one of --reviewer to approve each deploy and admits
deployments from the default branch only, and the repository uses GitHub's default
OIDC subject format (the roles match it). It then checks them as doctor does.
GITHUB_TOKEN must hold a token with admin rights on the repository.`,
		Example: `  GITHUB_TOKEN=$(gh auth token) jitsictl bootstrap github --repo octo-org/jitsi --reviewer octocat
  jitsictl bootstrap github --repo octo-org/jitsi --reviewer alice --reviewer bob --default-branch trunk`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := ghenv.ParseRepo(cmp.Or(repo, a.run().Repository), env, branch)
			if err != nil {
				return err
			}
			if len(reviewers) == 0 {
				return Usagef("bootstrap github needs --reviewer <login> (one or more): the environment's approval is what gates a deploy")
			}
			client, err := a.githubAdmin()
			if err != nil {
				return err
			}
			found, err := ghenv.Ensure(cmd.Context(), client, r, reviewers)
			if err != nil {
				return err
			}
			if n := ghenv.Report(a.Reporter, r, found); n > 0 {
				return Failed("%d GitHub setting(s) still wrong (see above)", n)
			}
			return nil
		},
	}
	gh.Flags().StringVar(&repo, "repo", "", "owner/name of the repository (default: $GITHUB_REPOSITORY)")
	gh.Flags().StringVar(&env, "environment", "production", "the environment the deploy role trusts (terraform/bootstrap's production_environment)")
	gh.Flags().StringVar(&branch, "default-branch", "main", "the only branch that may deploy (terraform/bootstrap's default_branch)")
	gh.Flags().StringArrayVar(&reviewers, "reviewer", nil, "GitHub login that may approve deploys (repeat for more; up to six)")
	c.AddCommand(gh)
	return c
}

// githubAdmin is a client with the run's token, which bootstrap and doctor's
// GitHub row need with admin rights on the repository.
func (a *App) githubAdmin() (*gogithub.Client, error) {
	return ghenv.AdminClient(a.run().Token, a.run().APIURL, a.Reporter.Mask)
}
