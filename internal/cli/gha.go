package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/shlex"
	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"
)

func init() { register(newGHACmd) }

// input is one row of an action's table: the action.yml input and the flag
// of the target command it sets. An input without a flag is read elsewhere
// (readBy says where); it must still have a row, so a test can hold the
// table and the action.yml files to each other.
type input struct {
	name, flag, readBy string
}

// action is a composite action of this repository: the command its inputs drive.
type action struct {
	name    string // gha subcommand, run by the action's last step
	file    string // its action.yml, from the repository root
	command string // command path under jitsictl; "" = the args input is the command line
	pick    string // input naming the subcommand; "" = command itself
	choices []string
	inputs  []input
}

// Every action reads the stack and installs jitsictl the same way.
var stackInputs = []input{
	{name: "working-directory", flag: "dir"},
	{name: "backend-config", flag: "backend-config"},
	{name: "build-from-source", readBy: "the install step (actions/install/install.sh)"},
}

// tokenInput is GITHUB_TOKEN in the run step's environment, never a flag or argument.
var tokenInput = input{name: "github-token", readBy: "jitsictl, from GITHUB_TOKEN"}

// actions is the declarative table from every action input to a typed flag.
// Defaults live in action.yml alone (an empty input leaves the command's
// default); each value is typed by its flag and checked once, by the
// command. An input the chosen subcommand has no flag for is not used.
var actions = []action{
	{
		name: "session", file: "actions/session/action.yml", command: "session",
		pick: "action", choices: []string{"open", "close", "extend", "status", "reap", "links"},
		inputs: []input{{name: "hours", flag: "hours"}, {name: "rooms", flag: "rooms"}, {name: "idle-after", flag: "idle-after"},
			{name: "force", flag: "force"}, {name: "now", flag: "now"}, {name: "wait", flag: "wait"}, tokenInput},
	},
	{
		name: "verify", file: "actions/verify/action.yml", command: "verify",
		inputs: []input{{name: "stun-attempts", flag: "stun-attempts"}, {name: "stun-timeout", flag: "stun-timeout"}, tokenInput},
	},
	{
		name: "deploy", file: "actions/deploy/action.yml", command: "deploy",
		pick: "command", choices: []string{"plan", "apply", "rollback"},
		inputs: []input{{name: "stage", flag: "stage"}, {name: "reviewed", flag: "reviewed"}, {name: "ref", flag: "ref"},
			{name: "out", flag: "out"}, {name: "config", flag: "config"}, {name: "refresh", flag: "refresh"},
			// Not an input of action.yml: the composite sets it from github-token and the event.
			{name: "pr-comment", flag: "pr-comment"}, tokenInput},
	},
	{
		name: "run", file: "action.yml",
		inputs: []input{{name: "args", readBy: "gha run: the command line, split like a shell would, never run by one"}},
	},
}

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
	for _, act := range actions {
		cmd.AddCommand(&cobra.Command{
			Use:   act.name,
			Short: "the action in " + act.file,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				gha := githubactions.New(githubactions.WithGetenv(a.Getenv), githubactions.WithWriter(a.Stdout))
				in := func(name string) string { return strings.TrimSpace(gha.GetInput(name)) }
				target, args, err := act.target(cmd.Root(), in)
				if err != nil {
					return err
				}
				return a.execute(cmd.Context(), target, args)
			},
		})
	}
	return cmd
}

// target finds the command the inputs name in root and sets its flags from them.
func (act action) target(root *cobra.Command, in func(string) string) (*cobra.Command, []string, error) {
	c, args, err := act.find(root, in)
	if err != nil {
		return nil, nil, err
	}
	var set []string
	for _, i := range append(act.inputs, stackInputs...) {
		v := in(i.name)
		if i.flag == "" || v == "" || c.Flags().Lookup(i.flag) == nil {
			continue
		}
		if err := c.Flags().Set(i.flag, v); err != nil {
			return nil, nil, usageError{fmt.Errorf("input %s: %w", i.name, flagError(c, err))}
		}
		set = append(set, fmt.Sprintf("input %s %q → --%s", i.name, v, i.flag))
	}
	// A value the command itself refuses (--hours 13): name the inputs that set its flags.
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if isUsage(err) && len(set) > 0 {
				return usageError{fmt.Errorf("%w\n(from the action's inputs: %s)", err, strings.Join(set, ", "))}
			}
			return err
		}
	}
	return c, args, nil
}

// find is the target command with its flags merged and parsed: the
// subcommand the pick input names, or for the run action the args input.
func (act action) find(root *cobra.Command, in func(string) string) (*cobra.Command, []string, error) {
	var line []string
	switch {
	case act.command == "":
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
	case act.pick != "":
		sub := in(act.pick)
		if !slices.Contains(act.choices, sub) {
			return nil, nil, Usagef("input %s %q: use %s or %s", act.pick, sub, strings.Join(act.choices[:len(act.choices)-1], ", "), act.choices[len(act.choices)-1])
		}
		line = []string{act.command, sub}
	default:
		line = []string{act.command}
	}
	c, rest, err := root.Find(line)
	if err != nil {
		return nil, nil, usageError{err}
	}
	c.InitDefaultHelpFlag()
	if err := c.ParseFlags(rest); err != nil { // merges the parents' flags into c.Flags()
		return nil, nil, flagError(c, err)
	}
	return c, c.Flags().Args(), nil
}

// execute runs c as cobra would after parsing: its checks, setup (global
// flags, the Reporter), then its RunE.
func (a *App) execute(ctx context.Context, c *cobra.Command, args []string) error {
	if help, _ := c.Flags().GetBool("help"); help {
		return c.Help()
	}
	for _, check := range []func() error{func() error { return c.ValidateArgs(args) }, c.ValidateRequiredFlags, c.ValidateFlagGroups} {
		if err := check(); err != nil {
			return usageError{err}
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
