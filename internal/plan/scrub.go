package plan

import (
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// secretStrings collects every string the plan holds as a secret: leaves marked sensitive
// in resource changes, drift and outputs, SSM SecureString values, and sensitive root
// variables. Summarize scrubs them from every rendered value, so a secret copied into an
// attribute Terraform does not mark (a literal, a non-sensitive derivation) stays hidden.
func secretStrings(p *tfjson.Plan) []string {
	set := map[string]bool{}
	addMarked := func(v, sensitive any) {
		walkMarked(v, sensitive, func(s string) { set[s] = true })
	}
	addResource := func(rc *tfjson.ResourceChange) {
		if rc == nil || rc.Change == nil {
			return
		}
		ch := rc.Change
		addMarked(ch.Before, ch.BeforeSensitive)
		addMarked(ch.After, ch.AfterSensitive)
		if rc.Type == "aws_ssm_parameter" && !plainParameter(ch) {
			for _, side := range []any{ch.Before, ch.After} {
				if m, ok := side.(map[string]any); ok {
					for _, a := range secureStringValueAttrs {
						addMarked(m[a], true)
					}
				}
			}
		}
	}
	for _, rc := range p.ResourceChanges {
		addResource(rc)
	}
	for _, rc := range p.ResourceDrift {
		addResource(rc)
	}
	for _, oc := range p.OutputChanges {
		if oc != nil {
			addMarked(oc.Before, oc.BeforeSensitive)
			addMarked(oc.After, oc.AfterSensitive)
		}
	}
	if p.Config != nil && p.Config.RootModule != nil {
		for name, v := range p.Config.RootModule.Variables {
			if v != nil && v.Sensitive && p.Variables[name] != nil {
				addMarked(p.Variables[name].Value, true)
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// walkMarked calls fn with every string leaf of v that sensitive marks.
func walkMarked(v, sensitive any, fn func(string)) {
	switch s := sensitive.(type) {
	case bool:
		if s {
			walkStrings(v, fn)
		}
	case map[string]any:
		if m, ok := v.(map[string]any); ok {
			for k, val := range m {
				walkMarked(val, s[k], fn)
			}
		}
	case []any:
		if l, ok := v.([]any); ok {
			for i, val := range l {
				if i < len(s) {
					walkMarked(val, s[i], fn)
				}
			}
		}
	}
}

func walkStrings(v any, fn func(string)) {
	switch t := v.(type) {
	case string:
		fn(t)
	case map[string]any:
		for _, val := range t {
			walkStrings(val, fn)
		}
	case []any:
		for _, val := range t {
			walkStrings(val, fn)
		}
	}
}

func scrubChanges(cs []ResourceChange, sc *scrubber) {
	for i := range cs {
		for j := range cs[i].Attrs {
			a := &cs[i].Attrs[j]
			a.Before, a.After = sc.scrub(a.Before), sc.scrub(a.After)
		}
	}
}
