// Package suggest finds the names a user most likely meant, for "did you
// mean" messages (region typos, unknown price table regions).
package suggest

import "sort"

// Nearest returns candidates ordered by edit distance to name, closest first
// (ties keep the candidates' order), at most n of them.
func Nearest(name string, candidates []string, n int) []string {
	out := append([]string(nil), candidates...)
	sort.SliceStable(out, func(i, j int) bool { return Distance(name, out[i]) < Distance(name, out[j]) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Distance is the Levenshtein distance between a and b.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
