package cli

import (
	"encoding/json"
	"testing"

	"github.com/jitsictl/jitsictl/internal/cost"
)

// The month: 10 one-hour meetings, two reopened within the hour:
// 12 NLB hours when close removes the NLB at once, 10 when it lingers; and
// a session hour on each architecture.
func TestCostJSONShowsTheLinger(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, nil, "cost", "--estimate-only", "--output", "json", "--meetings", "10", "--reopened", "2")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var res struct {
		Report struct{ Architectures []cost.ArchHour }
		Linger cost.LingerMonth
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	l := res.Linger
	if l.Meetings != 10 || l.Reopened != 2 || l.NLBHoursWithoutLinger != 12 || l.NLBHoursWithLinger != 10 {
		t.Fatalf("linger: %+v; want 10 meetings, 2 reopened, 12 NLB hours without and 10 with", l)
	}
	if l.LingerCost <= 0 || l.NLBSaved <= 0 || l.Net != l.NLBSaved-l.LingerCost {
		t.Fatalf("linger money: %+v", l)
	}
	hour := map[cost.Arch]cost.Money{}
	for _, h := range res.Report.Architectures {
		hour[h.Arch] = h.Session
	}
	if x, a := hour[cost.X86], hour[cost.ARM]; x <= 0 || a <= 0 || a >= x {
		t.Fatalf("session hour by arch: %+v; want ARM64 cheaper than X86_64", res.Report.Architectures)
	}
	if code, _, _ := run(t, nil, "cost", "--estimate-only", "--meetings", "3", "--reopened", "4"); code != ExitUsage {
		t.Fatalf("--reopened above --meetings: exit %d, want usage", code)
	}
}
