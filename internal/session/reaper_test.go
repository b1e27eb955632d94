package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/testbed"
)

// switchLog records what a manager asked of the reaper workflow. It stands
// in for github.WorkflowSwitch, whose GitHub calls are checked
// against the fake GitHub in internal/github and the act runs.
type switchLog struct {
	mu      sync.Mutex
	calls   []string
	fail    error
	onSleep func() // runs inside Sleep: what another run does meanwhile
}

func (s *switchLog) Wake(context.Context) error { return s.record("wake") }
func (s *switchLog) Sleep(context.Context) error {
	if s.onSleep != nil {
		s.onSleep()
	}
	return s.record("sleep")
}
func (s *switchLog) record(c string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	return s.fail
}
func (s *switchLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.calls, ",")
}

// noOrphans is a sweeper that finds nothing (the sweep itself is tested on moto in reap_test.go).
type noOrphans struct{}

func (noOrphans) Sweep(context.Context, ...string) (string, error) { return "", nil }

// recordOnly is a manager whose only AWS part is the session record (on moto's S3):
// enough for reap decisions, the reaper switch and lease waits.
func recordOnly(t *testing.T, owner string) (*Manager, *switchLog, *testbed.Buffer) {
	t.Helper()
	emu := testbed.Moto(t)
	cfg := emu.AWSConfig(t)
	api := awsx.S3(cfg, func(string) string { return "" })
	bucket := "record-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if len(bucket) > 63 {
		bucket = bucket[:63]
	}
	if _, err := api.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	log := &testbed.Buffer{}
	r, err := report.New(report.Options{Format: report.FormatText, Stdout: log, Stderr: log})
	if err != nil {
		t.Fatal(err)
	}
	sw := &switchLog{}
	m := &Manager{
		Store: Store{API: api, Bucket: bucket, Key: "jitsi/jitsictl-session.json"}, Sweeper: noOrphans{},
		Reaper: sw, Reporter: r, Limits: testLimits, Owner: owner, Poll: 50 * time.Millisecond,
	}
	return m, sw, log
}

func put(t *testing.T, m *Manager, r Record) {
	t.Helper()
	v, err := m.Store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Save(context.Background(), r, v.ETag); err != nil {
		t.Fatal(err)
	}
}

// The reaper of the schedule: it skips a record another run holds, sleeps
// when nothing is left, and wakes again when an open claimed the record
// while it was switching off.
func TestReapSwitchesTheReaper(t *testing.T) {
	ctx := context.Background()
	const user = "https://github.com/o/r/actions/runs/7/attempts/1"

	t.Run("held record: skipped, exit 0, reaper untouched", func(t *testing.T) {
		m, sw, log := recordOnly(t, "reaper")
		put(t, m, Record{State: StateClosing, Owner: user, LeaseUntil: time.Now().Add(time.Minute)})
		res, err := m.Reap(ctx, ReapOptions{})
		if err != nil || res.Action != "skipped" {
			t.Fatalf("reap: %+v, %v; want skipped", res, err)
		}
		want := "skipped: run " + user + " holds the session"
		if res.Detail != want || !strings.Contains(log.String(), want) {
			t.Fatalf("detail %q, log:\n%s\nwant the line %q", res.Detail, log.String(), want)
		}
		if sw.String() != "" || res.Reaper != "" {
			t.Fatalf("reaper switched (%s, %q) while a session run holds the record", sw, res.Reaper)
		}
	})

	t.Run("nothing to watch: disabled", func(t *testing.T) {
		m, sw, _ := recordOnly(t, "reaper")
		put(t, m, Record{State: StateClosed})
		res, err := m.Reap(ctx, ReapOptions{})
		if err != nil || res.Action != "none" || res.Reaper != ReaperDisabled || sw.String() != "sleep" {
			t.Fatalf("reap: %+v, %v, calls %q; want none, disabled, sleep", res, err, sw)
		}
	})

	t.Run("open session: left enabled", func(t *testing.T) {
		m, sw, _ := recordOnly(t, "reaper")
		put(t, m, Record{State: StateOpen, OpenedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
		res, err := m.Reap(ctx, ReapOptions{})
		if err != nil || res.Action != "none" || res.Reaper != "" || sw.String() != "" {
			t.Fatalf("reap: %+v, %v, calls %q; want none and the reaper untouched", res, err, sw)
		}
	})

	t.Run("an open claims the record while the reaper switches off: on again", func(t *testing.T) {
		m, sw, log := recordOnly(t, "reaper")
		put(t, m, Record{State: StateClosed})
		sw.onSleep = func() { put(t, m, Record{State: StateOpening, Owner: user, LeaseUntil: time.Now().Add(time.Minute)}) }
		res, err := m.Reap(ctx, ReapOptions{})
		if err != nil || res.Reaper != ReaperKept || sw.String() != "sleep,wake" {
			t.Fatalf("reap: %+v, %v, calls %q; want sleep then wake\n%s", res, err, sw, log)
		}
	})

	t.Run("disable fails: a warning, the reap still succeeds", func(t *testing.T) {
		m, sw, log := recordOnly(t, "reaper")
		sw.fail = errors.New("no GITHUB_TOKEN; disable it with `gh workflow disable scale-down.yml`")
		res, err := m.Reap(ctx, ReapOptions{})
		if err != nil || res.Reaper != ReaperKept || !strings.Contains(log.String(), "gh workflow disable scale-down.yml") {
			t.Fatalf("reap: %+v, %v\n%s", res, err, log)
		}
	})
}

// Open wakes the reaper; a failure to do so is a warning that names the fix,
// never a failed open.
func TestOpenWakesTheReaper(t *testing.T) {
	m, sw, log := recordOnly(t, "alice")
	open := Record{State: StateOpen, URL: "https://meet.example.test", OpenedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	put(t, m, open)
	sw.fail = errors.New("no GITHUB_TOKEN; enable it with `gh workflow enable scale-down.yml`")
	rec, err := m.Open(context.Background(), OpenOptions{Hours: 1})
	if err != nil || rec.URL != open.URL {
		t.Fatalf("open of an open session: %+v, %v", rec, err)
	}
	if sw.String() != "wake" || !strings.Contains(log.String(), "gh workflow enable scale-down.yml") {
		t.Fatalf("calls %q; log:\n%s\nwant a wake and a warning naming the command", sw, log)
	}
}

// A user's extend waits (boundedly) for a run that holds the record instead
// of failing at once: session runs share no concurrency group.
func TestExtendWaitsForTheLease(t *testing.T) {
	ctx := context.Background()
	const other = "https://github.com/o/r/actions/runs/8/attempts/1"

	m, _, _ := recordOnly(t, "bob")
	put(t, m, Record{State: StateOpening, Owner: other, LeaseUntil: time.Now().Add(time.Minute)})
	if _, err := m.Extend(ctx, 1); err == nil {
		t.Fatal("extend without --wait succeeded while another run opens the session")
	}

	m.LeaseWait = time.Minute
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(300 * time.Millisecond) // the open finishes
		v, err := m.Store.Load(ctx)
		if err == nil {
			_, err = m.Store.Save(ctx, Record{State: StateOpen, OpenedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}, v.ETag)
		}
		if err != nil {
			t.Errorf("finish the open: %v", err) // not Fatal: this is another goroutine
		}
	}()
	rec, err := m.Extend(ctx, 1)
	<-done
	if err != nil || rec.State != StateOpen {
		t.Fatalf("extend with a wait: %+v, %v; want it to wait for the open and extend", rec, err)
	}

	// The wait is bounded: a lease that is never released ends it.
	put(t, m, Record{State: StateClosing, Owner: other, LeaseUntil: time.Now().Add(time.Minute)})
	m.LeaseWait = 300 * time.Millisecond
	if _, err := m.Extend(ctx, 1); err == nil || !strings.Contains(err.Error(), "no open session") {
		t.Fatalf("extend after the wait ran out: %v", err)
	}
}
