package cost

import (
	"encoding/json"
	"strings"
	"testing"
)

func usEast1(t *testing.T) *RegionPrices {
	t.Helper()
	table, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r, err := table.Lookup("us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The default 4 vCPU / 8 GB task at us-east-1 list prices: ARM64 0.03238/vCPU-h +
// 0.00356/GB-h, X86_64 0.04048 + 0.004445; nothing but Fargate differs.
func TestArchitecturesPriceBothSessionHours(t *testing.T) {
	r := usEast1(t)
	s, _ := SeedScenario()
	s.Task = TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: ARM}
	hs := r.Architectures(s)
	if len(hs) != 2 || hs[0].Arch != ARM || hs[1].Arch != X86 || !hs[0].Current || hs[1].Current {
		t.Fatalf("%+v", hs)
	}
	if hs[0].Fargate.String() != "$0.158" || hs[1].Fargate.String() != "$0.19748" {
		t.Errorf("Fargate per hour: ARM64 %s, X86_64 %s; want $0.158 and $0.19748", hs[0].Fargate, hs[1].Fargate)
	}
	if d := (hs[1].Session - hs[0].Session) - (hs[1].Fargate - hs[0].Fargate); d != 0 {
		t.Errorf("the session hours differ by more than Fargate: %s", d)
	}
	if got := r.RunningPerHour(s).Total; hs[0].Session != got {
		t.Errorf("ARM64 session hour %s, RunningPerHour %s", hs[0].Session, got)
	}
	if w := archWords(hs); !strings.Contains(w, "ARM64 (this stack)") || !strings.Contains(w, "20% cheaper") {
		t.Errorf("%s", w)
	}
	// cost --output json carries both.
	b, _ := json.Marshal(r.Report(s, Idle{}, []int64{10}))
	if !strings.Contains(string(b), `"Architectures":[{"Arch":"ARM64"`) || !strings.Contains(string(b), `{"Arch":"X86_64"`) {
		t.Errorf("report JSON lacks both architectures: %s", b)
	}
}

func TestIdleMonthPricesECRCopies(t *testing.T) {
	r := usEast1(t)
	if e := r.IdlePerMonth(Idle{}); e.Line(CECR) != 0 || strings.Contains(e.Lines[len(e.Lines)-1].Component, "ECR") {
		t.Errorf("an idle month without ECR copies has an ECR line: %+v", e.Lines)
	}
	e := r.IdlePerMonth(Idle{ECRBytes: 3 * gib / 2})
	if got := e.Line(CECR).String(); got != "$0.15" {
		t.Errorf("1.5 GB of copies at $0.10/GB-month: %s", got)
	}
}
