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
)

// requireNoStateIn looks at every artifact a workflow uploaded to dir: anyone may
// download a public repository's artifacts, so none may hold a plan file (it carries
// the state's values) or a state or state backup. The plan artifact must still hold
// reviewed.json, which the apply job (and a reviewer) needs.
func requireNoStateIn(t *testing.T, dir, sha string) {
	t.Helper()
	uploaded := map[string][]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		artifact, file, _ := strings.Cut(filepath.ToSlash(rel), "/")
		uploaded[artifact] = append(uploaded[artifact], file)
		if why := stateLike(t, p); why != "" {
			t.Errorf("artifact %s holds %s: %s", artifact, file, why)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("artifacts: %v", uploaded)
	if name := "deploy-plan-" + sha; !contains(uploaded[name], "reviewed.json") {
		t.Errorf("artifact %s lacks reviewed.json: %v", name, uploaded)
	}
}

// jobResults maps the jobs of a run to their results (act names jobs
// "<workflow>/<job>", padded).
func jobResults(r actRun) map[string]string {
	ran := map[string]string{}
	for _, l := range r.lines {
		if l.JobResult != "" {
			job := strings.TrimSpace(l.Job)
			ran[job[strings.LastIndex(job, "/")+1:]] = l.JobResult
		}
	}
	return ran
}

// requireStateBackup: the apply's state backup is in the state bucket, beside the
// state, not in an artifact.
func (b *bed) requireStateBackup(t *testing.T) {
	t.Helper()
	out, err := s3.NewFromConfig(b.cfg).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(b.st.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		if strings.HasPrefix(aws.ToString(o.Key), filepath.ToSlash(filepath.Dir(b.st.Key))+"/backups/") {
			return
		}
	}
	t.Errorf("no state backup under %s/backups/ in the state bucket after the apply", filepath.Dir(b.st.Key))
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
