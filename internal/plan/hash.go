package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// normalChange is the part of a resource change that defines what apply will do.
type normalChange struct {
	Address      string   `json:"address"`
	Deposed      string   `json:"deposed,omitempty"`
	Actions      []string `json:"actions"`
	Before       any      `json:"before"`
	After        any      `json:"after"`
	AfterUnknown any      `json:"after_unknown,omitempty"`
	ReplacePaths []any    `json:"replace_paths,omitempty"`
}

type normalOutput struct {
	Name         string   `json:"name"`
	Actions      []string `json:"actions"`
	Before       any      `json:"before"`
	After        any      `json:"after"`
	AfterUnknown any      `json:"after_unknown,omitempty"`
}

// Hash returns "sha256:<hex>" of the plan's normalized change set: the resource and output
// changes other than no-op, sorted, with their actions and before/after values. Timestamps,
// versions, prior state, configuration, variables and drift are left out, so two plans of
// the same change hash equal and any changed action or value changes the hash.
//
// Sensitive values enter the hash masked: the hash is published in the pull request, and a
// digest over a low-entropy secret would let anyone confirm a guess. The reviewer never saw
// those values either; Terraform itself still rejects a stale saved plan at apply.
func Hash(p *tfjson.Plan) string {
	var set struct {
		Resources []normalChange `json:"resource_changes"`
		Outputs   []normalOutput `json:"output_changes"`
	}
	set.Resources = []normalChange{}
	set.Outputs = []normalOutput{}
	if p != nil {
		for _, rc := range p.ResourceChanges {
			if rc == nil || rc.Change == nil || rc.Change.Actions.NoOp() {
				continue
			}
			before, after := maskedValues(rc)
			set.Resources = append(set.Resources, normalChange{
				Address:      rc.Address,
				Deposed:      rc.DeposedKey,
				Actions:      actionStrings(rc.Change.Actions),
				Before:       before,
				After:        after,
				AfterUnknown: rc.Change.AfterUnknown,
				ReplacePaths: rc.Change.ReplacePaths,
			})
		}
		for name, oc := range p.OutputChanges {
			if oc == nil || oc.Actions.NoOp() {
				continue
			}
			set.Outputs = append(set.Outputs, normalOutput{
				Name:         name,
				Actions:      actionStrings(oc.Actions),
				Before:       MaskValue(oc.Before, oc.BeforeSensitive),
				After:        MaskValue(oc.After, oc.AfterSensitive),
				AfterUnknown: oc.AfterUnknown,
			})
		}
	}
	sort.Slice(set.Resources, func(i, j int) bool {
		a, b := set.Resources[i], set.Resources[j]
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.Deposed < b.Deposed
	})
	sort.Slice(set.Outputs, func(i, j int) bool { return set.Outputs[i].Name < set.Outputs[j].Name })
	// encoding/json sorts map keys, so equal values encode to equal bytes.
	b, err := json.Marshal(set)
	if err != nil {
		// Values come from JSON, so they always re-encode; keep the failure visible anyway.
		panic("plan: normalized change set does not encode: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func actionStrings(a tfjson.Actions) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = string(x)
	}
	return out
}
