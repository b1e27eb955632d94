// Package doctor checks, before any flow runs, that everything it needs is in
// place: AWS identity, Terraform, the state backend, initialisation and the
// stack's outputs. Each failed check carries the exact fix.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/go-version"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/ghenv"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Status of one check.
type Status string

const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
)

// Check is one row of the doctor's table.
type Check struct {
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Fix      string        `json:"fix,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Identity is the STS call doctor needs.
type Identity interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Bucket is the S3 call doctor needs.
type Bucket interface {
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// Terraform is what doctor asks of the Terraform wrapper.
type Terraform interface {
	Version() *version.Version
	Output(ctx context.Context) (map[string]json.RawMessage, error)
}

// Deps are the edges doctor talks to; a nil AWS edge means credentials could not be loaded.
type Deps struct {
	Identity  Identity
	Bucket    Bucket
	Terraform Terraform
	// TerraformErr is why Terraform could not be used (not found, too old).
	TerraformErr error
	// AWSErr is why the AWS config could not be loaded, if it could not.
	AWSErr error
	// Profile names the AWS profile in messages (e.g. the SSO login command).
	Profile string
	// Dir is the Terraform root; BackendConfig the -backend-config file used to init it.
	Dir           string
	BackendConfig string
	// GitHub, when set, checks the repository settings the deploy role's trust relies
	// on (internal/ghenv.Check: the same code `jitsictl bootstrap github` ends with).
	GitHub func(context.Context) ([]GitHubFinding, error)
	// StackErr is why there is no Terraform root to check (doctor run outside
	// a repository): the stack checks give way to how to bootstrap.
	StackErr error
}

// GitHubFinding is one wrong GitHub setting and its fix.
type GitHubFinding = ghenv.Finding

// MinTerraform is the oldest Terraform with write-only arguments (value_wo),
// which keep the stack's secrets out of state.
var MinTerraform = version.Must(version.NewVersion("1.11.0"))

// RequiredOutputs are the stack outputs every flow reads.
var RequiredOutputs = []string{"cluster_name", "service_name", "bucket_name", "advertise_ips_parameter_name", "subnet_ids", "security_group_id"}

// Run performs every check in order; it never stops early, so one run shows every problem.
func Run(ctx context.Context, d Deps) []Check {
	var checks []Check
	timed := func(name string, f func() (string, string, error)) bool {
		start := time.Now()
		detail, fix, err := f()
		c := Check{Name: name, Status: Pass, Detail: detail, Duration: time.Since(start)}
		if err != nil {
			c.Status, c.Detail, c.Fix = Fail, err.Error(), fix
		}
		checks = append(checks, c)
		return err == nil
	}

	timed("AWS identity", func() (string, string, error) {
		if d.AWSErr != nil {
			return "", fixForAWS(d.AWSErr), d.AWSErr
		}
		out, err := d.Identity.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			// Credentials resolve lazily: an expired SSO session shows up here.
			err = awsx.Explain(err, d.Profile)
			return "", fixForAWS(err), err
		}
		return fmt.Sprintf("%s (account %s)", aws.ToString(out.Arn), aws.ToString(out.Account)), "", nil
	})

	timed("Terraform >= 1.11", func() (string, string, error) {
		const fix = "install Terraform 1.11 or newer: https://developer.hashicorp.com/terraform/install"
		if d.TerraformErr != nil {
			return "", fix, d.TerraformErr
		}
		if d.Terraform == nil {
			return "", fix, errors.New("terraform not found on PATH")
		}
		got := d.Terraform.Version()
		if got.Core().LessThan(MinTerraform) {
			return "", fix, fmt.Errorf("terraform %s is too old: jitsictl needs write-only arguments (1.11+) to keep secrets out of state", got)
		}
		return "terraform " + got.String(), "", nil
	})

	timed("Tools", func() (string, string, error) { return checkTools(lookPath) })

	if d.StackErr != nil {
		timed("Terraform root", func() (string, string, error) { return "", BootstrapFix, d.StackErr })
		return checks
	}

	backend, berr := tf.ReadBackend(d.Dir)
	initFix := fmt.Sprintf("run `terraform -chdir=%s init -backend-config=%s`", d.Dir, orDefault(d.BackendConfig, "backend.hcl"))
	if _, err := os.Stat(filepath.Join(d.Dir, "backend.hcl")); err != nil && d.BackendConfig == "" {
		initFix = "no backend.hcl yet: bootstrap once (README: Setup, steps 1-2), then " + initFix[len("run "):]
	}
	// Checks that wait on initialisation point to its fix instead of repeating it.
	const seeInit = `see "Terraform initialised" above`
	inited := timed("Terraform initialised", func() (string, string, error) {
		if berr != nil {
			return "", initFix, berr
		}
		return fmt.Sprintf("S3 backend s3://%s/%s", backend.Bucket, backend.Key), "", nil
	})

	timed("State backend reachable", func() (string, string, error) {
		if !inited {
			return "", seeInit, errors.New("backend unknown until Terraform is initialised")
		}
		if d.AWSErr != nil {
			return "", fixForAWS(d.AWSErr), fmt.Errorf("no AWS credentials: %w", d.AWSErr)
		}
		if _, err := d.Bucket.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(backend.Bucket)}); err != nil {
			return "", fmt.Sprintf("create the state bucket (terraform/bootstrap) or fix `bucket` in %s", orDefault(d.BackendConfig, "backend.hcl")),
				fmt.Errorf("state bucket %q: %w", backend.Bucket, err)
		}
		return "bucket " + backend.Bucket + " answers", "", nil
	})

	timed("Stack outputs readable", func() (string, string, error) {
		const fix = "apply the stack first: `jitsictl deploy apply` (or `terraform apply`)"
		if !inited {
			return "", seeInit, errors.New("outputs unknown until Terraform is initialised")
		}
		if d.Terraform == nil {
			return "", fix, errors.New("terraform not available (see above)")
		}
		outs, err := d.Terraform.Output(ctx)
		if err != nil {
			return "", fix, err
		}
		var missing []string
		for _, k := range RequiredOutputs {
			if _, ok := outs[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return "", fix, fmt.Errorf("missing outputs: %s", strings.Join(missing, ", "))
		}
		return fmt.Sprintf("%d outputs", len(outs)), "", nil
	})

	if d.GitHub != nil {
		timed("GitHub production environment", func() (string, string, error) {
			found, err := d.GitHub(ctx)
			if err != nil {
				return "", "export GITHUB_TOKEN with a token that may read the repository's settings (gh auth token)", err
			}
			if len(found) > 0 {
				var problems []string
				for _, f := range found {
					problems = append(problems, f.Problem)
				}
				return "", found[0].Fix, errors.New(strings.Join(problems, "; "))
			}
			return "required reviewers, default branch only, default OIDC subject", "", nil
		})
	}
	return checks
}

// Failed reports whether any check failed.
func Failed(cs []Check) bool {
	for _, c := range cs {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

func fixForAWS(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "run `aws sso login"); i >= 0 {
		return "`" + strings.SplitN(msg[i+5:], "`", 2)[0] + "`"
	}
	return "set AWS credentials: `aws sso login --profile <p>` on a laptop, or an OIDC role in GitHub Actions; check AWS_PROFILE/AWS_REGION"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
