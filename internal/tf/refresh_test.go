package tf_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// A plan WithoutRefresh sees the recorded state, not AWS: a resource deleted
// outside Terraform is a change only for the refreshing plan.
func TestWithoutRefresh(t *testing.T) {
	emu := testbed.Moto(t)
	ctx := context.Background()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "refresh", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	runner := func(opts ...tf.Option) *tf.Runner {
		r, err := tf.New(ctx, dir, append([]tf.Option{tf.WithEnv(emu.Env())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := runner()
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ssm.NewFromConfig(emu.AWSConfig(t)).DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/jitsictl-tf-test/refresh")}); err != nil {
		t.Fatal(err)
	}
	if changed, err := runner(tf.WithoutRefresh()).Plan(ctx, nil, nil, ""); err != nil || changed {
		t.Fatalf("plan without refresh: changed=%v, %v; want no changes against the recorded state", changed, err)
	}
	if changed, err := r.Plan(ctx, nil, nil, ""); err != nil || !changed {
		t.Fatalf("refreshing plan: changed=%v, %v; want the deleted parameter recreated", changed, err)
	}
}
