package stage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// The apply rules on real Terraform with built-in resources only (terraform_data, local
// state), so each case takes seconds; backups go to moto's S3. The AWS-facing parts
// (checks, the real stack, the legacy migration) are in internal/cli's deploy tests.

const chain = `variable "v" {
  type    = string
  default = "one"
}

variable "nlb_enabled" {
  type    = bool
  default = false
}

# base exists before every test's deploy, so there is a state to back up.
resource "terraform_data" "base" {}

resource "terraform_data" "a" {
  input = var.v
}

resource "terraform_data" "b" {
  input = "b-${terraform_data.a.output}"
}

resource "terraform_data" "c" {
  input = "c-${var.v}"
}
`

func stages(t *testing.T, doc string) []Numbered {
	t.Helper()
	c, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.Select("")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const threeStages = `deploy:
  stages:
    - {name: a, targets: [terraform_data.a], allow: [create, update]}
    - {name: b, targets: [terraform_data.b], allow: [create, update]}
    - {name: all, allow: [create, update, replace, delete]}
`

type bed struct {
	r   *tf.Runner
	log *bytes.Buffer
	d   *Deployer
}

func newBed(t *testing.T, emu *testbed.Emulator, conf, stageDoc string, vars tf.Vars) *bed {
	return newBedState(t, emu, conf, stageDoc, vars, true)
}

func newBedState(t *testing.T, emu *testbed.Emulator, conf, stageDoc string, vars tf.Vars, withState bool) *bed {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := tf.New(ctx, dir)
	if err != nil {
		t.Fatalf("%v (install terraform >= 1.11)", err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if withState {
		if err := r.Apply(ctx, vars, []string{"terraform_data.base"}); err != nil {
			t.Fatal(err)
		}
	}
	api := s3.NewFromConfig(emu.AWSConfig(t))
	bucket := "state-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(bucket) > 60 {
		bucket = bucket[:60]
	}
	if _, err := api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	rep, err := report.New(report.Options{Format: report.FormatText, Stdout: &log, Stderr: &log, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return &bed{r: r, log: &log, d: &Deployer{
		TF: r, Vars: vars, Stages: stages(t, stageDoc), Dir: filepath.Join(dir, "out"), Report: rep,
		Backup:       &Backup{S3: api, Bucket: bucket, StateKey: "p/terraform.tfstate", Dir: filepath.Join(dir, "out")},
		RollbackHint: "jitsictl deploy rollback --ref before",
	}}
}

func (b *bed) reviewed(t *testing.T) map[string]string {
	t.Helper()
	ps, err := b.d.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := Failed(ps); err != nil {
		t.Fatal(err)
	}
	rev, err := ReadReviewed(filepath.Join(b.d.Dir, ReviewedFile))
	if err != nil {
		t.Fatal(err)
	}
	return rev.Stages
}

func (b *bed) resources(t *testing.T) string {
	t.Helper()
	st, err := b.r.StatePull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range []string{`"name": "a"`, `"name": "b"`, `"name": "c"`} {
		if bytes.Contains(st, []byte(n)) {
			names = append(names, n[9:10])
		}
	}
	return strings.Join(names, ",")
}

// Stage 2's reviewed plan was made before stage 1 and includes it (b depends on a);
// apply re-plans stage 2 after stage 1, holds it to that plan, and ends converged.
func TestApplyInStages(t *testing.T) {
	emu := testbed.Moto(t)
	b := newBed(t, emu, chain, threeStages, tf.Vars{"v": "one"})
	ps, err := b.d.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := ps[1].Summary.Counts.Create; got != 2 {
		t.Errorf("stage b plans %d creates, want a and b (its dependency)", got)
	}
	rev, _ := ReadReviewed(filepath.Join(b.d.Dir, ReviewedFile))
	var order []string
	b.d.AfterStage = func(_ context.Context, n Numbered) error {
		order = append(order, n.Name+":"+b.resources(t))
		return nil
	}
	res, err := b.d.Apply(context.Background(), rev.Stages)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.log)
	}
	if got := strings.Join(order, " "); got != "a:a b:a,b all:a,b,c" {
		t.Errorf("after each stage: %s", got)
	}
	if !res.FinalChecked || len(res.Applied) != 3 || res.Backup.Remote == "" {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(b.log.String(), "re-plan stage 2 (b)") {
		t.Errorf("stage b was not re-planned after stage a:\n%s", b.log)
	}
}

func TestApplyRefusesBeforeChangingAnything(t *testing.T) {
	emu := testbed.Moto(t)
	t.Run("policy", func(t *testing.T) {
		b := newBed(t, emu, chain, strings.Replace(threeStages, "{name: a, targets: [terraform_data.a], allow: [create, update]}", "{name: a, targets: [terraform_data.a], allow: [update]}", 1), tf.Vars{"v": "one"})
		ps, err := b.d.Plan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if Failed(ps) == nil {
			t.Fatal("plan passed a create under an update-only policy")
		}
		rev, _ := ReadReviewed(filepath.Join(b.d.Dir, ReviewedFile))
		_, err = b.d.Apply(context.Background(), rev.Stages)
		var se *StageError
		if !errors.As(err, &se) || !se.BeforeApply || se.Stage.N != 1 || !strings.Contains(err.Error(), "create terraform_data.a") {
			t.Fatalf("got %v", err)
		}
		if got := b.resources(t); got != "" {
			t.Errorf("a refused deploy created %s", got)
		}
	})
	t.Run("a later stage's policy", func(t *testing.T) {
		// Checked up front too: stage a is fine, stage b is not, so nothing is applied.
		b := newBed(t, emu, chain, strings.Replace(threeStages, "{name: b, targets: [terraform_data.b], allow: [create, update]}", "{name: b, targets: [terraform_data.b], allow: [update]}", 1), tf.Vars{"v": "one"})
		ps, _ := b.d.Plan(context.Background())
		rev := map[string]string{}
		for _, p := range ps {
			rev[p.Name] = p.Hash
		}
		_, err := b.d.Apply(context.Background(), rev)
		var se *StageError
		if !errors.As(err, &se) || se.Stage.N != 2 || !se.BeforeApply {
			t.Fatalf("got %v", err)
		}
		if got := b.resources(t); got != "" {
			t.Errorf("stage a was applied although stage b's policy fails: %s", got)
		}
	})
	t.Run("hash", func(t *testing.T) {
		b := newBed(t, emu, chain, threeStages, tf.Vars{"v": "one"})
		rev := b.reviewed(t)
		b.d.Vars = tf.Vars{"v": "two"} // the change set is no longer the reviewed one
		_, err := b.d.Apply(context.Background(), rev)
		if err == nil || !strings.Contains(err.Error(), "not the one reviewed") {
			t.Fatalf("got %v", err)
		}
		if got := b.resources(t); got != "" {
			t.Errorf("a refused deploy created %s", got)
		}
	})
	t.Run("unreviewed stage", func(t *testing.T) {
		b := newBed(t, emu, chain, threeStages, tf.Vars{"v": "one"})
		rev := b.reviewed(t)
		delete(rev, "all")
		_, err := b.d.Apply(context.Background(), rev)
		if err == nil || !strings.Contains(err.Error(), "no reviewed plan hash for stage all") {
			t.Fatalf("got %v", err)
		}
	})
}

// A stage whose apply fails leaves the earlier stages applied and says how to go back.
func TestFailedStageKeepsEarlierStages(t *testing.T) {
	emu := testbed.Moto(t)
	conf := strings.Replace(chain, `  input = "b-${terraform_data.a.output}"
}`, `  input = "b-${terraform_data.a.output}"

  provisioner "local-exec" {
    command = "echo b cannot be created >&2; exit 1"
  }
}`, 1)
	b := newBed(t, emu, conf, threeStages, tf.Vars{"v": "one"})
	rev := b.reviewed(t)
	_, err := b.d.Apply(context.Background(), rev)
	var se *StageError
	if !errors.As(err, &se) || se.Stage.N != 2 || se.BeforeApply || len(se.Applied) != 1 {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{"stage 2 (b) failed", "Applied and left in place: stage 1 (a)", "jitsictl deploy rollback --ref before", "jitsictl deploy restore-state s3://"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("report lacks %q:\n%v", want, err)
		}
	}
	if got := b.resources(t); !strings.HasPrefix(got, "a") || strings.Contains(got, "c") {
		t.Errorf("state after the failure: %s (want a kept, c never applied)", got)
	}
}

// The closing full plan catches a configuration that never converges.
func TestFinalPlanMustBeEmpty(t *testing.T) {
	emu := testbed.Moto(t)
	conf := chain + `
resource "terraform_data" "clock" {
  input = timestamp()
}
`
	b := newBed(t, emu, conf, threeStages, tf.Vars{"v": "one"})
	rev := b.reviewed(t)
	res, err := b.d.Apply(context.Background(), rev)
	if err == nil || !strings.Contains(err.Error(), "does not converge") || !strings.Contains(err.Error(), "terraform_data.clock") {
		t.Fatalf("got %v", err)
	}
	if len(res.Applied) != 3 || res.FinalChecked {
		t.Errorf("result %+v", res)
	}
}

// A first deploy has no state to back up; it says so and goes on.
func TestFirstDeployHasNothingToBackUp(t *testing.T) {
	emu := testbed.Moto(t)
	b := newBedState(t, emu, chain, threeStages, tf.Vars{"v": "one"}, false)
	res, err := b.d.Apply(context.Background(), b.reviewed(t))
	if err != nil || res.Backup.Remote != "" || !res.FinalChecked {
		t.Fatalf("%+v %v", res, err)
	}
	if !strings.Contains(b.log.String(), "no state yet: nothing to back up") {
		t.Errorf("log:\n%s", b.log)
	}
}
