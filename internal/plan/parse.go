package plan

import (
	"fmt"
	"io"

	tfjson "github.com/hashicorp/terraform-json"
)

// Parse reads `terraform show -json` output of a saved plan. terraform-json checks the
// format version, so a plan from an incompatible Terraform fails here rather than being
// half-read.
func Parse(r io.Reader) (*tfjson.Plan, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read plan JSON: %w", err)
	}
	var p tfjson.Plan
	if err := p.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("parse plan JSON (terraform show -json of a saved plan): %w", err)
	}
	return &p, nil
}
