package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

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
			renderChecks(a.Reporter, a.Stdout, a.format, checks)
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

// Doctor's terminal table is at most tableWidth columns: CHECK as wide as the
// longest name, STATUS, and DETAIL wrapped to what is left, each fix on its
// own lines under its row.
const (
	tableWidth   = 100
	statusColumn = len("STATUS  ")
)

// renderChecks shows the checks once: the table on a terminal (fixes under
// their rows), annotations in Actions, the JSON document with --output json.
func renderChecks(r report.Reporter, stdout io.Writer, format report.Format, checks []doctor.Check) {
	t := report.Table{Header: []string{"CHECK", "STATUS", "DETAIL", "FIX"}}
	for _, c := range checks {
		t.Rows = append(t.Rows, []string{c.Name, string(c.Status), oneLine(c.Detail), c.Fix})
		if c.Status == doctor.Fail && format == report.FormatActions {
			r.Errorf("%s: %s — fix: %s", c.Name, oneLine(c.Detail), c.Fix)
		}
	}
	r.Result(checks)
	r.Summary("### jitsictl doctor\n\n" + t.Markdown())
	if format != report.FormatJSON {
		fmt.Fprint(stdout, checksText(checks))
	}
}

// checksText is the terminal table, at most tableWidth columns wide.
func checksText(checks []doctor.Check) string {
	var b strings.Builder
	checkColumn := len("CHECK")
	for _, c := range checks {
		checkColumn = max(checkColumn, utf8.RuneCountInString(c.Name))
	}
	checkColumn += 2
	indent := strings.Repeat(" ", checkColumn+statusColumn)
	fmt.Fprintf(&b, "%-*s%-*s%s\n", checkColumn, "CHECK", statusColumn, "STATUS", "DETAIL")
	for _, c := range checks {
		detail := wrapWords(oneLine(c.Detail), tableWidth-len(indent))
		for i, line := range detail {
			if i == 0 {
				fmt.Fprintf(&b, "%-*s%-*s%s\n", checkColumn, c.Name, statusColumn, c.Status, line)
				continue
			}
			b.WriteString(indent + line + "\n")
		}
		if c.Fix != "" {
			for i, line := range wrapWords(c.Fix, tableWidth-len(indent)-len("fix: ")) {
				if i == 0 {
					b.WriteString(indent + "fix: " + line + "\n")
				} else {
					b.WriteString(indent + "     " + line + "\n")
				}
			}
		}
	}
	return b.String()
}

// wrapWords breaks s into lines of at most width runes (a longer word stays whole).
func wrapWords(s string, width int) []string {
	lines := []string{""}
	for _, w := range strings.Fields(s) {
		last := &lines[len(lines)-1]
		switch {
		case *last == "":
			*last = w
		case utf8.RuneCountInString(*last)+1+utf8.RuneCountInString(w) <= width:
			*last += " " + w
		default:
			lines = append(lines, w)
		}
	}
	return lines
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		cut := strings.LastIndexByte(s[:300], ' ')
		s = s[:max(cut, 0)] + " …"
	}
	return s
}
