package bootstrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func TestDocumentDecoding(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		// IAM's form: RFC 3986 URL-encoding.
		{"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D", `{"Version":"2012-10-17","Statement":[]}`},
		// Already JSON (some emulators): a '+' must stay a '+'.
		{`{"Sid":"a+b"}`, `{"Sid":"a+b"}`},
		{"%7B%22Sid%22%3A%22a%2Bb%22%7D", `{"Sid":"a+b"}`},
	} {
		got, err := document(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("document(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "%zz", "not json"} {
		if _, err := document(bad); err == nil {
			t.Errorf("document(%q) accepted", bad)
		}
	}
}

// TestVariableValidation: the bootstrap refuses a repository it cannot pin exactly. The
// rules are the validation blocks of terraform/bootstrap/variables.tf, which read only
// their own variable; a plan of that file alone evaluates them exactly as a plan of the
// whole bootstrap does, without starting the AWS provider (about 2 CPU-s a plan) or a
// moto for it to ask for credentials.
func TestVariableValidation(t *testing.T) {
	t.Parallel()
	ctx := testbed.Context(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "terraform", "bootstrap", "variables.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "variables.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := tf.New(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	// The valid values pass: the errors below are the validations', nothing else's.
	if _, err := r.Plan(ctx, tf.Vars{"github_repository": testRepo, "state_bucket_name": testBucket, "project": testProject}, nil, ""); err != nil {
		t.Fatalf("plan of valid variables: %v", err)
	}
	// One plan checks several variables: terraform reports every failed validation, and
	// each case's message must be among them.
	type bad struct{ name, value, wantErr string }
	for _, plan := range [][]bad{
		{{"github_repository", "https://github.com/octo-org/jitsi", "github_repository must be"}, {"project", "Jitsi_Prod", "project must match"}},
		{{"github_repository", "octo-org/*", "github_repository must be"}, {"state_bucket_name", "My_Bucket", "state_bucket_name must be"}},
		{{"github_repository", "octo-org/jitsi.git/", "github_repository must be"}},
		{{"github_repository", "octo-org", "github_repository must be"}},
	} {
		vars := tf.Vars{"github_repository": testRepo, "state_bucket_name": testBucket}
		for _, c := range plan {
			vars[c.name] = c.value
		}
		_, err := r.Plan(ctx, vars, nil, "")
		for _, c := range plan {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s=%q: got %v, want an error containing %q", c.name, c.value, err, c.wantErr)
			}
		}
	}
}
