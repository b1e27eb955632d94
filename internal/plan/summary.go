// Package plan turns `terraform show -json` output into what a reviewer needs: counts per
// action, every replace and delete with Terraform's reason, output and drift changes, a
// stage policy verdict and a hash of the change set that apply can compare against.
// Everything is read from the structured plan, never from plan text.
package plan

import (
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// Action is the single verb a resource change is classified as.
type Action string

const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Read    Action = "read"
	Update  Action = "update"
	Replace Action = "replace"
	Delete  Action = "delete"
	// Forget removes an object from state without destroying it (a `removed` block).
	Forget Action = "forget"
)

// Classify maps Terraform's action list to one Action. Both replace orders
// (delete-then-create and create-before-destroy) are Replace. Unknown lists return an error
// so a future Terraform action is never silently miscounted.
func Classify(a tfjson.Actions) (Action, error) {
	switch {
	case a.NoOp():
		return NoOp, nil
	case a.Create():
		return Create, nil
	case a.Read():
		return Read, nil
	case a.Update():
		return Update, nil
	case a.Replace():
		return Replace, nil
	case a.Delete():
		return Delete, nil
	case a.Forget():
		return Forget, nil
	case len(a) == 2 && (a[0] == tfjson.ActionCreate && a[1] == tfjson.ActionForget ||
		a[0] == tfjson.ActionForget && a[1] == tfjson.ActionCreate):
		// Replaced, but the old object is left unmanaged (destroy = false); Terraform's
		// own views call this a replacement too.
		return Replace, nil
	}
	return "", fmt.Errorf("unrecognised terraform actions %v", []tfjson.Action(a))
}

// Counts holds the number of resource instances per action. Import counts instances
// being imported, whatever their action (usually no-op or update).
type Counts struct {
	Create, Read, Update, Replace, Delete, Forget, NoOp int
	Import                                              int
}

func (c *Counts) add(a Action) {
	switch a {
	case Create:
		c.Create++
	case Read:
		c.Read++
	case Update:
		c.Update++
	case Replace:
		c.Replace++
	case Delete:
		c.Delete++
	case Forget:
		c.Forget++
	case NoOp:
		c.NoOp++
	}
}

// Changes is the number of resource instance changes apply would make to infrastructure
// or state (everything but no-op and data-source reads, plus imports).
func (c Counts) Changes() int {
	return c.Create + c.Update + c.Replace + c.Delete + c.Forget + c.Import
}

// ResourceChange is one resource instance's change with sensitive values already masked.
type ResourceChange struct {
	Address         string
	PreviousAddress string // set when the resource moved
	Type            string
	Deposed         string
	Action          Action
	Importing       string   // import ID when the instance is being imported
	Reason          string   // Terraform's action_reason, empty when it gave none
	ReplacePaths    []string // attributes that forced a replacement, e.g. "triggers_replace"
	Attrs           []AttrChange
}

// OutputChange is one root output's change, masked when the output is sensitive.
type OutputChange struct {
	Name   string
	Action Action
	Before string
	After  string
}

// Summary is what a reviewer reads about one stage's plan.
type Summary struct {
	Counts  Counts
	Changes []ResourceChange // every instance whose action is not no-op, by address
	Outputs []OutputChange   // changed outputs, by name
	Drift   []ResourceChange // objects changed outside Terraform since the last apply
	// Errors lists resource changes whose actions Terraform reported in a way this version
	// does not recognise; the caller should treat a non-empty list as a failed plan.
	Errors []string
}

// HasChanges reports whether applying the plan would change any resource or output.
func (s Summary) HasChanges() bool { return s.Counts.Changes() > 0 || len(s.Outputs) > 0 }

// OutputOnly reports whether the plan changes outputs and nothing else.
func (s Summary) OutputOnly() bool { return s.Counts.Changes() == 0 && len(s.Outputs) > 0 }

// Destroys lists the replaces and deletes, the changes that lose an existing object.
func (s Summary) Destroys() []ResourceChange {
	var out []ResourceChange
	for _, c := range s.Changes {
		if c.Action == Replace || c.Action == Delete {
			out = append(out, c)
		}
	}
	return out
}

// Summarize reads a parsed plan. A nil plan gives an empty summary.
func Summarize(p *tfjson.Plan) Summary {
	var s Summary
	if p == nil {
		return s
	}
	for _, rc := range p.ResourceChanges {
		c, err := resourceChange(rc)
		if err != nil {
			s.Errors = append(s.Errors, err.Error())
			continue
		}
		s.Counts.add(c.Action)
		if rc.Change.Importing != nil {
			s.Counts.Import++
		}
		if c.Action != NoOp || rc.Change.Importing != nil {
			s.Changes = append(s.Changes, c)
		}
	}
	for _, rc := range p.ResourceDrift {
		c, err := resourceChange(rc)
		if err != nil {
			s.Errors = append(s.Errors, err.Error())
			continue
		}
		if c.Action != NoOp {
			s.Drift = append(s.Drift, c)
		}
	}
	for name, oc := range p.OutputChanges {
		if oc == nil {
			continue
		}
		a, err := Classify(oc.Actions)
		if err != nil {
			s.Errors = append(s.Errors, fmt.Sprintf("output %s: %v", name, err))
			continue
		}
		if a == NoOp {
			continue
		}
		s.Outputs = append(s.Outputs, OutputChange{
			Name:   name,
			Action: a,
			Before: FormatValue(MaskValue(oc.Before, oc.BeforeSensitive)),
			After:  FormatValue(maskUnknown(MaskValue(oc.After, oc.AfterSensitive), oc.AfterUnknown)),
		})
	}
	if secrets := secretStrings(p); len(secrets) > 0 {
		sc := newScrubber(secrets)
		scrubChanges(s.Changes, sc)
		scrubChanges(s.Drift, sc)
		for i := range s.Outputs {
			s.Outputs[i].Before = sc.scrub(s.Outputs[i].Before)
			s.Outputs[i].After = sc.scrub(s.Outputs[i].After)
		}
	}
	byAddr := func(cs []ResourceChange) {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].Address != cs[j].Address {
				return addressLess(cs[i].Address, cs[j].Address)
			}
			return cs[i].Deposed < cs[j].Deposed
		})
	}
	byAddr(s.Changes)
	byAddr(s.Drift)
	sort.Slice(s.Outputs, func(i, j int) bool { return s.Outputs[i].Name < s.Outputs[j].Name })
	sort.Strings(s.Errors)
	return s
}

func resourceChange(rc *tfjson.ResourceChange) (ResourceChange, error) {
	if rc == nil || rc.Change == nil {
		return ResourceChange{}, fmt.Errorf("resource change without a change block")
	}
	a, err := Classify(rc.Change.Actions)
	if err != nil {
		return ResourceChange{}, fmt.Errorf("%s: %v", rc.Address, err)
	}
	c := ResourceChange{
		Address:         rc.Address,
		PreviousAddress: rc.PreviousAddress,
		Type:            rc.Type,
		Deposed:         rc.DeposedKey,
		Action:          a,
		Reason:          string(rc.ActionReason),
	}
	if imp := rc.Change.Importing; imp != nil {
		c.Importing = imp.ID
		if c.Importing == "" {
			c.Importing = "(by identity)"
		}
	}
	for _, p := range rc.Change.ReplacePaths {
		c.ReplacePaths = append(c.ReplacePaths, formatPath(p))
	}
	if a != NoOp {
		before, after := maskedValues(rc)
		c.Attrs = diff(before, after, rc.Change.Before, rc.Change.After)
	}
	return c, nil
}

// formatPath renders a replace path (a list of attribute names and indexes) as a.b[0].
func formatPath(p any) string {
	steps, ok := p.([]any)
	if !ok {
		return FormatValue(p)
	}
	out := ""
	for _, st := range steps {
		switch v := st.(type) {
		case string:
			if out != "" {
				out += "."
			}
			out += v
		default:
			out += "[" + FormatValue(v) + "]"
		}
	}
	return out
}

// addressLess orders addresses as a reader expects: count indexes numerically
// (member[2] before member[10]), everything else bytewise.
func addressLess(a, b string) bool {
	for a != "" && b != "" {
		na, restA, okA := leadingIndex(a)
		nb, restB, okB := leadingIndex(b)
		if okA && okB {
			if na != nb {
				return na < nb
			}
			a, b = restA, restB
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

// leadingIndex parses "[123]..." into 123 and the rest.
func leadingIndex(s string) (int, string, bool) {
	if len(s) < 3 || s[0] != '[' {
		return 0, s, false
	}
	n, i := 0, 1
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > 1<<40 {
			return 0, s, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if i == 1 || i >= len(s) || s[i] != ']' {
		return 0, s, false
	}
	return n, s[i+1:], true
}
