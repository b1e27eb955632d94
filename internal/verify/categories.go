package verify

import (
	"strings"

	"github.com/jitsictl/jitsictl/internal/probe"
)

// Categories are the reachability verdicts verify exposes as outputs, each
// made of the checks of that name.
var Categories = []struct{ Output, Check string }{
	{"udp", "udp-stun"},
	{"tcp", "tcp"},
	{"https", "https"},
}

// Skipped is a category's verdict when none of its checks ran (no load
// balancer to probe): neither a pass nor a failure of that path.
const Skipped = "skipped"

// severity orders statuses from best to worst. UNCONFIRMED ranks below WARN:
// a silent JVB port is what a healthy session shows to a stranger.
var severity = map[probe.Status]int{probe.Pass: 0, probe.Unconfirmed: 1, probe.Warn: 2, probe.Fail: 3}

// Category is the worst status among the checks named check, lower-case
// (pass, unconfirmed, warn, fail), or Skipped when none ran.
func (r Report) Category(check string) string {
	worst, seen := probe.Pass, false
	for _, x := range r.Results {
		if x.Check != check {
			continue
		}
		if !seen || severity[x.Status] > severity[worst] {
			worst = x.Status
		}
		seen = true
	}
	if !seen {
		return Skipped
	}
	return strings.ToLower(string(worst))
}

// Outputs are the step outputs of a run: result (the overall verdict) and
// one verdict per category.
func (r Report) Outputs() map[string]string {
	out := map[string]string{"result": strings.ToLower(string(r.verdict()))}
	for _, c := range Categories {
		out[c.Output] = r.Category(c.Check)
	}
	return out
}
