package cost

import (
	"fmt"
	"time"
)

// LingerMonth compares a month of one-hour meetings with and without the
// session's NLB lingering to the end of its paid hour after a close
// (internal/session/linger.go): a meeting reopened within the hour reuses
// the NLB instead of starting a second one, which bills a whole hour more;
// every close keeps the NLB's Elastic IPs for its linger.
type LingerMonth struct {
	Meetings int64 `json:"meetings"`
	// Reopened are meetings closed and opened again within the NLB's hour.
	Reopened              int64 `json:"reopened_within_hour"`
	NLBHoursWithoutLinger int64 `json:"nlb_hours_without_linger"`
	NLBHoursWithLinger    int64 `json:"nlb_hours_with_linger"`
	// MeanLinger is the assumed linger of each close; LingerAddressHours the
	// Elastic IP hours all closes keep.
	MeanLinger         time.Duration `json:"-"`
	MeanLingerMinutes  float64       `json:"mean_linger_minutes"`
	LingerAddressHours float64       `json:"linger_address_hours"`
	// LingerCost is what the lingers cost (addresses), NLBSaved the NLB hours
	// not started, Net what lingering saves a month (negative: it costs).
	LingerCost Money    `json:"linger_cost"`
	NLBSaved   Money    `json:"nlb_saved"`
	Net        Money    `json:"net_saving"`
	Notes      []string `json:"notes"`
}

// Linger prices LingerMonth for one-hour meetings (each bills one NLB hour)
// of which reopened were reopened within the hour; each of the
// meetings+reopened closes lingers meanLinger on average.
func (r *RegionPrices) Linger(s Session, meetings, reopened int64, meanLinger time.Duration) LingerMonth {
	reopened = min(max(reopened, 0), meetings)
	closes := meetings + reopened
	lingerSecs := ceilSeconds(meanLinger)
	l := LingerMonth{
		Meetings: meetings, Reopened: reopened,
		NLBHoursWithoutLinger: meetings + reopened, // each reopen starts an NLB, one more started hour
		NLBHoursWithLinger:    meetings,
		MeanLinger:            meanLinger,
		MeanLingerMinutes:     meanLinger.Minutes(),
		LingerAddressHours:    float64(closes*s.NLBAddresses*lingerSecs) / float64(secsPerHour),
		LingerCost:            r.Price(PublicIPv4Hour).MulDiv(closes*s.NLBAddresses*lingerSecs, secsPerHour),
		NLBSaved:              r.Price(NLBHour).Mul(reopened),
	}
	l.Net = l.NLBSaved - l.LingerCost
	l.Notes = []string{
		fmt.Sprintf("each close lingers %s on average (closes spread evenly over the NLB's hour); a reopen within the hour also skips the NLB's provisioning (minutes)", meanLinger.Round(time.Second)),
		"NLCU and data transfer are the same either way: they follow media, not the NLB's lifetime",
	}
	return l
}
