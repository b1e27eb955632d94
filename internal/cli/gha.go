package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/shlex"
	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/actioninputs"
	"github.com/jitsictl/jitsictl/internal/flagerr"
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
				gha := githubactions.New(githubactions.WithGetenv(a.Getenv), githubactions.WithWriter(a.Stdout))
				in := func(name string) string { return strings.TrimSpace(gha.GetInput(name)) }
				target, args, err := ghaTarget(act, cmd.Root(), in)
				if err != nil {
					return err
				}
				return a.execute(cmd.Context(), target, args)
			},
		})
	}
	return cmd
}

// ghaTarget finds the command the inputs of act name in root and sets its
// flags from them (actioninputs has the table).
func ghaTarget(act actioninputs.Action, root *cobra.Command, in func(string) string) (*cobra.Command, []string, error) {
	c, args, err := ghaFind(act, root, in)
	if err != nil {
		return nil, nil, err
	}
	var set []string
	for _, i := range act.Rows() {
		v := in(i.Name)
		if i.Flag == "" || v == "" || c.Flags().Lookup(i.Flag) == nil {
			continue
		}
		if err := c.Flags().Set(i.Flag, v); err != nil {
			return nil, nil, usageError{Err: fmt.Errorf("input %s: %w", i.Name, flagerr.Explain(c, err))}
		}
		set = append(set, fmt.Sprintf("input %s %q → --%s", i.Name, v, i.Flag))
	}
	// A value the command itself refuses (--hours 13): name the inputs that set its flags.
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if isUsage(err) && len(set) > 0 {
				return usageError{Err: fmt.Errorf("%w\n(from the action's inputs: %s)", err, strings.Join(set, ", "))}
			}
			return err
		}
	}
	return c, args, nil
}

// ghaFind is the target command with its flags merged and parsed: the
// subcommand the pick input names, or for the run action the args input.
func ghaFind(act actioninputs.Action, root *cobra.Command, in func(string) string) (*cobra.Command, []string, error) {
	var line []string
	switch {
	case act.Command == "":
		var err error
		if line, err = shlex.Split(in("args")); err != nil {
			return nil, nil, Usagef("input args: %v", err)
		}
		if len(line) == 0 {
			return nil, nil, Usagef("input args is empty: give a jitsictl command, e.g. `session status`")
		}
		if line[0] == "gha" {
			return nil, nil, Usagef("input args cannot start with gha")
		}
	case act.Pick != "":
		sub := in(act.Pick)
		if !slices.Contains(act.Choices, sub) {
			return nil, nil, Usagef("input %s %q: use %s or %s", act.Pick, sub, strings.Join(act.Choices[:len(act.Choices)-1], ", "), act.Choices[len(act.Choices)-1])
		}
		line = []string{act.Command, sub}
	default:
		line = []string{act.Command}
	}
	c, rest, err := root.Find(line)
	if err != nil {
		return nil, nil, usageError{Err: err}
	}
	c.InitDefaultHelpFlag()
	if err := c.ParseFlags(rest); err != nil { // merges the parents' flags into c.Flags()
		return nil, nil, flagerr.Explain(c, err)
	}
	return c, c.Flags().Args(), nil
}

// execute runs c as cobra would after parsing: its checks, setup (global
// flags, the Reporter), then its RunE.
func (a *App) execute(ctx context.Context, c *cobra.Command, args []string) error {
	a.target = c
	if help, _ := c.Flags().GetBool("help"); help {
		return c.Help()
	}
	for _, check := range []func() error{func() error { return c.ValidateArgs(args) }, c.ValidateRequiredFlags, c.ValidateFlagGroups} {
		if err := check(); err != nil {
			return usageError{Err: err}
		}
	}
	if err := a.setup(c); err != nil {
		return err
	}
	c.SetContext(ctx)
	if c.RunE == nil {
		return Usagef("%s is not a command to run", c.CommandPath())
	}
	return c.RunE(c, args)
}
