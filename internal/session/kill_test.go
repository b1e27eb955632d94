package session

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// The kill test runs jitsictl's session flows in a child process (this test
// binary re-executed) and SIGKILLs it at random moments inside Terraform's
// applies; terraform-exec gives terraform Pdeathsig, so terraform dies with
// it and leaves its S3 state lock behind, as on a cancelled or crashed runner.
var (
	killSeed   = flag.Uint64("kill.seed", 0, "seed of the kill test's random kill points (0: from JITSICTL_KILL_SEED or the clock)")
	killPoints = flag.Int("kill.points", 21, "kill points per run of the kill test")
)

// helperEnv makes the test binary act as jitsictl: open or close, exit 0 or 1.
const helperEnv = "JITSICTL_KILL_HELPER"

func init() {
	if action := os.Getenv(helperEnv); action != "" {
		os.Exit(runHelper(action))
	}
}

// runHelper is a session command as the CLI wires it, against the stack in
// JITSICTL_KILL_DIR and the record in JITSICTL_KILL_BUCKET.
func runHelper(action string) int {
	ctx := context.Background()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "error:", err); return 1 }
	r, err := tf.New(ctx, os.Getenv("JITSICTL_KILL_DIR"), tf.WithVars(tf.Vars{"s3_use_path_style": true, "create_iam_roles": true}), tf.WithProgress(os.Stderr))
	if err != nil {
		return fail(err)
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		return fail(err)
	}
	out, err := r.Outputs(ctx)
	if err != nil {
		return fail(err)
	}
	rep, err := report.New(report.Options{Format: report.FormatText, Stdout: os.Stdout, Stderr: os.Stdout})
	if err != nil {
		return fail(err)
	}
	bucket := os.Getenv("JITSICTL_KILL_BUCKET")
	store := Store{API: awsx.S3(cfg, func(string) string { return "" }), Bucket: bucket, Key: "jitsi/jitsictl-session.json"}
	m := NewAWS(cfg, store, stackEdge{r}, out, rep, Wiring{
		Owner: os.Getenv("JITSICTL_KILL_OWNER"), Limits: testLimits, Poll: 100 * time.Millisecond,
		Sweep: []sweep.Option{sweep.PollEvery(100 * time.Millisecond), sweep.Limits(time.Minute, 30*time.Second)},
		Lock:  S3StateLock{API: store.API, Bucket: bucket, StateKey: os.Getenv("JITSICTL_KILL_STATE_KEY"), TF: r},
	})
	switch action {
	case "open":
		_, err = m.Open(ctx, OpenOptions{Hours: 1, OpenedBy: "kill-test"})
	case "close":
		_, err = m.Close(ctx, CloseOptions{Reason: "kill test"})
	default:
		err = fmt.Errorf("unknown helper action %q", action)
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// killPhases are the applies a kill lands in: the record step that runs
// them, the flow that runs that step, and how long after the step starts a
// kill may come (about the apply's length on moto, so most kills land while
// terraform holds the lock and some before or after it).
var killPhases = []struct {
	name, step, flow string
	window           time.Duration
}{
	{"addresses", "addresses", "open", 6 * time.Second},
	{"load balancer", "load balancer", "open", 10 * time.Second},
	{"close", "remove load balancer", "close", 10 * time.Second},
}

type killPoint struct {
	project, phase string
	after          time.Duration
	killed         string // where the kill landed
	lockLeft       bool
	closeExit      int
	leftovers      string
	openExit       int
	err            string
}

// testKillInsideApplies: each kill point kills a flow inside one apply, then
// a close must exit 0 and leave no tagged resource, and an open must succeed.
// Projects run side by side; the kill points of one project run in turn.
func testKillInsideApplies(t *testing.T, emu *testbed.Emulator, projects int) {
	seed := *killSeed
	if s := os.Getenv("JITSICTL_KILL_SEED"); seed == 0 && s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("JITSICTL_KILL_SEED=%q: %v", s, err)
		}
		seed = v
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("kill test seed %d (replay: go test ./internal/session -run 'TestSessions/kill' -kill.seed %d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// Each project alternates a kill inside an open's apply with a kill
	// inside a close's: every kill is followed by a close and an open, and
	// the open that follows a killed open is what the killed close closes.
	plan := make([][]*killPoint, projects)
	openKills := 0
	for i := range *killPoints {
		proj := i % projects
		ph := killPhases[2] // close
		if len(plan[proj])%2 == 0 {
			ph = killPhases[openKills%2] // addresses, load balancer
			openKills++
		}
		p := &killPoint{project: fmt.Sprintf("s-kill-%d", proj), phase: ph.name,
			after:     time.Duration(rng.Int64N(int64(ph.window/time.Millisecond))) * time.Millisecond,
			closeExit: -1, openExit: -1}
		plan[proj] = append(plan[proj], p)
	}

	var mu sync.Mutex
	var all []*killPoint
	t.Cleanup(func() { t.Logf("kill points (seed %d):\n%s", seed, killTable(all)) })
	for i, points := range plan {
		t.Run(fmt.Sprintf("project-%d", i), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, emu, points[0].project)
			for n, p := range points {
				mu.Lock()
				all = append(all, p)
				mu.Unlock()
				e.killAndRecover(t, n, p)
				if p.err != "" {
					t.Errorf("kill point %d (%s, %s after the step began): %s", n, p.phase, p.after, p.err)
					return // the stack is in an unknown state: the next points would only repeat this
				}
			}
			if code, out := e.helper(t, "close", "final"); code != 0 || e.leftovers(t) != "" {
				t.Errorf("final close exited %d, left %q:\n%s", code, e.leftovers(t), out)
			}
		})
	}
}

// killAndRecover kills the flow inside the phase's apply, then a close must
// exit 0 and leave nothing, and an open must exit 0. It leaves the session
// open; a kill inside an open begins with a close.
func (e *env) killAndRecover(t *testing.T, n int, p *killPoint) {
	ph := killPhases[0]
	for _, k := range killPhases {
		if k.name == p.phase {
			ph = k
		}
	}
	owner := fmt.Sprintf("%s-%d", p.project, n)
	if ph.flow == "open" && n > 0 {
		if code, out := e.helper(t, "close", owner+"-before"); code != 0 {
			p.err = fmt.Sprintf("close before the kill exited %d:\n%s", code, out)
			return
		}
	}
	p.killed, p.lockLeft = e.helperKilledIn(t, ph.flow, owner+"-killed", ph.step, p.after)
	// A killed run's lease must lapse before another run may take over.
	time.Sleep(testLimits.Lease + 500*time.Millisecond)
	code, out := e.helper(t, "close", owner+"-closer")
	p.closeExit = code
	p.leftovers = e.leftovers(t)
	if code != 0 {
		p.err = fmt.Sprintf("close after the kill exited %d:\n%s", code, out)
		return
	}
	if p.leftovers != "" {
		p.err = "close after the kill left: " + p.leftovers
		return
	}
	code, out = e.helper(t, "open", owner+"-opener")
	p.openExit = code
	if code != 0 {
		p.err = fmt.Sprintf("open after the recovery exited %d:\n%s", code, out)
	}
}

// helper runs the flow in a child process to its end and returns its exit
// code and output.
func (e *env) helper(t *testing.T, flow, owner string) (int, string) {
	t.Helper()
	cmd, out := e.helperCmd(t, flow, owner)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

// helperKilledIn starts the flow, waits until the record shows step running,
// waits after, SIGKILLs the process, and says where the kill landed and
// whether Terraform's lock was left behind.
func (e *env) helperKilledIn(t *testing.T, flow, owner, step string, after time.Duration) (landed string, lockLeft bool) {
	t.Helper()
	cmd, out := e.helperCmd(t, flow, owner)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	store := Store{API: awsx.S3(e.cfg, func(string) string { return "" }), Bucket: e.stack.Bucket, Key: "jitsi/jitsictl-session.json"}
	limit := time.Now().Add(5 * time.Minute)
	for !stepRunning(store, step) {
		select {
		case <-exited:
			t.Fatalf("%s exited before step %q began:\n%s", flow, step, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(limit) {
			t.Fatalf("step %q did not begin within 5m:\n%s", step, out.String())
		}
	}
	select {
	case <-exited:
	case <-time.After(after):
	}
	landed = "inside " + step
	if !stepRunning(store, step) {
		landed = "after " + step
	}
	_ = cmd.Process.Kill()
	<-exited
	return landed, e.lockExists(t)
}

func (e *env) helperCmd(t *testing.T, flow, owner string) (*exec.Cmd, *testbed.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), e.emu.Env()...),
		helperEnv+"="+flow, "JITSICTL_KILL_DIR="+e.stack.Dir, "JITSICTL_KILL_BUCKET="+e.stack.Bucket, "JITSICTL_KILL_OWNER="+owner,
		"JITSICTL_KILL_STATE_KEY="+e.stack.Key, tf.LockTimeoutEnv+"=60s")
	out := &testbed.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: whatever survives the kill is ended with the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t.Cleanup(func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	return cmd, out
}

func stepRunning(store Store, step string) bool {
	v, err := store.Load(context.Background())
	if err != nil {
		return false
	}
	for i := len(v.Steps) - 1; i >= 0; i-- {
		if v.Steps[i].Name == step {
			return v.Steps[i].Finished.IsZero()
		}
	}
	return false
}

// lockExists says whether Terraform's lock object of the stack's state exists.
func (e *env) lockExists(t *testing.T) bool {
	t.Helper()
	_, err := s3.NewFromConfig(e.cfg).HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(e.stack.Bucket), Key: aws.String(e.stack.Key + ".tflock")})
	return err == nil
}

func killTable(points []*killPoint) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-9s | %-13s | %7s | %-26s | %-9s | %-10s | %-10s | %s\n", "project", "apply", "after", "kill landed", "lock left", "close exit", "open exit", "result")
	locks := 0
	for _, p := range points {
		result := "converged"
		if p.err != "" {
			result = "FAILED: " + strings.SplitN(p.err, "\n", 2)[0]
		}
		if p.lockLeft {
			locks++
		}
		fmt.Fprintf(&b, "%-9s | %-13s | %7s | %-26s | %-9v | %-10d | %-10d | %s\n", p.project, p.phase, p.after.Round(10*time.Millisecond), p.killed, p.lockLeft, p.closeExit, p.openExit, result)
	}
	fmt.Fprintf(&b, "%d kill points, %d left Terraform's lock behind\n", len(points), locks)
	return b.String()
}
