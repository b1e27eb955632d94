package prcomment

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/plan"
	"github.com/jitsictl/jitsictl/internal/testbed/golden"
)

const runURL = "https://github.com/jitsictl/jitsictl/actions/runs/123456789"

// loadPlan reads a real `terraform show -json` fixture from testdata/plans.
func loadPlan(t testing.TB, name string) *tfjson.Plan {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "plans", name))
	if err != nil {
		t.Fatalf("open fixture (regenerate with testdata/plans/generate.sh): %v", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatal(err)
		}
	}
	p, err := plan.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var allActions = []plan.Action{plan.Create, plan.Update, plan.Replace, plan.Delete}

func stage(t testing.TB, name, fixture string, allow []plan.Action, cost *CostDelta) StageResult {
	p := loadPlan(t, fixture)
	s := plan.Summarize(p)
	return StageResult{
		Name:    name,
		Summary: s,
		Policy:  plan.Policy{Stage: name, Allow: allow}.Check(s),
		Hash:    plan.Hash(p),
		Cost:    cost,
	}
}

func goldenCases(t testing.TB) map[string]Comment {
	return map[string]Comment{
		"nochanges": {
			Stages:  []StageResult{stage(t, "1", "nochanges.json", nil, &CostDelta{IdleMonthlyBefore: 1.52, IdleMonthlyAfter: 1.52, RunningHourlyBefore: 0.23, RunningHourlyAfter: 0.23})},
			RunURL:  runURL,
			HeadSHA: "0123456789abcdef0123456789abcdef01234567",
		},
		"creates": {
			Stages:  []StageResult{stage(t, "1", "creates.json", []plan.Action{plan.Create, plan.Update}, &CostDelta{IdleMonthlyBefore: 0, IdleMonthlyAfter: 1.52, RunningHourlyBefore: 0, RunningHourlyAfter: 0.2349})},
			RunURL:  runURL,
			HeadSHA: "0123456789abcdef0123456789abcdef01234567",
		},
		"replacedelete": {
			Stages: []StageResult{
				stage(t, "1", "replacedelete.json", []plan.Action{plan.Create, plan.Update}, &CostDelta{IdleMonthlyBefore: 1.52, IdleMonthlyAfter: 1.02, RunningHourlyBefore: 0.2349, RunningHourlyAfter: 0.2349}),
				stage(t, "2", "nochanges.json", allActions, nil),
			},
			RunURL:  runURL,
			HeadSHA: "0123456789abcdef0123456789abcdef01234567",
		},
		"outputsonly": {
			Key:    "terraform/",
			Stages: []StageResult{stage(t, "1", "outputsonly.json", nil, nil)},
			RunURL: runURL,
		},
		"forget": {
			Stages: []StageResult{stage(t, "1", "forget.json", allActions, nil)},
			RunURL: runURL,
		},
		"drift": {
			Stages: []StageResult{stage(t, "0", "drift.json", allActions, nil)},
			RunURL: runURL,
		},
		"large2000": {
			Stages:  []StageResult{stage(t, "2", "large-2000.json.gz", allActions, nil)},
			RunURL:  runURL,
			HeadSHA: "0123456789abcdef0123456789abcdef01234567",
		},
		"secrets": {
			Stages: []StageResult{stage(t, "1", "secrets.json", allActions, nil)},
			RunURL: runURL,
		},
		"planerror": {
			Stages: []StageResult{
				stage(t, "1", "creates.json", allActions, nil),
				{Name: "2", Err: errors.New("terraform plan: exit status 1\nError: Unsupported argument | on main.tf line 3")},
			},
			RunURL: runURL,
		},
	}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for name, c := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Render(c)
			path := filepath.Join("testdata", name+".golden.md")
			golden.CheckPath(t, path, got)
			checkWellFormed(t, got, MaxBody)
			if !strings.HasPrefix(got, Marker(c.Key)+"\n"+reviewedLine(c.Stages)+"### "+Headline(c.Stages)+"\n") {
				t.Errorf("body does not start with marker and headline:\n%.300s", got)
			}
		})
	}
}

// checkWellFormed asserts the limits and Markdown structure every rendered body must keep.
func checkWellFormed(t *testing.T, body string, limit int) {
	t.Helper()
	if len(body) > limit {
		t.Errorf("body is %d bytes, over the %d limit", len(body), limit)
	}
	if n := strings.Count(body, "```"); n%2 != 0 {
		t.Errorf("unbalanced code fences (%d)", n)
	}
	if o, c := strings.Count(body, "<details>"), strings.Count(body, "</details>"); o != c {
		t.Errorf("unbalanced <details>: %d open, %d close", o, c)
	}
	for _, s := range append([]string{"FIXTURE-SECRET-9f8e7d6c", "FIXTURE-SSM-SECRET-phase1", "FIXTURE-SSM-SECRET-phase2"}, secretCopies(t)...) {
		if strings.Contains(body, s) {
			t.Errorf("rendered body leaks secret %q", s)
		}
	}
}

// secretCopies lists what secrets.json must never show, read from the fixture itself: the
// sensitive variables' values, every unmarked value that copies one (attributes of
// terraform_data.copied and outputs, other than the notes), each as raw text and as it
// reads once and twice JSON-escaped, and each line of the PEM key.
func secretCopies(t testing.TB) []string {
	t.Helper()
	p := loadPlan(t, "secrets.json")
	var vals []string
	for _, name := range []string{"tls_key", "db_password", "api_token"} {
		vals = append(vals, p.Variables[name].Value.(string))
	}
	for _, l := range strings.Split(vals[0], "\n") {
		if len(l) >= 16 && !strings.HasPrefix(l, "-----") {
			vals = append(vals, l)
		}
	}
	for _, rc := range p.ResourceChanges {
		if rc.Address != "terraform_data.copied" {
			continue
		}
		for _, side := range []any{rc.Change.Before, rc.Change.After} {
			for k, v := range side.(map[string]any)["input"].(map[string]any) {
				if k != "note" {
					vals = append(vals, v.(string))
				}
			}
		}
	}
	for name, oc := range p.OutputChanges {
		for _, v := range []any{oc.Before, oc.After} {
			if s, ok := v.(string); ok && name != "note" {
				vals = append(vals, s)
			}
		}
	}
	if len(vals) < 20 {
		t.Fatalf("secrets.json holds only %d secret values; regenerate it (testdata/plans/generate.sh secrets)", len(vals))
	}
	var out []string
	for _, v := range vals {
		once := strings.Trim(plan.FormatValue(v), `"`)
		out = append(out, v, once, strings.Trim(plan.FormatValue(once), `"`))
	}
	return out
}

func TestHeadlines(t *testing.T) {
	t.Parallel()
	c := goldenCases(t)
	for name, want := range map[string]string{
		"nochanges":     "Plan: no changes",
		"creates":       "Plan: 3 to add, 0 to change, 0 to replace, 0 to destroy, 2 output changes",
		"replacedelete": "Plan: 1 to add, 1 to change, 1 to replace, 3 to destroy, 1 output change — stage 1 policy FAILED",
		"outputsonly":   "Plan: no resource changes, 3 output changes",
		"drift":         "Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy, 2 changed outside Terraform",
		"forget":        "Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy, 1 to forget — stage 1 policy FAILED",
		"planerror":     "Plan: 3 to add, 0 to change, 0 to replace, 0 to destroy, 2 output changes — stage 2 plan FAILED",
	} {
		if got := Headline(c[name].Stages); got != want {
			t.Errorf("%s: headline %q, want %q", name, got, want)
		}
	}
}

func TestSecretsNeverRendered(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"creates.json", "drift.json", "secrets.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "plans", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "FIXTURE-") {
			t.Fatalf("%s has no planted secret; the test would prove nothing", f)
		}
		body := Render(Comment{Stages: []StageResult{stage(t, "1", f, allActions, nil)}})
		checkWellFormed(t, body, MaxBody)
		if !strings.Contains(body, "(sensitive)") {
			t.Errorf("%s: no (sensitive) marker rendered", f)
		}
	}
}

func TestTruncationKeepsHeadAndStructure(t *testing.T) {
	t.Parallel()
	c := goldenCases(t)["large2000"]
	c.Limit = 1 << 30
	full := Render(c)
	if len(full) <= MaxBody {
		t.Fatalf("the 2,000-resource plan renders to %d bytes untruncated; the test needs a body over the limit", len(full))
	}
	for _, limit := range []int{MaxBody, 20000, 8000} {
		c.Limit = limit
		got := Render(c)
		checkWellFormed(t, got, limit)
		head := full[:strings.Index(full, "#### ⚠️ Destructive changes")]
		if !strings.HasPrefix(got, head) {
			t.Errorf("limit %d: headline/table/hashes were cut", limit)
		}
		if !strings.Contains(got, "omitted to stay under GitHub's comment limit; the full plan is in [the workflow run]("+runURL+")") {
			t.Errorf("limit %d: no truncation notice with the run link", limit)
		}
		// Middle truncation: the first and the last resource diffs survive.
		ch := c.Stages[0].Summary.Changes
		first, last := "`"+ch[0].Address+"` ", "`"+ch[len(ch)-1].Address+"` "
		if limit == MaxBody && (!strings.Contains(got, first) || !strings.Contains(got, last)) {
			t.Errorf("limit %d: the start or the end of the diff list was cut", limit)
		}
		// Destructive changes go last: at the default limit every one is still listed.
		if limit == MaxBody {
			for _, d := range c.Stages[0].Summary.Destroys() {
				if !strings.Contains(got, "** `"+d.Address+"`") {
					t.Errorf("destructive change %s dropped while diffs remained", d.Address)
					break
				}
			}
		}
	}
}

func TestManyPolicyViolationsStayCapped(t *testing.T) {
	t.Parallel()
	c := Comment{Stages: []StageResult{stage(t, "1", "large-2000.json.gz", nil, nil)}, RunURL: runURL}
	got := Render(c)
	checkWellFormed(t, got, MaxBody)
	if !strings.Contains(got, "… and ") {
		t.Error("policy violations were not capped above the fold")
	}
}

func TestReviewedHashesRoundTrip(t *testing.T) {
	t.Parallel()
	for name, c := range goldenCases(t) {
		c.Limit = 8000 // the record survives truncation
		got, err := ReviewedHashes(Render(c))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, s := range c.Stages {
			if s.Hash != "" && got[s.Name] != s.Hash {
				t.Errorf("%s: stage %s hash %q, want %q", name, s.Name, got[s.Name], s.Hash)
			}
		}
	}
	odd := []StageResult{{Name: "a-->b", Hash: "sha256:00"}}
	body := Marker("") + "\n" + reviewedLine(odd)
	if strings.Count(body, "-->") != 2 {
		t.Errorf("a stage name ended the hidden record early: %q", body)
	}
	if got, err := ReviewedHashes(body); err != nil || got["a-->b"] != "sha256:00" {
		t.Errorf("ReviewedHashes = %v, %v", got, err)
	}
	if _, err := ReviewedHashes("no record"); err == nil {
		t.Error("a body without a record was accepted")
	}
}

func TestHeadOverTheLimitIsCut(t *testing.T) {
	t.Parallel()
	var stages []StageResult
	for i := range 400 {
		stages = append(stages, StageResult{Name: fmt.Sprintf("stage-%03d", i), Hash: "sha256:" + strings.Repeat("ab", 32)})
	}
	got := Render(Comment{Stages: stages, RunURL: runURL})
	if len(got) > MaxBody || !strings.Contains(got, "cut to stay under GitHub's comment limit") {
		t.Errorf("body of %d bytes, notice present: %v", len(got), strings.Contains(got, "cut to stay"))
	}
}

func TestMarker(t *testing.T) {
	t.Parallel()
	if Marker("") != "<!-- jitsictl:plan -->" {
		t.Error(Marker(""))
	}
	// A key cannot end the HTML comment early.
	if m := Marker("a-->b"); strings.Count(m, "-->") != 1 || !strings.HasSuffix(m, "-->") {
		t.Errorf("marker %q", m)
	}
}
