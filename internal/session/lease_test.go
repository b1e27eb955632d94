package session

import (
	"testing"
	"time"
)

// A Terraform lock is a dead run's only when it was taken inside that run's
// lease and on its machine.
func TestLeaseAttributesLocks(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := Lease{Owner: "run-1", Host: "fv-az1", From: t0, Until: t0.Add(2 * time.Minute)}
	for _, c := range []struct {
		name string
		lk   TFLock
		want bool
	}{
		{"inside, same host", TFLock{Who: "runner@fv-az1", Created: t0.Add(time.Minute)}, true},
		{"inside, another runner (a deploy)", TFLock{Who: "runner@fv-az2", Created: t0.Add(time.Minute)}, false},
		{"before the lease", TFLock{Who: "runner@fv-az1", Created: t0.Add(-time.Second)}, false},
		{"after the lease", TFLock{Who: "runner@fv-az1", Created: t0.Add(3 * time.Minute)}, false},
	} {
		if got := l.holds(c.lk); got != c.want {
			t.Errorf("%s: holds=%v, want %v", c.name, got, c.want)
		}
	}
}

func TestTakeLeaseKeepsTheLostRunsLease(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	prev := Record{State: StateOpening, Owner: "killed", LeaseHost: "h", LeaseFrom: t0, LeaseUntil: t0.Add(2 * time.Minute)}
	var next Record
	takeLease(&next, prev, "rescuer", t0.Add(5*time.Minute), t0.Add(7*time.Minute))
	if len(next.EndedLeases) != 1 || next.EndedLeases[0].Owner != "killed" || !next.EndedLeases[0].Until.Equal(prev.LeaseUntil) {
		t.Fatalf("ended leases %+v, want the killed run's", next.EndedLeases)
	}
	if next.Owner != "rescuer" || !next.LeaseFrom.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("new lease %s from %s", next.Owner, next.LeaseFrom)
	}
	// A closed record has no lease to keep; a released one is kept by releaseLease.
	closed := Record{State: StateClosed}
	takeLease(&next, closed, "x", t0, t0)
	if len(next.EndedLeases) != 0 {
		t.Fatalf("a closed record left ended leases %+v", next.EndedLeases)
	}
	failed := Record{State: StateClosing, Owner: "failed", LeaseFrom: t0, LeaseUntil: t0.Add(time.Minute)}
	releaseLease(&failed, t0.Add(30*time.Second))
	if !failed.LeaseUntil.IsZero() || len(failed.EndedLeases) != 1 || !failed.EndedLeases[0].Until.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("released: %+v", failed)
	}
}
