package plan

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
)

// Length rules for hiding copies of a secret. A marked object often holds short,
// non-secret leaves ("true", "8443", "admin"); matching those inside other text would blank
// half the comment, so:
const (
	// minSecretLen is the shortest secret matched inside longer text, in any encoding.
	// Shorter ones hide a value only when the value is exactly the secret.
	minSecretLen = 8
	// minExactLen is the shortest secret matched at all; below it (and for strings that read
	// as a number or a bool) a "secret" carries no information worth hiding.
	minExactLen = 4
	// minLineLen is the shortest line of a multi-line secret (a PEM key) matched on its own:
	// shorter lines are structure or the last few characters of a body.
	minLineLen = 16
)

// scrubber hides every value that holds a known secret in a form a plan can carry it: the
// raw text; JSON-escaped once (a plan value shown as JSON) or twice (a jsonencode()d
// document in a string attribute), with or without Go's HTML escaping of < > &; each line
// of a multi-line secret; and base64 (standard or URL alphabet, at any byte offset).
type scrubber struct {
	needles []string        // a value containing one of these is hidden
	exact   map[string]bool // a value equal to one of these is hidden
}

func newScrubber(secrets []string) *scrubber {
	sc := &scrubber{exact: map[string]bool{}}
	seen := map[string]bool{}
	add := func(n string) {
		if len(n) >= minSecretLen && !seen[n] {
			seen[n] = true
			sc.needles = append(sc.needles, n)
		}
	}
	for _, s := range secrets {
		switch {
		case tiny(s):
			continue
		case len(s) < minSecretLen:
			for _, e := range escapings(s) {
				sc.exact[e] = true
				sc.exact[`"`+e+`"`] = true
			}
			continue
		}
		for _, e := range escapings(s) {
			add(e)
		}
		if strings.Contains(s, "\n") {
			for _, l := range strings.Split(s, "\n") {
				l = strings.TrimSpace(l)
				if len(l) >= minLineLen && !pemArmour(l) {
					for _, e := range escapings(l) {
						add(e)
					}
				}
			}
		}
		for _, b := range base64Cores(s) {
			add(b)
		}
	}
	return sc
}

// tiny reports whether s is too short, or reads as a number or a bool, to be a secret.
func tiny(s string) bool {
	if len(s) < minExactLen {
		return true
	}
	if len(s) >= minSecretLen {
		return false
	}
	_, errF := strconv.ParseFloat(s, 64)
	_, errB := strconv.ParseBool(s)
	return errF == nil || errB == nil
}

// pemArmour reports whether l is a "-----BEGIN ...-----" line: public structure.
func pemArmour(l string) bool { return strings.HasPrefix(l, "-----") && strings.HasSuffix(l, "-----") }

// escapings returns s raw and as it reads inside a JSON string once and twice encoded.
func escapings(s string) []string {
	once := []string{jsonInner(s, false), jsonInner(s, true)}
	return []string{s, once[0], once[1], jsonInner(once[0], false), jsonInner(once[1], false)}
}

// jsonInner is s JSON-encoded without the surrounding quotes. Terraform's jsonencode()
// escapes < > & (html); FormatValue does not.
func jsonInner(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// base64Cores returns, for each byte offset of s inside a longer input (0, 1, 2) and each
// alphabet, the run of base64 characters that depends on s alone: what any base64 encoding
// of a text containing s at that offset contains.
func base64Cores(s string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for off := range 3 {
			full := enc.EncodeToString(append(make([]byte, off), s...))
			from := (8*off + 5) / 6      // first character with no bit of the padding
			to := 8 * (off + len(s)) / 6 // characters made only of s's bits
			if to > from {
				out = append(out, full[from:to])
			}
		}
	}
	return out
}

// scrub returns Sensitive for a value (formatted or raw) that holds a secret, else v.
func (sc *scrubber) scrub(v string) string {
	if sc == nil {
		return v
	}
	if sc.exact[v] {
		return string(Sensitive)
	}
	for _, n := range sc.needles {
		if strings.Contains(v, n) {
			return string(Sensitive)
		}
	}
	return v
}

// scrubTree returns v with every string holding a secret replaced by Sensitive.
func (sc *scrubber) scrubTree(v any) any {
	switch t := v.(type) {
	case string:
		if sc.scrub(t) != t {
			return Sensitive
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = sc.scrubTree(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = sc.scrubTree(val)
		}
		return out
	}
	return v
}
