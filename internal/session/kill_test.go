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
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/awsx"
	"github.com/jitsictl/jitsictl/internal/procs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// The kill test runs jitsictl's session flows in a child process (this test
// binary re-executed) and SIGKILLs it at random moments inside Terraform's
// applies; terraform-exec gives terraform Pdeathsig, so terraform dies with
// it and leaves its S3 state lock behind, as on a cancelled or crashed runner.
var (
	killSeed   = flag.Uint64("kill.seed", 0, "seed of the kill test's random kill points (0: from JITSICTL_KILL_SEED or the clock)")
	killPoints = flag.Int("kill.points", 20, "kill points per run of the kill test")
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
	r, err := tf.New(ctx, os.Getenv("JITSICTL_KILL_DIR"), tf.WithVars(tf.Vars{"s3_use_path_style": true, "create_iam_roles": true}), tf.WithProgress(os.Stderr),
		tf.WithReattach(os.Getenv(tf.ReattachEnv)))
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
	store := Store{API: awsx.S3(cfg, func(string) string { return "" }), Bucket: bucket, Key: recordKey}
	m := NewAWS(cfg, store, stackEdge{r}, out, rep, testWiring(os.Getenv("JITSICTL_KILL_OWNER"), store.API, bucket, os.Getenv("JITSICTL_KILL_STATE_KEY"), r))
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
// them, the flow that runs that step, and how long after the apply takes
// Terraform's state lock a kill may come (about the apply's locked length
// on moto; a kill due after the step ended comes as soon as the test sees
// it end).
var killPhases = []struct {
	name, step, flow string
	window           time.Duration
}{
	{"addresses", "addresses", "open", 6 * time.Second},
	{"load balancer", "load balancer", "open", 10 * time.Second},
	{"close", "remove load balancer", "close", 10 * time.Second},
}

// killPoint is one SIGKILL of a chain: the phase it aims at, how long after
// the run's Terraform took the state lock it came, where it landed and
// whether it left Terraform's lock behind.
type killPoint struct {
	phase    int // index in killPhases
	after    time.Duration
	tries    int // closes that finished before their kill
	killed   string
	lockLeft bool
	output   string // what the killed run printed, shown when a later command of its chain fails
}

// killChain is one chain's kills, one after another on its lane's project,
// and how the commands run to their end after the last kill fared.
type killChain struct {
	project   string
	points    []*killPoint
	closeExit int
	leftovers string
	openExit  int
	err       string
}

// planKillChains spreads n kill points over chains. A chain kills opens
// first, then closes: after a killed close an open is refused until a close
// finishes, so a chain never needs a command run to its end before its last
// kill. Open kills alternate between the addresses and load balancer applies.
func planKillChains(rng *rand.Rand, n, chains int) []*killChain {
	plan := make([]*killChain, chains)
	openKills := 0
	for c := range plan {
		k := n / chains
		if c < n%chains {
			k++
		}
		ch := &killChain{closeExit: -1, openExit: -1}
		opens := 1 + rng.IntN(max(k-1, 1)) // at least one of each where k >= 2
		for i := range k {
			ph := 2 // close
			if i < opens {
				ph = openKills % 2 // addresses, load balancer
				openKills++
			}
			ch.points = append(ch.points, &killPoint{phase: ph,
				after: time.Duration(rng.Int64N(int64(killPhases[ph].window/time.Millisecond))) * time.Millisecond})
		}
		plan[c] = ch
	}
	return plan
}

// killTest kills jitsictl inside its applies in chains: each kill lands in
// the command that recovers from the kill before it (a resumed open, or a
// close), so every kill point but a chain's first starts from a killed run's
// lease and, mostly, its Terraform lock. At the end of a chain a close must
// exit 0 and leave no tagged resource, and an open must then succeed. Each
// chain is the last scenario of a lane (it ends with that open), so chains
// run side by side on projects of their own.
type killTest struct {
	seed uint64
	plan []*killChain
}

// newKillTest plans *killPoints kill points in chains from the seed (printed,
// with the command that replays it) and logs the table when TestSessions ends.
func newKillTest(t *testing.T, chains int) *killTest {
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
	t.Logf("kill test seed %d (replay: go test ./internal/session -run 'TestSessions/.*/kill' -kill.seed %d)", seed, seed)
	k := &killTest{seed: seed, plan: planKillChains(rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), *killPoints, chains)}
	t.Cleanup(func() { t.Logf("kill points (seed %d):\n%s", seed, killTable(k.plan)) })
	return k
}

// chain is the scenario of chain c.
func (k *killTest) chain(c int) scenario {
	ch := k.plan[c]
	return scenario{name: fmt.Sprintf("kill-%d", c), leavesOpen: true, run: func(t *testing.T, e *env) {
		ch.project = e.out.Project
		for n, p := range ch.points {
			e.kill(t, fmt.Sprintf("%s-%d-killed", ch.project, n), p)
			// A later command that fails where it should recover: say what
			// the killed runs before it did.
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("killed run %d of the chain (%s, %s) had printed:\n%s", n+1, killPhases[p.phase].flow, p.killed, p.output)
				}
			})
			// A killed run's lease must lapse before another run may take over.
			time.Sleep(testLimits.Lease + 500*time.Millisecond)
		}
		e.converge(t, ch)
		if ch.err != "" {
			t.Errorf("after %d kills (seed %d): %s", len(ch.points), k.seed, ch.err)
		}
	}}
}

// kill kills the point's flow inside its apply. A close that finished before
// its kill is run again with half the delay (up to three times): every kill
// point is a real kill. Any other flow that ends on its own fails the test.
func (e *env) kill(t *testing.T, owner string, p *killPoint) {
	t.Helper()
	ph := killPhases[p.phase]
	for try := 1; ; try++ {
		landed, lock, code, out := e.helperKilledIn(t, ph.flow, owner, ph.step, p.after)
		if landed != "" {
			p.killed, p.lockLeft, p.output = landed, lock, out
			return
		}
		if ph.flow != "close" || code != 0 || try == 3 {
			t.Fatalf("%s (try %d) exited %d before its kill %s after Terraform locked in step %q:\n%s", ph.flow, try, code, p.after, ph.step, out)
		}
		p.after /= 2
		p.tries++
	}
}

// converge runs a close and then an open to their end after a chain's
// kills: the close must exit 0 and leave nothing, the open must exit 0.
func (e *env) converge(t *testing.T, ch *killChain) {
	code, out := e.helper(t, "close", ch.project+"-closer")
	ch.closeExit, ch.leftovers = code, e.leftovers(t)
	if code != 0 {
		ch.err = fmt.Sprintf("close after the kills exited %d:\n%s", code, out)
		return
	}
	if ch.leftovers != "" {
		ch.err = "close after the kills left: " + ch.leftovers
		return
	}
	code, out = e.helper(t, "open", ch.project+"-opener")
	ch.openExit = code
	if code != 0 {
		ch.err = fmt.Sprintf("open after the recovery exited %d:\n%s", code, out)
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

// helperKilledIn starts the flow, waits until the record shows step running
// and its Terraform holds the state lock, waits after or until the step
// ends, SIGKILLs the process, and says where
// the kill landed and whether Terraform's lock was left behind. A kill never
// comes much later than the step's end, so a killed open never commits. A
// flow that ended before the kill (a close can finish within a poll of its
// last apply) gives its exit code instead, with landed "". Either way it
// gives what the run printed.
func (e *env) helperKilledIn(t *testing.T, flow, owner, step string, after time.Duration) (landed string, lockLeft bool, exit int, output string) {
	t.Helper()
	cmd, out := e.helperCmd(t, flow, owner)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	store := e.store()
	limit := time.Now().Add(5 * time.Minute)
	// A resumed open keeps the killed run's steps, unfinished ones too:
	// only a step this process began counts.
	began, running := runningStep(store, step)
	for !running || began.Before(start) {
		select {
		case <-exited:
			t.Fatalf("%s exited %d before step %q began:\n%s", flow, cmd.ProcessState.ExitCode(), step, out.String())
		case <-time.After(testPoll):
		}
		if time.Now().After(limit) {
			t.Fatalf("step %q did not begin within 5m:\n%s", step, out.String())
		}
		began, running = runningStep(store, step)
	}
	// The delay counts from when this run's Terraform takes the state lock:
	// on a loaded machine terraform may need longer than the whole window
	// to get there, and a kill before it leaves nothing to recover. Inside
	// the step, look often: the kill is to come right at its end.
	lock := S3StateLock{API: store.API, Bucket: e.stack.Bucket, StateKey: e.stack.Key}
	var due <-chan time.Time
	for landed == "" {
		if due == nil {
			if lk, err := lock.Read(context.Background()); err == nil && lk != nil && !lk.Created.Before(began) {
				due = time.After(after)
			}
		}
		select {
		case <-exited:
			landed = "ended"
		case <-due:
			landed = "inside " + step
		case <-time.After(100 * time.Millisecond):
		}
		if _, running := runningStep(store, step); !running && landed != "ended" {
			landed = "at the end of " + step
		}
	}
	_ = cmd.Process.Kill()
	<-exited
	e.endOrphans()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		return "", false, cmd.ProcessState.ExitCode(), out.String()
	}
	return landed, e.lockExists(t), -1, out.String()
}

// endOrphans ends what a killed run's Terraform left behind: terraform dies
// with jitsictl (Pdeathsig), but its providers live on in terraform's process
// group, reparented to init, a few hundred MB each, one per kill point of
// every run of this test. Nothing else of the lane runs in its stack's
// directory during a kill.
func (e *env) endOrphans() {
	for _, p := range procs.List() {
		if procs.Cwd(p.PID) == e.stack.Dir && p.PGID != syscall.Getpgrp() {
			procs.EndGroup(p.PGID, time.Minute)
		}
	}
}

func (e *env) helperCmd(t *testing.T, flow, owner string) (*exec.Cmd, *testbed.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), e.stack.Env()...),
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

// runningStep says when the record's latest run of step began, if it is
// still running.
func runningStep(store Store, step string) (began time.Time, running bool) {
	v, err := store.Load(context.Background())
	if err != nil {
		return time.Time{}, false
	}
	for i := len(v.Steps) - 1; i >= 0; i-- {
		if v.Steps[i].Name == step {
			return v.Steps[i].Started, v.Steps[i].Finished.IsZero()
		}
	}
	return time.Time{}, false
}

// lockExists says whether Terraform's lock object of the stack's state exists.
func (e *env) lockExists(t *testing.T) bool {
	t.Helper()
	_, err := s3.NewFromConfig(e.cfg).HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(e.stack.Bucket), Key: aws.String(e.stack.Key + ".tflock")})
	return err == nil
}

func killTable(chains []*killChain) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-8s | %2s | %-5s | %-13s | %10s | %-39s | %s\n", "project", "#", "flow", "apply", "after lock", "kill landed", "lock left")
	points, locks := 0, 0
	for _, ch := range chains {
		for n, p := range ch.points {
			ph := killPhases[p.phase]
			landed := or(p.killed, "-")
			if p.tries > 0 {
				landed += fmt.Sprintf(" (try %d)", p.tries+1)
			}
			fmt.Fprintf(&b, "%-8s | %2d | %-5s | %-13s | %10s | %-39s | %v\n", or(ch.project, "not run"), n+1, ph.flow, ph.name, p.after.Round(10*time.Millisecond), landed, p.lockLeft)
			points++
			if p.lockLeft {
				locks++
			}
		}
		result := "converged"
		switch {
		case ch.project == "":
			result = "not run"
		case ch.err != "":
			result = "FAILED: " + strings.SplitN(ch.err, "\n", 2)[0]
		case ch.openExit != 0:
			result = "FAILED before the end (see the test's error)"
		}
		fmt.Fprintf(&b, "%-8s | then close exit %d, left %q; open exit %d: %s\n", or(ch.project, "not run"), ch.closeExit, ch.leftovers, ch.openExit, result)
	}
	fmt.Fprintf(&b, "%d kill points in %d chains, %d left Terraform's lock behind\n", points, len(chains), locks)
	return b.String()
}
