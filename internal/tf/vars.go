package tf

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/jitsictl/jitsictl/internal/outputs"
)

// Vars are Terraform input variables passed as -var flags. Strings go through as they
// are; every other value is JSON-encoded, which Terraform parses as HCL (true, 3,
// ["a","b"], {"k"="v"} all work).
type Vars map[string]any

// merge returns base overlaid with over (over wins); neither is modified.
func (base Vars) merge(over Vars) Vars {
	out := make(Vars, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}

// args renders the variables as name=value strings in name order, so the same Vars
// always produce the same command line.
func (v Vars) args() ([]string, error) {
	out := make([]string, 0, len(v))
	for _, name := range slices.Sorted(maps.Keys(v)) {
		s, err := varValue(v[name])
		if err != nil {
			return nil, fmt.Errorf("terraform variable %q: %w", name, err)
		}
		out = append(out, name+"="+s)
	}
	return out, nil
}

func varValue(x any) (string, error) {
	switch x := x.(type) {
	case string:
		return x, nil
	case nil:
		return "", fmt.Errorf("nil value (omit the variable to use its default)")
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return "", fmt.Errorf("cannot encode %T: %w", x, err)
		}
		return string(b), nil
	}
}

// SessionStack is a stack as the session flows drive it: every apply sets
// nlb_enabled (the on-demand NLB) and targets the session's resources.
type SessionStack struct{ R *Runner }

func (s SessionStack) Apply(ctx context.Context, nlbEnabled bool, targets []string) error {
	return s.R.Apply(ctx, Vars{"nlb_enabled": nlbEnabled}, targets)
}

func (s SessionStack) Outputs(ctx context.Context) (outputs.Outputs, error) { return s.R.Outputs(ctx) }
