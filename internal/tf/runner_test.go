package tf

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/jitsictl/jitsictl/internal/testbed/golden"
)

// fixture copies testdata/fixture into a fresh directory so tests can run in parallel.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "fixture", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func requireTerraform(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform is not on PATH: install Terraform >= %s (https://developer.hashicorp.com/terraform/install)", MinVersion)
	}
}

// syncBuffer is written by terraform-exec's output copiers while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunnerPlanShowApplyOutput(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	ctx := context.Background()
	dir := fixture(t)
	var progress syncBuffer
	const secret = "s3cr3t-marker-7f1c"
	r, err := New(ctx, dir, WithProgress(&progress), WithVars(Vars{"token": secret}))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}

	vars := Vars{"enabled": true, "names": []string{"a", "b c"}, "word": "session"}
	planFile := filepath.Join(t.TempDir(), "plan.tfplan")
	changed, err := r.Plan(ctx, vars, nil, planFile)
	if err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatal("first plan reports no changes on an empty state")
	}
	plan, err := r.ShowPlan(ctx, planFile)
	if err != nil {
		t.Fatal(err)
	}
	var created []string
	for _, rc := range plan.ResourceChanges {
		if rc.Change.Actions.Create() {
			created = append(created, rc.Address)
		}
	}
	slices.Sort(created)
	if want := []string{"terraform_data.always", "terraform_data.optional[0]"}; !slices.Equal(created, want) {
		t.Fatalf("plan creates %v, want %v", created, want)
	}

	if err := r.ApplyPlan(ctx, planFile); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Plan(ctx, vars, nil, ""); err != nil || changed {
		t.Fatalf("plan after apply: changed=%v err=%v, want no changes", changed, err)
	}

	out, err := r.Output(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var enabled bool
	var word string
	var tokenLen int
	for k, dst := range map[string]any{"names": &names, "enabled": &enabled, "word": &word, "token_length": &tokenLen} {
		if err := json.Unmarshal(out[k], dst); err != nil {
			t.Fatalf("output %s=%s: %v", k, out[k], err)
		}
	}
	if !slices.Equal(names, []string{"a", "b c"}) || !enabled || word != "session" {
		t.Fatalf("outputs names=%v enabled=%v word=%q, want the vars passed", names, enabled, word)
	}
	// The base var reached terraform (its length), but its value never reached the log.
	if tokenLen != len(secret) {
		t.Fatalf("token_length = %d, want %d: WithVars did not reach terraform", tokenLen, len(secret))
	}
	if !strings.Contains(progress.String(), "Apply complete!") {
		t.Fatalf("progress writer did not receive terraform's output:\n%s", progress.String())
	}
	if strings.Contains(progress.String(), secret) {
		t.Fatalf("a sensitive variable's value appeared in the progress output:\n%s", progress.String())
	}

	// Per-call vars override base vars; switching enabled off destroys the optional part.
	if err := r.Apply(ctx, Vars{"enabled": false, "token": "x"}, nil); err != nil {
		t.Fatal(err)
	}
	state, err := r.StatePull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(state, []byte(`"optional"`)) {
		t.Fatalf("state still holds terraform_data.optional after enabled=false:\n%s", state)
	}
	if !bytes.Contains(state, []byte(`"always"`)) {
		t.Fatalf("state lost terraform_data.always:\n%s", state)
	}
}

func TestRunnerTargets(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	ctx := context.Background()
	r, err := New(ctx, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, Vars{"enabled": true}, []string{"terraform_data.optional"}); err != nil {
		t.Fatal(err)
	}
	state, err := r.StatePull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(state, []byte(`"optional"`)) || bytes.Contains(state, []byte(`"always"`)) {
		t.Fatalf("targeted apply should create only terraform_data.optional; state:\n%s", state)
	}

	// StatePush accepts the current state back and refuses an older serial (no -force).
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, state, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.StatePush(ctx, file); err != nil {
		t.Fatalf("pushing the pulled state back: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(state, &doc); err != nil {
		t.Fatal(err)
	}
	doc["serial"] = 0
	older, _ := json.Marshal(doc)
	if err := os.WriteFile(file, older, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.StatePush(ctx, file); err == nil {
		t.Fatal("StatePush overwrote the state with an older serial")
	}
}

// The environment given with WithEnv and the CLI config reach terraform, and only
// terraform: the test process's environment is unchanged.
func TestRunnerChildEnvironment(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	ctx := context.Background()
	real, _ := exec.LookPath("terraform")
	envFile := filepath.Join(t.TempDir(), "env")
	// A wrapper around the real binary that records the environment it was given.
	wrapper := filepath.Join(t.TempDir(), "terraform")
	script := "#!/bin/sh\nenv > " + envFile + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir()
	before := os.Getenv("TF_CLI_CONFIG_FILE")
	dir := fixture(t)
	// The mirror comes through WithEnv, as an in-process caller (tests, the demo) passes it.
	r, err := New(ctx, dir, WithExecPath(wrapper), WithEnv([]string{"AWS_ENDPOINT_URL=http://127.0.0.1:1", PluginMirrorEnv + "=" + mirror}), withGetenv(func(string) string { return "" }))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := "TF_CLI_CONFIG_FILE=" + filepath.Join(dir, ".terraform", "jitsictl-cli.tfrc")
	for _, want := range []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1", wantCfg} {
		if !slices.Contains(strings.Split(string(env), "\n"), want) {
			t.Errorf("terraform's environment lacks %s:\n%s", want, env)
		}
	}
	if os.Getenv("AWS_ENDPOINT_URL") == "http://127.0.0.1:1" || os.Getenv("TF_CLI_CONFIG_FILE") != before {
		t.Error("New changed the test process's own environment")
	}
	cfg, err := os.ReadFile(filepath.Join(dir, ".terraform", "jitsictl-cli.tfrc"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), `path = "`+mirror+`"`) {
		t.Errorf("CLI config does not name the mirror %s:\n%s", mirror, cfg)
	}
}

func TestNewRejectsMissingTerraform(t *testing.T) {
	t.Parallel()
	_, err := New(context.Background(), t.TempDir(), WithExecPath(filepath.Join(t.TempDir(), "no-terraform")))
	if err == nil || !strings.Contains(err.Error(), "terraform version") {
		t.Fatalf("err = %v, want a terraform version error naming the binary", err)
	}
}

func TestCheckVersion(t *testing.T) {
	t.Parallel()
	for v, ok := range map[string]bool{"1.10.5": false, "1.5.7": false, "1.11.0": true, "1.11.4": true, "1.12.0-beta1": true, "2.0.0": true} {
		err := checkVersion(version.Must(version.NewVersion(v)))
		if (err == nil) != ok {
			t.Errorf("checkVersion(%s) = %v, want ok=%v", v, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), ">= 1.11.0") {
			t.Errorf("checkVersion(%s) error %q does not say which version is needed", v, err)
		}
	}
}

func TestVarsArgs(t *testing.T) {
	t.Parallel()
	got, err := Vars{
		"nlb_enabled": true,
		"project":     "jitsi",
		"count":       3,
		"subnets":     []string{"a", "b"},
		"tags":        map[string]string{"k": "v"},
	}.args()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`count=3`, `nlb_enabled=true`, `project=jitsi`, `subnets=["a","b"]`, `tags={"k":"v"}`}
	if !slices.Equal(got, want) {
		t.Fatalf("args = %q, want %q", got, want)
	}
	if _, err := (Vars{"x": nil}).args(); err == nil {
		t.Fatal("a nil variable should be an error, not an empty string")
	}
}

func TestChildEnvDropsManagedVariables(t *testing.T) {
	t.Parallel()
	env, err := childEnv([]string{"PATH=/bin", "TF_VAR_nlb_enabled=true", "TF_LOG=trace"}, []string{"AWS_REGION=us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if env["PATH"] != "/bin" || env["AWS_REGION"] != "us-east-1" {
		t.Fatalf("env = %v, lost inherited or extra entries", env)
	}
	if _, ok := env["TF_VAR_nlb_enabled"]; ok {
		t.Fatal("an inherited TF_VAR_ would silently change the stack (e.g. nlb_enabled): it must be dropped")
	}
	if _, err := childEnv(nil, []string{"NOEQUALS"}); err == nil {
		t.Fatal("malformed extra entry accepted")
	}
	if _, err := childEnv(nil, []string{"TF_VAR_nlb_enabled=true"}); err == nil || !strings.Contains(err.Error(), "TF_VAR_nlb_enabled") {
		t.Fatalf("an explicit TF_VAR_ entry must be refused with its name, got %v", err)
	}
}

func TestCLIConfigGolden(t *testing.T) {
	t.Parallel()
	unpacked := t.TempDir()
	packed := t.TempDir()
	if err := os.WriteFile(filepath.Join(packed, "terraform-provider-aws_5.100.0_linux_amd64.zip"), []byte("zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	for _, tc := range []struct {
		name, mirror string
	}{{"unpacked", unpacked}, {"packed", packed}} {
		dir := t.TempDir()
		getenv := func(k string) string {
			switch k {
			case PluginMirrorEnv:
				return tc.mirror
			case PluginCacheEnv:
				return cache
			}
			return ""
		}
		path, err := writeCLIConfig(dir, getenv)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Stable golden text: temp paths replaced by placeholders.
		got := strings.NewReplacer(tc.mirror, "MIRROR", cache, "CACHE").Replace(string(b))
		golden.Check(t, "cliconfig-"+tc.name+".golden", got)
	}

	bad := func(k string) string {
		if k == PluginMirrorEnv {
			return "/nonexistent/mirror"
		}
		return ""
	}
	if _, err := writeCLIConfig(t.TempDir(), bad); err == nil || !strings.Contains(err.Error(), PluginMirrorEnv) {
		t.Fatalf("a missing mirror named by %s gave err=%v, want an error naming the variable", PluginMirrorEnv, err)
	}
}

func TestValidateAndFormat(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	ctx := context.Background()
	dir := t.TempDir()
	// Valid HCL, badly formatted, referring to an undeclared variable.
	bad := "output \"x\" {\nvalue   =  var.missing\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := New(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.UnformattedFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || !strings.HasSuffix(files[0], "main.tf") {
		t.Errorf("unformatted files = %v, want main.tf", files)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(ctx); err == nil || !strings.Contains(err.Error(), "main.tf:2") || !strings.Contains(err.Error(), "Reference to undeclared input variable") {
		t.Errorf("Validate = %v, want the undeclared variable with its file and line", err)
	}
}
