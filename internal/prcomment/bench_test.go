package prcomment

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/plan"
)

// plan5000 returns the uncompressed JSON of a real 5,000-instance terraform plan.
func plan5000(tb testing.TB) []byte {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "plans", "large-5000.json.gz"))
	if err != nil {
		tb.Fatalf("open fixture (regenerate with testdata/plans/generate.sh large): %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(gz)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustParse(tb testing.TB, raw []byte) *tfjson.Plan {
	p, err := plan.Parse(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func renderPlanJSON(tb testing.TB, raw []byte) (parse time.Duration, rest time.Duration, body string) {
	t0 := time.Now()
	p, err := plan.Parse(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	t1 := time.Now()
	s := plan.Summarize(p)
	st := StageResult{Name: "2", Summary: s, Policy: plan.Policy{Stage: "2", Allow: allActions}.Check(s), Hash: plan.Hash(p)}
	body = Render(Comment{Stages: []StageResult{st}, RunURL: runURL})
	return t1.Sub(t0), time.Since(t1), body
}

func Test5000ResourcePlanStaysUnderTheLimit(t *testing.T) {
	t.Parallel()
	raw := plan5000(t)
	_, _, body := renderPlanJSON(t, raw)
	checkWellFormed(t, body, MaxBody)
	if !strings.HasPrefix(body, Marker("")+"\n"+reviewedLine([]StageResult{{Name: "2", Hash: plan.Hash(mustParse(t, raw))}})+"### Plan: 3 to add, ") {
		t.Errorf("headline lost:\n%.200s", body)
	}
}

// BenchmarkSummarizeRender5000 measures parse + summarise + hash + render of a real
// 5,000-instance plan (terraform show -json, 11 MB). Besides time and allocations it
// reports, measured side by side in the same iterations, how the work splits between
// terraform-json's parse and jitsictl's own summarise/hash/render.
func BenchmarkSummarizeRender5000(b *testing.B) {
	raw := plan5000(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var parse, rest time.Duration
	var size int
	b.ResetTimer()
	for b.Loop() {
		p, r, body := renderPlanJSON(b, raw)
		parse += p
		rest += r
		size = len(body)
	}
	n := float64(b.N)
	b.ReportMetric(float64(parse.Nanoseconds())/n, "parse-ns/op")
	b.ReportMetric(float64(rest.Nanoseconds())/n, "summarise+render-ns/op")
	b.ReportMetric(float64(rest)/float64(parse), "summarise+render/parse")
	b.ReportMetric(float64(size), "body-bytes")
}
