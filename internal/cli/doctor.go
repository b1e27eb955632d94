package cli

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/doctor"
	"github.com/jitsictl/jitsictl/internal/report"
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
			dir, err := a.StackDir()
			if err != nil {
				return err
			}
			deps := doctor.Deps{Dir: dir, BackendConfig: a.BackendConfig, Profile: a.awsSettings().ProfileName()}
			if deps.GitHub, err = a.githubCheck(repo, env, branch); err != nil {
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
			renderChecks(a.Reporter, a.Stdout, a.Output, checks)
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

func renderChecks(r report.Reporter, stdout interface{ Write([]byte) (int, error) }, format string, checks []doctor.Check) {
	t := report.Table{Header: []string{"CHECK", "STATUS", "DETAIL", "FIX"}}
	for _, c := range checks {
		t.Rows = append(t.Rows, []string{c.Name, string(c.Status), oneLine(c.Detail), c.Fix})
		if c.Status == doctor.Fail {
			r.Errorf("%s: %s — fix: %s", c.Name, oneLine(c.Detail), c.Fix)
		}
	}
	r.Result(checks)
	r.Summary("### jitsictl doctor\n\n" + t.Markdown())
	if format != "json" {
		var b bytes.Buffer
		_ = t.WriteText(&b)
		fmt.Fprint(stdout, b.String())
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
