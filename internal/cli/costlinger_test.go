package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/session"
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

// The close summary says what the linger costs until its end and what a
// reopen saves; the close that ends it, what it cost and the month's reopens.
func TestCloseLingerNotes(t *testing.T) {
	t.Parallel()
	table, err := cost.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	p, err := table.Lookup("us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 35, 0, 0, time.UTC)
	lingering := session.Record{State: session.StateLingering, ClosedAt: now, LingerUntil: now.Add(30 * time.Minute), Addresses: []string{"a", "b"}}
	got := strings.Join(closeLingerNotes(p, lingering, now), "\n")
	if !strings.Contains(got, "lingers until 11:05 UTC") || !strings.Contains(got, "2 Elastic IPs cost $0.005 until then") || !strings.Contains(got, "saving an NLB hour ($0.0225)") {
		t.Fatalf("lingering close: %s", got)
	}
	ended := session.Record{State: session.StateClosed, LastUsage: &session.Usage{LingerAddresses: time.Hour},
		Ledger: map[string]session.Ledger{"2026-12": {Reopens: 2}}}
	got = strings.Join(closeLingerNotes(p, ended, now), "\n")
	if !strings.Contains(got, "1h0m0s of address time: $0.005") || !strings.Contains(got, "2 NLB hour(s) not started ($0.045)") {
		t.Fatalf("close after a linger: %s", got)
	}
	if n := closeLingerNotes(p, session.Record{State: session.StateClosed, LastUsage: &session.Usage{}}, now); len(n) != 0 {
		t.Fatalf("a close without linger has no linger note: %v", n)
	}
}
