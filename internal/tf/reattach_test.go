package tf_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// With a reattach map, terraform uses the running provider and its environment:
// here the provider holds the emulator's endpoint and terraform's own environment
// a dead one, so a command succeeds only if it attached. The provider builds its
// schema once, for the first command. jitsictl's Settings take
// the map from TF_REATTACH_PROVIDERS, as terraform itself does.
func TestReattachUsesTheRunningProvider(t *testing.T) {
	emu := testbed.Moto(t)
	ctx := context.Background()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "refresh", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	// Settings sets these two for an emulator, as for the stack.
	src = append(src, "\nvariable \"s3_use_path_style\" {}\nvariable \"create_iam_roles\" {}\n"...)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := tf.WithVars(tf.Vars{"s3_use_path_style": true, "create_iam_roles": true})
	live, err := tf.New(ctx, dir, tf.WithEnv(emu.Env()), vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	provider := testbed.StartProvider(t, dir, emu.Env())
	info := provider.Reattach

	deadEnv := map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
	for _, kv := range emu.Env() {
		if k, v, _ := strings.Cut(kv, "="); k != "AWS_ENDPOINT_URL" {
			deadEnv[k] = v
		}
	}
	var dead []string
	for k, v := range deadEnv {
		dead = append(dead, k+"="+v)
	}
	own, err := tf.New(ctx, dir, tf.WithEnv(dead), vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := own.Apply(ctx, nil, nil); err == nil {
		t.Fatal("an apply with its own provider reached the emulator through a dead endpoint: the check below proves nothing")
	}

	attached, err := tf.New(ctx, dir, tf.WithEnv(dead), vars, tf.WithReattach(info))
	if err != nil {
		t.Fatal(err)
	}
	if err := attached.Apply(ctx, nil, nil); err != nil {
		t.Fatalf("apply attached to the running provider: %v", err)
	}

	deadEnv[tf.ReattachEnv] = info
	fromEnv, err := tf.Settings{Getenv: func(k string) string { return deadEnv[k] }}.Runner(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := fromEnv.Plan(ctx, nil, nil, ""); err != nil || changed {
		t.Fatalf("plan with %s from the environment: changed=%v, %v; want the applied parameter, unchanged", tf.ReattachEnv, changed, err)
	}

	// The apply and the plan each asked for the provider's schema; the provider built
	// it once, the second answer came from memory.
	if served, built := provider.SchemaCalls(); served < 2 || built != 1 {
		t.Errorf("schema calls: %d answered, %d built by the provider; want at least 2 answered and 1 built", served, built)
	}

	// The answer held the repository's types (testbed.StartProvider), among them
	// this configuration's aws_ssm_parameter, or the apply above would have failed;
	// not the provider's other types.
	if kept, total := provider.SchemaTypes(); kept == 0 || kept > 200 || total < 1000 {
		t.Errorf("schema answer: %d of the provider's %d types; want the repository's few dozen of more than a thousand", kept, total)
	}

	if _, err := tf.New(ctx, dir, tf.WithReattach("not json")); err == nil || !strings.Contains(err.Error(), tf.ReattachEnv) {
		t.Fatalf("an invalid reattach map: %v; want an error naming %s", err, tf.ReattachEnv)
	}
}
