package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// env is one idle stack applied to moto under its own project name, with the
// ECS scheduler played. Stacks of different projects share one moto, so the
// scenarios below run in parallel: most of their time is Terraform waiting.
type env struct {
	emu   *testbed.Emulator
	stack *testbed.Stack
	cfg   aws.Config
	out   outputs.Outputs
	log   *testbed.Buffer // every manager of one env writes here
	sched *ecssim.Scheduler
}

// taskStartDelay is how long the scheduler stand-in waits before starting a
// task (image pulls on Fargate); the benchmark raises it.
var taskStartDelay = 300 * time.Millisecond

func newEnv(t testing.TB, emu *testbed.Emulator, project string) *env {
	t.Helper()
	st := testbed.NewStack(t, emu)
	if err := os.WriteFile(filepath.Join(st.Dir, "terraform.tfvars"), []byte(fmt.Sprintf("project = %q\n", project)), 0o644); err != nil {
		t.Fatal(err)
	}
	st.Apply(t, tf.Vars{"nlb_enabled": false})
	e := &env{emu: emu, stack: st, cfg: emu.AWSConfig(t), out: st.Outputs(t)}
	if e.out.Project != project {
		t.Fatalf("stack project %q, want %q", e.out.Project, project)
	}
	e.sched = testbed.StartECSSim(t, e.cfg, e.out.ClusterName, e.out.ServiceName, ecssim.Options{StartDelay: taskStartDelay, Poll: schedulerPoll})
	return e.logTo(t)
}

// logTo is the env with a log of its own, shown when t fails.
func (e *env) logTo(t testing.TB) *env {
	c := *e
	c.log = &testbed.Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("jitsictl log:\n%s", c.log.String())
		}
	})
	return &c
}

// scenario is one flow of TestSessions. It starts on an idle stack without a
// session record and ends with the session closed and nothing left, unless
// it leavesOpen (a kill chain ends with the open that proves recovery).
type scenario struct {
	name       string
	run        func(*testing.T, *env)
	leavesOpen bool
}

// TestSessions runs every scenario against the real stack. Applying the idle
// stack costs about as much as a scenario, so scenarios share it in lanes: a
// lane applies the idle stack once under a project of its own and runs its
// scenarios one after another; lanes run in parallel on one moto, most of
// their time Terraform waiting. Between scenarios the lane checks that the
// one before left the project idle and removes the closed session record, so
// each scenario starts as on a fresh stack.
func TestSessions(t *testing.T) {
	emu := testbed.Moto(t)
	emu.ManualECSTasks(t)
	crash := newCrashTable(t)
	kill := newKillTest(t, 3)
	crashAfter := func(step string) scenario {
		return scenario{"crash-" + step, crash.scenario(step), false}
	}
	// Lanes of about equal length (measured scenario times): with four, a
	// lane ran 11-13 minutes on its own, longer than the rest of the suite;
	// each lane more costs an idle stack's apply and a provider process.
	lanes := [][]scenario{
		{{"s-life", testOpenStatusExtendClose, false}, kill.chain(0)},
		{{"s-lock", testStateLocks, false}, {"s-linger", testLingerReopen, false}, kill.chain(1)},
		{{"s-conc", testConcurrentOpensGiveOneSession, false}, kill.chain(2)},
		{{"s-guard", testGuardEndsSession, false}, crashAfter("commit")},
		{{"s-lingerx", testLingerCrashes, false}, crashAfter("task")},
		{{"s-reap", testReap, false}, crashAfter("targets")},
		// Alone: added to a lane above, it made that lane the package's longest by its length.
		{{"s-orphan", testResumeSweepsOrphanedNLB, false}},
	}
	for i, lane := range lanes {
		project := fmt.Sprintf("s-lane-%d", i)
		for _, sc := range lane {
			if sc.leavesOpen && sc.name != lane[len(lane)-1].name {
				t.Fatalf("lane %s: %s leaves its session open, so it must be the lane's last", project, sc.name)
			}
		}
		t.Run(project, func(t *testing.T) {
			t.Parallel()
			runLane(t, newEnv(t, emu, project), lane)
		})
	}
}

// runLane runs the scenarios one after another on e. After a failed one the
// project may not be idle: the rest are skipped, each saying why.
func runLane(t *testing.T, e *env, lane []scenario) {
	failed := ""
	for _, sc := range lane {
		ok := t.Run(sc.name, func(t *testing.T) {
			if failed != "" {
				t.Skipf("not run: %s failed before it on this lane's project %s, which may not be idle", failed, e.out.Project)
			}
			se := e.logTo(t)
			sc.run(t, se)
			if !sc.leavesOpen {
				se.assertIdle(t)
				se.forgetRecord(t)
			}
		})
		if !ok && failed == "" {
			failed = sc.name
			t.Logf("%s failed: the lane's later scenarios are skipped", sc.name)
		}
	}
}

// stackEdge runs the real Terraform of the test stack.
type stackEdge struct{ r *tf.Runner }

func (s stackEdge) Apply(ctx context.Context, nlb bool, targets []string) error {
	return s.r.Apply(ctx, tf.Vars{"nlb_enabled": nlb}, targets)
}
func (s stackEdge) Outputs(ctx context.Context) (outputs.Outputs, error) { return s.r.Outputs(ctx) }

// testLimits bound waits that succeed as soon as their condition holds: generous, so a
// loaded machine does not fail them. The lease is short on purpose (takeover tests wait
// for it to lapse), but not shorter: a run renews it every third of it with a PUT of the
// record (a fifth of moto's requests in a lane at 3 s), and a loaded machine must not
// delay a renewal past it.
var testLimits = Limits{NLB: 15 * time.Minute, Task: 10 * time.Minute, Targets: 10 * time.Minute, Stop: 10 * time.Minute, Lease: 6 * time.Second}

// testPoll is how often the tests' managers look at moto while they wait.
// Each look costs CPU in moto and in this race-instrumented binary: slower
// polls are much cheaper and cost a session at most a few seconds.
const testPoll = time.Second

// schedulerPoll is how often the scheduler stand-in looks at the service:
// for the whole life of a lane, mostly finding nothing to do, so slower
// than testPoll. A task starts or stops up to this much later.
const schedulerPoll = 3 * time.Second

// testWiring is how every manager of the tests is wired, in this process or
// in a killed child (kill_test.go).
func testWiring(owner string, api Objects, bucket, stateKey string, tf Unlocker) Wiring {
	return Wiring{
		Owner: owner, Limits: testLimits, Poll: testPoll,
		Sweep: []sweep.Option{sweep.PollEvery(testPoll), sweep.Limits(time.Minute, 30*time.Second)},
		Lock:  S3StateLock{API: api, Bucket: bucket, StateKey: stateKey, TF: tf},
	}
}

func (e *env) manager(t testing.TB, owner string) *Manager {
	t.Helper()
	r, err := report.New(report.Options{Format: report.FormatText, Stdout: e.log, Stderr: e.log})
	if err != nil {
		t.Fatal(err)
	}
	store := e.store()
	return NewAWS(e.cfg, store, stackEdge{e.stack.Runner}, e.out, r, testWiring(owner, store.API, e.stack.Bucket, e.stack.Key, e.stack.Runner))
}

// leftovers lists every session resource that exists, by tag, plus a
// running desired count: what a user would pay for.
func (e *env) leftovers(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	inv, err := sweep.Find(ctx, sweep.APIs{ELB: elbv2.NewFromConfig(e.cfg), EC2: ec2.NewFromConfig(e.cfg)}, e.out.Project)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	if !inv.Empty() {
		left = append(left, inv.String())
	}
	svc, err := ecs.NewFromConfig(e.cfg).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &e.out.ClusterName, Services: []string{e.out.ServiceName}})
	if err != nil {
		t.Fatal(err)
	}
	if n := svc.Services[0].DesiredCount; n != 0 {
		left = append(left, fmt.Sprintf("desired count %d", n))
	}
	return strings.Join(left, "; ")
}

// assertWorking checks what a participant depends on after open.
func (e *env) assertWorking(t *testing.T, rec Record) {
	t.Helper()
	ctx := context.Background()
	if rec.State != StateOpen {
		t.Fatalf("state %s, want open (last error: %s)", rec.State, rec.LastError)
	}
	out, err := e.stack.Runner.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EIPAddresses) != 2 || strings.Join(rec.Addresses, ",") != strings.Join(out.EIPAddresses, ",") {
		t.Fatalf("record addresses %v, stack EIPs %v", rec.Addresses, out.EIPAddresses)
	}
	p, err := ssm.NewFromConfig(e.cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: &out.AdvertiseIPsParameterName})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(p.Parameter.Value); got != strings.Join(out.EIPAddresses, ",") {
		t.Fatalf("JVB advertises %q, the NLB has %v", got, out.EIPAddresses)
	}
	elb := elbv2.NewFromConfig(e.cfg)
	for _, tg := range out.TargetGroups() {
		h, err := elb.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: &tg})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.TargetHealthDescriptions) != 1 || aws.ToString(h.TargetHealthDescriptions[0].Target.Id) != rec.TaskIP {
			t.Fatalf("target group %s does not hold exactly the task %s: %+v", tg, rec.TaskIP, h.TargetHealthDescriptions)
		}
	}
	if rec.URL == "" || rec.ExpiresAt.IsZero() {
		t.Fatalf("record lacks URL or expiry: %+v", rec)
	}
}

func testOpenStatusExtendClose(t *testing.T, e *env) {
	ctx := context.Background()
	m := e.manager(t, "alice")
	// The checkout is ahead of the last deploy: a session must not apply that.
	deployed := e.changeBaseStack(t)

	rec, err := m.Open(ctx, OpenOptions{Hours: 2, OpenedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	e.assertWorking(t, rec)
	e.assertBaseStack(t, "open", deployed)
	e.assertArmed(t, rec)
	if d := rec.ExpiresAt.Sub(time.Now()); d < 119*time.Minute || d > 121*time.Minute {
		t.Fatalf("expires in %s, want 2h", d)
	}
	for _, want := range []string{"addresses", "load balancer", "task", "targets", "commit"} {
		found := false
		for _, s := range rec.Steps {
			found = found || (s.Name == want && !s.Finished.IsZero() && s.Error == "")
		}
		if !found {
			t.Errorf("step %q not recorded as done: %+v", want, rec.Steps)
		}
	}

	st, err := m.Status(ctx)
	if err != nil || st.State != StateOpen || st.URL != rec.URL || st.TimeLeft == "" {
		t.Fatalf("status %+v, %v", st, err)
	}

	ext, err := m.Extend(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := ext.ExpiresAt.Sub(rec.ExpiresAt); got != time.Hour {
		t.Fatalf("extend moved expiry by %s", got)
	}
	if _, err := m.Extend(ctx, 12); err == nil || !strings.Contains(err.Error(), "more than 12 h") {
		t.Fatalf("extending past 12 h left must be refused, got %v", err)
	}

	// A second open while open returns the same session, touching nothing.
	again, err := m.Open(ctx, OpenOptions{Hours: 1})
	if err != nil || again.NLBArn != rec.NLBArn || !again.ExpiresAt.Equal(ext.ExpiresAt) {
		t.Fatalf("second open: %v, %+v", err, again)
	}

	closed, err := m.Close(ctx, CloseOptions{Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != StateClosed {
		t.Fatalf("state after close: %s", closed.State)
	}
	if u := closed.LastUsage; u == nil || u.NLBHours != 1 || u.Task <= 0 || u.NLB <= 0 {
		t.Fatalf("close did not book the session's usage: %+v", closed.LastUsage)
	}
	t.Logf("open timeline:\n%s", Gantt("open", rec.Steps))
	if left := e.leftovers(t); left != "" {
		t.Fatalf("after close, still billing: %s", left)
	}
	if left := e.readSchedules(t); len(left) != 0 {
		t.Fatalf("close left the session guard's schedules: %v", left)
	}
	// Closing a closed session converges again (and sweeps).
	if _, err := m.Close(ctx, CloseOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Extend(ctx, 1); err == nil {
		t.Fatal("extend of a closed session must fail")
	}
	e.assertBaseStack(t, "close", deployed)
}

// changeBaseStack changes a setting of the base stack in the lane's
// configuration, as a checkout with an unreviewed (or not yet deployed)
// change has it, until t ends: the task's log retention, 14 days as the
// lane's deploy applied it, becomes 7. It returns the applied retention.
func (e *env) changeBaseStack(t *testing.T) int32 {
	t.Helper()
	deployed := e.logRetention(t)
	if deployed != 14 {
		t.Fatalf("the idle stack's log group keeps logs %d days, want the default 14", deployed)
	}
	f := filepath.Join(e.stack.Dir, "unreviewed.auto.tfvars")
	if err := os.WriteFile(f, []byte("log_retention_days = 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(f); err != nil {
			t.Error(err)
		}
	})
	return deployed
}

// assertBaseStack checks that the session's Terraform left the base stack
// as deploy applied it (see changeBaseStack).
func (e *env) assertBaseStack(t *testing.T, after string, deployed int32) {
	t.Helper()
	if got := e.logRetention(t); got != deployed {
		t.Fatalf("%s applied a change to the base stack that only a deploy may apply: the log group's retention is %d days, deployed %d", after, got, deployed)
	}
}

// logRetention is the task's log group's retention in moto, in days.
func (e *env) logRetention(t *testing.T) int32 {
	t.Helper()
	out, err := cloudwatchlogs.NewFromConfig(e.cfg).DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &e.out.LogGroupName})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == e.out.LogGroupName {
			return aws.ToInt32(g.RetentionInDays)
		}
	}
	t.Fatalf("log group %s not found", e.out.LogGroupName)
	return 0
}

func testConcurrentOpensGiveOneSession(t *testing.T, e *env) {
	ctx := context.Background()
	var wg sync.WaitGroup
	recs := make([]Record, 2)
	errs := make([]error, 2)
	for i, owner := range []string{"alice", "bob"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i], errs[i] = e.manager(t, owner).Open(ctx, OpenOptions{Hours: 1, OpenedBy: owner})
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
	}
	if recs[0].NLBArn == "" || recs[0].NLBArn != recs[1].NLBArn || recs[0].OpenedBy != recs[1].OpenedBy {
		t.Fatalf("two opens gave two answers:\n%+v\n%+v", recs[0], recs[1])
	}
	inv, err := sweep.Find(ctx, sweep.APIs{ELB: elbv2.NewFromConfig(e.cfg), EC2: ec2.NewFromConfig(e.cfg)}, e.out.Project)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.LoadBalancers) != 1 || len(inv.Addresses) != 2 {
		t.Fatalf("after two concurrent opens: %s; want one NLB with two Elastic IPs", inv)
	}
	if _, err := e.manager(t, "alice").Close(ctx, CloseOptions{}); err != nil {
		t.Fatal(err)
	}
}

// crashTable collects the crash scenarios' outcomes: each kills open (no
// cleanup, lease not released) after one step, then either close converges
// to zero resources or open resumes to a working session, twice in a row on
// its lane's project. The table is logged when TestSessions ends.
type crashTable struct {
	mu       sync.Mutex
	outcomes map[string]map[string]string // step -> then -> outcome
}

// crashSteps are the steps a crash comes after: those that run no apply. A
// crash after the addresses or load balancer apply is the kill test's: its
// SIGKILLs land inside those applies and at their ends, and both a resumed
// open and a close recover from them.
var crashSteps = []string{"task", "targets", "commit"}

func newCrashTable(t *testing.T) *crashTable {
	c := &crashTable{outcomes: map[string]map[string]string{}}
	t.Cleanup(func() { // after every lane
		var table strings.Builder
		fmt.Fprintf(&table, "%-14s | %-28s | %s\n", "crash after", "then close", "then open (resume)")
		for _, step := range crashSteps {
			missing := "FAILED"
			if c.outcomes[step] == nil {
				missing = "not run"
			}
			fmt.Fprintf(&table, "%-14s | %-28s | %s\n", step, or(c.outcomes[step]["close"], missing), or(c.outcomes[step]["open"], missing))
		}
		t.Logf("crash injection, steps × outcome:\n%s", table.String())
	})
	return c
}

func (c *crashTable) scenario(step string) func(*testing.T, *env) {
	return func(t *testing.T, e *env) {
		ctx := context.Background()
		c.mu.Lock()
		c.outcomes[step] = map[string]string{}
		c.mu.Unlock()
		for _, then := range []string{"close", "open"} {
			crasher := e.manager(t, "crasher")
			crasher.afterStep = func(s string) error {
				if s == step {
					return errCrash
				}
				return nil
			}
			if _, err := crasher.Open(ctx, OpenOptions{Hours: 1}); !errors.Is(err, errCrash) {
				t.Fatalf("crash after %s: open returned %v, want the simulated crash", step, err)
			}
			// The crashed run's lease must lapse before another run may take over.
			time.Sleep(testLimits.Lease + 500*time.Millisecond)
			next := e.manager(t, "rescuer")
			var outcome string
			switch then {
			case "close":
				if _, err := next.Close(ctx, CloseOptions{Reason: "after crash"}); err != nil {
					t.Fatalf("crash after %s, close: %v", step, err)
				}
				if left := e.leftovers(t); left != "" {
					t.Fatalf("crash after %s, close left: %s", step, left)
				}
				outcome = "zero session resources"
			case "open":
				rec, err := next.Open(ctx, OpenOptions{Hours: 1})
				if err != nil {
					t.Fatalf("crash after %s, resume: %v", step, err)
				}
				e.assertWorking(t, rec)
				outcome = "working session"
				if _, err := next.Close(ctx, CloseOptions{}); err != nil {
					t.Fatal(err)
				}
				if left := e.leftovers(t); left != "" {
					t.Fatalf("crash after %s, resume then close left: %s", step, left)
				}
			}
			c.mu.Lock()
			c.outcomes[step][then] = outcome
			c.mu.Unlock()
		}
	}
}

// assertIdle checks that a scenario left its project as a fresh idle stack
// is: nothing billing, no guard schedules, no Terraform lock, no task
// running, and a session record that is closed and held by no run.
func (e *env) assertIdle(t *testing.T) {
	t.Helper()
	if left := e.leftovers(t); left != "" {
		t.Fatalf("the scenario ended still billing: %s", left)
	}
	if left := e.readSchedules(t); len(left) != 0 {
		t.Fatalf("the scenario ended with the guard's schedules: %v", left)
	}
	if e.lockExists(t) {
		t.Fatal("the scenario ended with Terraform's state lock left behind")
	}
	v, err := e.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if (v.State != StateClosed && v.State != StateNone) || v.LeaseUntil.After(time.Now()) {
		t.Fatalf("the scenario ended with the record %s, lease held by %q until %s; want closed and free", v.State, v.Owner, v.LeaseUntil)
	}
	// The scheduler stand-in stops a task within a poll or two of the
	// desired count's drop (checked above).
	limit := time.Now().Add(2 * time.Minute)
	for n := e.liveTasks(t); n != 0; n = e.liveTasks(t) {
		if time.Now().After(limit) {
			t.Fatalf("the scenario ended with %d tasks still running after 2m", n)
		}
		time.Sleep(testPoll)
	}
}

// liveTasks counts the service's tasks that are not stopped.
func (e *env) liveTasks(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	api := ecs.NewFromConfig(e.cfg)
	list, err := api.ListTasks(ctx, &ecs.ListTasksInput{Cluster: &e.out.ClusterName, DesiredStatus: ecstypes.DesiredStatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskArns) == 0 {
		return 0
	}
	out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: &e.out.ClusterName, Tasks: list.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range out.Tasks {
		if aws.ToString(task.LastStatus) != "STOPPED" {
			n++
		}
	}
	return n
}

// forgetRecord deletes the closed session record: the next scenario starts
// as on a stack never opened (its ledger, steps and leases its own).
func (e *env) forgetRecord(t *testing.T) {
	t.Helper()
	if _, err := s3.NewFromConfig(e.cfg).DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &e.stack.Bucket, Key: aws.String(recordKey)}); err != nil {
		t.Fatal(err)
	}
}

// recordKey is where the tests' managers keep the session record.
const recordKey = "jitsi/jitsictl-session.json"

func (e *env) store() Store {
	return Store{API: awsx.S3(e.cfg, func(string) string { return "" }), Bucket: e.stack.Bucket, Key: recordKey}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
