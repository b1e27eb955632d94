package cost

import (
	"testing"
	"time"
)

// TestLingerMonth: 10 one-hour meetings, two reopened within the hour: 12
// NLB hours without the linger, 10 with it; the 12 closes keep two Elastic
// IPs for their lingers, priced per address-hour.
func TestLingerMonth(t *testing.T) {
	t.Parallel()
	table, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r, err := table.Lookup("us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	l := r.Linger(Session{NLBAddresses: 2}, 10, 2, 25*time.Minute)
	if l.NLBHoursWithoutLinger != 12 || l.NLBHoursWithLinger != 10 {
		t.Fatalf("NLB hours %d without, %d with; want 12, 10", l.NLBHoursWithoutLinger, l.NLBHoursWithLinger)
	}
	if l.LingerAddressHours != 10 { // 12 closes x 2 addresses x 25 min
		t.Fatalf("linger address-hours %v, want 10", l.LingerAddressHours)
	}
	if want := r.Price(PublicIPv4Hour).Mul(10); l.LingerCost != want {
		t.Fatalf("linger cost %s, want %s", l.LingerCost, want)
	}
	if want := r.Price(NLBHour).Mul(2); l.NLBSaved != want || l.Net != want-l.LingerCost {
		t.Fatalf("saved %s net %s; want %s less the linger", l.NLBSaved, l.Net, want)
	}
	// Two reopens in ten pay 2 NLB hours ($0.045) for 10 address-hours
	// ($0.05): in money the linger is about even; five in ten it pays.
	if l.Net.Round(3) != -Money(5_000_000) {
		t.Fatalf("net %s, want -$0.005 at us-east-1's table", l.Net)
	}
	if half := r.Linger(Session{NLBAddresses: 2}, 10, 5, 25*time.Minute); half.Net <= 0 {
		t.Fatalf("five reopens in ten: net %s, want a saving", half.Net)
	}
	if none := r.Linger(Session{NLBAddresses: 2}, 10, 0, 25*time.Minute); none.Net >= 0 || none.NLBHoursWithLinger != none.NLBHoursWithoutLinger {
		t.Fatalf("with no reopen the linger only costs: %+v", none)
	}
}
