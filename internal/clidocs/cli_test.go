package clidocs

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// A command's section lists its own flags, those its parent gives it and
// none of the global ones; hidden commands and flags stay out.
func TestCLIReferenceSections(t *testing.T) {
	t.Parallel()
	run := func(*cobra.Command, []string) error { return nil }
	root := &cobra.Command{Use: "tool"}
	root.PersistentFlags().String("dir", "terraform", "stack root")
	deploy := &cobra.Command{Use: "deploy", Short: "Deploy things"}
	deploy.PersistentFlags().String("out", "plans", "where plans go")
	plan := &cobra.Command{Use: "plan", Short: "Plan", Example: "  tool deploy plan\n", RunE: run}
	plan.Flags().Bool("refresh", true, "refresh | or not")
	plan.Flags().String("secret", "", "hidden")
	_ = plan.Flags().MarkHidden("secret")
	deploy.AddCommand(plan)
	root.AddCommand(deploy, &cobra.Command{Use: "gha", Hidden: true, RunE: run})

	got := CLIReference(root, []ExitCode{{0, "success"}, {2, "bad input"}})
	for _, want := range []string{
		"## Global flags\n\n| flag | default | meaning |\n|---|---|---|\n| `--dir` | `terraform` | stack root |\n",
		"| 0 | success |\n| 2 | bad input |\n",
		"## tool deploy\n\nDeploy things\n\n| flag | default | meaning |\n|---|---|---|\n| `--out` | `plans` | where plans go |\n",
		"## tool deploy plan\n\nPlan\n\n```sh\n  tool deploy plan\n```\n\n| flag | default | meaning |\n|---|---|---|\n| `--out` | `plans` | where plans go |\n| `--refresh` | `true` | refresh \\| or not |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reference lacks\n%s\nin\n%s", want, got)
		}
	}
	for _, absent := range []string{"gha", "--secret", "## tool deploy plan\n\nPlan\n\n```sh\n  tool deploy plan\n```\n\n| flag | default | meaning |\n|---|---|---|\n| `--dir`"} {
		if strings.Contains(got, absent) {
			t.Errorf("reference shows %q:\n%s", absent, got)
		}
	}
	if n := len(Commands(root)); n != 3 {
		t.Errorf("Commands: %d, want tool, deploy, plan", n)
	}
}
