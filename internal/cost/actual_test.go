package cost

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
)

// countingCE passes calls to the real client and records them, so the test
// can tell a cache hit from a request.
type countingCE struct {
	api CostExplorerAPI
	mu  sync.Mutex
	in  []*costexplorer.GetCostAndUsageInput
}

func (c *countingCE) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	c.mu.Lock()
	c.in = append(c.in, in)
	c.mu.Unlock()
	return c.api.GetCostAndUsage(ctx, in, opts...)
}

func (c *countingCE) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.in)
}

type ceGroup struct {
	Keys    []string                     `json:"Keys"`
	Metrics map[string]map[string]string `json:"Metrics"`
}

func ceResult(start, end string, estimated bool, amounts map[string]string) map[string]any {
	var groups []ceGroup
	for svc, amt := range amounts {
		groups = append(groups, ceGroup{Keys: []string{svc}, Metrics: map[string]map[string]string{"UnblendedCost": {"Amount": amt, "Unit": "USD"}}})
	}
	return map[string]any{"ResultsByTime": []map[string]any{{
		"TimePeriod": map[string]string{"Start": start, "End": end},
		"Total":      map[string]any{},
		"Groups":     groups,
		"Estimated":  estimated,
	}}}
}

// seedCostExplorer queues results in moto, in the payload its docs give
// (moto/ce/models.py get_cost_and_usage): each new parameter set takes the
// next queued result.
func seedCostExplorer(t *testing.T, motoURL string, results ...map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"results": results})
	resp, err := http.Post(motoURL+"/moto-api/static/ce/cost-and-usage-results", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding Cost Explorer results: HTTP %d", resp.StatusCode)
	}
}

func TestActualsFromCostExplorer(t *testing.T) {
	cfg, e := awsConfig(t)
	seedCostExplorer(t, e.MotoURL,
		ceResult("2026-11-01", "2026-11-28", true, map[string]string{
			"Amazon Elastic Container Service": "3.2145000000",
			"Amazon Elastic Load Balancing":    "0.4500000000",
			"Amazon Virtual Private Cloud":     "0.3600000000",
			"Amazon Simple Storage Service":    "0.0123000000",
		}),
		ceResult("2026-11-01", "2026-11-28", false, map[string]string{ // for cost-other
			"Amazon Simple Storage Service": "0.0100000000",
		}),
		ceResult("2026-11-01", "2026-11-29", true, map[string]string{
			"Amazon Elastic Container Service": "4.0000000000",
		}),
	)
	ce := &countingCE{api: costexplorer.NewFromConfig(cfg)}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	a := Actuals{API: ce, CacheDir: t.TempDir(), Now: func() time.Time { return now }, Account: "123456789012"}
	ctx := context.Background()

	s, err := a.Month(ctx, "cost-test", now)
	if err != nil {
		t.Fatal(err)
	}
	if s.FromCache || s.Requests != 1 || !s.Estimated || s.Start != "2026-11-01" || s.End != "2026-11-28" {
		t.Errorf("spend %+v", s)
	}
	want := []ServiceSpend{
		{"Amazon Elastic Container Service", mustMoney(t, "3.2145")},
		{"Amazon Elastic Load Balancing", mustMoney(t, "0.45")},
		{"Amazon Virtual Private Cloud", mustMoney(t, "0.36")},
		{"Amazon Simple Storage Service", mustMoney(t, "0.0123")},
	}
	if len(s.Services) != len(want) {
		t.Fatalf("services %+v", s.Services)
	}
	for i := range want {
		if s.Services[i] != want[i] {
			t.Errorf("service %d = %+v, want %+v", i, s.Services[i], want[i])
		}
	}
	if s.Total != mustMoney(t, "4.0368") {
		t.Errorf("total %s", s.Total)
	}
	in := ce.in[0]
	if aws.ToString(in.Filter.Tags.Key) != "Project" || in.Filter.Tags.Values[0] != "cost-test" || aws.ToString(in.GroupBy[0].Key) != "SERVICE" {
		t.Errorf("request filter %+v group %+v", in.Filter.Tags, in.GroupBy)
	}

	// Within MaxAge: the cache answers and no request is made.
	now = now.Add(6 * time.Hour)
	again, err := a.Month(ctx, "cost-test", now)
	if err != nil {
		t.Fatal(err)
	}
	if !again.FromCache || ce.calls() != 1 || again.Total != s.Total {
		t.Errorf("second call: cache=%v calls=%d total=%s", again.FromCache, ce.calls(), again.Total)
	}
	// Another project is another cache entry.
	if other, err := a.Month(ctx, "cost-other", now); err != nil || other.FromCache || ce.calls() != 2 || other.Total != mustMoney(t, "0.01") {
		t.Errorf("other project: %+v %v calls=%d", other, err, ce.calls())
	}

	// After MaxAge (12 h by default) it asks again, now up to the new day.
	now = now.Add(7 * time.Hour)
	fresh, err := a.Month(ctx, "cost-test", now)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.FromCache || ce.calls() != 3 || fresh.End != "2026-11-29" || fresh.Total != mustMoney(t, "4") {
		t.Errorf("after expiry: %+v calls=%d", fresh, ce.calls())
	}

	// A past month covers the whole month.
	a.Now = func() time.Time { return now }
	if _, err := a.Month(ctx, "cost-test", time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	last := ce.in[len(ce.in)-1].TimePeriod
	if aws.ToString(last.Start) != "2026-10-01" || aws.ToString(last.End) != "2026-11-01" {
		t.Errorf("previous month period %s..%s", aws.ToString(last.Start), aws.ToString(last.End))
	}
	if _, err := a.Month(ctx, "cost-test", now.AddDate(0, 1, 0)); err == nil {
		t.Error("a future month was accepted")
	}
}

func TestSpendRenderingGolden(t *testing.T) {
	t.Parallel()
	s := Spend{Project: "jitsi", Start: "2026-11-01", End: "2026-11-28", Estimated: true, Requests: 1,
		Total: mustMoney(t, "4.0368"), Services: []ServiceSpend{
			{"Amazon Elastic Container Service", mustMoney(t, "3.2145")},
			{"Amazon Elastic Load Balancing", mustMoney(t, "0.45")},
			{"Amazon Virtual Private Cloud", mustMoney(t, "0.36")},
			{"Amazon Simple Storage Service", mustMoney(t, "0.0123")},
		}}
	var md, txt bytes.Buffer
	if err := s.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := s.Text(&txt); err != nil {
		t.Fatal(err)
	}
	golden(t, "spend.md", md.Bytes())
	golden(t, "spend.txt", txt.Bytes())
}
