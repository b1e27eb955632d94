// Package testbed holds test helpers shared by every package's tests: one moto_server
// per test binary (behind the fidelity proxy of internal/emulator), AWS SDK configuration
// and Terraform child environments pointed at it, and a copy of the stack applied with
// real terraform.
//
// Tests of one package share one moto: they must not call t.Parallel around it.
package testbed

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/jitsictl/jitsictl/internal/emulator"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Region is the emulator's region.
const Region = "us-east-1"

// Emulator is the running moto of this test binary.
type Emulator struct {
	// URL is what clients use (AWS_ENDPOINT_URL): the proxy in front of moto.
	URL string
	// MotoURL is moto itself, without the proxy.
	MotoURL string

	moto *emulator.Faithful
}

var (
	once     sync.Once
	shared   *Emulator
	startErr error
)

// Moto starts moto_server once per test binary on a free loopback port, resets it and
// returns it. Call Main from TestMain so it is stopped when the tests end (moto also dies
// with the test process: emulator.Start sets Pdeathsig).
func Moto(t testing.TB) *Emulator {
	t.Helper()
	once.Do(func() {
		m, err := emulator.StartFaithful(Context(t))
		if err != nil {
			startErr = err
			return
		}
		shared = &Emulator{URL: m.URL, MotoURL: m.Moto.URL, moto: m}
	})
	if startErr != nil {
		t.Fatalf("moto: %v", startErr)
	}
	shared.Reset(t)
	return shared
}

// PrivateMoto starts a moto of the test's own, stopped when the test ends.
// A long integration test on it can run in parallel with the tests sharing
// Moto, whose resets would otherwise wipe its resources.
func PrivateMoto(t testing.TB) *Emulator {
	t.Helper()
	m, err := emulator.StartFaithful(Context(t))
	if err != nil {
		t.Fatalf("moto: %v", err)
	}
	t.Cleanup(m.Stop)
	return &Emulator{URL: m.URL, MotoURL: m.Moto.URL, moto: m}
}

// Main runs the tests, then stops moto if a test started it and runs cleanups
// (for what a package built once for all its tests). Use it as
// func TestMain(m *testing.M) { testbed.Main(m) }.
func Main(m *testing.M, cleanups ...func()) {
	childGC()
	code := m.Run()
	if shared != nil {
		shared.moto.Stop()
	}
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// ChildGOGC is the garbage collector setting the test binary's child processes inherit
// unless GOGC is set already. Most of a test's CPU goes to terraform and the AWS provider
// (a 700 MB Go program started for every plan, apply and show), which allocate much and
// live for seconds: collecting less often cuts a fifth of their CPU for a little memory.
// The test binary itself keeps the setting it started with.
const ChildGOGC = "400"

func childGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		_ = os.Setenv("GOGC", ChildGOGC)
	}
}

// Reset forgets every resource in moto (and what the proxy remembered).
func (e *Emulator) Reset(t testing.TB) {
	t.Helper()
	if err := e.moto.Reset(context.Background()); err != nil {
		t.Fatalf("reset moto: %v", err)
	}
}

// ManualECSTasks keeps ECS tasks in the state RunTask/StopTask left them in, instead of
// moto's default walk to STOPPED on successive describes.
func (e *Emulator) ManualECSTasks(t testing.TB) {
	t.Helper()
	if err := e.moto.ManualECSTasks(context.Background()); err != nil {
		t.Fatalf("moto manual ECS task transitions: %v", err)
	}
}

// Env is the environment for child processes (terraform, the AWS CLI, jitsictl) that
// points them at the emulator with fake credentials.
func (e *Emulator) Env() []string { return e.moto.Env() }

// TFVars are the variables every terraform run against the emulator needs: moto serves
// S3 on one loopback host, so the provider must use path-style requests, and no
// terraform/bootstrap made the IAM roles, so the stack creates them. (terraform-exec
// refuses TF_VAR_* in a child environment, so this cannot live in Env.)
func (e *Emulator) TFVars() tf.Vars {
	return tf.Vars{"s3_use_path_style": true, "create_iam_roles": true}
}

// AWSConfig is an aws-sdk-go-v2 configuration for the emulator. S3 clients built from it
// use path-style requests on their own: the endpoint is an IP address, which cannot
// carry a bucket as a virtual host.
func (e *Emulator) AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(e.URL),
		// Ignore the developer's ~/.aws files: tests must not depend on them.
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		t.Fatalf("aws config for moto: %v", err)
	}
	return cfg
}
