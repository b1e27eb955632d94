package cost

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	pricingtypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"
)

// PricingAPI is the Price List call Refresh needs. The Price List API is
// served from us-east-1 (and ap-south-1) whatever region is priced.
type PricingAPI interface {
	GetProducts(context.Context, *pricing.GetProductsInput, ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

// UsagePrefixes are the Price List usagetype prefixes of common regions.
var UsagePrefixes = map[string]string{
	"us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2",
	"ca-central-1": "CAN1", "sa-east-1": "SAE1",
	"eu-west-1": "EU", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1",
	"ap-south-1": "APS3", "ap-southeast-1": "APS1", "ap-southeast-2": "APS2", "ap-northeast-1": "APN1",
}

// query says where one item lives in the Price List. Usage is the
// usagetype without its region prefix; it is matched exactly, because
// products of the same family (a $0 EC2-launch product, Spot) share
// everything else.
type query struct {
	service string
	family  string // productFamily, when the usagetype alone is ambiguous
	usage   string
	global  bool // priced once for all regions (no regionCode)
}

var queries = map[Key]query{
	FargateX86VCPUHour:   {service: "AmazonECS", usage: "Fargate-vCPU-Hours:perCPU"},
	FargateX86GBHour:     {service: "AmazonECS", usage: "Fargate-GB-Hours"},
	FargateARMVCPUHour:   {service: "AmazonECS", usage: "Fargate-ARM-vCPU-Hours:perCPU"},
	FargateARMGBHour:     {service: "AmazonECS", usage: "Fargate-ARM-GB-Hours"},
	NLBHour:              {service: "AWSELB", family: "Load Balancer-Network", usage: "LoadBalancerUsage"},
	NLCUHour:             {service: "AWSELB", family: "Load Balancer-Network", usage: "LCUUsage"},
	ALBHour:              {service: "AWSELB", family: "Load Balancer-Application", usage: "LoadBalancerUsage"},
	LCUHour:              {service: "AWSELB", family: "Load Balancer-Application", usage: "LCUUsage"},
	PublicIPv4Hour:       {service: "AmazonVPC", usage: "PublicIPv4:InUseAddress"},
	S3StandardGBMonth:    {service: "AmazonS3", usage: "TimedStorage-ByteHrs"},
	S3StandardIAGBMonth:  {service: "AmazonS3", usage: "TimedStorage-SIA-ByteHrs"},
	S3GlacierIRGBMonth:   {service: "AmazonS3", usage: "TimedStorage-GIR-ByteHrs"},
	S3GlacierGBMonth:     {service: "AmazonS3", usage: "TimedStorage-GlacierByteHrs"},
	S3DeepArchiveGBMonth: {service: "AmazonS3", usage: "TimedStorage-GDA-ByteHrs"},
	SSMAdvancedParamMon:  {service: "AWSSystemsManager", usage: "PS-Advanced-Param-Tier1"},
	Route53ZoneMonth:     {service: "AmazonRoute53", usage: "HostedZone", global: true},
	LogsIngestGB:         {service: "AmazonCloudWatch", usage: "DataProcessing-Bytes"},
	LogsStorageGBMonth:   {service: "AmazonCloudWatch", usage: "TimedStorage-ByteHrs"},
}

var dtoQuery = query{service: "AWSDataTransfer", usage: "DataTransfer-Out-Bytes"}

// RefreshResult says what a refresh replaced and what it kept.
type RefreshResult struct {
	Prices  *RegionPrices
	Updated []Key
	Kept    []Key // not found in the Price List: the embedded figure stays
	DTO     bool  // data transfer tiers replaced
}

// Refresh reads the region's prices from the Price List API. Items it cannot
// find keep the embedded table's figure and are listed in Kept; for a region
// the table does not have, every item must be found.
func Refresh(ctx context.Context, api PricingAPI, table *Prices, region string, now time.Time) (RefreshResult, error) {
	prefix, ok := UsagePrefixes[region]
	base, err := table.Lookup(region)
	if err != nil {
		if !ok {
			return RefreshResult{}, fmt.Errorf("cost: no Price List usagetype prefix known for region %q", region)
		}
		base = &RegionPrices{Region: region, UsagePrefix: prefix, Items: map[Key]Item{}, HoursPerMonth: table.HoursPerMonth, Date: now.Format(time.DateOnly), Refreshed: map[Key]bool{}}
	} else {
		prefix = base.UsagePrefix
	}
	res := RefreshResult{Prices: base}
	for _, k := range Keys {
		q := queries[k]
		p, usage, err := findProduct(ctx, api, q, region, prefix)
		if err != nil {
			return RefreshResult{}, fmt.Errorf("cost: Price List %s: %w", k, err)
		}
		if p == nil {
			res.Kept = append(res.Kept, k)
			continue
		}
		dims := p.dimensions()
		if len(dims) == 0 || dims[0].usd <= 0 {
			res.Kept = append(res.Kept, k)
			continue
		}
		it := base.Items[k]
		it.USD = dims[0].usd // the first (lowest) tier
		if it.Unit == "" {
			it.Unit = dims[0].unit
		}
		it.Source = fmt.Sprintf("AWS Price List API: %s usagetype %s sku %s", q.service, usage, p.Product.SKU)
		it.Date = p.date(now)
		it.Basis = "fetched from the Price List API at " + now.UTC().Format(time.RFC3339)
		base.Items[k] = it
		base.Refreshed[k] = true
		res.Updated = append(res.Updated, k)
	}
	if p, usage, err := findProduct(ctx, api, dtoQuery, region, prefix); err != nil {
		return RefreshResult{}, fmt.Errorf("cost: Price List data transfer: %w", err)
	} else if p != nil {
		if tiers := withFreeAllowance(p.tiers(now, usage), freeAllowanceGB(base, table)); len(tiers) > 0 {
			base.DTOTiers, res.DTO = tiers, true
		}
	}
	if len(base.Items) < len(Keys) {
		var missing []string
		for _, k := range res.Kept {
			missing = append(missing, string(k))
		}
		return RefreshResult{}, fmt.Errorf("cost: the Price List has no %s for %s, and the embedded table does not cover the region", strings.Join(missing, ", "), region)
	}
	if err := base.validate(); err != nil {
		return RefreshResult{}, err
	}
	return res, nil
}

// findProduct returns the product whose usagetype is exactly the prefixed
// one (in us-east-1 some services use the bare usagetype, so it is tried
// second).
func findProduct(ctx context.Context, api PricingAPI, q query, region, prefix string) (*plProduct, string, error) {
	candidates := []string{q.usage}
	if !q.global {
		candidates = []string{prefix + "-" + q.usage}
		if region == "us-east-1" {
			candidates = append(candidates, q.usage)
		}
	}
	for _, usage := range candidates {
		filters := []pricingtypes.Filter{{Type: pricingtypes.FilterTypeTermMatch, Field: aws.String("usagetype"), Value: aws.String(usage)}}
		if !q.global {
			filters = append(filters, pricingtypes.Filter{Type: pricingtypes.FilterTypeTermMatch, Field: aws.String("regionCode"), Value: aws.String(region)})
		}
		if q.family != "" {
			filters = append(filters, pricingtypes.Filter{Type: pricingtypes.FilterTypeTermMatch, Field: aws.String("productFamily"), Value: aws.String(q.family)})
		}
		in := &pricing.GetProductsInput{ServiceCode: aws.String(q.service), Filters: filters, FormatVersion: aws.String("aws_v1")}
		pg := pricing.NewGetProductsPaginator(api, in)
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return nil, "", fmt.Errorf("GetProducts %s %s: %w", q.service, usage, err)
			}
			for _, doc := range out.PriceList {
				var p plProduct
				if err := json.Unmarshal([]byte(doc), &p); err != nil {
					return nil, "", fmt.Errorf("reading a %s product: %w", q.service, err)
				}
				// TERM_MATCH is exact on AWS; check again rather than trust it.
				if p.Product.Attributes["usagetype"] != usage || (q.family != "" && p.Product.ProductFamily != q.family) {
					continue
				}
				if d := p.dimensions(); len(d) > 0 && (d[0].usd > 0 || len(d) > 1) {
					return &p, usage, nil
				}
			}
		}
	}
	return nil, "", nil
}

// plProduct is one PriceList entry of GetProducts (FormatVersion aws_v1):
// a JSON document with product, serviceCode, terms, version, publicationDate.
type plProduct struct {
	Product struct {
		ProductFamily string            `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
		SKU           string            `json:"sku"`
	} `json:"product"`
	ServiceCode string `json:"serviceCode"`
	Terms       struct {
		OnDemand map[string]struct {
			EffectiveDate   string `json:"effectiveDate"`
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				BeginRange   string            `json:"beginRange"`
				EndRange     string            `json:"endRange"`
				Description  string            `json:"description"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
	PublicationDate string `json:"publicationDate"`
}

type dimension struct {
	begin, end float64 // end < 0: unbounded
	usd        Money
	unit       string
}

// dimensions lists the on-demand price dimensions, lowest range first.
func (p *plProduct) dimensions() []dimension {
	var out []dimension
	for _, term := range p.Terms.OnDemand {
		for _, d := range term.PriceDimensions {
			usd, err := ParseMoney(d.PricePerUnit["USD"])
			if err != nil {
				continue
			}
			begin, _ := strconv.ParseFloat(d.BeginRange, 64)
			end := -1.0
			if d.EndRange != "" && d.EndRange != "Inf" {
				end, _ = strconv.ParseFloat(d.EndRange, 64)
			}
			out = append(out, dimension{begin, end, usd, d.Unit})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].begin < out[j].begin })
	return out
}

func (p *plProduct) date(now time.Time) string {
	if t, err := time.Parse(time.RFC3339, p.PublicationDate); err == nil {
		return t.Format(time.DateOnly)
	}
	return now.Format(time.DateOnly)
}

// freeAllowanceGB is the account-wide free data transfer out (100 GB a
// month since 2021), which the Price List does not carry: its first range
// is a free single GB.
func freeAllowanceGB(base *RegionPrices, table *Prices) int64 {
	for _, r := range []*RegionPrices{base, table.Regions["us-east-1"]} {
		if r != nil && len(r.DTOTiers) > 1 && r.DTOTiers[0].USD == 0 {
			return r.DTOTiers[0].UpToGB
		}
	}
	return 100
}

// withFreeAllowance makes the first free tier reach the allowance and drops
// the paid ranges it covers.
func withFreeAllowance(tiers []Tier, free int64) []Tier {
	if len(tiers) == 0 {
		return nil
	}
	first := Tier{UpToGB: free, Note: "free: account-wide allowance, not in the Price List", Source: tiers[0].Source, Date: tiers[0].Date, Basis: tiers[0].Basis}
	out := []Tier{first}
	for _, t := range tiers {
		if t.USD == 0 || (t.UpToGB != 0 && t.UpToGB <= free) {
			continue
		}
		out = append(out, t)
	}
	if out[len(out)-1].UpToGB != 0 {
		return nil
	}
	return out
}

// tiers turns data transfer dimensions (ranges in GB a month) into Tiers.
func (p *plProduct) tiers(now time.Time, usage string) []Tier {
	dims := p.dimensions()
	var out []Tier
	for i, d := range dims {
		if d.end < 0 && i != len(dims)-1 {
			return nil // an unbounded tier before the last: not a tier list we understand
		}
		t := Tier{USD: d.usd, Source: fmt.Sprintf("AWS Price List API: %s usagetype %s sku %s", dtoQuery.service, usage, p.Product.SKU),
			Date: p.date(now), Basis: "fetched from the Price List API at " + now.UTC().Format(time.RFC3339)}
		if d.end >= 0 {
			t.UpToGB = int64(d.end)
		}
		out = append(out, t)
	}
	if len(out) == 0 || out[len(out)-1].UpToGB != 0 {
		return nil
	}
	return out
}
