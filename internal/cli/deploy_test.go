package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/jitsictl/jitsictl/internal/fakegithub"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/prcomment"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/stage"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// legacyStack is the pre-migration fixture (testdata/legacy) applied to moto, with the
// current terraform/ initialised against the same state: what a user has on the day the
// migration merges.
type legacyStack struct {
	*liveStack
	config string // the shipped jitsictl.yaml
}

func newLegacyStack(t *testing.T) *legacyStack {
	t.Helper()
	emu := testbed.PrivateMoto(t)
	st := testbed.NewStack(t, emu)

	dir := filepath.Join(t.TempDir(), "legacy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(testbed.RepoRoot(t), "testdata", "legacy", "*.tf"))
	if len(files) == 0 {
		t.Fatal("testdata/legacy has no .tf files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log, err := os.Create(filepath.Join(filepath.Dir(dir), "legacy.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	ctx := context.Background()
	// The fixture predates create_iam_roles: only the emulator's S3 setting applies.
	r, err := tf.New(ctx, dir, tf.WithEnv(emu.Env()), tf.WithVars(tf.Vars{"s3_use_path_style": emu.TFVars()["s3_use_path_style"]}), tf.WithProgress(log))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, backendFile(st)); err != nil {
		t.Fatal(err)
	}
	testbed.DropProviderHashes(t, dir)
	if err := r.Apply(ctx, nil, nil); err != nil {
		t.Fatalf("apply the legacy fixture: %v (log: %s)", err, log.Name())
	}
	return &legacyStack{
		liveStack: &liveStack{emu: emu, st: st, cfg: emu.AWSConfig(t)},
		config:    shippedConfig(t),
	}
}

// shippedConfig is the repository's jitsictl.yaml.
func shippedConfig(t *testing.T) string {
	return filepath.Join(testbed.RepoRoot(t), "jitsictl.yaml")
}

// backendFile is the backend configuration testbed wrote beside the stack.
func backendFile(st *testbed.Stack) string {
	return filepath.Join(filepath.Dir(st.Dir), "backend.hcl")
}

func (l *liveStack) deploy(t *testing.T, env map[string]string, args ...string) cliRun {
	t.Helper()
	r := l.jitsictl(t, env, true, append(append([]string{"deploy"}, args...), "--dir", l.st.Dir)...)
	// As an Actions step, errors and notices are workflow commands on stdout; terraform's
	// progress is on stderr. The assertions read both as the job log shows them.
	r.stderr = r.stdout + r.stderr
	return r
}

func (l *legacyStack) secretParams() []string {
	return []string{"/jitsi/secrets/JICOFO_AUTH_PASSWORD", "/jitsi/secrets/JVB_AUTH_PASSWORD", "/jitsi/session/advertise-ips"}
}

// readable returns the parameters of names that exist (values are read and dropped).
func (l *legacyStack) readable(t *testing.T, names []string) []string {
	t.Helper()
	out, err := ssm.NewFromConfig(l.cfg).GetParameters(context.Background(), &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range out.Parameters {
		got = append(got, aws.ToString(p.Name))
	}
	return got
}

func (l *liveStack) service(t *testing.T) (taskDef string, desired int32) {
	t.Helper()
	out, err := ecs.NewFromConfig(l.cfg).DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("jitsi"), Services: []string{"jitsi"}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe the service: %v %+v", err, out)
	}
	return aws.ToString(out.Services[0].TaskDefinition), out.Services[0].DesiredCount
}

// secretLive asks Secrets Manager, through the AWS CLI (the module has no Secrets Manager
// SDK client, and one test does not justify adding it), whether the legacy secret exists
// and is not scheduled for deletion.
func (l *legacyStack) secretLive(t *testing.T) bool {
	t.Helper()
	cmd := exec.Command("aws", "secretsmanager", "list-secrets", "--region", testbed.Region,
		"--filters", "Key=name,Values=jitsi/xmpp", "--query", "SecretList[?Name=='jitsi/xmpp' && DeletedDate==null] | length(@)", "--output", "text")
	for _, kv := range append(os.Environ(), l.emu.Env()...) {
		// awscli v1 takes an empty AWS_PROFILE for a profile named "".
		if !strings.HasPrefix(kv, "AWS_PROFILE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws secretsmanager list-secrets (install awscli): %v\n%s", err, b)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("list-secrets answered %q", b)
	}
	return n > 0
}

func readReviewed(t *testing.T, dir string) stage.Reviewed {
	t.Helper()
	r, err := stage.ReadReviewed(filepath.Join(dir, stage.ReviewedFile))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The seed's migration, run the way an operator would: plan on the pull request (with
// the sticky comment), a refused apply of a changed configuration, a refused policy,
// stage 1 alone, then the remaining stages. The subtests share one moto and one stack
// (each apply on moto takes about a minute), so they run in order and each depends on the
// one before. A failed stage with its rollback, and a deploy during an open session, run
// on TestVerifyCostAndDeployOnMoto's stack: this test is the package's longest.
func TestDeployMigrationOnMoto(t *testing.T) {
	t.Parallel() // on a moto of its own: the longest test here overlaps the others
	l := newLegacyStack(t)
	legacyTaskDef, _ := l.service(t)
	if !l.secretLive(t) || len(l.readable(t, l.secretParams())) != 0 {
		t.Fatal("the legacy fixture should have its Secrets Manager secret and no SSM parameters")
	}

	gh := fakegithub.New(t)
	gh.AddToken("rw-token", github.DefaultAuthor, fakegithub.ReadWrite)
	gh.AddToken("fork-token", github.DefaultAuthor, fakegithub.ReadOnly)
	ghEnv := func(token string) map[string]string {
		return map[string]string{"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/meet", "GITHUB_API_URL": gh.URL}
	}
	plan1 := t.TempDir()
	// A look-alike of the plan comment by someone else, first on the pull request: it must
	// be neither edited nor trusted for hashes.
	fake := prcomment.Marker("") + "\n<!-- jitsictl:reviewed {\"parameters\":\"sha256:00\"} -->\n"
	gh.Seed("acme", "meet", 7, "mallory", fake)

	t.Run("plan comments on the pull request", func(t *testing.T) {
		// As .github/workflows/plan.yml plans a pull request: --refresh=false (the plan
		// role may not read the stack's secrets). Stage 1 applies later from this
		// comment's hashes with a refreshing plan, which must match them.
		//
		// The first push plans stage 1 only, the second every stage: the sticky comment
		// must then be the second push's, updated in place. (Planning all three stages
		// twice would prove nothing more and cost two full plans.)
		for push := 1; push <= 2; push++ {
			args := []string{"plan", "--refresh=false", "--config", l.config, "--out", plan1, "--pr-comment", "--pr", "7"}
			destroys := func(d string) bool { return d != "0" } // stage 3 deletes the legacy secret
			if push == 1 {
				args = append(args, "--stage", "parameters")
				destroys = func(d string) bool { return d == "0" } // stage 1 creates only
			}
			r := l.deploy(t, ghEnv("rw-token"), args...)
			if r.code != ExitOK {
				t.Fatalf("push %d: deploy plan exit %d\n%s", push, r.code, r.stderr)
			}
			if r.outputs["has-changes"] != "true" || !destroys(r.outputs["destroys"]) || !strings.HasPrefix(r.outputs["plan-hash"], "sha256:") {
				t.Errorf("push %d: outputs %v", push, r.outputs)
			}
			if _, err := os.Stat(r.outputs["summary-path"]); err != nil {
				t.Errorf("push %d: summary-path: %v", push, err)
			}
			if push == 1 {
				c := gh.Comments("acme", "meet", 7)
				if len(c) != 2 {
					t.Fatalf("push 1: %d comments, want mallory's and one sticky comment", len(c))
				}
				if h, err := prcomment.ReviewedHashes(c[1].Body); err != nil || len(h) != 1 || h["parameters"] == "" {
					t.Fatalf("push 1 (stage 1 only): the comment's hashes are %v (%v)", h, err)
				}
			}
		}
		comments := gh.Comments("acme", "meet", 7)
		if len(comments) != 2 || comments[0].Body != fake {
			t.Fatalf("%d comments after two pushes, want mallory's untouched and one sticky comment", len(comments))
		}
		if comments[1].UpdatedAt.Equal(comments[1].CreatedAt) {
			t.Errorf("the sticky comment was not updated by the second push (created %s, updated %s)", comments[1].CreatedAt, comments[1].UpdatedAt)
		}
		body := comments[1].Body
		for _, want := range []string{"parameters", "service", "everything", "aws_secretsmanager_secret.jitsi", "aws_ssm_parameter.secret"} {
			if !strings.Contains(body, want) {
				t.Errorf("comment lacks %q", want)
			}
		}
		hashes, err := prcomment.ReviewedHashes(body)
		if err != nil {
			t.Fatal(err)
		}
		rev := readReviewed(t, plan1)
		if len(rev.Stages) != 3 {
			t.Fatalf("reviewed.json %+v", rev)
		}
		for name, h := range rev.Stages {
			if hashes[name] != h {
				t.Errorf("stage %s: comment records %q, reviewed.json %q", name, hashes[name], h)
			}
		}

		// A fork's read-only token: the plan goes to the job summary, and the step succeeds.
		// (One stage is enough here, and keeps the suite shorter.)
		r := l.deploy(t, ghEnv("fork-token"), "plan", "--config", l.config, "--out", t.TempDir(), "--stage", "1", "--pr-comment", "--pr", "8")
		if r.code != ExitOK {
			t.Fatalf("fork plan exit %d\n%s", r.code, r.stderr)
		}
		if len(gh.Comments("acme", "meet", 8)) != 0 || !strings.Contains(r.summary, "aws_ssm_parameter.secret") {
			t.Errorf("fork: comments %v, summary %d bytes", gh.Comments("acme", "meet", 8), len(r.summary))
		}
	})

	t.Run("stage 1 plans creates only", func(t *testing.T) {
		// Guards the next subtests: they are meaningful only if stage 1 creates parameters.
		tp, err := l.st.Runner.ShowPlan(context.Background(), filepath.Join(plan1, "stage-1-parameters.tfplan"))
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range tp.ResourceChanges {
			if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Create() && !rc.Change.Actions.Read() {
				t.Errorf("stage 1 plans %v %s", rc.Change.Actions, rc.Address)
			}
		}
	})

	t.Run("a change set other than the reviewed one is refused", func(t *testing.T) {
		path := filepath.Join(l.st.Dir, "secrets.tf")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(orig), "Comma-separated public IPs JVB advertises", "Public IPs JVB advertises, comma-separated", 1)
		if changed == string(orig) {
			t.Fatal("secrets.tf no longer has the advertise_ips description this test edits")
		}
		if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		r := l.deploy(t, nil, "apply", "--config", l.config, "--out", t.TempDir(), "--reviewed", filepath.Join(plan1, stage.ReviewedFile))
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if r.code != ExitFailure || !strings.Contains(r.stderr, "not the one reviewed") || !strings.Contains(r.stderr, "Nothing of stage 1 (parameters) was applied") {
			t.Fatalf("exit %d, want a refusal:\n%s", r.code, r.stderr)
		}
		if got := l.readable(t, l.secretParams()); len(got) != 0 {
			t.Errorf("a refused deploy created %v", got)
		}
	})

	t.Run("a stage that breaks its policy stops before any apply", func(t *testing.T) {
		shipped, err := os.ReadFile(l.config)
		if err != nil {
			t.Fatal(err)
		}
		strict := strings.Replace(string(shipped), "allow: [create]", "allow: [update]", 1)
		cfg := filepath.Join(t.TempDir(), "jitsictl.yaml")
		if err := os.WriteFile(cfg, []byte(strict), 0o644); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		// Stage 1 is the one whose policy breaks; planning stages 2 and 3 too (two more
		// plans of the whole stack) would show nothing about it.
		r := l.deploy(t, nil, "plan", "--config", cfg, "--out", out, "--stage", "parameters")
		if r.code != ExitFailure || !strings.Contains(r.stderr, "policy allows only update") {
			t.Fatalf("plan exit %d, want a policy failure:\n%s", r.code, r.stderr)
		}
		r = l.deploy(t, nil, "apply", "--config", cfg, "--out", out, "--reviewed", filepath.Join(out, stage.ReviewedFile))
		if r.code != ExitFailure || !strings.Contains(r.stderr, "create aws_ssm_parameter.secret") {
			t.Fatalf("apply exit %d, want a policy refusal:\n%s", r.code, r.stderr)
		}
		if got := l.readable(t, l.secretParams()); len(got) != 0 {
			t.Errorf("a policy failure still created %v", got)
		}
	})

	var backup string
	t.Run("stage 1 creates the parameters and leaves the service alone", func(t *testing.T) {
		out := t.TempDir()
		// The hashes come from the sticky comment this time (the same as reviewed.json, as
		// the first subtest checked); mallory's look-alike comment above it is ignored.
		r := l.deploy(t, ghEnv("rw-token"), "apply", "--config", l.config, "--out", out, "--stage", "parameters", "--reviewed", "pr:7")
		if r.code != ExitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if got := l.readable(t, l.secretParams()); len(got) != 3 {
			t.Errorf("readable parameters after stage 1: %v", got)
		}
		if td, n := l.service(t); td != legacyTaskDef || n != 0 {
			t.Errorf("stage 1 touched the service: %s x%d, was %s x0", td, n, legacyTaskDef)
		}
		if !l.secretLive(t) {
			t.Error("stage 1 removed the Secrets Manager secret: the running configuration still reads it")
		}
		local := r.outputs["backup-path"]
		if b, err := os.ReadFile(local); err != nil || !strings.Contains(string(b), "aws_secretsmanager_secret") {
			t.Errorf("local backup %q: %v", local, err)
		}
		backup = r.outputs["state-backup"]
		if !strings.HasPrefix(backup, "s3://"+l.st.Bucket+"/jitsi/backups/") {
			t.Errorf("state-backup output %q: want a copy beside the state object", backup)
		}
	})

	t.Run("restore-state refuses the older backup", func(t *testing.T) {
		if backup == "" {
			t.Skip("no backup: stage 1 failed")
		}
		r := l.deploy(t, nil, "restore-state", backup)
		if r.code != ExitFailure || !strings.Contains(r.stderr, "older than the current state") {
			t.Fatalf("exit %d, want a refusal:\n%s", r.code, r.stderr)
		}
	})

	t.Run("the remaining stages migrate and converge", func(t *testing.T) {
		out := t.TempDir()
		if r := l.deploy(t, nil, "plan", "--config", l.config, "--out", out); r.code != ExitOK {
			t.Fatalf("plan exit %d\n%s", r.code, r.stderr)
		}
		r := l.deploy(t, nil, "apply", "--config", l.config, "--out", out, "--reviewed", filepath.Join(out, stage.ReviewedFile))
		if r.code != ExitOK {
			t.Fatalf("apply exit %d\n%s", r.code, r.stderr)
		}
		// The closing full plan (every stage, the same variables and state as a plan of
		// our own would use) ran and was empty: apply fails when it has changes.
		if !strings.Contains(r.stderr, "final full plan done in") {
			t.Errorf("apply did not run the closing full plan:\n%s", r.stderr)
		}
		if l.secretLive(t) {
			t.Error("the Secrets Manager secret survived stage 3")
		}
		if td, _ := l.service(t); td == legacyTaskDef {
			t.Error("the service still runs the legacy task definition")
		}
	})

}

// testFailedStageAndRollback: a stage whose check fails stops the deploy with the earlier
// stages applied and says how to roll back; the rollback is planned (a hash, like a pull
// request's plan) and then applied exactly as planned. It runs on the live stack of
// TestVerifyCostAndDeployOnMoto (the current configuration, applied, a session open):
// on the migration's stack it lengthened that test, the suite's longest, by a quarter.
func testFailedStageAndRollback(t *testing.T, l *liveStack) {
	repo := filepath.Dir(l.st.Dir)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, ".gitignore"), []byte(".terraform/\n*.log\n*.hcl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-qm", "v1")
	edit(t, filepath.Join(l.st.Dir, "secrets.tf"), "Comma-separated public IPs JVB advertises", "Public IPs JVB advertises")
	edit(t, filepath.Join(l.st.Dir, "variables.tf"), "default     = 4096", "default     = 2048")
	git("commit", "-qam", "v2")

	// Stage 2 expects the service untouched, which a new task size cannot satisfy.
	cfg := filepath.Join(t.TempDir(), "jitsictl.yaml")
	if err := os.WriteFile(cfg, []byte(`deploy:
  stages:
    - name: params
      targets: [aws_ssm_parameter.advertise_ips]
      allow: [update]
      expect: [parameters-readable]
    - name: service
      targets: [aws_ecs_task_definition.jitsi, aws_ecs_service.jitsi]
      allow: [create, update, replace]
      expect: [service-unchanged]
    - name: everything
      allow: [create, update, replace, delete]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// A refreshing plan: the verify subtests before this one rewrote the advertised
	// addresses' parameter outside Terraform (a new parameter version), drift that a
	// pull request's plan without refresh does not see and the apply's refreshing
	// re-plan rightly refuses as not the reviewed plan.
	if r := l.deploy(t, nil, "plan", "--config", cfg, "--out", out); r.code != ExitOK {
		t.Fatalf("plan exit %d\n%s", r.code, r.stderr)
	}
	r := l.deploy(t, nil, "apply", "--config", cfg, "--out", out, "--reviewed", filepath.Join(out, stage.ReviewedFile))
	if r.code != ExitFailure {
		t.Fatalf("apply exit %d, want stage 2 to fail\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"stage 2 (service) failed", "check service-unchanged", "Applied and left in place: stage 1 (params)", "jitsictl deploy rollback --ref HEAD~1", "jitsictl deploy restore-state s3://" + l.st.Bucket + "/"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("failure report lacks %q:\n%s", want, r.stderr)
		}
	}
	if d := l.paramDescription(t, "/jitsi/session/advertise-ips"); !strings.HasPrefix(d, "Public IPs JVB advertises") {
		t.Errorf("stage 1 was not left applied: description %q", d)
	}

	// The rollback is planned (a hash, like a pull request's plan) and then applied
	// exactly as planned.
	rb := t.TempDir()
	r = l.deploy(t, nil, "rollback", "--ref", "HEAD~1", "--backend-config", backendFile(l.st), "--out", rb)
	if r.code != ExitOK {
		t.Fatalf("rollback plan exit %d\n%s", r.code, r.stderr)
	}
	if d := l.paramDescription(t, "/jitsi/session/advertise-ips"); !strings.HasPrefix(d, "Public IPs JVB advertises") {
		t.Errorf("planning the rollback changed the description to %q", d)
	}
	rev, err := stage.ReadReviewed(filepath.Join(rb, stage.ReviewedFile))
	if err != nil || rev.Stages["rollback"] == "" {
		t.Fatalf("rollback plan wrote no hash: %v %+v", err, rev)
	}
	r = l.deploy(t, nil, "rollback", "--ref", "HEAD~1", "--backend-config", backendFile(l.st), "--out", rb, "--reviewed", filepath.Join(rb, stage.ReviewedFile))
	if r.code != ExitOK {
		t.Fatalf("rollback apply exit %d\n%s", r.code, r.stderr)
	}
	if d := l.paramDescription(t, "/jitsi/session/advertise-ips"); !strings.HasPrefix(d, "Comma-separated") {
		t.Errorf("rollback left the description %q", d)
	}
	if cpu := l.taskCPU(t); cpu != "4096" {
		t.Errorf("rollback left the task at %s CPU units", cpu)
	}
	git("checkout", "-q", "HEAD~1", "--", ".")
}

// testDeployDuringOpenSession: a deploy while a session is open plans and applies with
// the session's NLB kept.
func testDeployDuringOpenSession(t *testing.T, l *liveStack) {
	nlb := l.st.Outputs(t).NLBArn
	if nlb == "" {
		t.Fatal("the live stack has no NLB")
	}
	if v, err := l.store().Load(context.Background()); err != nil || v.State != session.StateOpen {
		t.Fatalf("the live stack's session record: %+v, %v; want an open session", v.Record, err)
	}
	out := t.TempDir()
	// The last stage only: it is the full plan, the one that could destroy the NLB.
	// Every stage's plan gets the same nlb_enabled from the record, and stages 1 and
	// 2 are -target subsets of this plan (the migration test plans and applies all
	// three), so planning them here again would show nothing more.
	const last = "everything"
	// Through actions/deploy's entry point, inputs as the action maps them.
	r := l.jitsictl(t, map[string]string{
		"INPUT_COMMAND": "plan", "INPUT_OUT": out, "INPUT_CONFIG": shippedConfig(t), "INPUT_WORKING-DIRECTORY": l.st.Dir,
		"INPUT_STAGE": last,
		// As plan.yml plans a pull request while a session is open; the apply below
		// refreshes and must match it.
		"INPUT_REFRESH": "false",
	}, true, "gha", "deploy")
	r.stderr = r.stdout + r.stderr
	if r.code != ExitOK || r.outputs["destroys"] != "0" || r.outputs["has-changes"] != "false" {
		t.Fatalf("plan exit %d, outputs %v\n%s", r.code, r.outputs, r.stderr)
	}
	if !strings.Contains(r.stderr, "nlb_enabled = true") {
		t.Errorf("plan did not say it keeps the session's NLB:\n%s", r.stderr)
	}
	r = l.deploy(t, nil, "apply", "--config", shippedConfig(t), "--out", out, "--stage", last, "--reviewed", filepath.Join(out, stage.ReviewedFile))
	if r.code != ExitOK {
		t.Fatalf("apply exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "final full plan done in") {
		t.Errorf("apply did not run the closing full plan (with the session's NLB kept):\n%s", r.stderr)
	}
	lbs, err := elb.NewFromConfig(l.cfg).DescribeLoadBalancers(context.Background(), &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{nlb}})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Errorf("the session's NLB is gone after a deploy: %v", err)
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), old, new, 1)
	if s == string(b) {
		t.Fatalf("%s has no %q to edit", path, old)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (l *liveStack) paramDescription(t *testing.T, name string) string {
	t.Helper()
	out, err := ssm.NewFromConfig(l.cfg).DescribeParameters(context.Background(), &ssm.DescribeParametersInput{
		ParameterFilters: []ssmtypes.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{name}}},
	})
	if err != nil || len(out.Parameters) != 1 {
		t.Fatalf("describe parameter %s: %v", name, err)
	}
	return aws.ToString(out.Parameters[0].Description)
}

func (l *liveStack) taskCPU(t *testing.T) string {
	t.Helper()
	td, _ := l.service(t)
	out, err := ecs.NewFromConfig(l.cfg).DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(td)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.Cpu)
}

func TestDeployBadInputIsRejectedWithExit2(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy"}, "deploy needs an action"},
		{[]string{"deploy", "apply", "--dir", "."}, "needs --reviewed"},
		{[]string{"deploy", "restore-state"}, "accepts 1 arg"},
		{[]string{"deploy", "rollback", "--ref", "", "--dir", "."}, "is not a git ref"},
		{[]string{"deploy", "plan", "--config", "/nonexistent/jitsictl.yaml"}, "pass --config"},
	} {
		code, _, stderr := run(t, nil, c.args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", c.args, code, ExitUsage, c.want, stderr)
		}
	}
}
