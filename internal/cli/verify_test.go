package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/probe/probetest"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// liveStack is the real stack applied to moto with a session's NLB, the
// session served on its Elastic IPs (moto allocates them in 127.0.0.0/8):
// Jitsi's page over HTTPS on the TCP listener, JVB's silence on the UDP one,
// one registered (and, in moto, healthy) target per target group, and an
// open session record with a ledger in the state bucket.
type liveStack struct {
	emu    *testbed.Emulator
	st     *testbed.Stack
	out    testbed.Outputs
	cfg    aws.Config
	record session.Record
}

func newLiveStack(t *testing.T) *liveStack {
	t.Helper()
	emu := testbed.Moto(t)
	st := testbed.NewStack(t, emu)
	st.Apply(t, tf.Vars{"nlb_enabled": true})
	l := &liveStack{emu: emu, st: st, out: st.Outputs(t), cfg: emu.AWSConfig(t)}
	ctx := context.Background()

	vpc, err := netip.ParsePrefix(l.out.VPCCIDR)
	if err != nil {
		t.Fatalf("vpc_cidr output %q: %v", l.out.VPCCIDR, err)
	}
	a4 := vpc.Addr().As4()
	taskIP := netip.AddrFrom4([4]byte{a4[0], a4[1], 1, 25}).String()
	lbs := elb.NewFromConfig(l.cfg)
	for name, arn := range l.out.TargetGroupARNs {
		if _, err := lbs.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(arn),
			Targets: []elbtypes.TargetDescription{{Id: aws.String(taskIP)}}}); err != nil {
			t.Fatalf("register %s in target group %s: %v", taskIP, name, err)
		}
	}

	if len(l.out.EIPAddresses) == 0 {
		t.Fatal("the applied stack has no Elastic IPs")
	}
	ca := probetest.NewCA(t)
	cert := ca.Leaf(t, time.Now().Add(60*24*time.Hour), "meet.example.test")
	for _, ip := range l.out.EIPAddresses {
		if a, err := netip.ParseAddr(ip); err != nil || !a.IsLoopback() {
			t.Fatalf("moto allocated Elastic IP %s outside 127.0.0.0/8; this test serves the session on those addresses", ip)
		}
		probetest.HTTPS(t, net.JoinHostPort(ip, "443"), cert, probetest.Site(probetest.JitsiConfigInvite))
		probetest.Silent(t, net.JoinHostPort(ip, "10000"))
	}

	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	l.record = session.Record{
		State: session.StateOpen, OpenedAt: now.Add(-90 * time.Minute), ExpiresAt: now.Add(30 * time.Minute),
		TaskStartedAt: now.Add(-88 * time.Minute), NLBCreatedAt: now.Add(-90 * time.Minute),
		Addresses: l.out.EIPAddresses,
		Ledger: map[string]session.Ledger{
			month.Format("2006-01"):                   {Sessions: 1, Task: 50 * time.Minute, NLB: 55 * time.Minute, NLBHours: 1},
			month.AddDate(0, -1, 0).Format("2006-01"): {Sessions: 6, Task: 9 * time.Hour, NLB: 10 * time.Hour, NLBHours: 12},
		},
	}
	if _, err := l.store().Save(ctx, l.record, ""); err != nil {
		t.Fatalf("write the session record: %v", err)
	}
	return l
}

func (l *liveStack) store() session.Store {
	return session.Store{API: s3.NewFromConfig(l.cfg), Bucket: l.st.Bucket, Key: session.RecordKey(l.st.Key)}
}

// cliRun is one in-process jitsictl invocation.
type cliRun struct {
	code           int
	stdout, stderr string
	outputs        map[string]string
	summary        string
}

// jitsictl runs the real command tree against the stack. With actions set
// it runs as a GitHub Actions step (annotations, output and summary files).
func (l *liveStack) jitsictl(t *testing.T, env map[string]string, actions bool, args ...string) cliRun {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range l.st.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary.md")
	if actions {
		for _, p := range []string{outFile, sumFile} {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		vars["GITHUB_ACTIONS"], vars["GITHUB_OUTPUT"], vars["GITHUB_STEP_SUMMARY"] = "true", outFile, sumFile
	}
	for k, v := range env {
		vars[k] = v
	}
	var stdout, stderr bytes.Buffer
	r := cliRun{code: Run(testbed.Context(t), args, Env{Getenv: func(k string) string { return vars[k] }, Stdout: &stdout, Stderr: &stderr})}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	if actions {
		raw, _ := os.ReadFile(outFile)
		r.outputs = parseOutputFile(t, string(raw))
		sum, _ := os.ReadFile(sumFile)
		r.summary = string(sum)
	}
	return r
}

// parseOutputFile reads GITHUB_OUTPUT's name<<DELIMITER / value / DELIMITER blocks.
func parseOutputFile(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			if strings.TrimSpace(lines[i]) != "" {
				t.Errorf("GITHUB_OUTPUT line %q is not name<<delimiter", lines[i])
			}
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// verifyArgs runs verify through actions/verify's entry point, as the
// action does: inputs in INPUT_* variables.
func (l *liveStack) verifyInputs() map[string]string {
	return map[string]string{
		"INPUT_WORKING-DIRECTORY": l.st.Dir,
		"INPUT_STUN-ATTEMPTS":     "1",
		"INPUT_STUN-TIMEOUT":      "100ms",
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// These subtests share one applied stack with an open session (an apply on
// moto takes about a minute) and one moto, so they run one after another: the
// read-only ones first, then the deploys, then the close.
func TestVerifyCostAndDeployOnMoto(t *testing.T) {
	// Parallel with the deploy test (which has a moto of its own); the tests
	// that reset the shared moto are sequential, so they finish before this starts.
	t.Parallel()
	l := newLiveStack(t)
	documented := verifyOutputNames()

	t.Run("actions step: outputs, summary table and chart", func(t *testing.T) {
		r := l.jitsictl(t, l.verifyInputs(), true, "gha", "verify")
		t.Logf("log:\n%s\nstep summary:\n%s", r.stdout, r.summary)
		if r.code != ExitOK {
			t.Fatalf("exit %d, want 0 for a served session\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for name := range documented {
			if r.outputs[name] == "" {
				t.Errorf("output %s is not set; outputs: %v", name, r.outputs)
			}
		}
		// The certificate is not from a public CA and no domain is set: WARN.
		// JVB stays silent to STUN: UNCONFIRMED. The TCP listener answers.
		want := map[string]string{"result": "warn", "udp": "unconfirmed", "tcp": "pass", "https": "warn"}
		for k, v := range want {
			if r.outputs[k] != v {
				t.Errorf("output %s = %q, want %q\nlog:\n%s", k, r.outputs[k], v, r.stdout)
			}
		}
		for _, k := range []string{"cost-per-hour", "session-cost", "month-estimate"} {
			if m, err := cost.ParseMoney(r.outputs[k]); err != nil || m <= 0 {
				t.Errorf("output %s = %q, want a positive plain decimal", k, r.outputs[k])
			}
		}
		for _, want := range []string{"| Check | Target | Status |", "advertised-address", "invite via", "### Session cost", "```mermaid\nxychart-beta", "Month to date against the whole previous month"} {
			if !strings.Contains(r.summary, want) {
				t.Errorf("step summary lacks %q:\n%s", want, r.summary)
			}
		}
		if strings.Contains(r.stdout, "::error::") {
			t.Errorf("error annotations on a passing run:\n%s", r.stdout)
		}
	})

	t.Run("wrong advertised address fails with both addresses named", func(t *testing.T) {
		ctx := context.Background()
		params := ssm.NewFromConfig(l.cfg)
		name := l.out.AdvertiseIPsParameterName
		old, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		put := func(v string) {
			t.Helper()
			if _, err := params.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(v),
				Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}
		put("203.0.113.9")
		defer put(aws.ToString(old.Parameter.Value))

		r := l.jitsictl(t, l.verifyInputs(), true, "gha", "verify")
		if r.code != ExitFailure {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
		}
		var annotation string
		for _, line := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(line, "::error::verify advertised-address") {
				annotation = line
			}
		}
		if annotation == "" {
			t.Fatalf("no error annotation for the advertised address:\n%s", r.stdout)
		}
		for _, ip := range append([]string{"203.0.113.9"}, l.out.EIPAddresses...) {
			if !strings.Contains(annotation, ip) {
				t.Errorf("annotation does not name %s: %s", ip, annotation)
			}
		}
		if r.outputs["result"] != "fail" {
			t.Errorf("result output %q, want fail", r.outputs["result"])
		}
	})

	t.Run("json output parses", func(t *testing.T) {
		r := l.jitsictl(t, nil, false, "verify", "--dir", l.st.Dir, "--output", "json", "--stun-attempts", "1", "--stun-timeout", "100ms")
		if r.code != ExitOK {
			t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
		}
		var doc struct {
			Failed  bool              `json:"failed"`
			Results []json.RawMessage `json:"results"`
			Outputs map[string]string `json:"outputs"`
			Cost    struct {
				PerHour       cost.Money `json:"cost_per_hour"`
				Session       cost.Money `json:"session_cost"`
				MonthEstimate cost.Money `json:"month_estimate"`
				PreviousMonth cost.Money `json:"previous_month_estimate"`
				Delta         cost.Money `json:"delta_vs_previous_month"`
			} `json:"cost"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
		}
		if doc.Failed || len(doc.Results) < 8 || doc.Cost.PerHour <= 0 || doc.Cost.Delta != doc.Cost.MonthEstimate-doc.Cost.PreviousMonth {
			t.Errorf("JSON document: %+v", doc)
		}
		for name := range documented {
			if doc.Outputs[name] == "" {
				t.Errorf("JSON outputs lack %s: %v", name, doc.Outputs)
			}
		}
	})

	t.Run("doctor passes on an applied stack", func(t *testing.T) {
		r := l.jitsictl(t, nil, false, "doctor", "--dir", l.st.Dir)
		if r.code != ExitOK {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for _, check := range []string{"AWS identity", "Terraform >= 1.11", "Terraform initialised", "State backend reachable", "Stack outputs readable"} {
			if !regexp.MustCompile(regexp.QuoteMeta(check) + `\s+PASS`).MatchString(r.stdout) {
				t.Errorf("%q is not a PASS row:\n%s", check, r.stdout)
			}
		}
	})

	t.Run("cost figures follow the cost model", func(t *testing.T) {
		ctx := context.Background()
		// The session shape, read independently of the command.
		task, err := cost.ReadTaskSize(ctx, ecs.NewFromConfig(l.cfg), l.out.TaskDefinitionFamily)
		if err != nil {
			t.Fatal(err)
		}
		shape := cost.Session{Task: task, NLBAddresses: int64(len(l.out.EIPAddresses)), TaskPublicIP: true, // ecs.tf: assign_public_ip = true
			Participants: cost.DefaultParticipants, DownKbps: cost.DefaultDownKbps, UpKbps: cost.DefaultUpKbps}
		idle, err := cost.ReadIdle(ctx, cost.IdleSources{
			S3: s3.NewFromConfig(l.cfg), SSM: ssm.NewFromConfig(l.cfg), Route53: route53.NewFromConfig(l.cfg),
			Logs: cloudwatchlogs.NewFromConfig(l.cfg), Addresses: ec2.NewFromConfig(l.cfg),
		}, cost.IdleNames{Buckets: []string{l.out.BucketName}, ParameterPrefix: l.out.SSMParameterPrefix,
			Zones: cost.ZoneFilter{TagKey: "Project", TagValue: l.out.Project}, LogGroupPrefix: l.out.LogGroupName})
		if err != nil {
			t.Fatal(err)
		}
		prices := usEast1(t)
		at := func(now time.Time) (session, month cost.Money) {
			rec, usage := l.record, cost.Usage{Task: now.Sub(l.record.TaskStartedAt), NLB: now.Sub(l.record.NLBCreatedAt)}
			usage.Media = usage.NLB
			sess := prices.SessionCost(shape, usage).Total
			m := now.UTC().Format("2006-01")
			b := rec.Ledger[m]
			booked := prices.BookedCost(shape, cost.Booked{Sessions: b.Sessions, Task: b.Task, NLB: b.NLB, NLBHours: b.NLBHours, Media: b.NLB}).Total
			return sess, cost.MonthToDate(prices.IdlePerMonth(idle).Total, []cost.Money{booked, sess}, now)
		}
		before := time.Now()
		r := l.jitsictl(t, nil, false, "verify", "--dir", l.st.Dir, "--output", "json", "--stun-attempts", "1", "--stun-timeout", "100ms")
		after := time.Now()
		var doc struct {
			Cost cost.SessionFigures `json:"cost"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		f := doc.Cost
		if want := prices.RunningPerHour(shape).Total; f.PerHour != want {
			t.Errorf("cost per hour %s, want %s for %s", f.PerHour, want, shape.Task)
		}
		// The command prices at its own now, somewhere in [before, after].
		s0, m0 := at(before)
		s1, m1 := at(after)
		if f.Session < s0 || f.Session > s1 {
			t.Errorf("session cost %s outside [%s, %s]", f.Session, s0, s1)
		}
		if f.MonthEstimate < m0 || f.MonthEstimate > m1 {
			t.Errorf("month estimate %s outside [%s, %s]", f.MonthEstimate, m0, m1)
		}
		prevMonth := time.Date(before.UTC().Year(), before.UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
		p := l.record.Ledger[prevMonth]
		wantPrev := prices.IdlePerMonth(idle).Total + prices.BookedCost(shape, cost.Booked{Sessions: p.Sessions, Task: p.Task, NLB: p.NLB, NLBHours: p.NLBHours, Media: p.NLB}).Total
		if f.PreviousMonth != wantPrev {
			t.Errorf("previous month %s, want %s", f.PreviousMonth, wantPrev)
		}
		// Six sessions last month against one and a half this month, so far.
		if f.Delta >= 0 || f.Delta != f.MonthEstimate-f.PreviousMonth {
			t.Errorf("delta %s (month %s, previous %s): want the negative difference", f.Delta, f.MonthEstimate, f.PreviousMonth)
		}
	})

	t.Run("one sticky comment after two runs; a fork's token writes the summary only", func(t *testing.T) {
		gh := fakegithub.New(t)
		gh.AddToken("rw-token-secret", github.DefaultAuthor, fakegithub.ReadWrite)
		gh.AddToken("ro-token-secret", github.DefaultAuthor, fakegithub.ReadOnly)
		gh.Seed("octo", "meet", 7, "someone", "unrelated comment")
		event := func(kind string, n int) string {
			p := filepath.Join(t.TempDir(), "event.json")
			if err := os.WriteFile(p, fmt.Appendf(nil, `{%q:{"number":%d}}`, kind, n), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		gha := map[string]string{"GITHUB_REPOSITORY": "octo/meet", "GITHUB_API_URL": gh.URL,
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "99"}
		pr := merge(l.verifyInputs(), gha, map[string]string{"GITHUB_EVENT_PATH": event("pull_request", 7), "GITHUB_TOKEN": "rw-token-secret"})
		for i := range 2 {
			r := l.jitsictl(t, pr, true, "gha", "verify")
			if r.code != ExitOK {
				t.Fatalf("run %d: exit %d\n%s", i+1, r.code, r.stdout)
			}
			// Only the runner's mask command may carry it (the runner hides it from then on).
			log := strings.ReplaceAll(r.stdout, "::add-mask::rw-token-secret\n", "")
			if strings.Contains(log+r.stderr+r.summary, "rw-token-secret") {
				t.Fatalf("run %d: the token reached the log or summary:\n%s", i+1, log)
			}
			if !strings.Contains(r.stdout, "::add-mask::rw-token-secret\n") {
				t.Errorf("run %d: the token is not masked", i+1)
			}
		}
		var ours []fakegithub.Comment
		for _, c := range gh.Comments("octo", "meet", 7) {
			if strings.Contains(c.Body, cost.SessionMarker) {
				ours = append(ours, c)
			}
		}
		if len(ours) != 1 {
			t.Fatalf("%d cost comments after two runs, want one sticky comment: %+v", len(ours), gh.Comments("octo", "meet", 7))
		}
		c := ours[0]
		if c.Author != github.DefaultAuthor || !strings.Contains(c.Body, "### Session cost") || !strings.Contains(c.Body, "xychart-beta") ||
			strings.Contains(c.Body, "secret") || c.UpdatedAt.Equal(c.CreatedAt) {
			t.Errorf("sticky comment (author %s, created %s, updated %s):\n%s", c.Author, c.CreatedAt, c.UpdatedAt, c.Body)
		}

		// An issue event with a read-only token: no comment, success, the summary holds the cost.
		fork := merge(l.verifyInputs(), gha, map[string]string{"GITHUB_EVENT_PATH": event("issue", 8), "GITHUB_TOKEN": "ro-token-secret"})
		r := l.jitsictl(t, fork, true, "gha", "verify")
		if r.code != ExitOK {
			t.Fatalf("read-only token: exit %d\n%s", r.code, r.stdout)
		}
		if n := len(gh.Comments("octo", "meet", 8)); n != 0 {
			t.Errorf("read-only token: %d comments on #8", n)
		}
		if !strings.Contains(r.summary, "### Session cost") || !strings.Contains(r.stdout+r.stderr, "job summary only") {
			t.Errorf("read-only token: the cost is not in the summary, or the log does not say why there is no comment\nlog:\n%s%s", r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "::warning::cost comment") {
			t.Errorf("a read-only token is expected on forks, not a warning:\n%s", r.stdout)
		}
	})

	// Last: this removes the NLB.
	rolledBack := t.Run("a failed stage keeps earlier stages and rollback converges", func(t *testing.T) { testFailedStageAndRollback(t, l) })
	t.Run("a deploy during an open session keeps the NLB", func(t *testing.T) {
		if !rolledBack {
			t.Skip("not run: the stack was not rolled back to the shipped configuration (see the failed subtest)")
		}
		testDeployDuringOpenSession(t, l)
	})

	t.Run("session close prices the session it closed", func(t *testing.T) {
		r := l.jitsictl(t, nil, true, "session", "close", "--now", "--dir", l.st.Dir)
		if r.code != ExitOK {
			t.Fatalf("session close: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		v, err := l.store().Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v.State != session.StateClosed || v.LastUsage == nil {
			t.Fatalf("record after close: state %s, last usage %v", v.State, v.LastUsage)
		}
		task, err := cost.ReadTaskSize(context.Background(), ecs.NewFromConfig(l.cfg), l.out.TaskDefinitionFamily)
		if err != nil {
			t.Fatal(err)
		}
		shape := cost.Session{Task: task, NLBAddresses: int64(len(l.out.SubnetIDs)), TaskPublicIP: true,
			Participants: cost.DefaultParticipants, DownKbps: cost.DefaultDownKbps, UpKbps: cost.DefaultUpKbps}
		u := v.LastUsage
		want := usEast1(t).SessionCost(shape, cost.Usage{Task: u.Task, NLB: u.NLB, Media: u.NLB}).Total
		if got, err := cost.ParseMoney(r.outputs["session-cost"]); err != nil || got != want.Round(2) {
			t.Errorf("session-cost output %q, want %s (the record's last usage %+v priced)", r.outputs["session-cost"], want.Cents(), *u)
		}
		if r.outputs["state"] != "closed" || r.outputs["month-estimate"] == "" || r.outputs["cost-per-hour"] == "" {
			t.Errorf("close outputs: %v", r.outputs)
		}
		if !strings.Contains(r.summary, "### Session close: closed") || !strings.Contains(r.summary, "This session, closed") {
			t.Errorf("close summary lacks the timeline or the cost:\n%s", r.summary)
		}

		// verify with nothing open fails, skips the probes, and still reports
		// the closed session's cost rather than an empty live one.
		after := l.jitsictl(t, l.verifyInputs(), true, "gha", "verify")
		if after.code != ExitFailure || after.outputs["tcp"] != "skipped" || after.outputs["udp"] != "skipped" {
			t.Errorf("verify after close: exit %d, outputs %v", after.code, after.outputs)
		}
		if after.outputs["session-cost"] != r.outputs["session-cost"] || !strings.Contains(after.summary, "This session, closed") {
			t.Errorf("verify after close: session-cost %q (close said %q), summary:\n%s", after.outputs["session-cost"], r.outputs["session-cost"], after.summary)
		}
	})
}

// actions/verify's inputs are validated before anything runs: a bad one is
// exit 2 naming the input, and no value becomes a flag or a shell word.
func TestVerifyActionRejectsBadInputs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ input, value, want string }{
		{"STUN-ATTEMPTS", "0", "input stun-attempts"},
		{"STUN-ATTEMPTS", "3 --output=json", "input stun-attempts"},
		{"STUN-ATTEMPTS", "100", "input stun-attempts"},
		{"STUN-TIMEOUT", "1h", "input stun-timeout"},
		{"STUN-TIMEOUT", "$(id)", "input stun-timeout"},
	} {
		code, _, stderr := run(t, map[string]string{"INPUT_" + c.input: c.value}, "gha", "verify")
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("INPUT_%s=%q: exit %d, stderr %q; want exit 2 naming %s", c.input, c.value, code, stderr, c.want)
		}
	}
}

// usEast1 is the embedded table's us-east-1, which the emulator's stack is priced with.
func usEast1(t *testing.T) *cost.RegionPrices {
	t.Helper()
	table, err := cost.Embedded()
	var r *cost.RegionPrices
	if err == nil {
		r, err = table.Lookup("us-east-1")
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}
