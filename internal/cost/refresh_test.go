package cost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
)

// priceListServer stands in for the Price List Query API, the one AWS part
// used here that moto does not emulate. It speaks the API's wire contract
// as the SDK's pricing client uses it (awsJson1_1, X-Amz-Target
// AWSPriceListService.GetProducts, exact TERM_MATCH filters, NextToken
// pages) and serves products from testdata/pricelist-us-east-1.json, which
// holds documents in the real aws_v1 PriceList format. It answers one
// product per page so pagination is exercised.
type priceListServer struct {
	products []map[string]any
	mu       sync.Mutex
	requests int
}

func newPriceListServer(t *testing.T, edit func(p map[string]any)) (*httptest.Server, *priceListServer) {
	t.Helper()
	b, err := os.ReadFile("testdata/pricelist-us-east-1.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Products []map[string]any `json:"products"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		for _, p := range doc.Products {
			edit(p)
		}
	}
	pl := &priceListServer{products: doc.Products}
	srv := httptest.NewServer(pl)
	t.Cleanup(srv.Close)
	return srv, pl
}

func (s *priceListServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AWSPriceListService.GetProducts" ||
		r.Header.Get("Content-Type") != "application/x-amz-json-1.1" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		http.Error(w, `{"__type":"InvalidParameterException","Message":"bad request"}`, http.StatusBadRequest)
		return
	}
	var in struct {
		ServiceCode   string
		FormatVersion string
		NextToken     string
		Filters       []struct{ Type, Field, Value string }
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ServiceCode == "" || in.FormatVersion != "aws_v1" {
		http.Error(w, `{"__type":"InvalidParameterException","Message":"bad body"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	var matches []string
	for _, p := range s.products {
		if p["serviceCode"] != in.ServiceCode || !matchesAll(p, in.Filters) {
			continue
		}
		b, _ := json.Marshal(p)
		matches = append(matches, string(b))
	}
	start, _ := strconv.Atoi(in.NextToken)
	out := map[string]any{"FormatVersion": "aws_v1", "PriceList": []string{}}
	if start < len(matches) {
		out["PriceList"] = matches[start : start+1]
		if start+1 < len(matches) {
			out["NextToken"] = strconv.Itoa(start + 1)
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// matchesAll applies TERM_MATCH filters: exact equality on an attribute
// or on productFamily.
func matchesAll(p map[string]any, filters []struct{ Type, Field, Value string }) bool {
	prod := p["product"].(map[string]any)
	attrs := prod["attributes"].(map[string]any)
	for _, f := range filters {
		if f.Type != "TERM_MATCH" {
			return false
		}
		v, ok := attrs[f.Field]
		if f.Field == "productFamily" {
			v, ok = prod["productFamily"], true
		}
		if !ok || v != f.Value {
			return false
		}
	}
	return true
}

func pricingClient(url string) *pricing.Client {
	return pricing.New(pricing.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(url),
	})
}

func TestRefreshReadsEveryItem(t *testing.T) {
	t.Parallel()
	srv, pl := newPriceListServer(t, nil)
	table, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	res, err := Refresh(context.Background(), pricingClient(srv.URL), table, "us-east-1", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Kept) != 0 || len(res.Updated) != len(Keys) || !res.DTO {
		t.Fatalf("updated %v kept %v dto %v", res.Updated, res.Kept, res.DTO)
	}
	embedded, _ := table.Lookup("us-east-1")
	for _, k := range Keys {
		it := res.Prices.Items[k]
		if it.USD != embedded.Price(k) {
			t.Errorf("%s: Price List %s, table %s", k, it.USD, embedded.Price(k))
		}
		if !strings.HasPrefix(it.Source, "AWS Price List API: ") || it.Date != "2026-11-01" || !res.Prices.Refreshed[k] {
			t.Errorf("%s: source %q date %q", k, it.Source, it.Date)
		}
	}
	// ELB products share usagetypes; productFamily tells NLB from ALB.
	if res.Prices.Price(NLCUHour) == res.Prices.Price(LCUHour) {
		t.Error("NLCU and ALB LCU read the same product")
	}
	// The Price List's free first GB becomes the account's free 100 GB.
	if got := res.Prices.DTOMonth(10240 * gib); got != mustMoney(t, "912.6") {
		t.Errorf("10 TB out = %s", got)
	}
	if res.Prices.DTOTiers[0].UpToGB != 100 || len(res.Prices.DTOTiers) != 5 {
		t.Errorf("tiers %+v", res.Prices.DTOTiers)
	}
	if pl.requests < len(Keys)+1 {
		t.Errorf("%d requests", pl.requests)
	}
	// The embedded table is untouched.
	again, _ := table.Lookup("us-east-1")
	if again.Items[NLBHour].Source != "https://aws.amazon.com/elasticloadbalancing/pricing/" {
		t.Errorf("the embedded table changed: %+v", again.Items[NLBHour])
	}
}

// A changed price in the Price List flows into the model; an item the Price
// List lacks keeps the embedded figure and is reported.
func TestRefreshUsesPriceListFigures(t *testing.T) {
	t.Parallel()
	srv, _ := newPriceListServer(t, func(p map[string]any) {
		attrs := p["product"].(map[string]any)["attributes"].(map[string]any)
		switch attrs["usagetype"] {
		case "USE1-LoadBalancerUsage":
			if p["product"].(map[string]any)["productFamily"] == "Load Balancer-Network" {
				for _, term := range p["terms"].(map[string]any)["OnDemand"].(map[string]any) {
					for _, d := range term.(map[string]any)["priceDimensions"].(map[string]any) {
						d.(map[string]any)["pricePerUnit"] = map[string]any{"USD": "0.0300000000"}
					}
				}
			}
		case "USE1-PS-Advanced-Param-Tier1":
			attrs["usagetype"] = "USE1-PS-Something-Else"
		}
	})
	table, _ := Embedded()
	res, err := Refresh(context.Background(), pricingClient(srv.URL), table, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Prices.Price(NLBHour); got != mustMoney(t, "0.03") {
		t.Errorf("NLB hour %s, want the Price List's $0.03", got)
	}
	if len(res.Kept) != 1 || res.Kept[0] != SSMAdvancedParamMon || res.Prices.Price(SSMAdvancedParamMon) != mustMoney(t, "0.05") {
		t.Errorf("kept %v, SSM %s", res.Kept, res.Prices.Price(SSMAdvancedParamMon))
	}
	// The running estimate follows: 61 minutes pay two refreshed NLB hours.
	if got := res.Prices.SessionCost(Session{}, Uniform(61*time.Minute)).Line(CNLB); got != mustMoney(t, "0.06") {
		t.Errorf("61-minute NLB = %s", got)
	}
}

func TestRefreshUnknownRegionNeedsEveryItem(t *testing.T) {
	t.Parallel()
	srv, _ := newPriceListServer(t, nil) // serves us-east-1 products only
	table, _ := Embedded()
	_, err := Refresh(context.Background(), pricingClient(srv.URL), table, "ap-southeast-2", time.Now())
	if err == nil || !strings.Contains(err.Error(), "ap-southeast-2") || !strings.Contains(err.Error(), "fargate_x86_vcpu_hour") {
		t.Fatalf("error %v", err)
	}
	if _, err := Refresh(context.Background(), pricingClient(srv.URL), table, "xx-nowhere-1", time.Now()); err == nil {
		t.Fatal("a region without a usagetype prefix was accepted")
	}
}
