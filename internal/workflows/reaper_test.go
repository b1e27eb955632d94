package workflows

import (
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
)

// reaperFile is the scheduled workflow session.yml's open enables and a
// reap that finds nothing disables, through the fake GitHub's workflow API.
const reaperFile = "scale-down.yml"

// requireReaper checks the reaper workflow's state on the fake GitHub after
// the act run r, and that every call was one GitHub's description allows.
func (b *bed) requireReaper(t *testing.T, r actRun, want string) {
	t.Helper()
	if got := b.gh.WorkflowState(owner, repo, reaperFile); got != want {
		t.Errorf("%s is %q on GitHub after the run, want %q; requests: %v\n%s", reaperFile, got, want, b.gh.Requests(), r.stepLog())
	}
	if v := b.gh.TakeViolations(); len(v) > 0 {
		t.Errorf("requests outside GitHub's OpenAPI description: %v", v)
	}
}

// testReapFindsNothing runs the reaper with no session and nothing
// orphaned: it disables its own workflow, so an idle month runs it zero times.
func testReapFindsNothing(t *testing.T, b *bed) {
	if got := b.gh.WorkflowState(owner, repo, reaperFile); got != fakegithub.WorkflowActive {
		t.Fatalf("%s is %q before the reap; the open should have enabled it", reaperFile, got)
	}
	r := b.act.run(t, "workflow_dispatch", reaperFile)
	requireSuccess(t, r)
	b.requireReaper(t, r, fakegithub.WorkflowDisabled)
	if !strings.Contains(r.log, "scheduled reaper disabled: no session is open and nothing is orphaned") {
		t.Errorf("the reap does not say why it disabled itself:\n%s", r.stepLog())
	}
}
