package stage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jitsictl/jitsictl/internal/plan"
	"github.com/jitsictl/jitsictl/internal/prcomment"
	"github.com/jitsictl/jitsictl/internal/report"
)

// PlanComment is the pull request comment of planned stages.
func PlanComment(planned []Planned, runURL, head string) prcomment.Comment {
	results := make([]prcomment.StageResult, len(planned))
	for i, p := range planned {
		results[i] = p.Result()
	}
	return prcomment.Comment{Stages: results, RunURL: runURL, HeadSHA: head}
}

// PlanSummary is the comment at the job summary's size, with a note on how
// to read later stages' plans when there are several.
func PlanSummary(doc prcomment.Comment, stages int) string {
	doc.Limit = prcomment.MaxSummary
	md := prcomment.Render(doc)
	if stages > 1 {
		md += "\n" + stagedPlanNote + "\n"
	}
	return md
}

// PublishPlan writes the summary md to dir/summary.md and hands the plan to
// the Reporter: the step summary, the outputs (has-changes, destroys,
// plan-hash, summary-path) and the JSON result.
func PublishPlan(rep report.Reporter, planned []Planned, md, dir string) error {
	summaryPath := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(summaryPath, []byte(md), 0o644); err != nil {
		return err
	}
	rep.Summary(md)
	hasChanges, destroys := false, 0
	for _, p := range planned {
		hasChanges = hasChanges || p.Summary.HasChanges()
		destroys += len(p.Summary.Destroys())
	}
	abs, _ := filepath.Abs(summaryPath)
	rep.Output("has-changes", strconv.FormatBool(hasChanges))
	rep.Output("destroys", strconv.Itoa(destroys))
	rep.Output("plan-hash", combinedHash(planned))
	rep.Output("summary-path", abs)
	rep.Result(planResult(planned, abs))
	return nil
}

// stagedPlanNote says how to read the plans of stages after the first.
const stagedPlanNote = "> Every stage is planned against the current state. A later stage's plan also lists the changes of earlier stages its targets depend on; `deploy apply` re-plans it after those stages and refuses any change or action its reviewed plan did not show."

// combinedHash is one value for the plan-hash output: a digest of every stage's hash in
// stage order.
func combinedHash(ps []Planned) string {
	h := sha256.New()
	for _, p := range ps {
		fmt.Fprintf(h, "%s=%s\n", p.Name, p.Hash)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

type planStageJSON struct {
	Stage   string      `json:"stage"`
	Hash    string      `json:"hash,omitempty"`
	Counts  plan.Counts `json:"counts"`
	Policy  string      `json:"policy_error,omitempty"`
	Error   string      `json:"error,omitempty"`
	Destroy []string    `json:"destroys,omitempty"`
}

func planResult(ps []Planned, summary string) any {
	out := struct {
		Stages  []planStageJSON `json:"stages"`
		Summary string          `json:"summary_path"`
	}{Summary: summary}
	for _, p := range ps {
		j := planStageJSON{Stage: p.Name, Hash: p.Hash, Counts: p.Summary.Counts}
		if p.Policy != nil {
			j.Policy = p.Policy.Error()
		}
		if p.Err != nil {
			j.Error = p.Err.Error()
		}
		for _, c := range p.Summary.Destroys() {
			j.Destroy = append(j.Destroy, string(c.Action)+" "+c.Address)
		}
		out.Stages = append(out.Stages, j)
	}
	return out
}
