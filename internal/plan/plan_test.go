package plan

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// The fixtures are real `terraform show -json` output from testdata/plans/generate.sh.
func load(t testing.TB, name string) *tfjson.Plan {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "plans", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open fixture (regenerate with testdata/plans/generate.sh): %v", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	p, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// secrets are literals planted in the fixtures' sensitive values and SecureString parameters.
var secrets = []string{"FIXTURE-SECRET-9f8e7d6c", "FIXTURE-SSM-SECRET-phase1", "FIXTURE-SSM-SECRET-phase2"}

func addrs(cs []ResourceChange) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %s %s", c.Action, c.Address, c.Reason))
	}
	return out
}

func TestSummarizeFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture    string
		counts     Counts
		destroys   []string
		outputs    []string
		drift      []string
		hasChanges bool
		outputOnly bool
	}{
		{fixture: "nochanges.json", counts: Counts{NoOp: 2}},
		{
			fixture: "creates.json", counts: Counts{Create: 3},
			outputs: []string{"jvb_password create", "web_image create"}, hasChanges: true,
		},
		{
			fixture: "replacedelete.json", counts: Counts{Create: 1, Update: 1, Replace: 1, Delete: 3, NoOp: 1},
			destroys: []string{
				"delete terraform_data.nlb[0] delete_because_count_index",
				"delete terraform_data.target[1] delete_because_count_index",
				"delete terraform_data.target[2] delete_because_count_index",
				"replace terraform_data.task replace_because_cannot_update",
			},
			outputs: []string{"revision update"}, hasChanges: true,
		},
		{
			fixture: "outputsonly.json", counts: Counts{NoOp: 1},
			outputs:    []string{"removed_in_two update", "stage update", "url update"},
			hasChanges: true, outputOnly: true,
		},
		{
			fixture: "forget.json", counts: Counts{Forget: 1, Replace: 1},
			destroys:   []string{"replace terraform_data.web replace_because_cannot_update"},
			hasChanges: true,
		},
		{
			fixture: "drift.json", counts: Counts{Update: 2},
			drift: []string{
				"update aws_ssm_parameter.advertise ",
				"update aws_ssm_parameter.jvb_password ",
			},
			hasChanges: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			s := Summarize(load(t, tt.fixture))
			if s.Counts != tt.counts {
				t.Errorf("counts = %+v, want %+v", s.Counts, tt.counts)
			}
			if got := addrs(s.Destroys()); !reflect.DeepEqual(got, tt.destroys) {
				t.Errorf("destroys = %q, want %q", got, tt.destroys)
			}
			var outs []string
			for _, o := range s.Outputs {
				outs = append(outs, fmt.Sprintf("%s %s", o.Name, o.Action))
			}
			if !reflect.DeepEqual(outs, tt.outputs) {
				t.Errorf("outputs = %q, want %q", outs, tt.outputs)
			}
			if got := addrs(s.Drift); !reflect.DeepEqual(got, tt.drift) {
				t.Errorf("drift = %q, want %q", got, tt.drift)
			}
			if s.HasChanges() != tt.hasChanges || s.OutputOnly() != tt.outputOnly {
				t.Errorf("HasChanges=%v OutputOnly=%v, want %v %v", s.HasChanges(), s.OutputOnly(), tt.hasChanges, tt.outputOnly)
			}
			if len(s.Errors) != 0 {
				t.Errorf("errors: %q", s.Errors)
			}
		})
	}
}

func TestSummarizeDetails(t *testing.T) {
	t.Parallel()
	s := Summarize(load(t, "replacedelete.json"))
	var task, params *ResourceChange
	for i := range s.Changes {
		switch s.Changes[i].Address {
		case "terraform_data.task":
			task = &s.Changes[i]
		case "terraform_data.params":
			params = &s.Changes[i]
		}
	}
	if task == nil || !reflect.DeepEqual(task.ReplacePaths, []string{"triggers_replace"}) {
		t.Fatalf("replace paths of terraform_data.task = %+v", task)
	}
	want := AttrChange{Path: "input.log_level", Before: `"info"`, After: `"debug"`}
	found := false
	for _, a := range params.Attrs {
		if a == want {
			found = true
		}
	}
	if !found {
		t.Errorf("params attrs %+v lack %+v", params.Attrs, want)
	}
	if s.Outputs[0].Before != `"revision-1"` || s.Outputs[0].After != `"revision-2"` {
		t.Errorf("output revision = %+v", s.Outputs[0])
	}
}

func TestSummarizeLarge(t *testing.T) {
	t.Parallel()
	s := Summarize(load(t, "large-2000.json.gz"))
	// 2000 members: every 10th replaced (200), every 7th of the rest updated, the last
	// 100 deleted, 3 extras created (see testdata/plans/large/main.tf).
	upd := 0
	for i := range 1900 {
		if i%7 == 0 && i%10 != 0 {
			upd++
		}
	}
	want := Counts{Create: 3, Replace: 190, Update: upd, Delete: 100, NoOp: 1900 - 190 - upd}
	if s.Counts != want {
		t.Errorf("counts = %+v, want %+v", s.Counts, want)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []tfjson.Action
		want Action
	}{
		{[]tfjson.Action{"no-op"}, NoOp},
		{[]tfjson.Action{"create"}, Create},
		{[]tfjson.Action{"read"}, Read},
		{[]tfjson.Action{"update"}, Update},
		{[]tfjson.Action{"delete", "create"}, Replace},
		{[]tfjson.Action{"create", "delete"}, Replace},
		{[]tfjson.Action{"delete"}, Delete},
		{[]tfjson.Action{"forget"}, Forget},
		{[]tfjson.Action{"create", "forget"}, Replace},
		{[]tfjson.Action{"forget", "create"}, Replace},
	}
	for _, tt := range tests {
		got, err := Classify(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Classify(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range [][]tfjson.Action{{"teleport"}, {"delete", "update"}, {"forget", "delete"}, {}} {
		if _, err := Classify(bad); err == nil {
			t.Errorf("Classify(%v) accepted an unknown action list", bad)
		}
	}
}

func TestUnrecognisedActionFailsPolicy(t *testing.T) {
	t.Parallel()
	p := load(t, "creates.json")
	p.ResourceChanges[0].Change.Actions = tfjson.Actions{"teleport"}
	s := Summarize(p)
	if len(s.Errors) != 1 {
		t.Fatalf("errors = %q", s.Errors)
	}
	if err := (Policy{Stage: "1", Allow: []Action{Create, Update, Replace, Delete}}).Check(s); err == nil {
		t.Error("policy passed a plan with an unrecognised action")
	}
}

func TestMaskingNeverLeaksSecrets(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"creates.json", "drift.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "plans", f))
		if err != nil {
			t.Fatal(err)
		}
		planted := 0
		for _, s := range secrets {
			planted += strings.Count(string(raw), s)
		}
		if planted == 0 {
			t.Fatalf("%s: no planted secret in the fixture, the test would prove nothing", f)
		}
		got := fmt.Sprintf("%#v", Summarize(load(t, f)))
		for _, s := range secrets {
			if strings.Contains(got, s) {
				t.Errorf("%s: summary contains secret %q", f, s)
			}
		}
		if !strings.Contains(got, string(Sensitive)) {
			t.Errorf("%s: summary shows no %s marker", f, Sensitive)
		}
	}
}

func TestSecureStringMaskedWithoutSensitiveMarks(t *testing.T) {
	t.Parallel()
	p := load(t, "drift.json")
	// Strip the provider's sensitive marks and put the secret in insecure_value: the
	// SecureString rule alone must still hide it.
	for _, rc := range p.ResourceChanges {
		rc.Change.BeforeSensitive, rc.Change.AfterSensitive = nil, nil
		if rc.Address == "aws_ssm_parameter.jvb_password" {
			rc.Change.After.(map[string]any)["insecure_value"] = "FIXTURE-SSM-SECRET-phase2"
		}
	}
	s := Summarize(p)
	got := fmt.Sprintf("%#v", s)
	for _, sec := range secrets {
		if strings.Contains(got, sec) {
			t.Errorf("summary contains %q", sec)
		}
	}
	// The plain String parameter stays readable.
	if !strings.Contains(got, "198.51.100.7,198.51.100.8") {
		t.Errorf("String parameter value was masked too: %s", got)
	}
	// The rotated secret is still shown as a change.
	var rotated bool
	for _, c := range s.Changes {
		for _, a := range c.Attrs {
			if c.Address == "aws_ssm_parameter.jvb_password" && a.Path == "value" {
				rotated = a.Before == string(Sensitive) && a.After == string(Sensitive)
			}
		}
	}
	if !rotated {
		t.Errorf("rotated SecureString value not listed as (sensitive) → (sensitive)")
	}
}

func TestHashStableAcrossRuns(t *testing.T) {
	t.Parallel()
	a, b := load(t, "replacedelete.json"), load(t, "replacedelete-rerun.json")
	if a.Timestamp == b.Timestamp {
		t.Fatal("fixtures have the same timestamp; regenerate to exercise the volatile fields")
	}
	if Hash(a) != Hash(b) {
		t.Errorf("two terraform plans of the same change hash differently: %s vs %s", Hash(a), Hash(b))
	}
	// Order of resource_changes does not matter.
	rc := b.ResourceChanges
	for i, j := 0, len(rc)-1; i < j; i, j = i+1, j-1 {
		rc[i], rc[j] = rc[j], rc[i]
	}
	b.TerraformVersion = "9.9.9"
	if Hash(a) != Hash(b) {
		t.Error("hash depends on resource order or terraform_version")
	}
	if !strings.HasPrefix(Hash(a), "sha256:") || len(Hash(a)) != len("sha256:")+64 {
		t.Errorf("hash format %q", Hash(a))
	}
}

func TestHashChangesWithTheChangeSet(t *testing.T) {
	t.Parallel()
	base := Hash(load(t, "replacedelete.json"))
	mutations := map[string]func(p *tfjson.Plan){
		"action": func(p *tfjson.Plan) {
			for _, rc := range p.ResourceChanges {
				if rc.Address == "terraform_data.params" {
					rc.Change.Actions = tfjson.Actions{tfjson.ActionDelete, tfjson.ActionCreate}
				}
			}
		},
		"after value": func(p *tfjson.Plan) {
			for _, rc := range p.ResourceChanges {
				if rc.Address == "terraform_data.params" {
					rc.Change.After.(map[string]any)["input"].(map[string]any)["log_level"] = "trace"
				}
			}
		},
		"extra delete": func(p *tfjson.Plan) {
			p.ResourceChanges = append(p.ResourceChanges, &tfjson.ResourceChange{
				Address: "terraform_data.other", Change: &tfjson.Change{Actions: tfjson.Actions{tfjson.ActionDelete}},
			})
		},
		"output value": func(p *tfjson.Plan) { p.OutputChanges["revision"].After = "revision-3" },
		"no-op became update": func(p *tfjson.Plan) {
			for _, rc := range p.ResourceChanges {
				if rc.Address == "terraform_data.target[0]" {
					rc.Change.Actions = tfjson.Actions{tfjson.ActionUpdate}
				}
			}
		},
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := load(t, "replacedelete.json")
			mutate(p)
			if Hash(p) == base {
				t.Errorf("hash unchanged after changing the %s", name)
			}
		})
	}
	if Hash(load(t, "creates.json")) == base {
		t.Error("different plans hash equal")
	}
}

func TestHashDoesNotDigestSecrets(t *testing.T) {
	t.Parallel()
	a := load(t, "creates.json")
	b := load(t, "creates.json")
	for _, rc := range b.ResourceChanges {
		if rc.Address == "terraform_data.jvb_secret" {
			rc.Change.After.(map[string]any)["input"] = "another-secret"
		}
	}
	if Hash(a) != Hash(b) {
		t.Error("hash depends on a sensitive value, so the published hash would confirm guesses of it")
	}
	// Nor on a copy of it in an unmarked attribute.
	for _, p := range []*tfjson.Plan{a, b} {
		for _, rc := range p.ResourceChanges {
			if rc.Address == "terraform_data.web" {
				secret := rc.Change.After.(map[string]any)
				if p == a {
					secret["input"].(map[string]any)["image"] = "FIXTURE-SECRET-9f8e7d6c"
				} else {
					secret["input"].(map[string]any)["image"] = "another-secret"
				}
			}
		}
	}
	if Hash(a) != Hash(b) {
		t.Error("hash depends on a copied secret")
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	s := Summarize(load(t, "replacedelete.json"))
	if err := (Policy{Stage: "2", Allow: []Action{Create, Update, Replace, Delete}}).Check(s); err != nil {
		t.Errorf("permissive policy failed: %v", err)
	}
	err := Policy{Stage: "1", Allow: []Action{Create, Update}}.Check(s)
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("want *PolicyError, got %v", err)
	}
	var got []string
	for _, v := range pe.Violations {
		got = append(got, fmt.Sprintf("%s %s %s", v.Action, v.Address, v.Reason))
	}
	if !reflect.DeepEqual(got, addrs(s.Destroys())) {
		t.Errorf("violations = %q, want every destroy %q", got, addrs(s.Destroys()))
	}
	for _, want := range []string{"stage 1 policy allows only create, update", "delete terraform_data.nlb[0] (delete_because_count_index)", "replace terraform_data.task"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if err := (Policy{Stage: "0"}).Check(Summarize(load(t, "outputsonly.json"))); err != nil {
		t.Errorf("outputs-only plan failed an empty policy: %v", err)
	}
}

func TestImportsCountAndHash(t *testing.T) {
	t.Parallel()
	p := load(t, "nochanges.json")
	before := Hash(p)
	p.ResourceChanges[0].Change.Importing = &tfjson.Importing{ID: "i-0abc"}
	s := Summarize(p)
	if s.Counts.Import != 1 || !s.HasChanges() || len(s.Changes) != 1 || s.Changes[0].Importing != "i-0abc" {
		t.Errorf("import not summarised: %+v", s)
	}
	if Hash(p) == before {
		t.Error("adding an import did not change the hash")
	}
	if err := (Policy{Stage: "1"}).Check(s); err != nil {
		t.Errorf("a no-op import failed an empty policy: %v", err)
	}
}

func TestForgetNeedsPolicy(t *testing.T) {
	t.Parallel()
	s := Summarize(load(t, "forget.json"))
	err := Policy{Stage: "1", Allow: []Action{Replace}}.Check(s)
	if err == nil || !strings.Contains(err.Error(), "forget terraform_data.legacy") {
		t.Errorf("forget passed a policy that does not allow it: %v", err)
	}
}

func TestParseActions(t *testing.T) {
	t.Parallel()
	got, err := ParseActions([]string{"create", " Update ", "replace", "delete"})
	if err != nil || !reflect.DeepEqual(got, []Action{Create, Update, Replace, Delete}) {
		t.Errorf("ParseActions = %v, %v", got, err)
	}
	if _, err := ParseActions([]string{"destroy"}); err == nil || !strings.Contains(err.Error(), `"destroy"`) {
		t.Errorf("ParseActions(destroy) error = %v", err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	reviewed := Hash(load(t, "replacedelete.json"))
	if err := Verify(reviewed, load(t, "replacedelete-rerun.json")); err != nil {
		t.Errorf("same change refused: %v", err)
	}
	err := Verify(reviewed, load(t, "creates.json"))
	if err == nil || !strings.Contains(err.Error(), "differ from the reviewed plan") {
		t.Errorf("different change accepted: %v", err)
	}
	if err := Verify("", load(t, "creates.json")); err == nil {
		t.Error("an empty reviewed hash was accepted")
	}
}

func TestSecretCopiedIntoAnUnmarkedAttributeIsScrubbed(t *testing.T) {
	t.Parallel()
	p := load(t, "creates.json")
	// The secret reaches an attribute Terraform does not mark (a copied literal).
	for _, rc := range p.ResourceChanges {
		if rc.Address == "terraform_data.web" {
			rc.Change.After.(map[string]any)["input"].(map[string]any)["image"] = "registry/FIXTURE-SECRET-9f8e7d6c:tag"
		}
	}
	got := fmt.Sprintf("%#v", Summarize(p))
	if strings.Contains(got, "FIXTURE-SECRET-9f8e7d6c") {
		t.Errorf("copied secret leaked: %s", got)
	}
	// Only the value holding it is blanked: the other attributes stay readable.
	if !strings.Contains(got, "8443") {
		t.Errorf("scrubbing blanked unrelated values: %s", got)
	}
}

func TestSensitiveVariableValuesAreSecrets(t *testing.T) {
	t.Parallel()
	p := load(t, "creates.json")
	if p.Variables["jvb_auth_password"] == nil {
		t.Fatal("fixture lost its sensitive variable")
	}
	p.Variables["jvb_auth_password"].Value = "VARIABLE-ONLY-SECRET"
	for _, rc := range p.ResourceChanges {
		if rc.Address == "terraform_data.web" {
			rc.Change.After.(map[string]any)["input"].(map[string]any)["image"] = "VARIABLE-ONLY-SECRET"
		}
	}
	if got := fmt.Sprintf("%#v", Summarize(p)); strings.Contains(got, "VARIABLE-ONLY-SECRET") {
		t.Error("a sensitive variable's value leaked")
	}
}

func TestAddressOrder(t *testing.T) {
	t.Parallel()
	in := []string{"a.m[10]", "a.m[2]", `a.k["b"]`, "a.m[1].x", "a.m", "a.m[1]", "b.m[0]", `a.k["a"]`, "a.m[10][3]", "a.m[10][20]"}
	want := []string{"a.k[\"a\"]", "a.k[\"b\"]", "a.m", "a.m[1]", "a.m[1].x", "a.m[2]", "a.m[10]", "a.m[10][3]", "a.m[10][20]", "b.m[0]"}
	sort.Slice(in, func(i, j int) bool { return addressLess(in[i], in[j]) })
	if !reflect.DeepEqual(in, want) {
		t.Errorf("order %q, want %q", in, want)
	}
}

// MaskValue on its own (Summarize also scrubs known secrets, which would hide a bug here).
func TestMaskValue(t *testing.T) {
	t.Parallel()
	v := map[string]any{"a": "x", "b": []any{"y", "z"}, "c": map[string]any{"d": "w"}, "n": nil}
	marks := map[string]any{"b": []any{false, true}, "c": true, "n": true}
	got := MaskValue(v, marks)
	want := map[string]any{"a": "x", "b": []any{"y", Sensitive}, "c": Sensitive, "n": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MaskValue = %#v, want %#v", got, want)
	}
	if MaskValue("s", true) != Sensitive || MaskValue("s", false) != "s" || MaskValue("s", nil) != "s" {
		t.Error("scalar masking wrong")
	}
	if v["c"].(map[string]any)["d"] != "w" {
		t.Error("MaskValue modified its input")
	}
}
