package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/tf"
)

// TestArtifactsHoldNoState runs plan.yml on a pull request and deploy.yml on a push to
// main (plan job, then the apply job that downloads the reviewed hashes) and then looks
// at every artifact they uploaded: anyone may download a public repository's artifacts,
// so none may hold a plan file (it carries the state's values) or a state or state
// backup. The backup the apply takes first must be in the state bucket instead.
func TestArtifactsHoldNoState(t *testing.T) {
	b := newBed(t)
	// The deployed stack differs from the committed configuration (a log retention
	// someone changed), so deploy.yml's plan has changes and its apply job runs.
	b.st.Apply(t, tf.Vars{"nlb_enabled": false, "log_retention_days": 7})
	b.act.vars["AWS_DEPLOY_ROLE_ARN"] = deployRole

	// One artifact store per workflow run: both name their plan artifact after the
	// same commit here.
	stores := map[string]string{"plan.yml": t.TempDir(), "deploy.yml": t.TempDir()}
	b.act.setArtifacts(stores["plan.yml"])
	r := b.act.run(t, "pull_request", "plan.yml", "--eventpath", b.event(t, "pull_request.json"))
	requireSuccess(t, r)

	b.act.setArtifacts(stores["deploy.yml"])
	r = b.act.run(t, "push", "deploy.yml", "--eventpath", b.event(t, "push.json"))
	if r.err != nil {
		t.Fatalf("act deploy.yml: %v\n%s", r.err, r.stepLog())
	}
	for workflow, dir := range stores {
		uploaded := map[string][]string{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			artifact, file, _ := strings.Cut(filepath.ToSlash(rel), "/")
			uploaded[artifact] = append(uploaded[artifact], file)
			if why := stateLike(t, p); why != "" {
				t.Errorf("%s: artifact %s holds %s: %s", workflow, artifact, file, why)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s artifacts: %v", workflow, uploaded)
		// What the apply job (and a reviewer) needs is still there.
		if name := "deploy-plan-" + b.sha; !contains(uploaded[name], "reviewed.json") {
			t.Errorf("%s: artifact %s lacks reviewed.json: %v", workflow, name, uploaded)
		}
	}

	ran := map[string]string{}
	for _, l := range r.lines {
		if l.JobResult != "" {
			// act names jobs "<workflow>/<job>", padded.
			job := strings.TrimSpace(l.Job)
			ran[job[strings.LastIndex(job, "/")+1:]] = l.JobResult
		}
	}
	if ran["plan"] != "success" || ran["apply"] != "success" {
		t.Errorf("deploy.yml jobs %v, want plan and apply to succeed\n%s", ran, r.stepLog())
	}

	// The apply's state backup is in the state bucket, beside the state.
	out, err := s3.NewFromConfig(b.cfg).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(b.st.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	backups := 0
	for _, o := range out.Contents {
		if strings.HasPrefix(aws.ToString(o.Key), filepath.ToSlash(filepath.Dir(b.st.Key))+"/backups/") {
			backups++
		}
	}
	if backups == 0 {
		t.Errorf("no state backup under %s/backups/ in the state bucket after the apply", filepath.Dir(b.st.Key))
	}
}

// stateLike says why a file must not be an artifact, or "".
func stateLike(t *testing.T, path string) string {
	t.Helper()
	name := filepath.Base(path)
	switch {
	case strings.HasSuffix(name, ".tfplan"):
		return "a Terraform plan file"
	case strings.Contains(name, ".tfstate"), strings.HasPrefix(name, "state-backup"):
		return "a Terraform state"
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		return "a zip archive (the format of a plan file)"
	}
	var st struct {
		Lineage          string `json:"lineage"`
		TerraformVersion string `json:"terraform_version"`
	}
	if json.Unmarshal(raw, &st) == nil && st.Lineage != "" && st.TerraformVersion != "" {
		return "a Terraform state (lineage " + st.Lineage + ")"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
