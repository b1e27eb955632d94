// Package cli is jitsictl's command tree: it turns flags, the environment and
// Action inputs into settings, picks the Reporter face, and hands over to the
// capability packages. One file per command; each registers itself in init.
package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/flagerr"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Exit codes, documented in docs/cli.md; report.Ending decides them.
const (
	ExitOK      = report.ExitOK
	ExitFailure = report.ExitFailure
	ExitUsage   = report.ExitUsage
)

// Env is everything the process gives a command, injected so tests can run
// the real command tree in-process.
type Env struct {
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	// TTY says stderr is a terminal (progress is drawn in place).
	TTY bool
	// HideOutputs leaves key/value outputs off the terminal face: the caller
	// (the demo) sums the results up in words itself.
	HideOutputs bool
}

// App holds the global settings and builds shared clients once per command.
type App struct {
	Env
	Dir           string
	Profile       string
	Region        string
	Output        string
	BackendConfig string

	Reporter report.Reporter
	format   report.Format // the Reporter's face
	awsCfg   *aws.Config
	// sessionWiring tunes session waits; the demo polls faster than AWS needs.
	sessionWiring session.Wiring
	tfLog         io.Writer
	// planWithoutRefresh: deploy plan --refresh=false (see tf.WithoutRefresh).
	planWithoutRefresh bool
	// reaperWorkflow and leaseWait: session's --reaper-workflow and --wait.
	reaperWorkflow string
	leaseWait      time.Duration
	// sessionConfig is session's --config (jitsictl.yaml: the linger setting).
	sessionConfig string
	// stackOutputs are the stack's outputs as sessionManager read them.
	stackOutputs outputs.Outputs
	runCtx       *github.RunContext // read once by run()
	// target is the command `gha` ran for an action: its help is the one to show.
	target *cobra.Command
}

// commands are registered by each command file's init.
var commands []func(*App) *cobra.Command

func register(f func(*App) *cobra.Command) { commands = append(commands, f) }

// Run executes one jitsictl invocation and returns its exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	app := &App{Env: env}
	root := app.rootCommand()
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if app.Reporter != nil {
		if cerr := app.Reporter.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if app.target != nil {
		cmd = app.target // its help, not the top-level one, explains bad input
	}
	help := "jitsictl --help"
	if cmd != nil {
		help = cmd.CommandPath() + " --help"
	}
	end := report.Ending{Reporter: app.Reporter, JSON: app.Output == "json", Stderr: env.Stderr, Help: help,
		Explain: func(err error) error { return awsx.Explain(err, app.awsSettings().ProfileName()) }}
	return end.Exit(err, err != nil && (isUsage(err) || flagerr.IsCobraUsage(err)))
}

func (a *App) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "jitsictl",
		Short: "Run a self-hosted Jitsi Meet on AWS that costs next to nothing while idle",
		Long: `jitsictl runs a self-hosted Jitsi Meet on AWS. While idle only storage and
parameters exist; a session creates an on-demand Network Load Balancer and a
Fargate task, verifies them and prices them, and closing it removes them again.

Every flow runs the same from a laptop (AWS profile or SSO) and from GitHub
Actions (OIDC credentials in the environment).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	f := root.PersistentFlags()
	f.StringVar(&a.Dir, "dir", "terraform", "Terraform root of the stack")
	f.StringVar(&a.Profile, "profile", "", "AWS profile (default: $AWS_PROFILE or the default chain)")
	f.StringVar(&a.Region, "region", "", "AWS region (default: $AWS_REGION, the profile's region, or us-east-1)")
	f.StringVar(&a.Output, "output", "", "output format: text or json (default text; GitHub Actions annotations when GITHUB_ACTIONS=true)")
	f.StringVar(&a.BackendConfig, "backend-config", "", "partial S3 backend configuration file for terraform init (default: <dir>/backend.hcl when it exists)")
	for _, c := range commands {
		root.AddCommand(c(a))
	}
	flagerr.Describe(root, valueWords)
	root.SetFlagErrorFunc(flagerr.Explain)
	return root
}

// setup validates global flags and picks the Reporter face, before any command touches anything.
func (a *App) setup(cmd *cobra.Command) error {
	if cmd.Flags().Changed("dir") && strings.TrimSpace(a.Dir) == "" {
		return Usagef("--dir is empty: give the folder of the Terraform stack (default terraform)")
	}
	if a.Region != "" {
		if err := awsx.ValidateRegion(a.Region); err != nil {
			return usageError{Err: err}
		}
	}
	// Paths are the user's, relative to where jitsictl runs; Terraform runs
	// inside --dir and would read them relative to that instead.
	if a.BackendConfig != "" {
		abs, err := filepath.Abs(a.BackendConfig)
		if err != nil {
			return Usagef("--backend-config %q: %v", a.BackendConfig, err)
		}
		a.BackendConfig = abs
	}
	format, err := report.PickFormat(a.Output, a.run().Actions)
	if err != nil {
		return err
	}
	r, err := report.New(report.Options{Format: format, Stdout: a.Stdout, Stderr: a.Stderr, Getenv: a.Getenv, TTY: a.TTY, HideOutputs: a.HideOutputs})
	if err != nil {
		return usageError{Err: err}
	}
	a.Reporter, a.format = r, format
	return nil
}

// text is where a command writes its result for a reader: stdout, except on
// the JSON face, which prints the Reporter's result instead.
func (a *App) text() io.Writer {
	if a.format == report.FormatJSON {
		return nil
	}
	return a.Stdout
}

// StackDir checks that --dir is a Terraform root and returns its absolute path.
func (a *App) StackDir() (string, error) { return tf.Root(a.Dir) }

// AWS returns the shared aws.Config, loading it on first use.
func (a *App) AWS(ctx context.Context) (aws.Config, error) {
	if a.awsCfg != nil {
		return *a.awsCfg, nil
	}
	cfg, err := awsx.Load(ctx, a.awsSettings())
	if err != nil {
		return aws.Config{}, err
	}
	a.awsCfg = &cfg
	return cfg, nil
}

func (a *App) awsSettings() awsx.Settings {
	return awsx.Settings{Profile: a.Profile, Region: a.Region, Getenv: a.Getenv}
}
