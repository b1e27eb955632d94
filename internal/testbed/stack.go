package testbed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Outputs are the stack's typed outputs.
type Outputs = outputs.Outputs

// Stack is a private copy of terraform/ initialised against the emulator, with its state
// in an S3 bucket of the emulator (use_lockfile, as in production).
type Stack struct {
	Dir      string
	Runner   *tf.Runner
	Bucket   string // state bucket
	Key      string // state object key
	LogFile  string // everything terraform printed
	Emulator *Emulator
	// Reattach is TF_REATTACH_PROVIDERS' value for the stack's own provider process
	// (StartProvider): Runner uses it, and Env hands it to jitsictl.
	Reattach string
}

// NewStack copies the repository's terraform/ into a temporary directory, creates a state
// bucket in moto, writes a backend config and runs terraform init.
func NewStack(t testing.TB, e *Emulator) *Stack {
	t.Helper()
	dir := CopyStack(t)

	s := &Stack{Dir: dir, Bucket: "tfstate-" + randomSuffix(), Key: "jitsi/terraform.tfstate", Emulator: e}
	ctx := Context(t)
	if _, err := s3.NewFromConfig(e.AWSConfig(t)).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		t.Fatalf("create state bucket in moto: %v", err)
	}
	backend := filepath.Join(filepath.Dir(dir), "backend.hcl")
	conf := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nuse_lockfile = true\nencrypt = true\nuse_path_style = true\n", s.Bucket, s.Key, Region)
	if err := os.WriteFile(backend, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}

	s.LogFile = filepath.Join(filepath.Dir(dir), "terraform.log")
	log, err := os.Create(s.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		log.Close()
		if t.Failed() {
			t.Logf("terraform log (last 8 KiB of %s):\n%s", s.LogFile, tail(s.LogFile, 8<<10))
		}
	})
	opts := []tf.Option{tf.WithEnv(e.Env()), tf.WithVars(e.TFVars()), tf.WithProgress(log)}
	r, err := tf.New(ctx, dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, backend); err != nil {
		t.Fatal(err)
	}
	DropProviderHashes(t, dir)
	s.Reattach = StartProvider(t, dir, e.Env()).Reattach
	if s.Runner, err = tf.New(ctx, dir, append(opts, tf.WithReattach(s.Reattach))...); err != nil {
		t.Fatal(err)
	}
	return s
}

// Env is the emulator's environment for a jitsictl or terraform process
// working on this stack, attaching to the stack's provider.
func (s *Stack) Env() []string {
	return append(s.Emulator.Env(), tf.ReattachEnv+"="+s.Reattach)
}

// Apply runs terraform apply with vars (nlb_enabled etc.) and fails the test on error.
func (s *Stack) Apply(t testing.TB, vars tf.Vars) {
	t.Helper()
	if err := s.Runner.Apply(Context(t), vars, nil); err != nil {
		t.Fatal(err)
	}
}

// Plan runs terraform plan with vars and reports whether it has changes.
func (s *Stack) Plan(t testing.TB, vars tf.Vars) bool {
	t.Helper()
	changed, err := s.Runner.Plan(Context(t), vars, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

// Outputs reads the stack's outputs.
func (s *Stack) Outputs(t testing.TB) Outputs {
	t.Helper()
	o, err := s.Runner.Outputs(Context(t))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// StateObject returns the state object exactly as stored in the S3 backend.
func (s *Stack) StateObject(t testing.TB) []byte {
	t.Helper()
	out, err := s3.NewFromConfig(s.Emulator.AWSConfig(t)).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.Key)})
	if err != nil {
		t.Fatalf("read state s3://%s/%s: %v", s.Bucket, s.Key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CopyStack copies the repository's terraform/ (configuration only: no .terraform,
// state, plans, lock or backend files) into a temporary directory and returns its path.
func CopyStack(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "terraform")
	if err := copyStack(filepath.Join(RepoRoot(t), "terraform"), dir); err != nil {
		t.Fatalf("copy terraform/: %v", err)
	}
	return dir
}

// RepoRoot is the directory holding go.mod, found upwards from the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory: run tests inside the jitsictl module")
		}
		dir = parent
	}
}

// copyStack copies the configuration only: no .terraform, state, plans or backend files
// from a developer's working copy.
func copyStack(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		name := d.Name()
		if d.IsDir() {
			if name == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.Contains(name, ".tfstate") || strings.HasSuffix(name, ".tfplan") || name == "backend.hcl" || name == ".terraform.lock.hcl" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.ToValidUTF8(b, nil))
}
