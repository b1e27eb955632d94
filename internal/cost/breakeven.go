package cost

import (
	"fmt"
	"math/big"
	"time"
)

// Design is an always-on alternative to compare the on-demand design with.
type Design int

const (
	// AlwaysOnBridge keeps this same stack up all month: the Fargate task,
	// the NLB and their public IPv4 addresses run 730 h.
	AlwaysOnBridge Design = iota
	// AlwaysOnALB is the seed's comparison: an ALB (two AZs, so two public
	// IPv4 addresses) kept 730 h, with the task running only during
	// meetings, exactly as on demand.
	AlwaysOnALB
)

func (d Design) String() string {
	if d == AlwaysOnALB {
		return "always-on ALB"
	}
	return "always-on bridge"
}

// BreakEven compares only what differs between the designs. Traffic (NLCU,
// data transfer) and the idle items are paid the same in both and cancel;
// for AlwaysOnALB the task and its address cancel too.
type BreakEven struct {
	Design          Design
	AlwaysOnMonthly Money         // paid by the always-on design only
	PerSession      Money         // paid by each on-demand session only
	SessionLength   time.Duration // meeting time per session
	// Sessions and Hours (of meeting time) are where the on-demand month
	// costs as much as the always-on one. Within is false when that point
	// is not below a month of hours: on demand then never costs more.
	Sessions *big.Rat
	Hours    *big.Rat
	Within   bool
}

// BreakEven computes the usage at which on demand stops being cheaper.
func (r *RegionPrices) BreakEven(s Session, u Usage, d Design) BreakEven {
	h := r.HoursPerMonth
	one := r.SessionCost(s, u)
	b := BreakEven{Design: d, SessionLength: u.Media}
	switch d {
	case AlwaysOnALB:
		b.AlwaysOnMonthly = (r.Price(ALBHour) + r.Price(PublicIPv4Hour).Mul(2)).Mul(h)
		nlbIPv4 := r.Price(PublicIPv4Hour).MulDiv(s.NLBAddresses*ceilSeconds(u.NLB), secsPerHour)
		b.PerSession = one.Line(CNLB) + nlbIPv4
	default:
		b.AlwaysOnMonthly = (r.FargateHourly(s.Task) + r.Price(NLBHour) + r.Price(PublicIPv4Hour).Mul(s.publicIPv4())).Mul(h)
		b.PerSession = one.Line(CFargate) + one.Line(CNLB) + one.Line(CIPv4)
	}
	if b.PerSession <= 0 {
		b.Sessions, b.Hours = nil, nil
		return b
	}
	b.Sessions = big.NewRat(int64(b.AlwaysOnMonthly), int64(b.PerSession))
	b.Hours = new(big.Rat).Mul(b.Sessions, big.NewRat(int64(u.Media), int64(time.Hour)))
	b.Within = b.Hours.Cmp(big.NewRat(h, 1)) < 0
	return b
}

// HoursText prints the break-even hours, rounded down to a tenth.
func (b BreakEven) HoursText() string {
	if b.Hours == nil {
		return "never (sessions cost nothing extra)"
	}
	return floorTenth(b.Hours) + " h"
}

func floorTenth(r *big.Rat) string {
	t := new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(10)), r.Denom())
	return fmt.Sprintf("%d.%d", t.Int64()/10, t.Int64()%10)
}
