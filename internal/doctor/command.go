package doctor

import (
	"context"
	"errors"
	"io"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Sources are where `jitsictl doctor` finds what it checks, as cli wires
// them from the global flags.
type Sources struct {
	// StackDir checks --dir and returns the stack's root; DirTyped says
	// --dir was given, Dir is it as typed (fixes then read like the user's
	// commands).
	StackDir func() (string, error)
	DirTyped bool
	Dir      string
	// BackendConfig is --backend-config; Profile names the AWS profile in messages.
	BackendConfig, Profile string
	AWS                    func(context.Context) (aws.Config, error)
	Terraform              func(ctx context.Context, dir string) (*tf.Runner, error)
	Getenv                 func(string) string
	// GitHub builds the GitHub row (nil: none); its error is bad input.
	GitHub func() (func(context.Context) ([]GitHubFinding, error), error)
}

// Command is `jitsictl doctor`: every check, rendered in the Reporter's
// face, and exit 1 when one fails. A mistyped --dir is an error before
// anything is checked; run outside a repository (no --dir), identity,
// Terraform and the tools are still checked.
func Command(ctx context.Context, s Sources, rep report.Reporter, stdout io.Writer, format report.Format) error {
	d := Deps{BackendConfig: s.BackendConfig, Profile: s.Profile}
	dir, err := s.StackDir()
	switch {
	case err != nil && s.DirTyped:
		return err
	case err != nil:
		d.StackErr, dir = errors.Unwrap(err), "."
	default:
		d.Dir = filepath.Clean(s.Dir)
	}
	if d.GitHub, err = s.GitHub(); err != nil {
		return err
	}
	if cfg, err := s.AWS(ctx); err != nil {
		d.AWSErr = err
	} else {
		d.Identity, d.Bucket = sts.NewFromConfig(cfg), awsx.S3(cfg, s.Getenv)
	}
	if r, err := s.Terraform(ctx, dir); err != nil {
		d.TerraformErr = err
	} else {
		d.Terraform = r
	}
	checks := Run(ctx, d)
	Render(rep, stdout, format, checks)
	if Failed(checks) {
		return report.Failedf("doctor found problems")
	}
	return nil
}
