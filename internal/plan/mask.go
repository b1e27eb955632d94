package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// marker stands in for a value that must not or cannot be shown.
type marker string

const (
	// Sensitive replaces every value marked sensitive, and every value of an SSM
	// SecureString parameter.
	Sensitive marker = "(sensitive)"
	// Unknown replaces a value that is known only after apply.
	Unknown marker = "(known after apply)"
)

// secureStringValueAttrs are the aws_ssm_parameter attributes that carry the parameter's
// value. insecure_value is included: on a SecureString it would still be a secret, and the
// provider does not mark it sensitive.
var secureStringValueAttrs = []string{"value", "value_wo", "insecure_value"}

// MaskValue returns v with every part marked in sensitive (a tfjson *_sensitive structure:
// true, or maps/lists of marks mirroring v) replaced by Sensitive. v is not modified.
func MaskValue(v, sensitive any) any {
	switch s := sensitive.(type) {
	case bool:
		if s && v != nil { // a null stays null: nothing to hide, and "absent" stays visible
			return Sensitive
		}
		return v
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, val := range m {
			out[k] = MaskValue(val, s[k])
		}
		return out
	case []any:
		l, ok := v.([]any)
		if !ok {
			return v
		}
		out := make([]any, len(l))
		for i, val := range l {
			var si any
			if i < len(s) {
				si = s[i]
			}
			out[i] = MaskValue(val, si)
		}
		return out
	}
	return v
}

// maskUnknown replaces the parts marked in unknown (after_unknown) by Unknown.
func maskUnknown(v, unknown any) any {
	switch u := unknown.(type) {
	case bool:
		if u {
			return Unknown
		}
		return v
	case map[string]any:
		m, _ := v.(map[string]any)
		out := make(map[string]any, len(m)+len(u))
		for k, val := range m {
			out[k] = val
		}
		for k, uk := range u {
			out[k] = maskUnknown(out[k], uk)
		}
		return out
	case []any:
		l, _ := v.([]any)
		n := max(len(l), len(u))
		out := make([]any, n)
		for i := range n {
			var val, ui any
			if i < len(l) {
				val = l[i]
			}
			if i < len(u) {
				ui = u[i]
			}
			out[i] = maskUnknown(val, ui)
		}
		return out
	}
	return v
}

// maskedValues returns the change's before and after values with sensitive parts, SSM
// SecureString values and unknown parts replaced by markers.
func maskedValues(rc *tfjson.ResourceChange) (before, after any) {
	ch := rc.Change
	before = MaskValue(ch.Before, ch.BeforeSensitive)
	after = maskUnknown(MaskValue(ch.After, ch.AfterSensitive), ch.AfterUnknown)
	if rc.Type == "aws_ssm_parameter" && !plainParameter(ch) {
		before = maskAttrs(before, secureStringValueAttrs)
		after = maskAttrs(after, secureStringValueAttrs)
	}
	return before, after
}

// plainParameter reports whether an SSM parameter is known to be String or StringList on
// both sides of the change. Anything else (SecureString, unknown type) is treated as secret.
func plainParameter(ch *tfjson.Change) bool {
	plain := func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return v == nil // absent side (create or delete)
		}
		t, _ := m["type"].(string)
		return t == "String" || t == "StringList"
	}
	if m, ok := ch.AfterUnknown.(map[string]any); ok && m["type"] == true {
		return false
	}
	return plain(ch.Before) && plain(ch.After) && (ch.Before != nil || ch.After != nil)
}

func maskAttrs(v any, attrs []string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, val := range m {
		out[k] = val
	}
	for _, a := range attrs {
		if val, ok := out[a]; ok && val != nil && val != Unknown {
			out[a] = Sensitive
		}
	}
	return out
}

// AttrChange is one changed leaf attribute, values already formatted for display.
// Before is empty for an added attribute and After for a removed one.
type AttrChange struct {
	Path          string
	Before, After string
	Added         bool
	Removed       bool
}

type leaf struct {
	path string
	val  any
}

// Diff lists the leaf attributes that differ between two masked values, by path.
func Diff(before, after any) []AttrChange { return diff(before, after, nil, nil) }

// diff is Diff that also consults the raw values behind masked leaves, so a rotated secret
// shows as "(sensitive) → (sensitive)" instead of vanishing from the diff.
func diff(before, after, rawBefore, rawAfter any) []AttrChange {
	b := flatten(before, nil)
	a := flatten(after, nil)
	// Where one side is a marker (unknown, sensitive) and the other a structure, compare the
	// structure as one value: "output = {...} → (known after apply)", not one line per leaf.
	if sa, sb := markerPaths(b), markerPaths(a); len(sa) > 0 || len(sb) > 0 {
		a = flatten(after, sa)
		b = flatten(before, sb)
	}
	var rb, ra map[string]any
	if rawBefore != nil || rawAfter != nil {
		rb, ra = flatten(rawBefore, nil), flatten(rawAfter, nil)
	}
	var out []AttrChange
	paths := make(map[string]struct{}, len(b)+len(a))
	for p := range b {
		paths[p] = struct{}{}
	}
	for p := range a {
		paths[p] = struct{}{}
	}
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		bv, inB := b[p]
		av, inA := a[p]
		if inB && inA {
			fb, fa := FormatValue(bv), FormatValue(av)
			if fb != fa || (containsMarker(bv) && rawChanged(p, rb, ra)) {
				out = append(out, AttrChange{Path: p, Before: fb, After: fa})
			}
			continue
		}
		if inA {
			if av == nil {
				continue // a null attribute on a new object is noise
			}
			out = append(out, AttrChange{Path: p, After: FormatValue(av), Added: true})
			continue
		}
		if bv == nil {
			continue
		}
		out = append(out, AttrChange{Path: p, Before: FormatValue(bv), Removed: true})
	}
	return out
}

// rawChanged reports whether any raw leaf at or under path differs between before and after.
func rawChanged(path string, before, after map[string]any) bool {
	under := func(p string) bool {
		return p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[")
	}
	for p, v := range before {
		if under(p) {
			if w, ok := after[p]; !ok || FormatValue(v) != FormatValue(w) {
				return true
			}
		}
	}
	for p := range after {
		if _, ok := before[p]; under(p) && !ok {
			return true
		}
	}
	return false
}

func markerPaths(flat map[string]any) map[string]bool {
	var out map[string]bool
	for p, v := range flat {
		if _, ok := v.(marker); ok {
			if out == nil {
				out = map[string]bool{}
			}
			out[p] = true
		}
	}
	return out
}

// flatten maps each leaf path (a.b[0].c) to its value; paths in stop are kept whole.
func flatten(v any, stop map[string]bool) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if stop[prefix] && prefix != "" {
			out[prefix] = v
			return
		}
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 0 && prefix != "" {
				out[prefix] = t
				return
			}
			for k, val := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, val)
			}
		case []any:
			if len(t) == 0 {
				out[prefix] = t
				return
			}
			for i, val := range t {
				walk(prefix+"["+strconv.Itoa(i)+"]", val)
			}
		default:
			if prefix == "" {
				prefix = "(value)"
			}
			out[prefix] = v
		}
	}
	if v != nil {
		walk("", v)
	}
	return out
}

// FormatValue renders a (masked) value compactly: markers bare, everything else as JSON.
func FormatValue(v any) string {
	switch t := v.(type) {
	case marker:
		return string(t)
	case nil:
		return "null"
	}
	if containsMarker(v) {
		// Markers inside a structure: JSON-encode with markers as bare strings.
		return stripMarkers(v)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func containsMarker(v any) bool {
	switch t := v.(type) {
	case marker:
		return true
	case map[string]any:
		for _, val := range t {
			if containsMarker(val) {
				return true
			}
		}
	case []any:
		for _, val := range t {
			if containsMarker(val) {
				return true
			}
		}
	}
	return false
}

func stripMarkers(v any) string {
	switch t := v.(type) {
	case marker:
		return string(t)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ":" + stripMarkers(t[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, val := range t {
			parts[i] = stripMarkers(val)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return FormatValue(v)
}
