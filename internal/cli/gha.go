package cli

import (
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/actioninputs"
)

func init() { register(newGHACmd) }

// newGHACmd is the composite actions' entry point. Each action maps its inputs
// into INPUT_* variables explicitly (composites get none by themselves); here
// they set the flags of the target command in this same tree, which then runs
// with this App and Reporter. Inputs never pass through a shell.
func newGHACmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:    "gha",
		Short:  "Entry point of the GitHub Actions in actions/ (reads INPUT_* variables)",
		Hidden: true,
		Args:   cobra.NoArgs,
		// Global flags come from the inputs: setup runs on the target once they are set.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
	}
	for _, act := range actioninputs.Actions {
		cmd.AddCommand(&cobra.Command{
			Use:   act.Name,
			Short: "the action in " + act.File,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				target, args, err := act.Target(cmd.Root(), actioninputs.FromEnv(a.Getenv))
				if err != nil {
					return err
				}
				a.target = target // its help is the one a usage error points to
				return actioninputs.Execute(cmd.Context(), target, args, a.setup)
			},
		})
	}
	return cmd
}
