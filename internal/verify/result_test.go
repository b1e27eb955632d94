package verify

import (
	"encoding/json"
	"strings"
	"testing"
)

type fakeCost struct{ Hour string }

func (f fakeCost) Outputs() map[string]string { return map[string]string{"cost-per-hour": f.Hour} }
func (f fakeCost) Text() string               { return "cost " + f.Hour + "\n" }

// The JSON document is the report's fields with the step outputs (the
// checks' and the cost's) and the cost beside them; without a cost, neither.
func TestResultDocument(t *testing.T) {
	t.Parallel()
	var doc struct {
		Results []json.RawMessage `json:"results"`
		Outputs map[string]string `json:"outputs"`
		Cost    *fakeCost         `json:"cost"`
	}
	b, err := json.Marshal(Result{Report: mixedReport(), Cost: fakeCost{"0.2"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != len(mixedReport().Results) || doc.Outputs["result"] == "" || doc.Outputs["cost-per-hour"] != "0.2" || doc.Cost == nil || doc.Cost.Hour != "0.2" {
		t.Fatalf("document: %s", b)
	}
	b, _ = json.Marshal(Result{Report: mixedReport()})
	if strings.Contains(string(b), `"cost`) {
		t.Fatalf("no cost read, yet the document has one: %s", b)
	}
	var text strings.Builder
	if err := (Result{Report: mixedReport(), Cost: fakeCost{"0.2"}}).WriteText(&text); err != nil || !strings.HasSuffix(text.String(), "\n\ncost 0.2\n") {
		t.Fatalf("text: %v\n%s", err, text.String())
	}
}
