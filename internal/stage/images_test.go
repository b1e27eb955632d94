package stage

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/report"
)

// flow is a Flow whose stack sees env only.
func flow(env map[string]string) Flow {
	r, _ := report.New(report.Options{Stdout: io.Discard, Stderr: io.Discard})
	return Flow{Report: r, Stack: Stack{Getenv: func(k string) string { return env[k] }}}
}

// planned is deploy plan's result for a stack whose first stage did not plan.
func planned(vars map[string]any) []Planned {
	pv := map[string]*tfjson.PlanVariable{}
	for k, v := range vars {
		pv[k] = &tfjson.PlanVariable{Value: v}
	}
	return []Planned{{}, {Plan: &tfjson.Plan{Variables: pv}}}
}

// Skipping is explicit, and only for emulators.
func TestDeployPlanImageCheckSkip(t *testing.T) {
	ctx := context.Background()
	p := planned(map[string]any{"cpu_architecture": "ARM64", "images": "source", "jitsi_image_registry": "ghcr.io/jitsi", "jitsi_image_tag": "stable-11146-2"})
	if vars := planVariables(p); vars["cpu_architecture"] != "ARM64" {
		t.Fatalf("the first stage that planned has the variables: %v", vars)
	}
	_, err := flow(map[string]string{images.CheckEnv: "skip"}).checkImages(ctx, p)
	if !errors.As(err, new(report.UsageError)) || !strings.Contains(err.Error(), "a deploy to AWS checks its pinned images") {
		t.Fatalf("skip on AWS: %v", err)
	}
	if _, err := flow(map[string]string{images.CheckEnv: "no"}).checkImages(ctx, p); !errors.As(err, new(report.UsageError)) {
		t.Fatalf("unknown value: %v", err)
	}
	if _, err := flow(map[string]string{images.CheckEnv: "skip", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).checkImages(ctx, p); err != nil {
		t.Fatalf("skip on an emulator: %v", err)
	}
	// Unset, an emulator run checks like any other (and these images are not pinned).
	if _, err := flow(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).checkImages(ctx, p); err == nil {
		t.Fatal("an emulator run without skip skipped the check")
	}
}
