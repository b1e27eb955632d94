package cost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// CostExplorerAPI is the one Cost Explorer call the actuals need.
type CostExplorerAPI interface {
	GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

// CostExplorerNote is shown with every actual figure.
const CostExplorerNote = "Cost Explorer data lags about a day, counts only resources tagged with an activated cost allocation tag, and each request (each page) costs $0.01; results are cached"

// ServiceSpend is one service's spend.
type ServiceSpend struct {
	Service string `json:"service"`
	Amount  Money  `json:"amount"`
}

// Spend is what Cost Explorer reports for the project over a period.
type Spend struct {
	Project   string         `json:"project"`
	Start     string         `json:"start"` // inclusive, YYYY-MM-DD
	End       string         `json:"end"`   // exclusive
	Services  []ServiceSpend `json:"services"`
	Total     Money          `json:"total"`
	Estimated bool           `json:"estimated"` // AWS still revises the figures
	FetchedAt time.Time      `json:"fetched_at"`
	Requests  int            `json:"requests"` // paid requests made to fetch it
	FromCache bool           `json:"-"`
}

// Actuals reads month-to-date spend from Cost Explorer, filtered by the
// project tag and grouped by service, through a file cache: Cost Explorer
// refreshes about once a day and bills every request.
type Actuals struct {
	API      CostExplorerAPI
	TagKey   string        // default "Project"
	Account  string        // part of the cache key when set
	CacheDir string        // default: os.UserCacheDir()/jitsictl/cost-explorer
	MaxAge   time.Duration // default 12 h
	Now      func() time.Time
}

// Month returns the project's spend in the month containing t, up to today
// for the current month.
func (a Actuals) Month(ctx context.Context, project string, t time.Time) (Spend, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	tag := a.TagKey
	if tag == "" {
		tag = "Project"
	}
	maxAge := a.MaxAge
	if maxAge == 0 {
		maxAge = 12 * time.Hour
	}
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	if today := now().UTC().Truncate(24 * time.Hour); today.Before(end) {
		end = today.AddDate(0, 0, 1) // End is exclusive: include today
	}
	if !end.After(start) {
		return Spend{}, fmt.Errorf("cost: month %s has not started", start.Format("2006-01"))
	}
	path, err := a.cachePath(tag, project, start, end)
	if err != nil {
		return Spend{}, err
	}
	if s, ok := readCache(path, now(), maxAge); ok {
		return s, nil
	}
	s, err := a.fetch(ctx, tag, project, start, end)
	if err != nil {
		return Spend{}, err
	}
	s.FetchedAt = now().UTC()
	if err := writeCache(path, s); err != nil {
		return Spend{}, err
	}
	return s, nil
}

func (a Actuals) cachePath(tag, project string, start, end time.Time) (string, error) {
	dir := a.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("cost: no cache directory for Cost Explorer results (set XDG_CACHE_HOME or HOME): %w", err)
		}
		dir = filepath.Join(base, "jitsictl", "cost-explorer")
	}
	h := sha256.Sum256([]byte(a.Account + "\x00" + tag + "\x00" + project + "\x00" + start.Format(time.DateOnly) + "\x00" + end.Format(time.DateOnly)))
	return filepath.Join(dir, start.Format("2006-01")+"-"+hex.EncodeToString(h[:8])+".json"), nil
}

func readCache(path string, now time.Time, maxAge time.Duration) (Spend, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spend{}, false
	}
	var s Spend
	if json.Unmarshal(b, &s) != nil || now.Sub(s.FetchedAt) > maxAge || now.Before(s.FetchedAt) {
		return Spend{}, false
	}
	s.FromCache = true
	return s, true
}

// writeCache replaces the file atomically so a concurrent reader never sees
// half a result.
func writeCache(path string, s Spend) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cost: caching Cost Explorer results: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".spend-*")
	if err != nil {
		return fmt.Errorf("cost: caching Cost Explorer results: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("cost: caching Cost Explorer results: %w", err)
	}
	return nil
}

func (a Actuals) fetch(ctx context.Context, tag, project string, start, end time.Time) (Spend, error) {
	s := Spend{Project: project, Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly)}
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(s.Start), End: aws.String(s.End)},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		Filter: &cetypes.Expression{Tags: &cetypes.TagValues{
			Key: aws.String(tag), Values: []string{project}, MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionEquals},
		}},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
	}
	by := map[string]Money{}
	for {
		out, err := a.API.GetCostAndUsage(ctx, in)
		if err != nil {
			return Spend{}, fmt.Errorf("cost: Cost Explorer GetCostAndUsage for %s=%s: %w (the caller needs ce:GetCostAndUsage; Cost Explorer must be enabled in the account)", tag, project, err)
		}
		s.Requests++
		for _, r := range out.ResultsByTime {
			s.Estimated = s.Estimated || r.Estimated
			for _, g := range r.Groups {
				name := "(no service)"
				if len(g.Keys) > 0 {
					name = g.Keys[0]
				}
				mv, ok := g.Metrics["UnblendedCost"]
				if !ok {
					continue
				}
				if u := aws.ToString(mv.Unit); u != "" && u != "USD" {
					return Spend{}, fmt.Errorf("cost: Cost Explorer reports %s in %s; only USD is supported", name, u)
				}
				m, err := ParseMoney(aws.ToString(mv.Amount))
				if err != nil {
					return Spend{}, fmt.Errorf("cost: Cost Explorer amount for %s: %w", name, err)
				}
				by[name] += m
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	for name, m := range by {
		s.Services = append(s.Services, ServiceSpend{name, m})
		s.Total += m
	}
	sort.Slice(s.Services, func(i, j int) bool {
		if s.Services[i].Amount != s.Services[j].Amount {
			return s.Services[i].Amount > s.Services[j].Amount
		}
		return s.Services[i].Service < s.Services[j].Service
	})
	return s, nil
}

// Markdown writes the spend as a table with the Cost Explorer caveats.
func (s Spend) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "#### Cost Explorer, `Project=%s`, %s to %s%s\n\n| service | spend |\n|---|---:|\n", s.Project, s.Start, s.End, s.estimatedWord())
	for _, sv := range s.Services {
		fmt.Fprintf(&b, "| %s | %s |\n", sv.Service, sv.Amount.Cents())
	}
	fmt.Fprintf(&b, "| **total** | **%s** |\n\n> %s. %s\n", s.Total.Cents(), CostExplorerNote, s.cacheWord())
	_, err := io.WriteString(w, b.String())
	return err
}

// Text writes the spend for a terminal.
func (s Spend) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Cost Explorer, Project=%s, %s to %s%s\n", s.Project, s.Start, s.End, s.estimatedWord())
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	for _, sv := range s.Services {
		fmt.Fprintf(tw, "  %s\t%s\n", sv.Service, sv.Amount.Cents())
	}
	fmt.Fprintf(tw, "  total\t%s\n", s.Total.Cents())
	tw.Flush()
	fmt.Fprintf(&b, "  note: %s. %s\n", CostExplorerNote, s.cacheWord())
	_, err := io.WriteString(w, b.String())
	return err
}

func (s Spend) estimatedWord() string {
	if s.Estimated {
		return " (estimated: AWS may still revise it)"
	}
	return ""
}

func (s Spend) cacheWord() string {
	if s.FromCache {
		return fmt.Sprintf("Read from the cache (fetched %s).", s.FetchedAt.Format(time.RFC3339))
	}
	return fmt.Sprintf("Fetched now with %d request(s) ($0.01 each).", s.Requests)
}
