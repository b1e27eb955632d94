package cost

import (
	"bytes"
	"testing"
	"time"
)

// A private repository on GitHub Free with 10 one-hour meetings a month:
// the 15-minute schedule alone is over the included minutes every month,
// idle or not; enabled only while a session is open, the reaper costs 5
// runs a meeting and nothing in an idle month.
func TestActionsMinutesBeforeAndAfter(t *testing.T) {
	t.Parallel()
	p, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	use := ActionsUse{Meetings: 10, Length: time.Hour}
	r, err := p.GitHubActions.Actions(DefaultWorkflows, use, true, "free", p.HoursPerMonth)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, m ActionsMonth, reaperRuns, minutes, beyond int64, cost string) {
		t.Helper()
		if m.Rows[0].Name != "reaper" || m.Rows[0].Runs != reaperRuns || m.Minutes != minutes || m.Beyond != beyond || m.Cost.Cents() != cost {
			t.Errorf("%s: reaper runs %d, %d minutes, %d beyond included, %s; want %d, %d, %d, %s",
				name, m.Rows[0].Runs, m.Minutes, m.Beyond, m.Cost.Cents(), reaperRuns, minutes, beyond, cost)
		}
	}
	// 730 h × 4 runs of 1 min + 20 session runs × 4 min; 1,000 over Free's 2,000 at $0.006.
	check("before", r.Before, 2920, 3000, 1000, "$6.00")
	// 10 meetings × (4 ticks while open + 1 that disables) + the same 80 session minutes.
	check("after", r.After, 50, 130, 0, "$0.00")
	check("idle before", r.IdleBefore, 2920, 2920, 920, "$5.52")
	check("idle after", r.IdleAfter, 0, 0, 0, "$0.00")

	var txt, md bytes.Buffer
	if err := r.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "actions-private-10-meetings.txt", txt.Bytes())
	golden(t, "actions-private-10-meetings.md", md.Bytes())

	pub, err := p.GitHubActions.Actions(DefaultWorkflows, use, false, "free", p.HoursPerMonth)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Before.Minutes != 3000 || pub.Before.Cost != 0 || pub.IdleBefore.Cost != 0 {
		t.Errorf("public repository: %+v; want the minutes counted and $0", pub.Before)
	}
	if _, err := p.GitHubActions.Actions(DefaultWorkflows, use, true, "gold", p.HoursPerMonth); err == nil {
		t.Error("an unknown plan was accepted")
	}
}

// Measured minutes replace the defaults, and a mean of 1.4 minutes over 50
// runs is 70 minutes, not 50 or 100.
func TestActionsMeasuredMinutes(t *testing.T) {
	t.Parallel()
	p, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	wfs := append([]Workflow(nil), DefaultWorkflows...)
	wfs[0].MinutesPerRun, wfs[0].MeasuredRuns = 1.4, 20
	r, err := p.GitHubActions.Actions(wfs, ActionsUse{Meetings: 10, Length: time.Hour}, true, "free", p.HoursPerMonth)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.After.Rows[0].Minutes; got != 70 {
		t.Errorf("reaper after: %d minutes, want 70", got)
	}
}
