package session

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/tf"
)

// putLock writes Terraform's lock object as the S3 backend does.
func (e *env) putLock(t *testing.T, lk TFLock) {
	t.Helper()
	b, err := json.Marshal(lk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(e.cfg).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(e.stack.Bucket), Key: aws.String(e.stack.Key + ".tflock"), Body: strings.NewReader(string(b))}); err != nil {
		t.Fatal(err)
	}
}

// putRecord overwrites the session record, as a run of the past left it.
func (e *env) putRecord(t *testing.T, r Record) {
	t.Helper()
	store := e.store()
	v, err := store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Save(context.Background(), r, v.ETag); err != nil {
		t.Fatal(err)
	}
}

// testStateLocks: which Terraform locks a session command removes.
func testStateLocks(t *testing.T, e *env) {
	ctx := context.Background()
	t.Run("status of an expired session", func(t *testing.T) { testStatusOfExpiredSession(t, e) })
	// A runner that waits only briefly for a lock, so the refusals are quick.
	short, err := tf.New(ctx, e.stack.Dir, tf.WithEnv(e.emu.Env()), tf.WithVars(e.emu.TFVars()), tf.WithLockTimeout(2*time.Second), tf.WithReattach(e.stack.Reattach))
	if err != nil {
		t.Fatal(err)
	}
	manager := func(owner string) *Manager {
		m := e.manager(t, owner)
		m.Stack = stackEdge{short}
		m.Lock = S3StateLock{API: s3.NewFromConfig(e.cfg), Bucket: e.stack.Bucket, StateKey: e.stack.Key, TF: short}
		return m
	}
	me := "runner@" + thisHost

	t.Run("a dead run's lock is removed and the close goes on", func(t *testing.T) {
		now := time.Now()
		e.putRecord(t, Record{State: StateClosing, Owner: "dead-run", LeaseHost: thisHost,
			LeaseFrom: now.Add(-time.Minute), LeaseUntil: now.Add(-10 * time.Second)})
		e.putLock(t, TFLock{ID: "11111111-dead", Operation: "OperationTypeApply", Who: me, Version: "1.11.0", Created: now.Add(-30 * time.Second), Path: e.stack.Bucket + "/" + e.stack.Key})
		rec, err := manager("rescuer").Close(ctx, CloseOptions{Reason: "test"})
		if err != nil {
			t.Fatalf("close after a dead run: %v", err)
		}
		if rec.State != StateClosed || e.lockExists(t) {
			t.Fatalf("state %s, lock left %v", rec.State, e.lockExists(t))
		}
		if log := e.log.String(); !strings.Contains(log, "11111111-dead") || !strings.Contains(log, "removing it") {
			t.Fatalf("the removal is not reported:\n%s", log)
		}
	})

	t.Run("a live run's lock is never touched", func(t *testing.T) {
		now := time.Now()
		e.putRecord(t, Record{State: StateOpening, Owner: "live-run", LeaseHost: thisHost,
			LeaseFrom: now.Add(-time.Minute), LeaseUntil: now.Add(time.Hour)})
		e.putLock(t, TFLock{ID: "22222222-live", Operation: "OperationTypeApply", Who: me, Version: "1.11.0", Created: now.Add(-30 * time.Second)})
		if _, err := manager("other").Close(ctx, CloseOptions{}); !errors.Is(err, ErrBusy) {
			t.Fatalf("close beside a live run: %v, want busy", err)
		}
		// The reaper skips a record another run holds (it has a concurrency group of its own).
		if res, err := manager("reaper").Reap(ctx, ReapOptions{}); err != nil || res.Action != "skipped" {
			t.Fatalf("reap beside a live run: %+v, %v", res, err)
		}
		if !e.lockExists(t) {
			t.Fatal("the live run's lock was removed")
		}
	})

	t.Run("a lock of no known run is named with the command that removes it", func(t *testing.T) {
		e.putRecord(t, Record{State: StateClosed})
		e.putLock(t, TFLock{ID: "33333333-deploy", Operation: "OperationTypeApply", Who: "runner@another-host", Version: "1.11.0", Created: time.Now().Add(-90 * time.Second)})
		_, err := manager("closer").Close(ctx, CloseOptions{})
		var locked *LockedError
		if !errors.As(err, &locked) {
			t.Fatalf("close beside a foreign lock: %v, want a LockedError", err)
		}
		for _, want := range []string{"33333333-deploy", "runner@another-host", "force-unlock -force 33333333-deploy", "-chdir=" + e.stack.Dir, "ago"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if strings.Contains(err.Error(), "run `jitsictl session close` again") {
			t.Errorf("error advises a retry that cannot succeed: %v", err)
		}
		if !e.lockExists(t) {
			t.Fatal("a lock of no known run was removed")
		}
		// The failed close left no lease, so reap (no --force) tries at
		// once, and its label says that nothing was closed.
		res, err := manager("reaper").Reap(ctx, ReapOptions{})
		if !errors.As(err, &locked) || res.Action != "close-failed" {
			t.Fatalf("reap of the half-closed session beside a foreign lock: %+v, %v; want close-failed with the lock named", res, err)
		}
		// Once the lock is gone, a plain close goes ahead.
		if err := short.ForceUnlock(ctx, locked.Lock.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := manager("next").Close(ctx, CloseOptions{}); err != nil {
			t.Fatalf("close after the lock was removed: %v", err)
		}
	})
}

func testStatusOfExpiredSession(t *testing.T, e *env) {
	e.putRecord(t, Record{State: StateOpen, OpenedAt: time.Now().Add(-5 * time.Hour), ExpiresAt: time.Now().Add(-4 * time.Hour)})
	st, err := e.manager(t, "status").Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.TimeLeft != "" || !strings.Contains(st.Expired, "expired 4h0m0s ago") || !strings.Contains(st.Expired, "session reap") {
		t.Fatalf("status of a session expired 4 h ago: time left %q, expired %q", st.TimeLeft, st.Expired)
	}
}
