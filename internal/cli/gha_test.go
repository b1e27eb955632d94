package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/actioninputs"
)

// installInputs are the action inputs the install step reads, by its variable.
var installInputs = actioninputs.InstallEnv

// Every flag of the actions' table is one a command of its action has.
func TestActionInputsSetFlagsTheCommandsHave(t *testing.T) {
	t.Parallel()
	root := (&App{}).rootCommand()
	for _, act := range actioninputs.Actions {
		for _, i := range act.Rows() {
			if i.Flag != "" && !commandsHaveFlag(root, act, i.Flag) {
				t.Errorf("gha %s: input %s sets --%s, which no command of the action has", act.Name, i.Name, i.Flag)
			}
		}
	}
}

// commandsHaveFlag says some command the action can run takes --flag.
func commandsHaveFlag(root *cobra.Command, act actioninputs.Action, flag string) bool {
	if act.Command == "" {
		return root.PersistentFlags().Lookup(flag) != nil
	}
	lines := [][]string{{act.Command}}
	for _, c := range act.Choices {
		lines = append(lines, []string{act.Command, c})
	}
	for _, line := range lines {
		c, _, err := root.Find(line)
		if err == nil && c.ParseFlags(nil) == nil && c.Flags().Lookup(flag) != nil {
			return true
		}
	}
	return false
}

// The inputs set the target command's flags, typed by pflag: a value stays
// one value (never an argument or a flag), an input the subcommand does not
// take is not used, an empty one leaves the command's default.
func TestGHAInputsSetTypedFlags(t *testing.T) {
	t.Parallel()
	target := func(t *testing.T, name string, in map[string]string) (*cobra.Command, *App, error) {
		t.Helper()
		a := &App{}
		root := a.rootCommand()
		for _, act := range actioninputs.Actions {
			if act.Name == name {
				c, _, err := act.Target(root, func(k string) string { return in[k] })
				return c, a, err
			}
		}
		t.Fatalf("no action %s", name)
		return nil, nil, nil
	}
	value := func(c *cobra.Command, flag string) string {
		f := c.Flags().Lookup(flag)
		if f == nil {
			return "<none>"
		}
		return f.Value.String()
	}
	for _, c := range []struct {
		action string
		in     map[string]string
		want   map[string]string // flag -> value; "<none>": the subcommand has no such flag
	}{
		{"session", map[string]string{"action": "open"}, map[string]string{"hours": "2", "wait": "0s", "rooms": ""}},
		{"session", map[string]string{"action": "extend"}, map[string]string{"hours": "1"}},
		{"session", map[string]string{"action": "open", "hours": "4", "rooms": "standup,review", "wait": "15m", "now": "true"}, map[string]string{"hours": "4", "rooms": "standup,review", "wait": "15m0s", "now": "<none>"}},
		{"session", map[string]string{"action": "close", "now": "true", "force": "false", "wait": "15m"}, map[string]string{"now": "true", "force": "false", "wait": "15m0s"}},
		{"session", map[string]string{"action": "reap", "wait": "15m", "idle-after": "45m"}, map[string]string{"wait": "<none>", "idle-after": "45m0s"}},
		{"session", map[string]string{"action": "status", "working-directory": "stack"}, map[string]string{"dir": "stack"}},
		{"verify", map[string]string{"stun-attempts": "5", "stun-timeout": "500ms"}, map[string]string{"stun-attempts": "5", "stun-timeout": "500ms"}},
		{"deploy", map[string]string{"command": "plan", "pr-comment": "true", "stage": "--help", "refresh": "false"}, map[string]string{"pr-comment": "true", "stage": "--help", "refresh": "false", "out": "jitsictl-deploy"}},
		{"deploy", map[string]string{"command": "rollback", "ref": "abc123", "reviewed": "r/reviewed.json"}, map[string]string{"ref": "abc123", "reviewed": "r/reviewed.json"}},
		{"run", map[string]string{"args": "session status --output json --dir x", "working-directory": "terraform"}, map[string]string{"output": "json", "dir": "terraform"}},
	} {
		cmd, _, err := target(t, c.action, c.in)
		if err != nil {
			t.Errorf("%s %v: %v", c.action, c.in, err)
			continue
		}
		for flag, want := range c.want {
			if got := value(cmd, flag); got != want {
				t.Errorf("%s %v: --%s = %q, want %q", c.action, c.in, flag, got, want)
			}
		}
	}
	for _, c := range []struct {
		action string
		in     map[string]string
		want   string
	}{
		{"session", map[string]string{"action": ""}, `input action "": use open, close, extend, status, reap or links`},
		{"session", map[string]string{"action": "open", "hours": "2; rm -rf /"}, `input hours: --hours must be a whole number of hours, 1 to 12`},
		{"session", map[string]string{"action": "open", "rooms": "../admin"}, "input rooms: --rooms: room"},
		{"session", map[string]string{"action": "close", "now": "yes; rm -rf /"}, "input now: --now must be true or false"},
		{"session", map[string]string{"action": "close", "wait": "15m; rm -rf /"}, "input wait: --wait must be a duration"},
		{"verify", map[string]string{"stun-attempts": "3 --output=json"}, "input stun-attempts: --stun-attempts must be a whole number"},
		{"deploy", map[string]string{"command": "destroy"}, `input command "destroy": use plan, apply or rollback`},
		{"deploy", map[string]string{"command": "restore-state"}, `input command "restore-state"`},
		{"deploy", map[string]string{"command": "plan", "refresh": "no"}, "input refresh: --refresh must be true or false"},
		{"run", map[string]string{"args": ""}, "input args is empty"},
		{"run", map[string]string{"args": "gha session"}, "cannot start with gha"},
		{"run", map[string]string{"args": "sesion status"}, `unknown command "sesion"`},
		{"run", map[string]string{"args": "session open --hours=x"}, `--hours must be a whole number`},
	} {
		_, _, err := target(t, c.action, c.in)
		if !isUsage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v; want bad input saying %q", c.action, c.in, err, c.want)
		}
	}
}

// A value only the command refuses is checked once, by the command, and the
// message names the inputs that set its flags; nothing reaches AWS.
func TestGHACommandChecksNameTheInputs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"INPUT_ACTION": "open", "INPUT_HOURS": "13"}, []string{"--hours 13 is out of range", `input hours "13" → --hours`}},
		{map[string]string{"INPUT_ACTION": "extend", "INPUT_HOURS": "0"}, []string{"--hours 0 is out of range", "input hours"}},
		{map[string]string{"INPUT_ACTION": "reap", "INPUT_IDLE-AFTER": "-5m"}, []string{"--idle-after -5m0s: must be positive", "input idle-after"}},
	} {
		code, out, stderr := run(t, c.env, "gha", "session")
		for _, w := range c.want {
			if code != ExitUsage || !strings.Contains(out+stderr, w) {
				t.Errorf("%v: exit %d, want %d saying %q:\n%s%s", c.env, code, ExitUsage, w, out, stderr)
			}
		}
	}
	code, _, stderr := run(t, map[string]string{"INPUT_COMMAND": "apply"}, "gha", "deploy")
	if code != ExitUsage || !strings.Contains(stderr, "deploy apply needs --reviewed") {
		t.Errorf("deploy apply without reviewed: exit %d:\n%s", code, stderr)
	}
}
