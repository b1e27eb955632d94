package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/images/imagestest"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/stage"
)

// stackVariables are the image variables as terraform plan reports them for the stack.
func stackVariables(arch string, digests map[string]string) []stage.Planned {
	d := map[string]any{}
	for k, v := range digests {
		d[k] = v
	}
	vars := map[string]*tfjson.PlanVariable{
		"jitsi_image_registry": {Value: "ghcr.io/jitsi"},
		"jitsi_image_tag":      {Value: "stable-11146-2"},
		"jitsi_image_digests":  {Value: d},
		"cpu_architecture":     {Value: arch},
		"images":               {Value: "source"},
		"project":              {Value: "jitsi"},
	}
	return []stage.Planned{{Plan: &tfjson.Plan{Variables: vars}}}
}

// The names the check reads are the stack's variables.
func TestImageCheckReadsTheStacksVariables(t *testing.T) {
	var tf []byte
	files, _ := filepath.Glob(filepath.Join("..", "..", "terraform", "*.tf"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tf = append(tf, b...)
	}
	for name := range planVariables(stackVariables("ARM64", nil)) {
		if !regexp.MustCompile(`variable "` + name + `"`).Match(tf) {
			t.Errorf("terraform/ declares no variable %q", name)
		}
	}
	if !regexp.MustCompile(`(?s)variable "cpu_architecture".*?default\s*=\s*"ARM64"`).Match(tf) {
		t.Error("cpu_architecture does not default to ARM64")
	}
}

func TestDeployPlanImageCheck(t *testing.T) {
	ctx := context.Background()
	host := imagestest.Registry(t)
	amd64Only := imagestest.Release(t, host, "stable-11146-2", func(c string) []string {
		if c == "jvb" {
			return []string{"linux/amd64"}
		}
		return imagestest.Both(c)
	})
	local := map[string]string{imageRegistryEnv: host}

	md, err := testApp(local).checkImages(ctx, planVariables(stackVariables("X86_64", amd64Only)))
	if err != nil {
		t.Fatalf("X86_64 with amd64 images: %v", err)
	}
	if !strings.Contains(md, "| `ghcr.io/jitsi/jvb:stable-11146-2` | `"+amd64Only["jvb"]+"` | linux/amd64 |") {
		t.Errorf("summary lacks the jvb row:\n%s", md)
	}
	_, err = testApp(local).checkImages(ctx, planVariables(stackVariables("ARM64", amd64Only)))
	if err == nil || !strings.Contains(err.Error(), "image check for cpu_architecture ARM64") || !strings.Contains(err.Error(), "jvb:stable-11146-2@"+amd64Only["jvb"]+" has no linux/arm64 image (platforms found: linux/amd64)") {
		t.Fatalf("ARM64 without an arm64 jvb: %v", err)
	}
	_, err = testApp(local).checkImages(ctx, planVariables(stackVariables("ARM64", map[string]string{"web": amd64Only["web"]})))
	if err == nil || !strings.Contains(err.Error(), "not pinned: jicofo, jvb, prosody") {
		t.Fatalf("half-pinned images: %v", err)
	}
}

// A stack that never pinned (a fresh one) still plans from the source registry: its tag
// is checked for the platform and the summary says how to pin. ECR copies need pins.
func TestDeployPlanOfAnUnpinnedStack(t *testing.T) {
	ctx := context.Background()
	host := imagestest.Registry(t)
	both := imagestest.Release(t, host, "stable-11146-2", imagestest.Both)
	local := map[string]string{imageRegistryEnv: host}

	md, err := testApp(local).checkImages(ctx, planVariables(stackVariables("ARM64", nil)))
	if err != nil {
		t.Fatalf("unpinned ARM64 stack with multi-arch images: %v", err)
	}
	if !strings.Contains(md, "Not pinned by digest") || !strings.Contains(md, "jitsictl images pin --tag stable-11146-2") || !strings.Contains(md, both["jvb"]) {
		t.Errorf("summary of an unpinned stack should say how to pin and show today's digests:\n%s", md)
	}
	vars := planVariables(stackVariables("ARM64", nil))
	vars["images"] = "ecr"
	if _, err := testApp(local).checkImages(ctx, vars); err == nil || !strings.Contains(err.Error(), "not pinned: jicofo, jvb, prosody, web") {
		t.Fatalf("ECR mode without pins: %v", err)
	}
}

// Skipping is explicit, and only for emulators.
func TestDeployPlanImageCheckSkip(t *testing.T) {
	ctx := context.Background()
	vars := planVariables(stackVariables("ARM64", nil))
	_, err := testApp(map[string]string{imageCheckEnv: "skip"}).checkImages(ctx, vars)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "a deploy to AWS checks its pinned images") {
		t.Fatalf("skip on AWS: %v", err)
	}
	if _, err := testApp(map[string]string{imageCheckEnv: "no"}).checkImages(ctx, vars); !errors.As(err, new(usageError)) {
		t.Fatalf("unknown value: %v", err)
	}
	if _, err := testApp(map[string]string{imageCheckEnv: "skip", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).checkImages(ctx, vars); err != nil {
		t.Fatalf("skip on an emulator: %v", err)
	}
	// Unset, an emulator run checks like any other (and these images are not pinned).
	if _, err := testApp(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).checkImages(ctx, vars); err == nil {
		t.Fatal("an emulator run without skip skipped the check")
	}
}

// deploy apply's copy step with images = "ecr": the destination here is a second local
// registry (moto has no image push API); ECR's token is TestECRAuthOnEmulator's.
func TestDeployCopiesPinnedImages(t *testing.T) {
	ctx := context.Background()
	src, dst := imagestest.Registry(t), imagestest.Registry(t)
	digests := imagestest.Release(t, src, "stable-11146-2", imagestest.Both)
	img := outputs.Images{Mode: "ecr", Architecture: "ARM64", Registry: "ghcr.io/jitsi", Tag: "stable-11146-2", Digests: digests, ECRRepositories: map[string]string{}}
	for c := range digests {
		img.ECRRepositories[c] = dst + "/jitsi/" + c
	}
	a := testApp(map[string]string{imageRegistryEnv: src})
	if err := a.copyImages(ctx, img); err != nil {
		t.Fatal(err)
	}
	for c, d := range digests {
		ref, _ := name.ParseReference(dst + "/jitsi/" + c + ":stable-11146-2")
		got, err := remote.Head(ref)
		if err != nil || got.Digest.String() != d {
			t.Fatalf("%s in the destination: %v %v, want %s", c, got, err, d)
		}
	}
	// The stack's task definition then checks against the copies like the source.
	md, err := testApp(map[string]string{imageRegistryEnv: dst}).checkImages(ctx, planVariables(stackVariables("ARM64", digests)))
	if err != nil || !strings.Contains(md, "linux/amd64, linux/arm64") {
		t.Fatalf("check of the copies: %v\n%s", err, md)
	}
	delete(img.ECRRepositories, "jvb")
	if err := a.copyImages(ctx, img); err == nil || !strings.Contains(err.Error(), "no repository for jvb") {
		t.Fatalf("missing repository: %v", err)
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
	env := map[string]string{imageRegistryEnv: host}
	if code, _, stderr := run(t, env, "images", "pin", "--tag", "stable", "--dir", dir); code != ExitUsage || !strings.Contains(stderr, "not a moving tag") {
		t.Fatalf("moving tag: exit %d\n%s", code, stderr)
	}
	code, _, stderr := run(t, env, "images", "pin", "--tag", "stable-11146-2", "--dir", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, pinFile))
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
