package cost

import (
	"bytes"
	"strings"
	"testing"
)

func seedReport(t *testing.T, name string) Report {
	t.Helper()
	r := region(t, name)
	s, i := SeedScenario()
	rep := r.Report(s, i, DefaultHours)
	c := r.CompareWithSeed(s, i)
	rep.Seed = &c
	return rep
}

func TestReportGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"us-east-1", "eu-central-1"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep := seedReport(t, name)
			var txt, md bytes.Buffer
			if err := rep.Text(&txt); err != nil {
				t.Fatal(err)
			}
			if err := rep.Markdown(&md); err != nil {
				t.Fatal(err)
			}
			golden(t, "report-"+name+".txt", txt.Bytes())
			golden(t, "report-"+name+".md", md.Bytes())
		})
	}
}

func TestReportShowsSeedBesideCorrected(t *testing.T) {
	t.Parallel()
	var md bytes.Buffer
	if err := seedReport(t, "us-east-1").Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Running, per hour | $0.2205 |",
		"| 10 h a month | $2.45 |",
		"| 50 h a month | $11.27 |",
		"| Idle, per month | $0.24 |",
		"| Break-even vs always-on ALB | 73 h |",
		"xychart-beta",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestChartAxis(t *testing.T) {
	t.Parallel()
	for v, want := range map[float64]int{0: 1, 0.5: 1, 1.2: 2, 3: 5, 7: 10, 171.5: 200, 480: 500, 501: 1000} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%v) = %d, want %d", v, got, want)
		}
	}
}
