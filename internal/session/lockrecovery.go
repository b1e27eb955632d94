package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The session record's lease is jitsictl's lock; Terraform's state lock is
// underneath it. A run killed inside an apply (a cancelled workflow, a lost
// runner) leaves both behind: its lease lapses on its own, Terraform's lock
// never does. The run that takes the record over removes a Terraform lock
// that was taken inside a dead run's lease, and no other.

// TFLock is Terraform's state lock as the S3 backend writes it (<key>.tflock,
// use_lockfile): statemgr.LockInfo in JSON.
type TFLock struct {
	ID        string    `json:"ID"`
	Operation string    `json:"Operation"`
	Who       string    `json:"Who"`
	Version   string    `json:"Version"`
	Created   time.Time `json:"Created"`
	Path      string    `json:"Path"`
}

// StateLock reads and removes Terraform's lock on the stack's state.
type StateLock interface {
	// Read returns the lock, or nil when the state is not locked.
	Read(ctx context.Context) (*TFLock, error)
	ForceUnlock(ctx context.Context, id string) error
	// UnlockCommand is what a person runs to remove the lock by hand.
	UnlockCommand(id string) string
}

// Unlocker is the Terraform runner's part of StateLock (tf.Runner).
type Unlocker interface {
	ForceUnlock(ctx context.Context, id string) error
	ForceUnlockCommand(id string) string
}

// S3StateLock reads the S3 backend's lock object directly and removes it
// through terraform force-unlock.
type S3StateLock struct {
	API      Objects
	Bucket   string
	StateKey string // the backend's key; the lock is StateKey + ".tflock"
	TF       Unlocker
}

// Read implements StateLock.
func (l S3StateLock) Read(ctx context.Context) (*TFLock, error) {
	key := l.StateKey + ".tflock"
	out, err := l.API.GetObject(ctx, &s3.GetObjectInput{Bucket: &l.Bucket, Key: &key})
	if err != nil {
		if isCode(err, "NoSuchKey", "NotFound") {
			return nil, nil
		}
		return nil, fmt.Errorf("read Terraform's lock s3://%s/%s: %w", l.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("read Terraform's lock s3://%s/%s: %w", l.Bucket, key, err)
	}
	var lk TFLock
	if err := json.Unmarshal(b, &lk); err != nil || lk.ID == "" {
		return nil, fmt.Errorf("Terraform's lock s3://%s/%s is not a lock record (%q): remove it with `aws s3 rm s3://%s/%s` if no terraform runs", l.Bucket, key, b, l.Bucket, key)
	}
	return &lk, nil
}

// ForceUnlock implements StateLock.
func (l S3StateLock) ForceUnlock(ctx context.Context, id string) error {
	return l.TF.ForceUnlock(ctx, id)
}

// UnlockCommand implements StateLock.
func (l S3StateLock) UnlockCommand(id string) string { return l.TF.ForceUnlockCommand(id) }

// Lease is one run's hold on the record, kept after it ended without
// finishing its work: a Terraform lock taken inside it is that run's.
type Lease struct {
	Owner string    `json:"owner"`
	Host  string    `json:"host,omitempty"`
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// holds says whether lk was taken by this lease's run: while it held the
// lease, on its machine (Terraform's Who is user@host). A deploy running on
// another runner at the same time is never mistaken for it.
func (l Lease) holds(lk TFLock) bool {
	if lk.Created.Before(l.From) || lk.Created.After(l.Until) {
		return false
	}
	return l.Host == "" || strings.HasSuffix(lk.Who, "@"+l.Host)
}

// thisHost names the machine in the leases this process takes.
var thisHost = func() string { h, _ := os.Hostname(); return h }()

// maxEndedLeases bounds the record's memory of dead runs.
const maxEndedLeases = 8

// takeLease starts this run's lease on next, which replaces prev, and keeps
// prev's lease among the ended ones: its run lost the record now, whether
// its lease lapsed (the run died) or is taken over with --force.
func takeLease(next *Record, prev Record, owner string, now, until time.Time) {
	ended := append([]Lease(nil), prev.EndedLeases...)
	if l, ok := prev.lease(); ok {
		ended = append(ended, l)
	}
	if len(ended) > maxEndedLeases {
		ended = ended[len(ended)-maxEndedLeases:]
	}
	next.EndedLeases = ended
	next.Owner, next.LeaseHost, next.LeaseFrom, next.LeaseUntil = owner, thisHost, now, until
}

// lease is the record's current lease, if a run holds (or held) one.
func (r Record) lease() (Lease, bool) {
	if (r.State != StateOpening && r.State != StateClosing) || r.LeaseUntil.IsZero() {
		return Lease{}, false
	}
	from := r.LeaseFrom
	if from.IsZero() && len(r.Steps) > 0 {
		from = r.Steps[0].Started // a record written before leases had a start
	}
	if from.IsZero() {
		return Lease{}, false
	}
	return Lease{Owner: r.Owner, Host: r.LeaseHost, From: from, Until: r.LeaseUntil}, true
}

// releaseLease ends this run's lease when its command fails, so the next
// command need not wait for it; the lease joins the ended ones, since a lock
// left by this run's Terraform is then a dead run's.
func releaseLease(r *Record, now time.Time) {
	if r.LeaseUntil.IsZero() {
		return
	}
	from := r.LeaseFrom
	if from.IsZero() {
		from = now
	}
	r.EndedLeases = append(r.EndedLeases, Lease{Owner: r.Owner, Host: r.LeaseHost, From: from, Until: now})
	if len(r.EndedLeases) > maxEndedLeases {
		r.EndedLeases = r.EndedLeases[len(r.EndedLeases)-maxEndedLeases:]
	}
	r.LeaseUntil = time.Time{}
}

// recoverStateLock runs once this run holds the record: a Terraform lock
// taken inside an ended lease is removed by its ID once that lease is over
// (a run taken over with --force gets the rest of its lease to notice and
// release the lock itself); any other lock is left to its holder, which
// Terraform waits for up to its lock timeout.
func (m *Manager) recoverStateLock(ctx context.Context, j *journal) error {
	if m.Lock == nil {
		return nil
	}
	lk, err := m.Lock.Read(ctx)
	if err != nil {
		m.Reporter.Warnf("could not check Terraform's state lock: %v", err)
		return nil
	}
	rec := j.snapshot()
	if lk == nil {
		if len(rec.EndedLeases) == 0 {
			return nil
		}
		return j.update(ctx, func(r *Record) { r.EndedLeases = nil })
	}
	for _, l := range rec.EndedLeases {
		if !l.holds(*lk) {
			continue
		}
		if wait := l.Until.Sub(m.now()); wait > 0 {
			m.Reporter.Infof("Terraform's state lock %s was taken by %s, whose lease runs until %s: waiting for that run to stop", lk.ID, l.Owner, l.Until.Format(time.RFC3339))
			if err := sleep(ctx, wait+time.Second); err != nil {
				return err
			}
			if lk2, err := m.Lock.Read(ctx); err != nil || lk2 == nil || lk2.ID != lk.ID {
				return nil // released (or replaced: then it is not the dead run's)
			}
		}
		m.Reporter.Warnf("Terraform's state lock %s (%s by %s, taken %s ago) belongs to %s, whose run ended at %s without finishing; removing it",
			lk.ID, lk.Operation, lk.Who, m.now().Sub(lk.Created).Round(time.Second), l.Owner, l.Until.Format(time.RFC3339))
		if err := m.Lock.ForceUnlock(ctx, lk.ID); err != nil {
			return fmt.Errorf("remove the dead run's Terraform lock %s: %w; if no terraform runs on this stack, run `%s`, then repeat this command", lk.ID, err, m.Lock.UnlockCommand(lk.ID))
		}
		return j.update(ctx, func(r *Record) { r.EndedLeases = nil })
	}
	m.Reporter.Infof("Terraform's state is locked by %s (lock %s, %s, %s old), not by a session run known to be dead: waiting for it to finish",
		lk.Who, lk.ID, lk.Operation, m.now().Sub(lk.Created).Round(time.Second))
	return nil
}

// apply runs a session apply; when it fails while Terraform's lock is still
// held by someone else, the error names the lock and the way out.
func (m *Manager) apply(ctx context.Context, nlbEnabled bool, targets []string) error {
	err := m.Stack.Apply(ctx, nlbEnabled, targets)
	if err == nil || m.Lock == nil {
		return err
	}
	lk, lerr := m.Lock.Read(context.WithoutCancel(ctx))
	if lerr != nil || lk == nil {
		return err
	}
	return &LockedError{Lock: *lk, Age: m.now().Sub(lk.Created), Command: m.Lock.UnlockCommand(lk.ID), Err: err}
}

// LockedError is a Terraform run that failed on a lock jitsictl cannot
// attribute to a dead session run.
type LockedError struct {
	Lock    TFLock
	Age     time.Duration
	Command string
	Err     error
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("Terraform's state is locked (lock %s, %s by %s with terraform %s, taken %s ago) and jitsictl cannot tell that its holder is dead: "+
		"if that run is still going (a deploy, another session command), wait for it and repeat this command; "+
		"if it is not, remove the lock with `%s` and repeat this command (%v)",
		e.Lock.ID, e.Lock.Operation, e.Lock.Who, e.Lock.Version, e.Age.Round(time.Second), e.Command, e.Err)
}

func (e *LockedError) Unwrap() error { return e.Err }

// release records why this run failed and ends its lease, so the next
// command can start at once.
func (m *Manager) release(ctx context.Context, j *journal, cause error) {
	_ = j.update(context.WithoutCancel(ctx), func(r *Record) {
		r.LastError = cause.Error()
		releaseLease(r, m.now())
	})
}
