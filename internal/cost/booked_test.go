package cost

import (
	"testing"
	"time"
)

func TestBookedCost(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s := Session{Task: TaskSize{CPUUnits: 4096, MemoryMiB: 8192, Arch: X86}, NLBAddresses: 2, TaskPublicIP: true,
		Participants: DefaultParticipants, DownKbps: DefaultDownKbps, UpKbps: DefaultUpKbps}

	// One booked session bills its fixed parts exactly as SessionCost does.
	u := Usage{Task: 70 * time.Minute, NLB: 75 * time.Minute, Media: 75 * time.Minute}
	one := r.BookedCost(s, Booked{Sessions: 1, Task: u.Task, NLB: u.NLB, NLBHours: 2, Media: u.Media})
	alone := r.SessionCost(s, u)
	for _, c := range []string{CFargate, CNLB, CIPv4, CNLCU} {
		if one.Line(c) != alone.Line(c) {
			t.Errorf("%s: booked %s, SessionCost %s", c, one.Line(c), alone.Line(c))
		}
	}
	// The month's free 100 GB: 75 minutes of five participants stay below it.
	if one.Line(CDTO) != 0 || alone.Line(CDTO) == 0 {
		t.Errorf("data transfer: booked %s (want $0 inside the free tier), session alone %s (want the paid rate)", one.Line(CDTO), alone.Line(CDTO))
	}

	// Two 10-minute sessions bill two NLB hours and two Fargate minimums,
	// which pricing their summed durations would lose.
	two := r.BookedCost(s, Booked{Sessions: 2, Task: 40 * time.Second, NLB: 20 * time.Minute, NLBHours: 2})
	if got, want := two.Line(CNLB), r.Price(NLBHour).Mul(2); got != want {
		t.Errorf("two short sessions: NLB %s, want two hours %s", got, want)
	}
	if got, want := two.Line(CFargate), r.FargateHourly(s.Task).MulDiv(120, 3600); got != want {
		t.Errorf("two sessions of 20 s task time: Fargate %s, want two one-minute minimums %s", got, want)
	}
	if z := r.BookedCost(s, Booked{}); z.Total != 0 {
		t.Errorf("an empty month costs %s, want $0", z.Total)
	}
}
