package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
)

// The reopen benchmark injects AWS's delays at the session's edges (the
// Stack, Service and Targets interfaces), scaled down so it runs in seconds:
// the flows above them - record writes, the steps, the overlap, early
// registration - are the real ones. Figures are reported unscaled.
const (
	benchScale     = 100
	benchNLB       = 150 * time.Second // NLB provisioning
	benchTaskStart = 45 * time.Second  // scale to 1 -> RUNNING (image pulls)
	benchHealth    = 10 * time.Second  // registered and running -> healthy
)

func scaled(d time.Duration) time.Duration { return d / benchScale }

// awsClock is the AWS side of the benchmark: when the NLB became active,
// when the task runs, when the target was registered.
type awsClock struct {
	mu                             sync.Mutex
	nlbActive, running, registered time.Time
	nlbExists, groupsExist         bool
}

func (c *awsClock) set(f func()) { c.mu.Lock(); f(); c.mu.Unlock() }

type delayedStack struct{ c *awsClock }

func (s delayedStack) Apply(ctx context.Context, nlb bool, targets []string) error {
	switch {
	case !nlb:
		s.c.set(func() { s.c.nlbExists, s.c.groupsExist, s.c.nlbActive = false, false, time.Time{} })
	case slices.Equal(targets, SessionTargets) && !s.c.nlbExists:
		// Target groups exist early in the apply; the NLB is active at its end.
		s.c.set(func() { s.c.groupsExist = true })
		if err := sleep(ctx, scaled(benchNLB)); err != nil {
			return err
		}
		s.c.set(func() { s.c.nlbExists, s.c.nlbActive = true, time.Now() })
	}
	return nil
}

func (s delayedStack) Outputs(context.Context) (outputs.Outputs, error) {
	return outputs.Outputs{
		Project: "bench", EIPAddresses: []string{"192.0.2.1", "192.0.2.2"}, EIPAllocationIDs: []string{"eipalloc-1", "eipalloc-2"},
		NLBArn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/bench/1", MeetingURL: "https://meet.example.test",
		TargetGroupARNs: map[string]string{"jvb": "arn:tg/jvb", "web": "arn:tg/web"},
	}, nil
}

type delayedService struct{ c *awsClock }

func (s delayedService) Scale(_ context.Context, n int32) error {
	s.c.set(func() {
		s.c.running = time.Time{}
		if n > 0 {
			s.c.running = time.Now().Add(scaled(benchTaskStart))
		}
	})
	return nil
}
func (s delayedService) WaitIP(context.Context, time.Duration) (Task, error) {
	return Task{ARN: "arn:task/1", IP: "10.0.1.5"}, nil // the ENI attaches at once
}
func (s delayedService) WaitRunning(ctx context.Context, _ time.Duration) (Task, error) {
	s.c.mu.Lock()
	at := s.c.running
	s.c.mu.Unlock()
	return Task{ARN: "arn:task/1", IP: "10.0.1.5"}, sleep(ctx, time.Until(at))
}
func (s delayedService) WaitStopped(context.Context, time.Duration) error { return nil }

type delayedTargets struct{ c *awsClock }

func (t delayedTargets) Sync(context.Context, []string, string) error {
	t.c.set(func() {
		if t.c.registered.IsZero() {
			t.c.registered = time.Now()
		}
	})
	return nil
}

// WaitHealthy: health checks pass benchHealth after the target is
// registered, the task runs and the NLB is active, whichever is last.
func (t delayedTargets) WaitHealthy(ctx context.Context, _ []string, _ string, _ time.Duration) error {
	t.c.mu.Lock()
	from := t.c.registered
	for _, x := range []time.Time{t.c.running, t.c.nlbActive} {
		if x.After(from) {
			from = x
		}
	}
	t.c.mu.Unlock()
	return sleep(ctx, time.Until(from.Add(scaled(benchHealth))))
}
func (t delayedTargets) DeregisterAll(context.Context, []string) error {
	t.c.set(func() { t.c.registered = time.Time{} })
	return nil
}

type benchFinder struct{ c *awsClock }

func (f benchFinder) SessionTargetGroups(context.Context) ([]string, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if !f.c.groupsExist && !f.c.nlbExists {
		return nil, nil
	}
	return []string{"arn:tg/jvb", "arn:tg/web"}, nil
}
func (f benchFinder) Sweep(context.Context, ...string) (string, error) { return "", nil }
func (f benchFinder) Exists(context.Context, string) (bool, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return f.c.nlbExists, nil
}

// memObjects is S3's conditional PUT on one object, in memory.
type memObjects struct {
	mu   sync.Mutex
	body []byte
	etag int
}

func (o *memObjects) GetObject(_ context.Context, _ *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.body == nil {
		return nil, &smithy.GenericAPIError{Code: "NoSuchKey"}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.body)), ETag: aws.String(strconv.Itoa(o.etag))}, nil
}

func (o *memObjects) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if (in.IfNoneMatch != nil && o.body != nil) || (in.IfMatch != nil && (o.body == nil || *in.IfMatch != strconv.Itoa(o.etag))) {
		return nil, &smithy.GenericAPIError{Code: "PreconditionFailed"}
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	o.body, o.etag = b, o.etag+1
	return &s3.PutObjectOutput{ETag: aws.String(strconv.Itoa(o.etag))}, nil
}

// BenchmarkReopenWithinLinger opens cold, closes (the NLB lingers), opens
// again within the linger and closes for good, side by side in each
// iteration. Goals: reopen <= 1.15 x (task start + health) and >= 2.5x
// faster than the cold open.
//
//	go test ./internal/session -run '^$' -bench ReopenWithinLinger -benchtime 3x
func BenchmarkReopenWithinLinger(b *testing.B) {
	ctx := context.Background()
	var cold, reopen time.Duration
	for i := 0; i < b.N; i++ {
		c := &awsClock{}
		r, err := report.New(report.Options{Format: report.FormatText, Stdout: io.Discard, Stderr: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		f := benchFinder{c}
		m := &Manager{
			Store: Store{API: &memObjects{}, Bucket: "b", Key: "k"}, Stack: delayedStack{c}, Service: delayedService{c},
			Targets: delayedTargets{c}, Finder: f, Sweeper: f, LoadBalancers: f, Reporter: r,
			Limits: Limits{NLB: time.Minute, Task: time.Minute, Targets: time.Minute, Stop: time.Minute, Lease: time.Minute},
			Linger: LingerPolicy{Enabled: true}, Owner: "bench", Poll: scaled(time.Second),
		}
		start := time.Now()
		if _, err := m.Open(ctx, OpenOptions{Hours: 1}); err != nil {
			b.Fatal(err)
		}
		cold += time.Since(start)
		if rec, err := m.Close(ctx, CloseOptions{}); err != nil || rec.State != StateLingering {
			b.Fatalf("close: %s, %v; want lingering", rec.State, err)
		}
		start = time.Now()
		rec, err := m.Open(ctx, OpenOptions{Hours: 1})
		if err != nil || !rec.Reopened {
			b.Fatalf("reopen: %v (reopened %v)", err, rec.Reopened)
		}
		reopen += time.Since(start)
		b.StopTimer()
		if _, err := m.Close(ctx, CloseOptions{Now: true}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	n := time.Duration(b.N)
	coldS, reopenS := (cold / n * benchScale).Seconds(), (reopen / n * benchScale).Seconds()
	floor := (benchTaskStart + benchHealth).Seconds()
	b.ReportMetric(coldS, "cold-s")
	b.ReportMetric(reopenS, "reopen-s")
	b.ReportMetric(reopenS/floor, "reopen/(task+health)")
	b.ReportMetric(coldS/reopenS, "cold/reopen")
	b.Log(fmt.Sprintf("delays NLB %s, task start %s, health %s, scaled 1/%d: cold open %.1f s, reopen %.1f s = %.2f x (task start + health) [goal <= 1.15], %.2fx faster than cold [goal >= 2.5]",
		benchNLB, benchTaskStart, benchHealth, benchScale, coldS, reopenS, reopenS/floor, coldS/reopenS))
}
