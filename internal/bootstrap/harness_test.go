package bootstrap

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/jitsictl/jitsictl/internal/emulator"
	"github.com/jitsictl/jitsictl/internal/testbed"
	goldenfile "github.com/jitsictl/jitsictl/internal/testbed/golden"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// The bootstrap's inputs in every test, and what moto answers for account and region.
const (
	testRepo    = "octo-org/jitsi"
	testProject = "jitsi"
	testBucket  = "jitsi-state-test"
	testKey     = "jitsi/terraform.tfstate"
	testAccount = "123456789012"
	testRegion  = "us-east-1"
	testZone    = "Z0123456789ABCDEFGHIJ"
)

var testVars = tf.Vars{
	"github_repository": testRepo,
	"project":           testProject,
	"state_bucket_name": testBucket,
	"region":            testRegion,
	"s3_use_path_style": true,
	"route53_zone_id":   testZone,
}

// syncBuffer collects terraform's output, written by terraform-exec's copiers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// applied is terraform/bootstrap applied to its own moto.
type applied struct {
	moto    *emulator.Moto
	runner  *tf.Runner
	log     *syncBuffer
	outputs map[string]json.RawMessage
}

// applyBootstrap starts a moto, applies a copy of terraform/bootstrap to it (local state
// stays in the copy) and returns the outputs. Terraform's log is printed on failure.
func applyBootstrap(t *testing.T) *applied {
	t.Helper()
	ctx := testbed.Context(t)
	m, err := emulator.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)

	dir := copyBootstrap(t)

	log := &syncBuffer{}
	r, err := tf.New(ctx, dir, tf.WithEnv(m.Env()), tf.WithProgress(log))
	if err != nil {
		t.Fatal(err)
	}
	a := &applied{moto: m, runner: r, log: log}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("terraform output:\n%s", log.String())
		}
	})
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	testbed.DropProviderHashes(t, dir)
	if err := r.Apply(ctx, testVars, nil); err != nil {
		t.Fatal(err)
	}
	if a.outputs, err = r.Output(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// copyBootstrap copies terraform/bootstrap into a fresh directory, so that tests run in
// parallel and local state never lands in the source tree. The modules it calls come
// along, at the same relative place (../modules/...).
func copyBootstrap(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyTF(t, filepath.Join("..", "..", "terraform", "modules", "session-guard-role"), filepath.Join(root, "modules", "session-guard-role"))
	dir := filepath.Join(root, "bootstrap")
	copyTF(t, filepath.Join("..", "..", "terraform", "bootstrap"), dir)
	return dir
}

// copyTF copies the *.tf files of src into dst.
func copyTF(t *testing.T, src, dst string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no terraform files in %s (%v)", src, err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// awsConfig points the SDK at moto with the given credentials. Retries are off: an
// AccessDenied must surface at once, not after backoff.
func awsConfig(url string, creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:           testRegion,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.StaticCredentialsProvider{Value: creds},
		RetryMaxAttempts: 1,
	}
}

// rootCreds are moto's default account credentials, accepted while IAM is not enforced.
var rootCreds = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}

func outputString(t *testing.T, a *applied, name string) string {
	t.Helper()
	raw, ok := a.outputs[name]
	if !ok {
		t.Fatalf("bootstrap has no output %q", name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("output %s: %v", name, err)
	}
	return s
}

// readRoles reads every flow's role back from IAM.
func readRoles(t *testing.T, ctx context.Context, api IAMReader) map[string]Role {
	t.Helper()
	roles := map[string]Role{}
	for _, flow := range Flows {
		r, err := ReadRole(ctx, api, RoleName(testProject, flow))
		if err != nil {
			t.Fatal(err)
		}
		roles[flow] = r
	}
	return roles
}

func iamClient(url string, creds aws.Credentials) *iam.Client {
	return iam.NewFromConfig(awsConfig(url, creds))
}

// golden compares got with testdata/<name>, rewriting it with -update.
func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }

func TestMain(m *testing.M) { testbed.Main(m) }
