package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/images/imagestest"
	"github.com/jitsictl/jitsictl/internal/stage"
)

// planned is deploy plan's result for a stack whose first stage did not plan.
func planned(vars map[string]any) []stage.Planned {
	pv := map[string]*tfjson.PlanVariable{}
	for k, v := range vars {
		pv[k] = &tfjson.PlanVariable{Value: v}
	}
	return []stage.Planned{{}, {Plan: &tfjson.Plan{Variables: pv}}}
}

// Skipping is explicit, and only for emulators.
func TestDeployPlanImageCheckSkip(t *testing.T) {
	ctx := context.Background()
	vars := planVariables(planned(map[string]any{"cpu_architecture": "ARM64", "images": "source", "jitsi_image_registry": "ghcr.io/jitsi", "jitsi_image_tag": "stable-11146-2"}))
	if vars["cpu_architecture"] != "ARM64" {
		t.Fatalf("the first stage that planned has the variables: %v", vars)
	}
	_, err := testApp(map[string]string{images.CheckEnv: "skip"}).checkImages(ctx, vars)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "a deploy to AWS checks its pinned images") {
		t.Fatalf("skip on AWS: %v", err)
	}
	if _, err := testApp(map[string]string{images.CheckEnv: "no"}).checkImages(ctx, vars); !errors.As(err, new(usageError)) {
		t.Fatalf("unknown value: %v", err)
	}
	if _, err := testApp(map[string]string{images.CheckEnv: "skip", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).checkImages(ctx, vars); err != nil {
		t.Fatalf("skip on an emulator: %v", err)
	}
	// Unset, an emulator run checks like any other (and these images are not pinned).
	if _, err := testApp(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).checkImages(ctx, vars); err == nil {
		t.Fatal("an emulator run without skip skipped the check")
	}
}

// images pin writes what the stack reads and deploy plan checks.
func TestImagesPinWritesTheStacksPins(t *testing.T) {
	host := imagestest.Registry(t)
	digests := imagestest.Release(t, host, "stable-11146-2", imagestest.Both)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{images.RegistryEnv: host}
	if code, _, stderr := run(t, env, "images", "pin", "--tag", "stable", "--dir", dir); code != ExitUsage || !strings.Contains(stderr, "not a moving tag") {
		t.Fatalf("moving tag: exit %d\n%s", code, stderr)
	}
	code, _, stderr := run(t, env, "images", "pin", "--tag", "stable-11146-2", "--dir", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, images.PinFile))
	if err != nil {
		t.Fatal(err)
	}
	var vars map[string]any
	if err := json.Unmarshal(b, &vars); err != nil {
		t.Fatal(err)
	}
	vars["cpu_architecture"], vars["images"] = "ARM64", "source"
	if _, err := testApp(env).checkImages(context.Background(), vars); err != nil {
		t.Fatalf("the written pins fail the check: %v\n%s", err, b)
	}
	for c, d := range digests {
		if got := vars["jitsi_image_digests"].(map[string]any)[c]; got != d {
			t.Errorf("%s pinned %v, registry has %s", c, got, d)
		}
	}
}
