package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/jitsictl/jitsictl/internal/suggest"
)

// Key names one priced item of the table.
type Key string

// The items every region of the table must price.
const (
	FargateX86VCPUHour   Key = "fargate_x86_vcpu_hour"
	FargateX86GBHour     Key = "fargate_x86_gb_hour"
	FargateARMVCPUHour   Key = "fargate_arm_vcpu_hour"
	FargateARMGBHour     Key = "fargate_arm_gb_hour"
	NLBHour              Key = "nlb_hour"
	NLCUHour             Key = "nlcu_hour"
	ALBHour              Key = "alb_hour"
	LCUHour              Key = "lcu_hour"
	PublicIPv4Hour       Key = "public_ipv4_hour"
	S3StandardGBMonth    Key = "s3_standard_gb_month"
	S3StandardIAGBMonth  Key = "s3_standard_ia_gb_month"
	S3GlacierIRGBMonth   Key = "s3_glacier_ir_gb_month"
	S3GlacierGBMonth     Key = "s3_glacier_gb_month"
	S3DeepArchiveGBMonth Key = "s3_deep_archive_gb_month"
	SSMAdvancedParamMon  Key = "ssm_advanced_parameter_month"
	Route53ZoneMonth     Key = "route53_hosted_zone_month"
	LogsIngestGB         Key = "logs_ingest_gb"
	LogsStorageGBMonth   Key = "logs_storage_gb_month"
)

// Keys lists every required item in table order.
var Keys = []Key{
	FargateX86VCPUHour, FargateX86GBHour, FargateARMVCPUHour, FargateARMGBHour,
	NLBHour, NLCUHour, ALBHour, LCUHour, PublicIPv4Hour,
	S3StandardGBMonth, S3StandardIAGBMonth, S3GlacierIRGBMonth, S3GlacierGBMonth, S3DeepArchiveGBMonth,
	SSMAdvancedParamMon, Route53ZoneMonth, LogsIngestGB, LogsStorageGBMonth,
}

// Item is one price with where it came from.
type Item struct {
	USD    Money  `json:"usd"`
	Unit   string `json:"unit"`
	Source string `json:"source"` // price page URL, or the Price List API
	Date   string `json:"date"`   // when the figure was recorded or fetched
	Basis  string `json:"basis"`  // how it was obtained
}

// Tier is one band of data transfer out to the internet, per month.
// UpToGB is cumulative; 0 means no upper bound.
type Tier struct {
	UpToGB int64  `json:"up_to_gb"`
	USD    Money  `json:"usd"`
	Note   string `json:"note,omitempty"`
	Source string `json:"source"`
	Date   string `json:"date"`
	Basis  string `json:"basis"`
}

// RegionPrices is the table for one region.
type RegionPrices struct {
	Region        string
	UsagePrefix   string       `json:"usage_prefix"` // Price List usagetype prefix, e.g. USE1
	Items         map[Key]Item `json:"items"`
	DTOTiers      []Tier       `json:"data_transfer_out_tiers"`
	HoursPerMonth int64        `json:"-"`
	Date          string       `json:"-"`
	Refreshed     map[Key]bool `json:"-"` // items replaced by a Price List read
}

// Prices is the whole table.
type Prices struct {
	Comment       string                   `json:"comment"`
	Date          string                   `json:"date"`
	Currency      string                   `json:"currency"`
	HoursPerMonth int64                    `json:"hours_per_month"`
	Regions       map[string]*RegionPrices `json:"regions"`
	// GitHubActions prices the workflows' runner minutes (same in every region).
	GitHubActions ActionsPrices `json:"github_actions"`
}

//go:embed prices.json
var embedded []byte

// Embedded returns the price table compiled into the binary.
func Embedded() (*Prices, error) { return Parse(embedded) }

// Parse reads and validates a price table.
func Parse(b []byte) (*Prices, error) {
	var p Prices
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("cost: reading price table: %w", err)
	}
	if p.Currency != "USD" {
		return nil, fmt.Errorf("cost: price table currency %q, want USD", p.Currency)
	}
	if p.HoursPerMonth <= 0 {
		return nil, fmt.Errorf("cost: price table has no hours_per_month")
	}
	if err := p.GitHubActions.validate(); err != nil {
		return nil, err
	}
	for name, r := range p.Regions {
		r.Region, r.HoursPerMonth, r.Date = name, p.HoursPerMonth, p.Date
		if err := r.validate(); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

func (r *RegionPrices) validate() error {
	var missing []string
	for _, k := range Keys {
		it, ok := r.Items[k]
		if !ok {
			missing = append(missing, string(k))
			continue
		}
		if it.Source == "" || it.Date == "" {
			return fmt.Errorf("cost: %s %s has no source or date", r.Region, k)
		}
		if it.USD < 0 {
			return fmt.Errorf("cost: %s %s is negative", r.Region, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cost: region %s lacks prices for %s", r.Region, strings.Join(missing, ", "))
	}
	if n := len(r.DTOTiers); n == 0 || r.DTOTiers[n-1].UpToGB != 0 {
		return fmt.Errorf("cost: region %s data transfer tiers must end with an unbounded tier (up_to_gb 0)", r.Region)
	}
	for i := 1; i < len(r.DTOTiers)-1; i++ {
		if r.DTOTiers[i].UpToGB <= r.DTOTiers[i-1].UpToGB {
			return fmt.Errorf("cost: region %s data transfer tiers are not increasing", r.Region)
		}
	}
	return nil
}

// RegionNames lists the regions of the table, sorted.
func (p *Prices) RegionNames() []string {
	names := make([]string, 0, len(p.Regions))
	for n := range p.Regions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns one region's prices, or an error naming the closest
// regions the table does know.
func (p *Prices) Lookup(region string) (*RegionPrices, error) {
	if r, ok := p.Regions[region]; ok {
		c := *r
		c.Items = make(map[Key]Item, len(r.Items))
		for k, v := range r.Items {
			c.Items[k] = v
		}
		c.DTOTiers = append([]Tier(nil), r.DTOTiers...)
		c.Refreshed = map[Key]bool{}
		return &c, nil
	}
	names := suggest.Nearest(region, p.RegionNames(), 2)
	return nil, fmt.Errorf("cost: no prices for region %q; did you mean %s? (the table has %s; --refresh-prices reads any region from the Price List API)",
		region, strings.Join(names, " or "), strings.Join(p.RegionNames(), ", "))
}

// Price returns one item's price. Every key in Keys is present after Parse.
func (r *RegionPrices) Price(k Key) Money { return r.Items[k].USD }
