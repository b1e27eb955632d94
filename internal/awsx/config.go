// Package awsx builds the one aws.Config every jitsictl flow uses, from a laptop
// (profile, SSO) or from GitHub Actions (OIDC credentials in the environment),
// and explains credential failures in terms a user can act on.
package awsx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// Settings are the user's choices; empty fields fall back to the standard
// AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL) and shared config.
type Settings struct {
	Profile string
	Region  string
	Getenv  func(string) string
}

// DefaultRegion is used when neither a flag, the environment nor the profile names one.
const DefaultRegion = "us-east-1"

// Load resolves the configuration. It validates the region before any call so
// a typo fails at once instead of as a DNS error deep inside a flow.
func Load(ctx context.Context, s Settings) (aws.Config, error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	region := s.named(getenv)
	if region != "" {
		if err := ValidateRegion(region); err != nil {
			return aws.Config{}, err
		}
	}
	// The standard variables are read through the injected getenv (and not
	// only by the SDK from the process environment), so an in-process run
	// such as the demo or a test sees exactly the environment it was given.
	var opts []func(*config.LoadOptions) error
	if p := cmp.Or(s.Profile, getenv("AWS_PROFILE")); p != "" {
		opts = append(opts, config.WithSharedConfigProfile(p))
	}
	if f := getenv("AWS_CONFIG_FILE"); f != "" {
		opts = append(opts, config.WithSharedConfigFiles([]string{f}))
	}
	if f := getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		opts = append(opts, config.WithSharedCredentialsFiles([]string{f}))
	}
	if ep := getenv("AWS_ENDPOINT_URL"); ep != "" {
		opts = append(opts, config.WithBaseEndpoint(ep))
	}
	if ak, sk := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); ak != "" && sk != "" && s.Profile == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, getenv("AWS_SESSION_TOKEN"))))
	}
	if getenv("AWS_EC2_METADATA_DISABLED") == "true" {
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	// The SDK's own log lines ("WARN falling back to IMDSv1") would land in
	// the middle of jitsictl's output; every failure reaches the user as an
	// error instead, explained by Explain.
	opts = append(opts, config.WithLogger(logging.Nop{}), config.WithClientLogMode(0))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, Explain(err, s.profile(getenv))
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	} else if err := ValidateRegion(cfg.Region); err != nil {
		return aws.Config{}, err
	}
	return cfg, nil
}

// named is the region the flag or the environment names ("" when neither does).
func (s Settings) named(getenv func(string) string) string {
	return cmp.Or(s.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
}

// NamedRegion is the region the flag or the environment names, without
// reading a profile: DefaultRegion when neither does (cost prices it when
// the stack names none).
func (s Settings) NamedRegion() string {
	if s.Getenv == nil {
		return cmp.Or(s.Region, DefaultRegion)
	}
	return cmp.Or(s.named(s.Getenv), DefaultRegion)
}

func (s Settings) profile(getenv func(string) string) string {
	return cmp.Or(s.Profile, getenv("AWS_PROFILE"), "default")
}

// ProfileName is the profile a user should log in with, for messages.
func (s Settings) ProfileName() string {
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	return s.profile(getenv)
}

// Explain turns credential errors into an actionable message. An expired SSO
// session is the most common laptop failure; the fix is one exact command.
func Explain(err error, profile string) error {
	if err == nil {
		return nil
	}
	var tokenErr *ssocreds.InvalidTokenError
	msg := err.Error()
	if errors.As(err, &tokenErr) || strings.Contains(msg, "SSO session has expired") ||
		strings.Contains(msg, "refresh cached SSO token") || strings.Contains(msg, "failed to read cached SSO token") {
		return fmt.Errorf("AWS SSO session for profile %q has expired or was never started: run `aws sso login --profile %s`: %w", profile, profile, err)
	}
	if strings.Contains(msg, "failed to get shared config profile") {
		return fmt.Errorf("AWS profile %q is not in ~/.aws/config: check --profile / AWS_PROFILE, or run `aws configure sso --profile %s`: %w", profile, profile, err)
	}
	if strings.Contains(msg, "no EC2 IMDS role found") || strings.Contains(msg, "failed to retrieve credentials") {
		return fmt.Errorf("no AWS credentials found: set AWS_PROFILE (then `aws sso login --profile <p>`), or in GitHub Actions use aws-actions/configure-aws-credentials with an OIDC role: %w", err)
	}
	return err
}

// S3 returns an S3 client. Emulators answer path-style requests only
// (bucket.127.0.0.1 does not resolve), so an endpoint override implies it.
func S3(cfg aws.Config, getenv func(string) string) *s3.Client {
	pathStyle := getenv("AWS_ENDPOINT_URL") != "" || getenv("AWS_ENDPOINT_URL_S3") != "" || getenv("AWS_S3_USE_PATH_STYLE") == "true"
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		// Objects written without a checksum (the session record on some S3
		// implementations) are fine; don't print a DEBUG line for each read.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// CloudWatch returns a CloudWatch client speaking the AWS Query protocol.
// The SDK defaults to Smithy RPC v2 CBOR, which AWS serves but the emulator
// (moto 5.2.1) answers with 404; Query is the protocol CloudWatch has always
// served, so one code path is tested and runs on AWS.
func CloudWatch(cfg aws.Config) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
	})
}
