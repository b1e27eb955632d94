// Package actioninputs is the declarative table from every input of the
// repository's GitHub Actions (action.yml, actions/*/action.yml) to the
// jitsictl flag it sets. `jitsictl gha` applies it; docs/actions.md shows it;
// a test holds it and the action.yml files to each other.
//
// Defaults live in action.yml alone: an empty input leaves the command's
// default. Each value is typed by its flag and checked once, by the command.
// An input the chosen subcommand has no flag for is not used.
package actioninputs

// Input is one row: the action.yml input and the flag of the target command
// it sets. An input without a flag is read elsewhere (ReadBy says where).
type Input struct {
	Name, Flag, ReadBy string
}

// Action is a composite action and the command its inputs drive.
type Action struct {
	Name    string // gha subcommand, run by the action's last step
	File    string // its action.yml, from the repository root
	Command string // command under jitsictl; "" = the args input is the command line
	Pick    string // input naming the subcommand, one of Choices; "" = Command itself
	Choices []string
	Inputs  []Input
}

// Stack are the inputs every action has: where the stack is, how jitsictl is installed.
var Stack = []Input{
	{Name: "working-directory", Flag: "dir"},
	{Name: "backend-config", Flag: "backend-config"},
	{Name: "build-from-source", ReadBy: "the install step"},
}

// InstallEnv names, for each input of Stack the install step reads, the
// environment variable the action passes it in.
var InstallEnv = map[string]string{"build-from-source": "JITSICTL_BUILD_FROM_SOURCE"}

// token is GITHUB_TOKEN in the run step's environment, never a flag or argument.
var token = Input{Name: "github-token", ReadBy: "GITHUB_TOKEN (environment)"}

// Actions is the table.
var Actions = []Action{
	{
		Name: "session", File: "actions/session/action.yml", Command: "session",
		Pick: "action", Choices: []string{"open", "close", "extend", "status", "reap", "links"},
		Inputs: []Input{{Name: "hours", Flag: "hours"}, {Name: "rooms", Flag: "rooms"}, {Name: "idle-after", Flag: "idle-after"},
			{Name: "force", Flag: "force"}, {Name: "now", Flag: "now"}, {Name: "wait", Flag: "wait"}, token},
	},
	{
		Name: "verify", File: "actions/verify/action.yml", Command: "verify",
		Inputs: []Input{{Name: "stun-attempts", Flag: "stun-attempts"}, {Name: "stun-timeout", Flag: "stun-timeout"}, token},
	},
	{
		Name: "deploy", File: "actions/deploy/action.yml", Command: "deploy",
		Pick: "command", Choices: []string{"plan", "apply", "rollback"},
		Inputs: []Input{{Name: "stage", Flag: "stage"}, {Name: "reviewed", Flag: "reviewed"}, {Name: "ref", Flag: "ref"},
			{Name: "out", Flag: "out"}, {Name: "config", Flag: "config"}, {Name: "refresh", Flag: "refresh"},
			// Not an input of action.yml: the composite sets it from github-token and the event.
			{Name: "pr-comment", Flag: "pr-comment"}, token},
	},
	{
		Name: "run", File: "action.yml",
		Inputs: []Input{{Name: "args", ReadBy: "the command line"}},
	},
}

// Rows are all of an action's inputs: its own, the stack's and the one that
// picks the subcommand.
func (a Action) Rows() []Input {
	rows := append(append([]Input{}, a.Inputs...), Stack...)
	if a.Pick != "" {
		rows = append(rows, Input{Name: a.Pick, ReadBy: "the subcommand"})
	}
	return rows
}

// ForFile is the action of an action.yml path (from the repository root).
func ForFile(file string) (Action, bool) {
	for _, a := range Actions {
		if a.File == file {
			return a, true
		}
	}
	return Action{}, false
}
