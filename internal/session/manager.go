package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
)

// Hours a session may be opened or extended for: at least one (the NLB bills
// whole hours anyway), at most twelve (a forgotten session is a cost, and
// extend exists).
const (
	MinHours = 1
	MaxHours = 12
)

// ValidateHours rejects out-of-range input before anything is touched.
func ValidateHours(h int) error {
	if h < MinHours || h > MaxHours {
		return fmt.Errorf("--hours %d is out of range: give %d to %d (extend a running session with `jitsictl session extend`)", h, MinHours, MaxHours)
	}
	return nil
}

// Stack is the Terraform stack as sessions use it. nlbEnabled is passed on
// every run: the session, not a default, decides whether the NLB exists.
type Stack interface {
	Apply(ctx context.Context, nlbEnabled bool, targets []string) error
	Outputs(ctx context.Context) (outputs.Outputs, error)
}

// Task is the running (or starting) Fargate task.
type Task struct {
	ARN string
	IP  string
	// Pull is the image pull, where ECS reports it (zero otherwise).
	Pull Span
}

// Service is the ECS service behind the session.
type Service interface {
	Scale(ctx context.Context, n int32) error
	// WaitIP returns as soon as the task's ENI has a private IP (still PENDING).
	WaitIP(ctx context.Context, limit time.Duration) (Task, error)
	// WaitRunning returns when the task is RUNNING and its health checks pass.
	WaitRunning(ctx context.Context, limit time.Duration) (Task, error)
	WaitStopped(ctx context.Context, limit time.Duration) error
}

// Targets registers the task in the NLB's target groups.
type Targets interface {
	Sync(ctx context.Context, targetGroups []string, ip string) error
	WaitHealthy(ctx context.Context, targetGroups []string, ip string, limit time.Duration) error
	DeregisterAll(ctx context.Context, targetGroups []string) error
}

// Finder lists the session's target groups while Terraform is still
// creating the NLB (they exist before it is active).
type Finder interface {
	SessionTargetGroups(ctx context.Context) ([]string, error)
}

// Sweeper finds and removes session resources left outside Terraform's state.
type Sweeper interface {
	// Sweep deletes every tagged session resource but those whose ARN or
	// allocation id is in keep, and says what it removed ("" = nothing).
	Sweep(ctx context.Context, keep ...string) (removed string, err error)
}

// Traffic tells whether the NLB carried media recently (for idle reaping).
type Traffic interface {
	Idle(ctx context.Context, nlbArn string, window time.Duration) (bool, error)
}

// Limits bound every wait; defaults follow the field timings (NLB ~2.5 min, task 20-60 s).
type Limits struct {
	NLB, Task, Targets, Stop time.Duration
	// Lease is how long an opening/closing record stays claimed without a heartbeat.
	Lease time.Duration
}

// DefaultLimits are the limits a user gets without flags.
var DefaultLimits = Limits{NLB: 5 * time.Minute, Task: 5 * time.Minute, Targets: 5 * time.Minute, Stop: 3 * time.Minute, Lease: 2 * time.Minute}

// EIPTargets are applied first, alone, so the advertised addresses exist (and
// the parameter the JVB reads at start holds them) before the task starts.
var EIPTargets = []string{"module.jvb_nlb[0].aws_eip.this", "aws_ssm_parameter.advertise_ips"}

// SessionTargets are what nlb_enabled controls, and all that a session's own
// applies (the load balancer at open, its removal at close) may change. The
// base stack is deploy's, applied through its reviewed plan: a session run
// from a checkout ahead of the last deploy must not apply the difference, and
// need not refresh the ~50 base resources. (Terraform still includes the
// targets' dependencies, the VPC and subnets the module is placed in.) The
// root outputs that depend on the targets, the session's ones and nlb_enabled
// (see outputs.tf), are updated by such an apply; with nlb_enabled=false it
// destroys everything of module.jvb_nlb[0].
var SessionTargets = []string{"module.jvb_nlb", "aws_ssm_parameter.advertise_ips"}

// Manager runs session flows. All edges are injected.
type Manager struct {
	Store   Store
	Stack   Stack
	Service Service
	Targets Targets
	Sweeper Sweeper
	Finder  Finder
	Traffic Traffic
	// Reaper, when set, is enabled by open and disabled by a reap that
	// leaves nothing to watch.
	Reaper   Reaper
	Reporter report.Reporter
	Limits   Limits
	// Guard and LoadBalancers: the AWS-side session guard (guard.go); nil = none.
	Guard         Guard
	LoadBalancers LoadBalancers
	// Lock is Terraform's state lock, recovered after a dead run (nil: never touched).
	Lock StateLock
	// Owner names this run in the record (e.g. the Actions run URL or user@host).
	Owner string
	// LeaseWait is how long a user's open, close or extend waits for another
	// run's lease on the record instead of failing at once (0: no wait).
	// Session runs share no concurrency group, so the lease is their queue.
	LeaseWait time.Duration
	// Linger: whether close keeps the NLB to the end of its paid hour (linger.go).
	Linger LingerPolicy
	// Poll is how often early registration looks for target groups.
	Poll time.Duration
	Now  func() time.Time
	// afterStep is a test hook: returning errCrash stops the flow on the spot,
	// as a killed process would (no cleanup, lease not released).
	afterStep func(step string) error
}

var errCrash = errors.New("simulated crash")

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// journal serialises every write of the record (steps, heartbeats, commit)
// through one mutex so each If-Match sees the ETag of our own last write.
type journal struct {
	mu   sync.Mutex
	m    *Manager
	rec  Record
	etag string
}

func (j *journal) update(ctx context.Context, f func(*Record)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	next := j.rec
	next.Steps = append([]Step(nil), j.rec.Steps...)
	f(&next)
	etag, err := j.m.Store.Save(ctx, next, j.etag)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("another run took over the session record (lease expired?): %w", err)
		}
		return err
	}
	j.rec, j.etag = next, etag
	return nil
}

func (j *journal) snapshot() Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.rec
	r.Steps = append([]Step(nil), j.rec.Steps...)
	return r
}

// heartbeat renews the lease until stop is closed. When another run took the
// record over, lost cancels this run's work, so its Terraform is interrupted
// and releases the state lock instead of racing the new owner.
func (j *journal) heartbeat(ctx context.Context, stop <-chan struct{}, lost context.CancelCauseFunc) {
	every := j.m.Limits.Lease / 3
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			// A lease released (failure) or ended (commit) stays so: a late
			// tick must not claim the record again.
			renew := func(r *Record) {
				if !r.LeaseUntil.IsZero() {
					r.LeaseUntil = j.m.now().Add(j.m.Limits.Lease)
				}
			}
			if err := j.update(ctx, renew); errors.Is(err, ErrConflict) {
				lost(err)
				return
			}
		}
	}
}

// step runs one named step, records its start and end, and reports it.
func (j *journal) step(ctx context.Context, name string, f func(ctx context.Context) error) error {
	start := j.m.now()
	j.m.Reporter.Begin(name)
	if err := j.update(ctx, func(r *Record) { r.Steps = append(r.Steps, Step{Name: name, Started: start}) }); err != nil {
		j.m.Reporter.End(name, err)
		return err
	}
	err := f(ctx)
	j.m.Reporter.End(name, err)
	uerr := j.update(context.WithoutCancel(ctx), func(r *Record) {
		for i := len(r.Steps) - 1; i >= 0; i-- {
			if r.Steps[i].Name == name && r.Steps[i].Finished.IsZero() {
				r.Steps[i].Finished = j.m.now()
				if err != nil {
					r.Steps[i].Error = err.Error()
				}
				break
			}
		}
	})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if uerr != nil {
		return uerr
	}
	if j.m.afterStep != nil {
		return j.m.afterStep(name)
	}
	return nil
}
