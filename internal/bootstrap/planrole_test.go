package bootstrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// testPlanRolePlansTheStack: with only the plan role's rights, under moto's IAM
// enforcement, a pull request's plan of the real stack (terraform/) works the way
// plan.yml runs it (-refresh=false -lock=false). The stack's data sources are read even
// then, including the bootstrap's task execution role, so this is where a data source
// the plan role may not read would show. (The state stays local: moto 5.2.1 cannot check
// the signature of the S3 backend's prefixed listing once enforcement is on; the plan
// role's state and lock-file rights are in enforcedCalls.)
func testPlanRolePlansTheStack(t *testing.T, a *applied) {
	ctx := testbed.Context(t) // no shorter limit: the suite runs this package at a lower priority
	out, err := sts.NewFromConfig(awsConfig(a.moto.URL, rootCreds)).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN(RoleName(testProject, "plan"))), RoleSessionName: aws.String("GitHubActions"),
		WebIdentityToken: aws.String("not-verified-by-moto"),
	})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "terraform"))); err != nil {
		t.Fatal(err)
	}
	_ = os.RemoveAll(filepath.Join(dir, ".terraform"))
	if err := os.WriteFile(filepath.Join(dir, "backend_override.tf"), []byte("terraform {\n  backend \"local\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(dir, "local.hcl")
	if err := os.WriteFile(backend, []byte("path = \"terraform.tfstate\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	env := append(a.moto.Env(),
		"AWS_ACCESS_KEY_ID="+aws.ToString(c.AccessKeyId),
		"AWS_SECRET_ACCESS_KEY="+aws.ToString(c.SecretAccessKey),
		"AWS_SESSION_TOKEN="+aws.ToString(c.SessionToken))
	log := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("terraform output:\n%s", log.String())
		}
	})
	r, err := tf.New(ctx, dir, tf.WithEnv(env), tf.WithProgress(log), tf.WithoutRefresh())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, backend); err != nil {
		t.Fatal(err)
	}
	testbed.DropProviderHashes(t, dir)
	enforceIAM(t, ctx, a.moto.URL)
	t.Cleanup(func() { relaxIAM(t, a.moto.URL) }) // the next subtest assumes roles unsigned
	changes, err := r.Plan(ctx, tf.Vars{"project": testProject, "region": testRegion, "s3_use_path_style": true}, nil, "")
	if err != nil {
		t.Fatalf("the pull request plan with the plan role: %v", err)
	}
	if !changes {
		t.Error("the plan of an empty state shows no changes: did it plan the stack at all?")
	}
	if !strings.Contains(log.String(), "data.aws_iam_role.task_execution") {
		t.Error("the plan never read data.aws_iam_role.task_execution: the stack no longer looks the bootstrap's role up?")
	}
}
