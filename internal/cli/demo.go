package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/demo"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/session"
)

func init() { register(newDemoCmd) }

func newDemoCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run the whole session lifecycle against a local AWS emulator",
		Long: `demo starts moto_server (an AWS API emulator) on loopback, deploys the real
Terraform stack embedded in jitsictl to it, opens a session (Elastic IPs, NLB,
Fargate task, targets), verifies it, prices it, closes it and shows that
nothing is left running. The emulator has no ECS scheduler, so the demo plays
it (starting a task when the desired count rises, stopping it when it falls).

Nothing outside a temporary folder and the emulator is touched, and both are
removed at the end, also after Ctrl-C.`,
		Example: `  jitsictl demo
  go run ./cmd/jitsictl demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo.Run(cmd.Context(), demo.Deps{Reporter: a.Reporter, Format: a.format, Stdout: a.Stdout, Getenv: a.Getenv, NewStack: a.demoStack})
		},
	}
}

// demoStack is the demo's own App: it sees the emulator's environment only.
func (a *App) demoStack(e demo.StackEnv) demo.Stack {
	return demoApp{&App{
		Env: Env{Getenv: e.Getenv, Stdout: a.Stdout, Stderr: a.Stderr, TTY: a.TTY, HideOutputs: true},
		Dir: e.Dir, BackendConfig: e.BackendConfig,
		Reporter: e.Reporter, sessionWiring: e.Wiring,
	}}
}

// demoApp is an App as the demo drives it.
type demoApp struct{ *App }

func (d demoApp) Run(ctx context.Context, args ...string) error {
	if code := Run(ctx, args, d.Env); code != ExitOK {
		return fmt.Errorf("jitsictl %s: exit %d", strings.Join(args, " "), code)
	}
	return nil
}

func (d demoApp) Init(ctx context.Context) error {
	_, _, err := d.initialisedStack(ctx)
	return err
}

func (d demoApp) Outputs(ctx context.Context) (outputs.Outputs, error) { return d.stackOutputsOf(ctx) }

func (d demoApp) Sessions(ctx context.Context) (*session.Manager, error) {
	return d.sessionManager(ctx)
}

func (d demoApp) ReportRecord(rec session.Record, title string) { d.reportRecord(rec, title) }
