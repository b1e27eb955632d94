package plan

import (
	"fmt"
	"strings"
)

// Policy says which actions a stage may apply. No-op (imports included) and data-source
// reads are always allowed; output changes are always allowed.
type Policy struct {
	Stage string
	Allow []Action
}

// ParseActions reads action names from configuration ("create", "update", "replace",
// "delete"), rejecting anything else so a typo cannot widen or narrow a policy unnoticed.
func ParseActions(names []string) ([]Action, error) {
	var out []Action
	for _, n := range names {
		a := Action(strings.TrimSpace(strings.ToLower(n)))
		switch a {
		case Create, Update, Replace, Delete, Forget:
			out = append(out, a)
		default:
			return nil, fmt.Errorf("unknown policy action %q (use create, update, replace, delete or forget)", n)
		}
	}
	return out, nil
}

// Violation is one resource change the policy does not allow.
type Violation struct {
	Address string
	Action  Action
	Reason  string
}

// PolicyError lists every violating change of one stage.
type PolicyError struct {
	Stage      string
	Allowed    []Action
	Violations []Violation
}

func (e *PolicyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stage %s policy allows only %s; the plan has %d disallowed change(s):",
		e.Stage, joinActions(e.Allowed), len(e.Violations))
	for _, v := range e.Violations {
		fmt.Fprintf(&b, "\n  %s %s", v.Action, v.Address)
		if v.Reason != "" {
			fmt.Fprintf(&b, " (%s)", v.Reason)
		}
	}
	return b.String()
}

func joinActions(as []Action) string {
	if len(as) == 0 {
		return "no changes"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// Check returns a *PolicyError listing each change whose action is not allowed, or nil.
// A summary with unrecognised actions always fails: they cannot be judged.
func (p Policy) Check(s Summary) error {
	allowed := map[Action]bool{NoOp: true, Read: true}
	for _, a := range p.Allow {
		allowed[a] = true
	}
	e := &PolicyError{Stage: p.Stage, Allowed: p.Allow}
	for _, c := range s.Changes {
		if !allowed[c.Action] && !(c.Action == NoOp && c.Importing != "") {
			e.Violations = append(e.Violations, Violation{Address: c.Address, Action: c.Action, Reason: c.Reason})
		}
	}
	for _, msg := range s.Errors {
		e.Violations = append(e.Violations, Violation{Address: msg, Action: "unrecognised"})
	}
	if len(e.Violations) == 0 {
		return nil
	}
	return e
}
