package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/session"
)

// lingerFigures are cost's figures for the NLB's linger (session close
// keeps it to the end of its paid hour). The architectures' hours are the
// report's (cost.Report.Architectures).
type lingerFigures struct {
	Linger cost.LingerMonth
}

func lingerReport(p *cost.RegionPrices, s cost.Session, meetings, reopened int64) lingerFigures {
	mean := session.LingerPolicy{Enabled: true}.MeanLinger()
	return lingerFigures{Linger: p.Linger(s, meetings, reopened, mean)}
}

// markdown is the step summary's paragraph on the linger.
func (f lingerFigures) markdown(w io.Writer) {
	l := f.Linger
	fmt.Fprintf(w, "\n#### Keeping the NLB to the end of its paid hour\n\n")
	fmt.Fprintf(w, "| %d one-hour meetings a month, %d reopened within the hour | NLB hours | |\n|---|---:|---:|\n", l.Meetings, l.Reopened)
	fmt.Fprintf(w, "| close removes the NLB at once (`--now`) | %d | |\n", l.NLBHoursWithoutLinger)
	fmt.Fprintf(w, "| close lingers (default) | %d | saves %s, costs %s in Elastic IP time: net %s |\n\n",
		l.NLBHoursWithLinger, l.NLBSaved, l.LingerCost, l.Net)
}

// closeLingerNotes say what a close's linger costs and saves: for a close
// that lingers, the addresses until its end and what a reopen saves; for
// the close that ends a linger, what it cost and this month's reopens.
func closeLingerNotes(p *cost.RegionPrices, rec session.Record, now time.Time) []string {
	ipHour, nlbHour := p.Price(cost.PublicIPv4Hour), p.Price(cost.NLBHour)
	var notes []string
	switch {
	case rec.State == session.StateLingering:
		addrs := int64(len(rec.Addresses))
		secs := int64(rec.LingerUntil.Sub(rec.ClosedAt) / time.Second)
		notes = append(notes, fmt.Sprintf("the load balancer lingers until %s, its hour being paid: its %d Elastic IPs cost %s until then; an open before then reuses it, saving an NLB hour (%s) and its provisioning (`jitsictl session close --now` removes it now)",
			rec.LingerUntil.UTC().Format("15:04 UTC"), addrs, ipHour.MulDiv(addrs*max(secs, 0), 3600), nlbHour))
	case rec.LastUsage != nil && rec.LastUsage.LingerAddresses > 0:
		secs := int64(rec.LastUsage.LingerAddresses / time.Second)
		notes = append(notes, fmt.Sprintf("the linger kept Elastic IPs for %s of address time: %s", rec.LastUsage.LingerAddresses.Round(time.Minute), ipHour.MulDiv(secs, 3600)))
	}
	if n := rec.Ledger[now.UTC().Format("2006-01")].Reopens; n > 0 {
		notes = append(notes, fmt.Sprintf("this month %d open(s) reused a lingering load balancer: %d NLB hour(s) not started (%s)", n, n, nlbHour.Mul(n)))
	}
	return notes
}
