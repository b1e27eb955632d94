package cost

import (
	"fmt"
	"time"
)

// SeedFigures are the seed deployment log's cost figures, recomputed from
// this table with the seed's own method (its section 5):
//
//   - Fargate 4 vCPU / 8 GB x86 = $0.19748/h, which the seed wrote as
//     $0.198: rounded up to the tenth of a cent (rounding to nearest gives
//     $0.197).
//   - running = Fargate + NLB hour = $0.2205/h; nothing else.
//   - idle = 10 GB S3 Standard + 2 GB archived logs (Glacier) = $0.2372,
//     written "~$0.24".
//   - a month at N hours = running × N + idle, rounded half up to cents:
//     10 h = $2.445 → $2.45, 50 h = $11.265 → $11.27 (with the exact
//     $0.19748 they would be $2.44 and $11.24).
//   - break-even "vs always-on ALB" = ALB hour × 720 h / running, rounded
//     down: $16.20 / $0.2205 = 73.47 → 73 h. A 720-hour month, and a
//     formula that divides by Fargate although Fargate is paid in both.
type SeedFigures struct {
	Fargate        Money
	NLB            Money
	Running        Money
	Idle           Money
	Light, Medium  Money // months at 10 h and 50 h
	BreakEvenHours int64
}

// SeedTask is the seed's task size.
var SeedTask = TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: X86}

// Seed recomputes the seed's figures from this region's prices.
func (r *RegionPrices) Seed() SeedFigures {
	var f SeedFigures
	f.Fargate = r.FargateHourly(SeedTask).Ceil(3)
	f.NLB = r.Price(NLBHour)
	f.Running = f.Fargate + f.NLB
	f.Idle = (r.Price(S3StandardGBMonth).Mul(10) + r.Price(S3GlacierGBMonth).Mul(2)).Round(2)
	f.Light = (f.Running.Mul(10) + f.Idle).Round(2)
	f.Medium = (f.Running.Mul(50) + f.Idle).Round(2)
	f.BreakEvenHours = int64(r.Price(ALBHour).Mul(720) / f.Running)
	return f
}

// SeedScenario is the seed's system as it really ran, with what its cost
// section left out made explicit. The assumptions are stated in the
// rendered comparison.
func SeedScenario() (Session, Idle) {
	s := Session{
		Task:         SeedTask,
		NLBAddresses: 2,    // an internet-facing NLB has one public IPv4 per AZ; the seed used two subnets
		TaskPublicIP: true, // the task had its own public IP: STUN found it and media bypassed the NLB
		Participants: 5,
		DownKbps:     2000,
		UpKbps:       1000,
	}
	i := Idle{
		BucketBytes: map[StorageClass]int64{"STANDARD": 10 * gib, "GLACIER": 2 * gib},
		HostedZones: 1, // the Cloud Map private DNS namespace's private hosted zone
		LogBytes:    1 * gib,
	}
	return s, i
}

// Comparison sets the seed's figures beside the corrected model.
type Comparison struct {
	Seed          SeedFigures
	Session       Session
	Idle          Idle
	Running       Estimate
	IdleMonth     Estimate
	Light, Medium Estimate
	ALB, Bridge   BreakEven
	Overrun       Estimate // one 61-minute session
	Omissions     []string
}

// CompareWithSeed computes both sides for the given session and idle set.
func (r *RegionPrices) CompareWithSeed(s Session, i Idle) Comparison {
	c := Comparison{Seed: r.Seed(), Session: s, Idle: i}
	c.Running = r.RunningPerHour(s)
	c.IdleMonth = r.IdlePerMonth(i)
	c.Light = r.Month(s, i, HoursOfUse(10))
	c.Medium = r.Month(s, i, HoursOfUse(50))
	c.ALB = r.BreakEven(s, Meeting(time.Hour), AlwaysOnALB)
	c.Bridge = r.BreakEven(s, Meeting(time.Hour), AlwaysOnBridge)
	c.Overrun = r.SessionCost(s, Uniform(61*time.Minute))
	ipv4 := c.Running.Line(CIPv4)
	c.Omissions = []string{
		fmt.Sprintf("public IPv4: %d address(es) (%d NLB, %s) at %s each = %s/h", s.publicIPv4(), s.NLBAddresses, taskIPWord(s.TaskPublicIP), r.Price(PublicIPv4Hour), ipv4),
		fmt.Sprintf("NLCU: %s/h for %d participants (NLCU-hour = 1 GB processed)", c.Running.Line(CNLCU), s.Participants),
		fmt.Sprintf("data transfer out: %s/h beyond the free 100 GB a month", c.Running.Line(CDTO)),
		fmt.Sprintf("NLB whole-hour billing: a 61-minute session pays %s for the NLB, not %s", c.Overrun.Line(CNLB), r.Price(NLBHour).MulDiv(61, 60)),
		fmt.Sprintf("Cloud Map private DNS namespace: a private hosted zone at %s/month", r.Price(Route53ZoneMonth)),
		fmt.Sprintf("CloudWatch Logs storage: %s/GB-month", r.Price(LogsStorageGBMonth)),
		fmt.Sprintf("break-even: divided the ALB month by Fargate + NLB; Fargate is paid in both designs, so vs an always-on ALB on demand breaks even at %s (%s)", c.ALB.HoursText(), withinWord(c.ALB)),
	}
	return c
}

func withinWord(b BreakEven) string {
	if b.Within {
		return "within a month"
	}
	return "not below a month of hours: on demand never costs more"
}
