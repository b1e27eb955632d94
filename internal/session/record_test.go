package session

import (
	"testing"
	"time"
)

func TestLedgerBooksWholeNLBHoursPerMonth(t *testing.T) {
	t.Parallel()
	var r Record
	end := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	r.book(Usage{Task: 59 * time.Minute, NLB: 61 * time.Minute, NLBHours: wholeHours(61 * time.Minute)}, end)
	r.book(Usage{Task: time.Hour, NLB: time.Hour, NLBHours: wholeHours(time.Hour)}, end)
	r.book(Usage{Task: time.Minute, NLB: time.Second, NLBHours: wholeHours(time.Second)}, end.Add(2*time.Hour))
	nov, dec := r.Ledger["2026-11"], r.Ledger["2026-12"]
	if nov.Sessions != 2 || nov.NLBHours != 3 || nov.Task != 119*time.Minute {
		t.Fatalf("November: %+v (a 61-minute NLB bills 2 hours, a 60-minute one 1)", nov)
	}
	if dec.Sessions != 1 || dec.NLBHours != 1 {
		t.Fatalf("December: %+v (a session ending after midnight UTC books into the new month)", dec)
	}
	if r.LastUsage == nil || r.LastUsage.NLB != time.Second {
		t.Fatalf("last usage: %+v", r.LastUsage)
	}
}
