package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// A mistyped --dir stops doctor before anything is checked; without --dir,
// outside a repository, the other checks still run (and fail here: no AWS,
// no Terraform).
func TestCommandStackDir(t *testing.T) {
	t.Parallel()
	missing := report.UsageError{Err: fmt.Errorf("--dir: %w", errors.New(`Terraform root "x" does not exist`))}
	asked := 0
	s := Sources{
		StackDir: func() (string, error) { return "", missing },
		AWS:      func(context.Context) (aws.Config, error) { asked++; return aws.Config{}, errors.New("no credentials") },
		Terraform: func(context.Context, string) (*tf.Runner, error) {
			asked++
			return nil, errors.New("terraform not found")
		},
		GitHub: func() (func(context.Context) ([]GitHubFinding, error), error) { return nil, nil },
	}
	var out strings.Builder
	r, _ := report.New(report.Options{Stdout: &out, Stderr: &out})
	typed := s
	typed.DirTyped = true
	if err := Command(context.Background(), typed, r, io.Discard, report.FormatText); !errors.Is(err, missing) || asked != 0 {
		t.Fatalf("mistyped --dir: %v, %d sources asked", err, asked)
	}
	err := Command(context.Background(), s, r, &out, report.FormatText)
	if !errors.As(err, new(report.FailedError)) || asked != 2 || !strings.Contains(out.String(), "no credentials") {
		t.Errorf("outside a repository: %v, %d sources asked\n%s", err, asked, out.String())
	}
}
