package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/buildinfo"
)

func init() { register(newVersionCmd) }

func newVersionCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print jitsictl's version, commit and Go version",
		Long: `version prints the release this binary was built from (dev for a local
build), its git commit and the Go toolchain and platform it was built for. The
GitHub Actions print it first, so every run's log names the binary it used.`,
		Example: `  jitsictl version
  jitsictl version --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Get()
			if a.Output == "json" {
				a.Reporter.Result(info) // the JSON face prints the result
				return nil
			}
			_, err := fmt.Fprintln(a.Stdout, info)
			return err
		},
	}
}
