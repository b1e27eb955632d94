package cli

import (
	"fmt"
	"io"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/session"
)

// lingerFigures are cost's figures for the NLB's linger (session close
// keeps it to the end of its paid hour) and the task's architectures.
type lingerFigures struct {
	Linger cost.LingerMonth
	// SessionHourByArch is a running session hour with the task on each
	// architecture, the rest of the session as given.
	SessionHourByArch map[cost.Arch]cost.Money
}

func lingerReport(p *cost.RegionPrices, s cost.Session, meetings, reopened int64) lingerFigures {
	mean := session.LingerPolicy{Enabled: true}.MeanLinger()
	f := lingerFigures{Linger: p.Linger(s, meetings, reopened, mean), SessionHourByArch: map[cost.Arch]cost.Money{}}
	for _, arch := range []cost.Arch{cost.X86, cost.ARM} {
		as := s
		as.Task.Arch = arch
		f.SessionHourByArch[arch] = p.RunningPerHour(as).Total
	}
	return f
}

// markdown is the step summary's paragraph on the linger.
func (f lingerFigures) markdown(w io.Writer) {
	l := f.Linger
	fmt.Fprintf(w, "\n#### Keeping the NLB to the end of its paid hour\n\n")
	fmt.Fprintf(w, "| %d one-hour meetings a month, %d reopened within the hour | NLB hours | |\n|---|---:|---:|\n", l.Meetings, l.Reopened)
	fmt.Fprintf(w, "| close removes the NLB at once (`--now`) | %d | |\n", l.NLBHoursWithoutLinger)
	fmt.Fprintf(w, "| close lingers (default) | %d | saves %s, costs %s in Elastic IP time: net %s |\n\n",
		l.NLBHoursWithLinger, l.NLBSaved, l.LingerCost, l.Net)
	fmt.Fprintf(w, "A session hour: %s on X86_64, %s on ARM64.\n", f.SessionHourByArch[cost.X86], f.SessionHourByArch[cost.ARM])
}
