package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	Importing    any      `json:"importing,omitempty"`
}

type normalOutput struct {
	Name         string   `json:"name"`
	Actions      []string `json:"actions"`
	Before       any      `json:"before"`
	After        any      `json:"after"`
	AfterUnknown any      `json:"after_unknown,omitempty"`
}

// Hash returns "sha256:<hex>" of the plan's normalized change set: the resource and output
// changes other than no-op (imports included), sorted, with their actions and before/after values. Timestamps,
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
		sc := newScrubber(secretStrings(p))
		clean := sc.scrubTree
		for _, rc := range p.ResourceChanges {
			if rc == nil || rc.Change == nil || (rc.Change.Actions.NoOp() && rc.Change.Importing == nil) {
				continue
			}
			var importing any
			if imp := rc.Change.Importing; imp != nil {
				importing = map[string]any{"id": imp.ID, "identity": imp.Identity}
			}
			before, after := maskedValues(rc)
			set.Resources = append(set.Resources, normalChange{
				Address:      rc.Address,
				Deposed:      rc.DeposedKey,
				Actions:      actionStrings(rc.Change.Actions),
				Before:       clean(before),
				After:        clean(after),
				AfterUnknown: rc.Change.AfterUnknown,
				ReplacePaths: rc.Change.ReplacePaths,
				Importing:    importing,
			})
		}
		for name, oc := range p.OutputChanges {
			if oc == nil || oc.Actions.NoOp() {
				continue
			}
			set.Outputs = append(set.Outputs, normalOutput{
				Name:         name,
				Actions:      actionStrings(oc.Actions),
				Before:       clean(MaskValue(oc.Before, oc.BeforeSensitive)),
				After:        clean(MaskValue(oc.After, oc.AfterSensitive)),
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

// Verify returns an error unless p's change set hashes to reviewed, the hash recorded
// when the plan was reviewed. Apply calls it before applying anything.
func Verify(reviewed string, p *tfjson.Plan) error {
	if reviewed == "" {
		return errors.New("no reviewed plan hash: run jitsictl deploy plan and review it before applying")
	}
	if got := Hash(p); got != reviewed {
		return fmt.Errorf("the resource changes differ from the reviewed plan (reviewed %s, now %s): review the new plan before applying", reviewed, got)
	}
	return nil
}
