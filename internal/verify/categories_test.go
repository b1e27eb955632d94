package verify

import (
	"maps"
	"testing"

	"github.com/jitsictl/jitsictl/internal/probe"
)

func TestOutputsTakeEachCategorysWorstStatus(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		r    Report
		want map[string]string
	}{
		// udp: UNCONFIRMED and FAIL -> fail; https: only a WARN; tcp: PASS.
		"mixed": {mixedReport(), map[string]string{"result": "fail", "udp": "fail", "tcp": "pass", "https": "warn"}},
		// No https check ran: skipped, not pass.
		"pass": {passReport(), map[string]string{"result": "pass", "udp": "pass", "tcp": "pass", "https": Skipped}},
		"silent udp": {Report{Results: []probe.Result{
			{Check: "udp-stun", Status: probe.Pass}, {Check: "udp-stun", Status: probe.Unconfirmed}, {Check: "tcp", Status: probe.Pass},
		}}, map[string]string{"result": "warn", "udp": "unconfirmed", "tcp": "pass", "https": Skipped}},
		"warn beats unconfirmed": {Report{Results: []probe.Result{
			{Check: "udp-stun", Status: probe.Warn}, {Check: "udp-stun", Status: probe.Unconfirmed},
		}}, map[string]string{"result": "warn", "udp": "warn", "tcp": Skipped, "https": Skipped}},
		"no load balancer": {Report{Results: []probe.Result{{Check: "load-balancer", Status: probe.Fail}}},
			map[string]string{"result": "fail", "udp": Skipped, "tcp": Skipped, "https": Skipped}},
	} {
		if got := c.r.Outputs(); !maps.Equal(got, c.want) {
			t.Errorf("%s: Outputs() = %v, want %v", name, got, c.want)
		}
	}
}
