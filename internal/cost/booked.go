package cost

import (
	"fmt"
	"time"
)

// The meeting shape cost reports assume when no one says otherwise (the
// defaults of jitsictl cost): five participants, 2 Mbit/s down, 1 Mbit/s up.
const (
	DefaultParticipants = 5
	DefaultDownKbps     = 2000
	DefaultUpKbps       = 1000
)

// Booked is a month of closed sessions summed, as the session record's
// ledger keeps them: the NLB's billed hours are counted per session (a sum
// of durations would lose each session's rounding up).
type Booked struct {
	Sessions int64
	Task     time.Duration
	NLB      time.Duration
	NLBHours int64
	// Media is the time participants sent media; nothing measures it, so
	// reports pass the NLB's lifetime (an upper bound: media only flows
	// through the NLB).
	Media time.Duration
}

// BookedCost prices a month of summed sessions. Fargate is billed per
// second with a one-minute minimum per session; from a sum only the lower
// bound Sessions × 1 minute can be applied. The NLB bills the booked whole
// hours, public IPv4 per second, and volume through the month's tiers
// (the first 100 GB out are free), as Month does.
func (r *RegionPrices) BookedCost(s Session, b Booked) Estimate {
	e := Estimate{Per: "month"}
	taskSecs := ceilSeconds(b.Task)
	billed := taskSecs
	if taskSecs > 0 {
		billed = max(taskSecs, 60*b.Sessions)
	}
	e.add(CFargate, fmt.Sprintf("%s for %s in %d session(s)", s.Task, secsWord(billed), b.Sessions), r.FargateHourly(s.Task).MulDiv(billed, secsPerHour))
	nlbSecs := ceilSeconds(b.NLB)
	e.add(CNLB, fmt.Sprintf("%d billed hour(s)", b.NLBHours), r.Price(NLBHour).Mul(b.NLBHours))
	ipSecs := s.NLBAddresses * nlbSecs
	if s.TaskPublicIP {
		ipSecs += taskSecs
	}
	e.add(CIPv4, fmt.Sprintf("%d NLB address(es) for %s, %s", s.NLBAddresses, secsWord(nlbSecs), taskIPWord(s.TaskPublicIP)),
		r.Price(PublicIPv4Hour).MulDiv(ipSecs, secsPerHour))
	mediaSecs := ceilSeconds(b.Media)
	out, processed := s.traffic(mediaSecs)
	e.add(CNLCU, fmt.Sprintf("%s GB processed", gbWord(processed)), r.nlcu(s, mediaSecs))
	e.add(CDTO, fmt.Sprintf("%s GB, first 100 GB free", gbWord(out)), r.DTOMonth(out))
	if s.LogMBPerHour > 0 {
		e.add(CLogIngest, "", r.Price(LogsIngestGB).MulDiv(s.LogMBPerHour*taskSecs, 1024*secsPerHour))
	}
	return e
}
