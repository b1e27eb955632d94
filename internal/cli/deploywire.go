package cli

import (
	"path/filepath"

	"github.com/jitsictl/jitsictl/internal/stage"
)

// deployFlow runs do on the deploy commands' stage.Flow, wired to the stack,
// AWS and the run's GitHub.
func (a *App) deployFlow(f *deployFlags, do func(stage.Flow) error) error {
	// --out is the user's path; Terraform writes plan files from inside --dir.
	out, err := filepath.Abs(f.out)
	if err != nil {
		return Usagef("--out %q: %v", f.out, err)
	}
	return do(stage.Flow{Report: a.Reporter, Run: a.run(), GitHub: a.github, Out: out, Stack: stage.Stack{
		Dir: a.StackDir, BackendConfig: a.BackendConfig, Initialised: a.initialisedStack, Terraform: a.terraform, AWS: a.AWS, Getenv: a.Getenv,
	}})
}
