package cli

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/shlex"
	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"
)

func init() { register(newGHACmd) }

// newGHACmd is the composite actions' entry point. Each action maps its inputs
// into INPUT_* variables explicitly (composites get none by themselves); here
// they are read with go-githubactions, validated, and turned into a normal
// command line. Inputs never pass through a shell.
func newGHACmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:    "gha",
		Short:  "Entry point of the GitHub Actions in actions/ (reads INPUT_* variables)",
		Hidden: true,
		Args:   cobra.NoArgs,
	}
	for _, spec := range actionSpecs {
		cmd.AddCommand(a.ghaSub(spec))
	}
	return cmd
}

// actionSpec turns one action's inputs into jitsictl arguments.
type actionSpec struct {
	name  string
	short string
	args  func(in func(string) string) ([]string, error)
}

var (
	hoursInput    = regexp.MustCompile(`^[0-9]{1,3}$`)
	durationInput = regexp.MustCompile(`^[0-9]{1,4}(s|m|h)$`)
)

// Global inputs every action accepts, each mapped to its flag.
var globalInputs = [][2]string{{"working-directory", "--dir"}, {"backend-config", "--backend-config"}, {"region", "--region"}}

var actionSpecs = []actionSpec{
	{
		name:  "session",
		short: "actions/session: open, close, extend, status, reap or links",
		args: func(in func(string) string) ([]string, error) {
			action := in("action")
			args := []string{"session", action}
			var err error
			switch action {
			case "open", "extend":
				h := in("hours")
				if h == "" {
					h = map[string]string{"open": "2", "extend": "1"}[action]
				}
				if !hoursInput.MatchString(h) {
					return nil, fmt.Errorf("input hours %q is not a whole number of hours", h)
				}
				args = append(args, "--hours", h)
				if action == "open" {
					args, err = appendRooms(args, in("rooms"))
				}
			case "links":
				args, err = appendRooms(args, in("rooms"))
			case "close":
				if in("force") == "true" {
					args = append(args, "--force")
				}
				switch n := in("now"); n {
				case "", "false":
				case "true":
					args = append(args, "--now")
				default:
					return nil, fmt.Errorf("input now %q: use true or false", n)
				}
			case "reap":
				if d := in("idle-after"); d != "" {
					if !durationInput.MatchString(d) {
						return nil, fmt.Errorf("input idle-after %q is not a duration like 30m", d)
					}
					args = append(args, "--idle-after", d)
				}
			case "status":
			default:
				return nil, fmt.Errorf("input action %q: use open, close, extend, status, reap or links", action)
			}
			if err != nil {
				return nil, err
			}
			// A user's run waits for one that holds the session; the reaper never does.
			if w := in("wait"); w != "" && action != "reap" && action != "status" && action != "links" {
				if !durationInput.MatchString(w) {
					return nil, fmt.Errorf("input wait %q is not a duration like 15m", w)
				}
				args = append(args, "--wait", w)
			}
			return args, nil
		},
	},
	{name: "verify", short: "actions/verify: check the open session and report its cost", args: verifyActionArgs},
	{
		name:  "deploy",
		short: "actions/deploy: plan, apply or rollback in stages",
		args: func(in func(string) string) ([]string, error) {
			command := in("command")
			args := []string{"deploy", command}
			switch command {
			case "plan":
				if in("pr-comment") == "true" {
					args = append(args, "--pr-comment")
				}
				switch r := in("refresh"); r {
				case "", "true":
				case "false":
					args = append(args, "--refresh=false")
				default:
					return nil, fmt.Errorf("input refresh %q: use true or false", r)
				}
			case "apply":
				r := in("reviewed")
				if r == "" {
					return nil, fmt.Errorf("input reviewed is empty: apply needs the reviewed.json that deploy plan wrote")
				}
				args = append(args, "--reviewed="+r)
			case "rollback":
				if ref := in("ref"); ref != "" {
					if strings.HasPrefix(ref, "-") {
						return nil, fmt.Errorf("input ref %q is not a git ref", ref)
					}
					args = append(args, "--ref="+ref)
				}
				// Without reviewed: plan the rollback; with it: apply exactly that plan.
				if r := in("reviewed"); r != "" {
					args = append(args, "--reviewed="+r)
				}
			default:
				return nil, fmt.Errorf("input command %q: use plan, apply or rollback", command)
			}
			for _, f := range [][2]string{{"stage", "--stage"}, {"out", "--out"}, {"config", "--config"}} {
				if v := in(f[0]); v != "" {
					args = append(args, f[1]+"="+v) // one argument: a value cannot pose as a flag
				}
			}
			return args, nil
		},
	},
	{
		name:  "run",
		short: "action.yml: run any jitsictl command given in the args input",
		args: func(in func(string) string) ([]string, error) {
			args, err := shlex.Split(in("args"))
			if err != nil {
				return nil, fmt.Errorf("input args: %w", err)
			}
			if len(args) == 0 {
				return nil, fmt.Errorf("input args is empty: give a jitsictl command, e.g. `session status`")
			}
			if args[0] == "gha" {
				return nil, fmt.Errorf("input args cannot start with gha")
			}
			return args, nil
		},
	},
}

func (a *App) ghaSub(spec actionSpec) *cobra.Command {
	return &cobra.Command{
		Use:   spec.name,
		Short: spec.short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gha := githubactions.New(githubactions.WithGetenv(a.Getenv), githubactions.WithWriter(a.Stdout))
			in := func(name string) string { return strings.TrimSpace(gha.GetInput(name)) }
			args, err := spec.args(in)
			if err != nil {
				return usageError{err}
			}
			for _, g := range globalInputs {
				if v := in(g[0]); v != "" {
					args = append(args, g[1], v)
				}
			}
			switch code := Run(cmd.Context(), args, a.Env); code {
			case ExitOK:
				return nil
			case ExitUsage:
				return usageError{fmt.Errorf("jitsictl %s: bad input (see above)", strings.Join(args, " "))}
			default:
				return Failed("jitsictl %s failed", args[0])
			}
		},
	}
}
