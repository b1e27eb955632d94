package stage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/plan"
	"github.com/jitsictl/jitsictl/internal/prcomment"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Terraform is what a deploy needs of internal/tf's *Runner.
type Terraform interface {
	Plan(ctx context.Context, vars tf.Vars, targets []string, outFile string) (bool, error)
	ShowPlan(ctx context.Context, file string) (*tfjson.Plan, error)
	ApplyPlan(ctx context.Context, file string) error
	StatePull(ctx context.Context) ([]byte, error)
}

// Deployer plans and applies stages against one initialised stack.
type Deployer struct {
	TF Terraform
	// Vars go to every Terraform run: nlb_enabled from the session record, so a deploy
	// never plans away a live session's NLB.
	Vars   tf.Vars
	Stages []Numbered
	// Dir receives plan files, reviewed.json and the local state backup.
	Dir string
	// Checks verifies each stage's expected results; required when a stage has any.
	Checks *Checker
	// Backup stores the state copy taken before apply.
	Backup *Backup
	// Cost prices a plan's change; nil leaves the cost column "n/a".
	Cost   func(*tfjson.Plan) (*prcomment.CostDelta, error)
	Report report.Reporter
	// AfterStage, when set, runs after each stage is applied and checked (progress hooks
	// and tests that look at the stack between stages).
	AfterStage func(ctx context.Context, s Numbered) error
	// HeadSHA is the commit being planned, recorded in reviewed.json.
	HeadSHA string
	// RollbackHint is the command that re-applies the configuration before this deploy,
	// printed when a stage fails (e.g. "jitsictl deploy rollback --ref 1a2b3c").
	RollbackHint string
}

// Planned is one stage's saved plan and what a reviewer sees of it.
type Planned struct {
	Numbered
	File    string
	Plan    *tfjson.Plan
	Summary plan.Summary
	Policy  error
	Hash    string
	Cost    *prcomment.CostDelta
	Err     error
}

// Result is the stage as prcomment renders it, named as in reviewed.json so the hashes
// hidden in the comment and the artifact agree.
func (p Planned) Result() prcomment.StageResult {
	return prcomment.StageResult{Name: p.Name, Summary: p.Summary, Policy: p.Policy, Hash: p.Hash, Cost: p.Cost, Err: p.Err}
}

func (d *Deployer) planStage(ctx context.Context, n Numbered, suffix string) Planned {
	p := Planned{Numbered: n, File: filepath.Join(d.Dir, fmt.Sprintf("stage-%d-%s%s.tfplan", n.N, n.Name, suffix))}
	if _, err := d.TF.Plan(ctx, d.Vars, n.Targets, p.File); err != nil {
		p.Err = fmt.Errorf("terraform plan: %w", err)
		return p
	}
	tp, err := d.TF.ShowPlan(ctx, p.File)
	if err != nil {
		p.Err = fmt.Errorf("terraform show: %w", err)
		return p
	}
	p.Plan, p.Summary, p.Hash = tp, plan.Summarize(tp), plan.Hash(tp)
	if len(p.Summary.Errors) > 0 {
		p.Err = fmt.Errorf("unrecognised plan actions: %s", strings.Join(p.Summary.Errors, "; "))
		return p
	}
	p.Policy = n.Policy().Check(p.Summary)
	if d.Cost != nil {
		if c, err := d.Cost(tp); err != nil {
			d.Report.Warnf("stage %s: cost delta not available: %v", n.Label(), err)
		} else {
			p.Cost = c
		}
	}
	return p
}

// Plan makes every stage's saved plan as Terraform sees it now, against the current
// state. Stage 1 is exactly what apply will do first. A later stage's plan also shows the
// changes of earlier stages its targets depend on (Terraform plans a target's
// dependencies with it), so it is the reviewed superset of what that stage will apply
// once the earlier stages are in; Apply holds it to that (see Apply).
//
// It writes the plan files and reviewed.json into d.Dir.
func (d *Deployer) Plan(ctx context.Context) ([]Planned, error) {
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return nil, err
	}
	out := make([]Planned, 0, len(d.Stages))
	for _, n := range d.Stages {
		d.Report.Begin("plan stage " + n.Label())
		p := d.planStage(ctx, n, "")
		d.Report.End("plan stage "+n.Label(), firstErr(p.Err, p.Policy))
		out = append(out, p)
	}
	rev := Reviewed{HeadSHA: d.HeadSHA, Stages: map[string]string{}}
	for _, p := range out {
		if p.Hash != "" && p.Err == nil {
			rev.Stages[p.Name] = p.Hash
		}
	}
	if err := rev.Write(filepath.Join(d.Dir, ReviewedFile)); err != nil {
		return out, err
	}
	return out, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Failed reports whether any stage could not be planned or breaks its policy.
func Failed(ps []Planned) error {
	var errs []error
	for _, p := range ps {
		if p.Err != nil {
			errs = append(errs, fmt.Errorf("stage %s could not be planned: %w", p.Label(), p.Err))
		} else if p.Policy != nil {
			errs = append(errs, p.Policy)
		}
	}
	return errors.Join(errs...)
}

// ApplyResult says what Apply did.
type ApplyResult struct {
	Backup  Saved
	Applied []Numbered // stages applied (or already in place), in order
	// FinalChecked is true when the closing full plan ran and was empty.
	FinalChecked bool
}

// StageError is a stage that failed after earlier ones were applied.
type StageError struct {
	Stage    Numbered
	Applied  []Numbered
	Err      error
	Backup   Saved
	Rollback string
	// BeforeApply is true when the stage failed before Terraform changed anything in it.
	BeforeApply bool
}

func (e *StageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stage %s failed: %v", e.Stage.Label(), e.Err)
	if e.BeforeApply {
		fmt.Fprintf(&b, "\nNothing of stage %s was applied.", e.Stage.Label())
	} else {
		fmt.Fprintf(&b, "\nStage %s was applied in full or in part; what it changed stays until you roll back.", e.Stage.Label())
	}
	if len(e.Applied) == 0 {
		b.WriteString("\nNo earlier stage was applied in this run.")
	} else {
		labels := make([]string, len(e.Applied))
		for i, s := range e.Applied {
			labels[i] = s.Label()
		}
		fmt.Fprintf(&b, "\nApplied and left in place: stage %s.", strings.Join(labels, ", "))
	}
	b.WriteString("\nTo roll back:")
	rb := e.Rollback
	if rb == "" {
		rb = "jitsictl deploy rollback --ref <the commit before this deploy>"
	}
	fmt.Fprintf(&b, "\n  1. %s   (re-applies the previous configuration to the current state)", rb)
	if e.Backup.Remote != "" || e.Backup.Local != "" {
		loc := e.Backup.Remote
		if loc == "" {
			loc = e.Backup.Local
		}
		fmt.Fprintf(&b, "\n  2. only if the state itself is damaged: jitsictl deploy restore-state %s   (backup taken before this deploy, serial %d)", loc, e.Backup.Serial)
	}
	return b.String()
}

// Apply runs the selected stages against reviewed (stage name → plan hash).
//
// Before anything changes it backs the state up and re-plans every selected stage: each
// must hash to its reviewed value and pass its policy, or nothing is applied. Then, stage
// by stage, it applies the saved plan (the verified one for the first stage, a fresh one
// for later stages, since earlier stages changed the state), and runs the stage's checks.
// A later stage's fresh plan must pass its policy and may hold only changes the reviewed
// plan of that stage showed, with the same action: values Terraform knew only after the
// earlier stages (ARNs, IDs) are what may differ. When the last stage is selected, a full
// plan must then be empty.
func (d *Deployer) Apply(ctx context.Context, reviewed map[string]string) (ApplyResult, error) {
	var res ApplyResult
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return res, err
	}
	state, err := d.TF.StatePull(ctx)
	if err != nil {
		return res, fmt.Errorf("read state for the backup: %w", err)
	}
	if d.Backup == nil {
		return res, errors.New("no state backup configured: refusing to apply without one")
	}
	if noStateYet(state) {
		// A first deploy: Terraform has written no state yet, so there is nothing to lose.
		d.Report.Infof("the stack has no state yet: nothing to back up")
	} else {
		d.Report.Begin("back up state")
		res.Backup, err = d.Backup.Save(ctx, state)
		d.Report.End("back up state", err)
		if err != nil {
			return res, fmt.Errorf("state backup failed, nothing applied: %w", err)
		}
		d.Report.Infof("state backup (serial %d): %s and %s", res.Backup.Serial, res.Backup.Remote, res.Backup.Local)
		d.Report.Output("state-backup", res.Backup.Remote)
	}

	fail := func(n Numbered, before bool, err error) error {
		return &StageError{Stage: n, Applied: res.Applied, Err: err, Backup: res.Backup, Rollback: d.RollbackHint, BeforeApply: before}
	}

	// Verify every stage before touching anything.
	verified := make([]Planned, len(d.Stages))
	for i, n := range d.Stages {
		d.Report.Begin("verify stage " + n.Label())
		p := d.planStage(ctx, n, "")
		err := p.Err
		if err == nil {
			err = p.Policy
		}
		if err == nil {
			err = verifyHash(n, reviewed, p.Plan)
		}
		d.Report.End("verify stage "+n.Label(), err)
		if err != nil {
			return res, fail(n, true, err)
		}
		verified[i] = p
	}

	changed := false // whether an earlier stage of this run changed the state
	for i, n := range d.Stages {
		p := verified[i]
		if changed {
			d.Report.Begin("re-plan stage " + n.Label())
			p = d.planStage(ctx, n, "-apply")
			err := firstErr(p.Err, p.Policy)
			if err == nil {
				err = Within(verified[i].Summary, p.Summary)
			}
			d.Report.End("re-plan stage "+n.Label(), err)
			if err != nil {
				return res, fail(n, true, err)
			}
		}
		var snap *Snapshot
		if len(n.Expect) > 0 {
			if d.Checks == nil {
				return res, fail(n, true, errors.New("the stage has checks but no AWS clients to run them"))
			}
			if snap, err = d.Checks.Before(ctx, p.Plan); err != nil {
				return res, fail(n, true, fmt.Errorf("read the service before the stage: %w", err))
			}
		}
		d.Report.Begin("apply stage " + n.Label())
		if p.Summary.HasChanges() {
			err = d.TF.ApplyPlan(ctx, p.File)
			changed = true
		} else {
			d.Report.Infof("stage %s: no changes", n.Label())
		}
		d.Report.End("apply stage "+n.Label(), err)
		if err != nil {
			return res, fail(n, false, fmt.Errorf("terraform apply: %w", err))
		}
		if snap != nil {
			d.Report.Begin("check stage " + n.Label())
			err = d.Checks.After(ctx, snap, n.Expect)
			d.Report.End("check stage "+n.Label(), err)
			if err != nil {
				return res, fail(n, false, err)
			}
		}
		res.Applied = append(res.Applied, n)
		if d.AfterStage != nil {
			if err := d.AfterStage(ctx, n); err != nil {
				return res, fail(n, false, err)
			}
		}
	}

	if last := d.Stages[len(d.Stages)-1]; last.Last {
		d.Report.Begin("final full plan")
		err := d.finalPlan(ctx)
		d.Report.End("final full plan", err)
		if err != nil {
			return res, fmt.Errorf("every stage applied, but %w", err)
		}
		res.FinalChecked = true
	}
	return res, nil
}

func verifyHash(n Numbered, reviewed map[string]string, p *tfjson.Plan) error {
	want, ok := reviewed[n.Name]
	if !ok {
		return fmt.Errorf("no reviewed plan hash for stage %s: run `jitsictl deploy plan` and pass its %s with --reviewed", n.Name, ReviewedFile)
	}
	if err := plan.Verify(want, p); err != nil {
		return fmt.Errorf("the plan is not the one reviewed (something changed since `deploy plan`: the configuration, the state or the infrastructure); re-run deploy plan and review it again: %w", err)
	}
	return nil
}

// finalPlan runs a full plan that must have no changes.
func (d *Deployer) finalPlan(ctx context.Context) error {
	file := filepath.Join(d.Dir, "final.tfplan")
	changed, err := d.TF.Plan(ctx, d.Vars, nil, file)
	if err != nil {
		return fmt.Errorf("the closing full plan failed: %w", err)
	}
	if !changed {
		return nil
	}
	tp, err := d.TF.ShowPlan(ctx, file)
	if err != nil {
		return fmt.Errorf("the closing full plan has changes (and could not be shown: %v)", err)
	}
	s := plan.Summarize(tp)
	var lines []string
	for _, c := range s.Changes {
		lines = append(lines, fmt.Sprintf("%s %s", c.Action, c.Address))
	}
	for _, o := range s.Outputs {
		lines = append(lines, fmt.Sprintf("%s output.%s", o.Action, o.Name))
	}
	return fmt.Errorf("the closing full plan still has changes (the configuration does not converge):\n  %s", strings.Join(lines, "\n  "))
}

// Within returns an error unless every change in got appears in reviewed with the same
// action. It is the rule for a stage re-planned after earlier stages were applied: the
// reviewed plan of that stage was made before them, so it is a superset.
func Within(reviewed, got plan.Summary) error {
	want := map[string]plan.Action{}
	for _, c := range reviewed.Changes {
		want[c.Address+"|"+c.Deposed] = c.Action
	}
	var bad []string
	for _, c := range got.Changes {
		a, ok := want[c.Address+"|"+c.Deposed]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s %s (not in the reviewed plan)", c.Action, c.Address))
		case a != c.Action:
			bad = append(bad, fmt.Sprintf("%s %s (reviewed as %s)", c.Action, c.Address, a))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("the re-plan differs from the reviewed plan:\n  %s", strings.Join(bad, "\n  "))
}

// noStateYet recognises what `terraform state pull` prints before any apply:
// nothing at all, or (with the S3 backend) a document without a lineage and
// without resources. A document with resources but no lineage is not this:
// Backup.Save rejects it.
func noStateYet(state []byte) bool {
	if len(bytes.TrimSpace(state)) == 0 {
		return true
	}
	var doc struct {
		Lineage   string            `json:"lineage"`
		Resources []json.RawMessage `json:"resources"`
	}
	return json.Unmarshal(state, &doc) == nil && doc.Lineage == "" && len(doc.Resources) == 0
}
