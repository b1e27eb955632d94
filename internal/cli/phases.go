package cli

import "github.com/jitsictl/jitsictl/internal/session"

// reportPhases adds an open's measured phases to the step summary, so a user
// sees where the minutes went (the NLB, the task, the image pull, health).
func (a *App) reportPhases(rec session.Record) {
	if rec.State != session.StateOpen && rec.State != session.StateOpening {
		return
	}
	if t := session.PhaseTable(rec); t != "" {
		a.Reporter.Summary("\n#### Where the time went\n\n" + t)
	}
}
