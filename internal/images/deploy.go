package images

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
)

// Environment of the image check (documented in docs/images.md):
//   - RegistryEnv=host:port checks (and copies from) that registry instead
//     of the pinned images' own host: tests point it at a local registry.
//   - CheckEnv=skip skips the check, and is refused unless AWS_ENDPOINT_URL
//     points the run at an emulator: a deploy to AWS always checks its images.
const (
	RegistryEnv = "JITSICTL_IMAGE_REGISTRY"
	CheckEnv    = "JITSICTL_IMAGE_CHECK"
	// PinFile is where `jitsictl images pin` writes the pins, in the stack directory.
	PinFile = "images.auto.tfvars.json"
)

// CheckSource reads the image check's environment: the registry images are
// checked in and copied from, and whether deploy plan skips the check (only
// on an emulator). Its errors are bad input: nothing was touched.
func CheckSource(getenv func(string) string) (src Registry, skip bool, err error) {
	src, mode := Registry{Host: getenv(RegistryEnv)}, getenv(CheckEnv)
	switch {
	case mode != "" && mode != "skip":
		return src, false, fmt.Errorf("%s=%q: the only value is skip (emulators only)", CheckEnv, mode)
	case mode == "skip" && src.Host == "" && getenv("AWS_ENDPOINT_URL") == "":
		return src, false, fmt.Errorf("%s=skip is for emulators (AWS_ENDPOINT_URL set): a deploy to AWS checks its pinned images; unset it", CheckEnv)
	}
	return src, mode == "skip" && src.Host == "", nil
}

// VariableValues are a plan's root variables as FromVariables reads them.
func VariableValues(vars map[string]*tfjson.PlanVariable) map[string]any {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		if v != nil {
			out[k] = v.Value
		}
	}
	return out
}

// WritePins resolves registry/{web,prosody,jicofo,jvb}:tag in src and writes
// their digests to PinFile in dir, which every Terraform run there reads.
func WritePins(ctx context.Context, r report.Reporter, src Registry, dir, registry, tag string) (path string, digests map[string]string, err error) {
	digests, err = src.Resolve(ctx, registry, tag)
	if err != nil {
		return "", nil, err
	}
	b, err := json.MarshalIndent(map[string]any{"jitsi_image_registry": registry, "jitsi_image_tag": tag, "jitsi_image_digests": digests}, "", "  ")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, PinFile)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return "", nil, err
	}
	for _, c := range slices.Sorted(maps.Keys(digests)) {
		r.Infof("%s/%s:%s@%s", registry, c, tag, digests[c])
	}
	r.Infof("wrote %s: commit it; deploy plan checks the pins against the registry", path)
	return path, digests, nil
}

// CheckPlanned is deploy plan's image check: every pinned image's tag still
// points to its pinned digest in src, and its index has the platform of
// cpu_architecture (ARM64 by default). vars are the plan's root variables
// (nil: no stage planned). It returns the Markdown the summary shows, and an
// error that fails the plan.
func CheckPlanned(ctx context.Context, r report.Reporter, src Registry, vars map[string]any) (string, error) {
	if vars == nil {
		return "", nil // no stage planned: the stage errors say why
	}
	s, err := FromVariables(vars)
	if err != nil {
		return "", err
	}
	platform, _ := Platform(s.Arch) // FromVariables checked it
	where := "its registry"
	if src.Host != "" {
		where = src.Host + " (" + RegistryEnv + ")"
	}
	pins, err := s.Pins()
	unpinned := err != nil && len(s.Digests) == 0 && s.Mode != ModeECR
	if unpinned {
		// A stack that never pinned (a fresh one) still deploys from ghcr.io by
		// tag, checked for its platform, and is told how to pin; ECR copies and
		// a half-pinned set are refused (Pins' error).
		if s.Digests, err = src.Resolve(ctx, s.Registry, s.Tag); err != nil {
			return "", fmt.Errorf("image check for cpu_architecture %s: %w", s.Arch, err)
		}
		pins, err = s.Pins()
		r.Warnf("images %s/*:%s are not pinned by digest, so an upstream re-tag can change what the next session runs: run `jitsictl images pin --tag %s` and commit terraform/%s", s.Registry, s.Tag, s.Tag, PinFile)
	}
	if err != nil {
		return "", err
	}
	r.Infof("checking %d pinned images in %s for %s (cpu_architecture %s)", len(pins), where, platform, s.Arch)
	found, err := src.Check(ctx, pins, platform)
	if err != nil {
		return "", fmt.Errorf("image check for cpu_architecture %s: %w", s.Arch, err)
	}
	var md strings.Builder
	fmt.Fprintf(&md, "\n### Images (%s, pulled from %s)\n\n", s.Arch, source(s.Mode))
	if unpinned {
		fmt.Fprintf(&md, "> [!WARNING]\n> Not pinned by digest: the task pulls by tag, and these are the digests the tag points to today. Run `jitsictl images pin --tag %s` and commit `terraform/%s`.\n\n", s.Tag, PinFile)
	}
	md.WriteString("| Image | Digest | Platforms |\n|---|---|---|\n")
	for _, f := range found {
		r.Infof("%s@%s: %s", f.Tagged(), f.Digest, strings.Join(f.Platforms, ", "))
		fmt.Fprintf(&md, "| `%s` | `%s` | %s |\n", f.Tagged(), f.Digest, strings.Join(f.Platforms, ", "))
	}
	return md.String(), nil
}

func source(mode string) string {
	if mode == ModeECR {
		return "the stack's ECR copies"
	}
	return "the source registry"
}

// CopyToECR is deploy apply's last step with images = "ecr": the pinned images,
// fetched by digest from src, pushed into the stack's repositories with a
// token from ECR (no Docker daemon). Copies already there are left alone.
func CopyToECR(ctx context.Context, r report.Reporter, img outputs.Images, src Registry, cfg aws.Config) error {
	if img.Mode != ModeECR {
		return nil
	}
	auth, err := ECRAuth(ctx, ecr.NewFromConfig(cfg))
	if err != nil {
		return err
	}
	return CopyPinned(ctx, r, img, src, remote.WithAuth(auth))
}

// CopyPinned copies the stack's pinned images from src into its ECR repositories.
func CopyPinned(ctx context.Context, r report.Reporter, img outputs.Images, src Registry, dst ...remote.Option) error {
	pins, err := Settings{Registry: img.Registry, Tag: img.Tag, Digests: img.Digests}.Pins()
	if err != nil {
		return err
	}
	for _, p := range pins {
		repo := img.ECRRepositories[p.Component]
		if repo == "" {
			return fmt.Errorf("images = \"ecr\" but the stack has no repository for %s (is terraform/ from another jitsictl version?)", p.Component)
		}
		c, err := Copy(ctx, p, src, repo, dst...)
		if err != nil {
			return fmt.Errorf("copy the pinned images into ECR: %w; deploy apply again retries (copies already made stay)", err)
		}
		if c.Already {
			r.Infof("%s: already in ECR", c.To)
		} else {
			r.Infof("copied %s to %s", p.Ref(), c.To)
		}
	}
	return nil
}

// PinCommand is `jitsictl images pin`: tag must name a release, not a moving tag
// (stable, latest); the digests go to PinFile in the stack's root (stackDir
// checks it) and the result (path, registry, tag, digests) to r.
func PinCommand(ctx context.Context, r report.Reporter, getenv func(string) string, stackDir func() (string, error), registry, tag string) error {
	if tag == "" || tag == "stable" || tag == "latest" {
		return report.Usagef("images pin needs --tag with a release such as stable-11146-2, not a moving tag")
	}
	dir, err := stackDir()
	if err != nil {
		return err
	}
	path, digests, err := WritePins(ctx, r, Registry{Host: getenv(RegistryEnv)}, dir, registry, tag)
	if err != nil {
		return err
	}
	r.Result(map[string]any{"path": path, "registry": registry, "tag": tag, "digests": digests})
	return nil
}
