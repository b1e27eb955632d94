package actioninputs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/shlex"
	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/flagerr"
	"github.com/jitsictl/jitsictl/internal/report"
)

// FromEnv reads the inputs a composite action mapped into INPUT_* variables,
// trimmed.
func FromEnv(getenv func(string) string) func(name string) string {
	gha := githubactions.New(githubactions.WithGetenv(getenv))
	return func(name string) string { return strings.TrimSpace(gha.GetInput(name)) }
}

// Target finds the command the inputs of a name in root and sets its flags
// from them; it returns that command and its arguments. A value the command
// itself refuses later (--hours 13) names the inputs that set its flags.
func (a Action) Target(root *cobra.Command, in func(string) string) (*cobra.Command, []string, error) {
	c, args, err := a.find(root, in)
	if err != nil {
		return nil, nil, err
	}
	var set []string
	for _, i := range a.Rows() {
		v := in(i.Name)
		if i.Flag == "" || v == "" || c.Flags().Lookup(i.Flag) == nil {
			continue
		}
		if err := c.Flags().Set(i.Flag, v); err != nil {
			return nil, nil, report.UsageError{Err: fmt.Errorf("input %s: %w", i.Name, flagerr.Explain(c, err))}
		}
		set = append(set, fmt.Sprintf("input %s %q → --%s", i.Name, v, i.Flag))
	}
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if errors.As(err, new(report.UsageError)) && len(set) > 0 {
				return report.UsageError{Err: fmt.Errorf("%w\n(from the action's inputs: %s)", err, strings.Join(set, ", "))}
			}
			return err
		}
	}
	return c, args, nil
}

// find is the target command with its flags merged and parsed: the
// subcommand the pick input names, or for the run action the args input.
func (a Action) find(root *cobra.Command, in func(string) string) (*cobra.Command, []string, error) {
	var line []string
	switch {
	case a.Command == "":
		var err error
		if line, err = shlex.Split(in("args")); err != nil {
			return nil, nil, report.Usagef("input args: %v", err)
		}
		if len(line) == 0 {
			return nil, nil, report.Usagef("input args is empty: give a jitsictl command, e.g. `session status`")
		}
		if line[0] == "gha" {
			return nil, nil, report.Usagef("input args cannot start with gha")
		}
	case a.Pick != "":
		sub := in(a.Pick)
		if !slices.Contains(a.Choices, sub) {
			return nil, nil, report.Usagef("input %s %q: use %s or %s", a.Pick, sub, strings.Join(a.Choices[:len(a.Choices)-1], ", "), a.Choices[len(a.Choices)-1])
		}
		line = []string{a.Command, sub}
	default:
		line = []string{a.Command}
	}
	c, rest, err := root.Find(line)
	if err != nil {
		return nil, nil, report.UsageError{Err: err}
	}
	c.InitDefaultHelpFlag()
	if err := c.ParseFlags(rest); err != nil { // merges the parents' flags into c.Flags()
		return nil, nil, flagerr.Explain(c, err)
	}
	return c, c.Flags().Args(), nil
}

// Execute runs c as cobra would after parsing: --help, its argument and flag
// checks, setup (the caller's global flags), then its RunE.
func Execute(ctx context.Context, c *cobra.Command, args []string, setup func(*cobra.Command) error) error {
	if help, _ := c.Flags().GetBool("help"); help {
		return c.Help()
	}
	for _, check := range []func() error{func() error { return c.ValidateArgs(args) }, c.ValidateRequiredFlags, c.ValidateFlagGroups} {
		if err := check(); err != nil {
			return report.UsageError{Err: err}
		}
	}
	if err := setup(c); err != nil {
		return err
	}
	c.SetContext(ctx)
	if c.RunE == nil {
		return report.Usagef("%s is not a command to run", c.CommandPath())
	}
	return c.RunE(c, args)
}
