package bootstrap

import (
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/emulator"
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
// provider still checks its credentials during such a plan, so it gets a moto to ask
// (a closed port costs 30 s of retries per plan).
func TestVariableValidation(t *testing.T) {
	t.Parallel()
	ctx := testbed.Context(t)
	m, err := emulator.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	dir := copyBootstrap(t)
	r, err := tf.New(ctx, dir, tf.WithEnv(m.Env()))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	// Each plan starts the AWS provider, so one plan checks several variables: terraform
	// reports every failed validation, and each case's message must be among them.
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
