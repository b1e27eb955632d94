package stage

import (
	"encoding/json"
	"fmt"
	"os"
)

// ReviewedFile is the name deploy plan gives the record of reviewed hashes.
const ReviewedFile = "reviewed.json"

// Reviewed is what a reviewer approved: each stage's plan hash (plan.Hash), by stage name.
// It travels as a workflow artifact beside the plan files, and the same map is hidden in
// the pull request comment (prcomment.ReviewedHashes).
type Reviewed struct {
	HeadSHA string            `json:"head_sha,omitempty"`
	Stages  map[string]string `json:"stages"`
}

// Write saves r as indented JSON.
func (r Reviewed) Write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadReviewed loads a reviewed.json written by deploy plan.
func ReadReviewed(path string) (Reviewed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Reviewed{}, fmt.Errorf("reviewed hashes: %w", err)
	}
	var r Reviewed
	if err := json.Unmarshal(b, &r); err != nil {
		return Reviewed{}, fmt.Errorf("reviewed hashes %s: %w", path, err)
	}
	if len(r.Stages) == 0 {
		return Reviewed{}, fmt.Errorf("reviewed hashes %s: no stage has a hash (did deploy plan fail?)", path)
	}
	return r, nil
}
