package workflows

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/cli"
	"github.com/jitsictl/jitsictl/internal/ecssim"
	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/probe/probetest"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/sweep"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

const (
	owner, repo = "jitsictl", "jitsictl"
	prNumber    = 42 // testdata/events/pull_request.json
	botToken    = "ghs_workflowtesttoken"
	// The repository variables the workflows read (vars.*).
	sessionRole = "arn:aws:iam::123456789012:role/jitsictl-session"
	planRole    = "arn:aws:iam::123456789012:role/jitsictl-plan"
	deployRole  = "arn:aws:iam::123456789012:role/jitsictl-deploy"
)

// bed is a moto of its own with the stack applied once, the ECS scheduler
// stand-in, the fake GitHub API and act set up to run the repository's
// workflows against them (serveSession answers for the session's addresses).
type bed struct {
	emu   *testbed.Emulator
	st    *testbed.Stack
	out   testbed.Outputs
	cfg   aws.Config
	gh    *fakegithub.Server
	act   *runner
	sha   string
	arts  string // where the upload-artifact stand-in puts artifacts
	store session.Store
}

func newBed(t *testing.T) *bed {
	t.Helper()
	tool(t, "act", "go install github.com/nektos/act@v0.2.89") // before the minute-long apply
	// A moto for each bed: both apply the stack as the default project.
	b := &bed{emu: testbed.PrivateMoto(t)}
	b.st = testbed.NewStack(t, b.emu)
	// The user commits terraform/backend.hcl; this one names the emulator's
	// state bucket, the object testbed's stack lives in.
	backend := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nuse_lockfile = true\nencrypt = true\nuse_path_style = true\n",
		b.st.Bucket, b.st.Key, testbed.Region)
	// The repository ignores terraform/backend.hcl (terraform/.gitignore), so
	// a user who commits it drops that line, as this workspace does: act
	// copies the work tree without ignored files, even tracked ones.
	ignore, err := os.ReadFile(filepath.Join(testbed.RepoRoot(t), "terraform", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(ignore), "\n") {
		if strings.TrimSpace(l) != "backend.hcl" {
			keep = append(keep, l)
		}
	}
	ws, sha := workspace(t, map[string]string{"terraform/backend.hcl": backend, "terraform/.gitignore": strings.Join(keep, "\n")})
	b.sha = sha
	b.arts = t.TempDir()

	// The release build (a minute or more of linking on a busy machine) overlaps the
	// stack's apply; publishRelease below waits for it.
	go buildRelease(testbed.RepoRoot(t), ws)
	b.st.Apply(t, tf.Vars{"nlb_enabled": false}) // idle, as a deploy leaves it
	b.out = b.st.Outputs(t)
	b.cfg = b.emu.AWSConfig(t)
	b.store = session.Store{API: s3.NewFromConfig(b.cfg), Bucket: b.st.Bucket, Key: session.RecordKey(b.st.Key)}
	// Each poll is two or three requests to moto, in moto and in this race-instrumented
	// binary, for as long as the bed lives (many minutes, mostly with nothing to do):
	// every 3 s, as the session tests' scheduler; a task starts up to 3 s later.
	testbed.StartECSSim(t, b.cfg, b.out.ClusterName, b.out.ServiceName, ecssim.Options{Poll: 3 * time.Second})

	b.gh = fakegithub.New(t)
	b.gh.AddToken(botToken, "github-actions[bot]", fakegithub.ReadWrite)
	b.gh.AddWorkflow(owner, repo, reaperFile, fakegithub.WorkflowDisabled) // idle: the reaper sleeps

	b.act = newRunner(t, ws, b.emu.URL, b.arts)
	// The jobs' terraform attaches to the stack's provider process (testbed.StartProvider)
	// instead of starting its own for every command: a speed-up of the emulated runs only,
	// which work on this stack's state. The provider holds the emulator's credentials.
	b.act.env = append(b.act.env, tf.ReattachEnv+"="+b.st.Reattach)
	b.act.actEnv["GITHUB_API_URL"] = b.gh.URL
	publishRelease(t, b.act, b.gh)
	return b
}

// serveSession makes every loopback address (moto allocates Elastic IPs in
// 127.0.0.0/8) answer like an open session: Jitsi's page over HTTPS on 443,
// JVB's silence to strangers on UDP 10000. This is only possible because the
// test binary owns its network namespace (TestMain).
func serveSession(t *testing.T) {
	t.Helper()
	ca := probetest.NewCA(t)
	cert := ca.Leaf(t, time.Now().Add(60*24*time.Hour), "meet.example.test")
	probetest.HTTPS(t, net.JoinHostPort("0.0.0.0", "443"), cert, probetest.Site(probetest.JitsiConfigInvite))
	probetest.Silent(t, net.JoinHostPort("0.0.0.0", "10000"))
}

func (b *bed) record(t *testing.T) session.Versioned {
	t.Helper()
	v, err := b.store.Load(context.Background())
	if err != nil {
		t.Fatalf("read the session record: %v", err)
	}
	return v
}

// leftovers lists the session resources (by tag) that exist in moto.
func (b *bed) leftovers(t *testing.T) sweep.Inventory {
	t.Helper()
	inv, err := sweep.Find(context.Background(), sweep.APIs{ELB: elb.NewFromConfig(b.cfg), EC2: ec2.NewFromConfig(b.cfg)}, b.out.Project)
	if err != nil {
		t.Fatalf("list session resources: %v", err)
	}
	return inv
}

func (b *bed) desiredCount(t *testing.T) int32 {
	t.Helper()
	out, err := ecs.NewFromConfig(b.cfg).DescribeServices(context.Background(), &ecs.DescribeServicesInput{
		Cluster: aws.String(b.out.ClusterName), Services: []string{b.out.ServiceName}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe the service: %v", err)
	}
	return out.Services[0].DesiredCount
}

func requireSuccess(t *testing.T, r actRun) {
	t.Helper()
	if r.err != nil || r.jobResult() != "success" {
		t.Fatalf("act: %v, job %q, want success\n%s", r.err, r.jobResult(), r.stepLog())
	}
}

// The workflows run on two beds side by side, each its own moto and applied
// stack: the session buttons in the order a user presses them, and the scheduled
// reap of an expired session followed by a pull request's plan and its deploy.
// One chain of all of them on one bed was the suite's longest package.
func TestWorkflowsWithAct(t *testing.T) {
	// One per network namespace, for both beds: moto gives each bed's session
	// addresses on loopback.
	serveSession(t)
	t.Run("session buttons", func(t *testing.T) {
		t.Parallel()
		testSessionButtons(t, newBed(t))
	})
	t.Run("reap, plan and deploy", func(t *testing.T) {
		t.Parallel()
		testReapPlanDeploy(t, newBed(t))
	})
}

// testSessionButtons opens, extends and closes a session with session.yml, then
// runs the reaper with nothing to reap.
func testSessionButtons(t *testing.T, b *bed) {
	opened := t.Run("session.yml open", func(t *testing.T) {
		// A public repository: the links must appear nowhere a stranger can read.
		r := b.act.run(t, "workflow_dispatch", "session.yml", "--eventpath", b.event(t, "dispatch_public.json"),
			"--input", "action=open", "--input", "hours=3", "--input", "rooms=standup,review")
		requireSuccess(t, r)
		requireNoLinks(t, r, "open in a public repository")
		requireSecretsHidden(t, b, r, "")
		if sum := r.summary("session"); !strings.Contains(sum, "jitsictl session links --rooms standup,review") {
			t.Errorf("a public repository's summary does not say how to get the links:\n%s", sum)
		}
		downloaded(t, r)
		rec := b.record(t)
		if rec.State != session.StateOpen {
			t.Fatalf("record state %q after open, want open", rec.State)
		}
		out := r.outputs("session")
		want := map[string]string{
			"state":      "open",
			"url":        rec.URL,
			"addresses":  strings.Join(rec.Addresses, ","),
			"expires-at": rec.ExpiresAt.UTC().Format(time.RFC3339),
		}
		for k, v := range want {
			if v == "" || out[k] != v {
				t.Errorf("output %s = %q, want %q (the record's)", k, out[k], v)
			}
		}
		if d := rec.ExpiresAt.Sub(rec.OpenedAt); d != 3*time.Hour {
			t.Errorf("session open for %s, want the 3 hours given as input", d)
		}
		if sum := r.summary("session"); !strings.Contains(sum, "### Session open: open") || !strings.Contains(sum, "**Open until ") || !strings.Contains(sum, "```mermaid") {
			t.Errorf("session step summary lacks the title, the expiry or the step chart:\n%s", sum)
		}
		if got := r.stepResults()[verifyStepID(r)]; got != "success" {
			t.Errorf("verify step: %q, want success", got)
		}
		// Verify ran on the served addresses: a self-signed certificate and
		// a silent JVB are warnings, not failures.
		v := r.outputs(verifyStepID(r))
		if v["result"] != "warn" || v["tcp"] != "pass" || v["udp"] != "unconfirmed" {
			t.Errorf("verify outputs %v, want result=warn tcp=pass udp=unconfirmed\n%s", v, r.stepLog())
		}
		if !strings.Contains(r.summary(verifyStepID(r)), "| Check | Target | Status |") {
			t.Errorf("verify wrote no check table to the step summary")
		}
		if b.leftovers(t).Empty() {
			t.Errorf("no tagged session resources while the session is open")
		}
		b.requireReaper(t, r, fakegithub.WorkflowActive)
	})
	if !opened {
		t.Fatal("session.yml open failed; close and reap have nothing to act on")
	}

	t.Run("session.yml extend in a private repository shows new links in the summary only", func(t *testing.T) {
		before := b.record(t)
		r := b.act.run(t, "workflow_dispatch", "session.yml", "--eventpath", b.event(t, "dispatch_private.json"),
			"--input", "action=extend", "--input", "hours=1")
		requireSuccess(t, r)
		after := b.record(t)
		if !after.ExpiresAt.Equal(before.ExpiresAt.Add(time.Hour)) {
			t.Fatalf("expiry %s after extend, want %s", after.ExpiresAt, before.ExpiresAt.Add(time.Hour))
		}
		sum := r.summary("session")
		links := summaryLinks(t, sum)
		if len(links) != 3 { // moderator + the two rooms open recorded
			t.Fatalf("%d links in the private repository's summary, want 3:\n%s", len(links), sum)
		}
		for k, exp := range links {
			if !exp.Equal(after.ExpiresAt.Truncate(time.Second)) {
				t.Errorf("link %s expires %s, want the extended session's expiry %s", k, exp, after.ExpiresAt)
			}
		}
		// Only the summary: no log line and no output carries a token.
		r.lines = withoutSummaries(r.lines)
		r.log = ""
		requireNoLinks(t, r, "extend in a private repository")
		requireSecretsHidden(t, b, r, sum)
		for _, l := range strings.Split(rawLog(r), "\n") {
			if strings.Contains(l, tokenPrefix) {
				t.Errorf("a token is in the step log: %.200s", l)
			}
		}
	})

	t.Run("session.yml close", func(t *testing.T) {
		r := b.act.run(t, "workflow_dispatch", "session.yml", "--input", "action=close", "--input", "now=true")
		requireSuccess(t, r)
		if got := r.outputs("session")["state"]; got != "closed" {
			t.Errorf("state output %q, want closed", got)
		}
		if res := r.stepResults(); res[verifyStepID(r)] == "success" {
			t.Errorf("verify ran after close: %v", res)
		}
		if rec := b.record(t); rec.State != session.StateClosed {
			t.Errorf("record state %q after close, want closed", rec.State)
		}
		if inv := b.leftovers(t); !inv.Empty() {
			t.Errorf("session resources left after close:\n%s", inv)
		}
		if n := b.desiredCount(t); n != 0 {
			t.Errorf("desired count %d after close, want 0", n)
		}
	})

	t.Run("scale-down.yml finds nothing and disables itself", func(t *testing.T) { testReapFindsNothing(t, b) })
}

// testReapPlanDeploy closes an expired session with the scheduled reaper, then
// comments a pull request's plan with plan.yml and applies the merged change
// with deploy.yml.
func testReapPlanDeploy(t *testing.T, b *bed) {
	t.Run("scale-down.yml on schedule closes an expired session", func(t *testing.T) {
		b.openExpired(t)
		schedule := filepath.Join(mustAbs(t, "testdata/events"), "schedule.json")
		r := b.act.run(t, "schedule", "scale-down.yml", "--eventpath", schedule)
		requireSuccess(t, r)
		// The reaper's close is a close: the task stops, and the NLB's paid hour
		// is kept for a reopen until shortly before it ends.
		rec := b.record(t)
		if rec.State != session.StateLingering || rec.LingerUntil.IsZero() {
			t.Fatalf("record state %q (lingering until %v) after the scheduled reap of an expired session, want lingering\n%s", rec.State, rec.LingerUntil, r.stepLog())
		}
		if n := b.desiredCount(t); n != 0 {
			t.Errorf("desired count %d while lingering, want 0", n)
		}
		// The hour's end comes: the next scheduled run removes the rest.
		rec.LingerUntil = time.Now().Add(-time.Minute).UTC()
		if _, err := b.store.Save(context.Background(), rec.Record, rec.ETag); err != nil {
			t.Fatalf("move the linger's end into the past: %v", err)
		}
		r = b.act.run(t, "schedule", "scale-down.yml", "--eventpath", schedule)
		requireSuccess(t, r)
		if rec := b.record(t); rec.State != session.StateClosed {
			t.Errorf("record state %q after the scheduled reap at the linger's end, want closed\n%s", rec.State, r.stepLog())
		}
		if inv := b.leftovers(t); !inv.Empty() {
			t.Errorf("session resources left after the reap:\n%s", inv)
		}
		if n := b.desiredCount(t); n != 0 {
			t.Errorf("desired count %d after the reap, want 0", n)
		}
	})

	t.Run("plan.yml on pull_request comments the plan", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(b.act.ws, ".github", "workflows", "plan.yml")); err != nil {
			t.Fatalf("plan.yml is missing from the repository: %v", err)
		}
		ev := b.event(t, "pull_request.json")
		arts := t.TempDir()
		b.act.setArtifacts(arts)
		r := b.act.run(t, "pull_request", "plan.yml", "--eventpath", ev)
		requireSuccess(t, r)
		requireNoStateIn(t, arts, b.sha)
		comments := b.gh.Comments(owner, repo, prNumber)
		if len(comments) != 1 {
			t.Fatalf("%d comments on pull request %d, want one plan comment; requests: %v\n%s", len(comments), prNumber, b.gh.Requests(), r.stepLog())
		}
		c := comments[0]
		// The sticky marker is how later plans find this comment to edit it.
		if c.Author != "github-actions[bot]" || !strings.Contains(c.Body, "<!-- jitsictl:plan") {
			t.Errorf("comment by %s is not the plan comment:\n%s", c.Author, c.Body)
		}
		if v := b.gh.TakeViolations(); len(v) > 0 {
			t.Errorf("requests outside GitHub's OpenAPI description: %v", v)
		}
		if url := r.outputs("plan")["comment-url"]; url == "" {
			t.Errorf("plan step set no comment-url output")
		}
		requireSecretsHidden(t, b, r, c.Body)
	})

	// The deployed stack differs from the committed configuration (a log retention
	// someone changed in the console), so deploy.yml's refreshing plan has changes and
	// its apply job runs. The change is made through the API, not by a terraform apply
	// with another variable: that apply cost as much CPU as the deploy's, and drift
	// outside terraform is what a deploy meets in a real account.
	t.Run("deploy.yml on push plans and applies the merged change", func(t *testing.T) {
		logs := cloudwatchlogs.NewFromConfig(b.cfg)
		if _, err := logs.PutRetentionPolicy(context.Background(), &cloudwatchlogs.PutRetentionPolicyInput{
			LogGroupName: aws.String(b.out.LogGroupName), RetentionInDays: aws.Int32(7)}); err != nil {
			t.Fatalf("change the log retention outside terraform: %v", err)
		}
		arts := t.TempDir()
		b.act.setArtifacts(arts)
		r := b.act.run(t, "push", "deploy.yml", "--eventpath", b.event(t, "push.json"))
		if r.err != nil {
			t.Fatalf("act deploy.yml: %v\n%s", r.err, r.stepLog())
		}
		downloaded(t, r)
		if ran := jobResults(r); ran["plan"] != "success" || ran["apply"] != "success" {
			t.Errorf("deploy.yml jobs %v, want plan and apply to succeed\n%s", ran, r.stepLog())
		}
		requireNoStateIn(t, arts, b.sha)
		b.requireStateBackup(t)
		groups, err := logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(b.out.LogGroupName)})
		if err != nil {
			t.Fatalf("describe the log group %s: %v", b.out.LogGroupName, err)
		}
		if len(groups.LogGroups) != 1 {
			t.Fatalf("%d log groups named %s*, want 1", len(groups.LogGroups), b.out.LogGroupName)
		}
		if got := aws.ToInt32(groups.LogGroups[0].RetentionInDays); got != 14 {
			t.Errorf("log retention %d days after deploy.yml's apply, want the committed 14", got)
		}
	})
}

// verifyStepID is the id act gives session.yml's verify step (it has a
// name but no id: act numbers it).
func verifyStepID(r actRun) string {
	for _, l := range r.lines {
		if len(l.StepID) == 1 && strings.Contains(l.Msg, "Verify the session") {
			return l.StepID[0]
		}
	}
	return "Verify the session"
}

// openExpired opens a session with jitsictl itself (as a run of session.yml
// would) and moves its expiry into the past, as if its hours had run out.
func (b *bed) openExpired(t *testing.T) {
	t.Helper()
	env := map[string]string{}
	for _, kv := range b.st.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range []string{"PATH", "HOME", tf.PluginMirrorEnv, tf.PluginCacheEnv} {
		env[k] = os.Getenv(k)
	}
	var stdout, stderr bytes.Buffer
	if code := cli.Run(testbed.Context(t), []string{"session", "open", "--dir", b.st.Dir, "--hours", "1"},
		cli.Env{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr}); code != 0 {
		t.Fatalf("jitsictl session open: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	v := b.record(t)
	if v.State != session.StateOpen {
		t.Fatalf("record state %q after open", v.State)
	}
	b.requireTerminalLinks(t, env, v.Record)
	v.ExpiresAt = time.Now().Add(-time.Minute).UTC()
	if _, err := b.store.Save(context.Background(), v.Record, v.ETag); err != nil {
		t.Fatalf("move the expiry into the past: %v", err)
	}
}

// event writes testdata/events/name with the workspace's commit as head sha.
func (b *bed) event(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, bytes.ReplaceAll(raw, []byte("HEAD_SHA"), []byte(b.sha)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
