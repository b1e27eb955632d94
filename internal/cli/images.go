package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/stage"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func init() { register(newImagesCmd) }

// Environment of the image check (documented in docs/images.md):
//   - JITSICTL_IMAGE_REGISTRY=host:port checks (and copies from) that registry instead
//     of the pinned images' own host: tests point it at a local registry.
//   - JITSICTL_IMAGE_CHECK=skip skips the check, and is refused unless AWS_ENDPOINT_URL
//     points the run at an emulator: a deploy to AWS always checks its images.
const (
	imageRegistryEnv = "JITSICTL_IMAGE_REGISTRY"
	imageCheckEnv    = "JITSICTL_IMAGE_CHECK"
	pinFile          = "images.auto.tfvars.json"
)

func newImagesCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "images",
		Short:   "Pin the docker-jitsi-meet images by digest",
		Example: `  jitsictl images pin --tag stable-11146-2`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Usagef("images needs an action: pin")
		},
	}
	var registry, tag string
	pin := &cobra.Command{
		Use:   "pin",
		Short: "Record the digest each image's tag points to now, in terraform/" + pinFile,
		Long: `pin resolves <registry>/{web,prosody,jicofo,jvb}:<tag> in the registry and writes
their digests to ` + pinFile + ` in the stack directory, which every Terraform
run there reads. Commit that file: the task definition then names each image by
digest, so a tag moved upstream cannot change the running stack, and deploy plan
fails when the tag no longer points to the pinned digest.`,
		Example: `  jitsictl images pin --tag stable-11146-2`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImagesPin(cmd.Context(), a, registry, tag)
		},
	}
	pin.Flags().StringVar(&registry, "registry", "ghcr.io/jitsi", "registry and namespace of the images")
	pin.Flags().StringVar(&tag, "tag", "", "docker-jitsi-meet release tag, e.g. stable-11146-2 (required)")
	cmd.AddCommand(pin)
	return cmd
}

func runImagesPin(ctx context.Context, a *App, registry, tag string) error {
	if tag == "" || tag == "stable" || tag == "latest" {
		return Usagef("images pin needs --tag with a release such as stable-11146-2, not a moving tag")
	}
	dir, err := a.StackDir()
	if err != nil {
		return err
	}
	digests, err := images.Registry{Host: a.Getenv(imageRegistryEnv)}.Resolve(ctx, registry, tag)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(map[string]any{"jitsi_image_registry": registry, "jitsi_image_tag": tag, "jitsi_image_digests": digests}, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, pinFile)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	names := make([]string, 0, len(digests))
	for c := range digests {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		a.Reporter.Infof("%s/%s:%s@%s", registry, c, tag, digests[c])
	}
	a.Reporter.Infof("wrote %s: commit it; deploy plan checks the pins against the registry", path)
	a.Reporter.Result(map[string]any{"path": path, "registry": registry, "tag": tag, "digests": digests})
	return nil
}

// planVariables are the root variables of the first stage that planned.
func planVariables(planned []stage.Planned) map[string]any {
	for _, p := range planned {
		if p.Plan == nil || p.Plan.Variables == nil {
			continue
		}
		return variableValues(p.Plan.Variables)
	}
	return nil
}

func variableValues(vars map[string]*tfjson.PlanVariable) map[string]any {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		if v != nil {
			out[k] = v.Value
		}
	}
	return out
}

// checkImages is deploy plan's image check: every pinned image's tag still points to its
// pinned digest, and its index has the platform of cpu_architecture (ARM64 by default).
// It returns the Markdown the summary shows, and an error that fails the plan.
func (a *App) checkImages(ctx context.Context, vars map[string]any) (string, error) {
	host, mode := a.Getenv(imageRegistryEnv), a.Getenv(imageCheckEnv)
	switch {
	case mode != "" && mode != "skip":
		return "", Usagef("%s=%q: the only value is skip (emulators only)", imageCheckEnv, mode)
	case mode == "skip" && host == "" && a.Getenv("AWS_ENDPOINT_URL") == "":
		return "", Usagef("%s=skip is for emulators (AWS_ENDPOINT_URL set): a deploy to AWS checks its pinned images; unset it", imageCheckEnv)
	case mode == "skip" && host == "":
		a.Reporter.Warnf("image check skipped (%s=skip, on the emulator AWS_ENDPOINT_URL names)", imageCheckEnv)
		return "", nil
	}
	if vars == nil {
		return "", nil // no stage planned: the stage errors say why
	}
	s, err := images.FromVariables(vars)
	if err != nil {
		return "", err
	}
	platform, _ := images.Platform(s.Arch) // FromVariables checked it
	where := "its registry"
	if host != "" {
		where = host + " (" + imageRegistryEnv + ")"
	}
	pins, err := s.Pins()
	unpinned := err != nil && len(s.Digests) == 0 && s.Mode != images.ModeECR
	if unpinned {
		// A stack that never pinned (a fresh one) still deploys from ghcr.io by
		// tag, checked for its platform, and is told how to pin; ECR copies and
		// a half-pinned set are refused (Pins' error).
		if s.Digests, err = (images.Registry{Host: host}).Resolve(ctx, s.Registry, s.Tag); err != nil {
			return "", fmt.Errorf("image check for cpu_architecture %s: %w", s.Arch, err)
		}
		pins, err = s.Pins()
		a.Reporter.Warnf("images %s/*:%s are not pinned by digest, so an upstream re-tag can change what the next session runs: run `jitsictl images pin --tag %s` and commit terraform/%s", s.Registry, s.Tag, s.Tag, pinFile)
	}
	if err != nil {
		return "", err
	}
	a.Reporter.Infof("checking %d pinned images in %s for %s (cpu_architecture %s)", len(pins), where, platform, s.Arch)
	found, err := images.Registry{Host: host}.Check(ctx, pins, platform)
	if err != nil {
		return "", fmt.Errorf("image check for cpu_architecture %s: %w", s.Arch, err)
	}
	var md strings.Builder
	fmt.Fprintf(&md, "\n### Images (%s, pulled from %s)\n\n", s.Arch, imageSource(s.Mode))
	if unpinned {
		fmt.Fprintf(&md, "> [!WARNING]\n> Not pinned by digest: the task pulls by tag, and these are the digests the tag points to today. Run `jitsictl images pin --tag %s` and commit `terraform/%s`.\n\n", s.Tag, pinFile)
	}
	md.WriteString("| Image | Digest | Platforms |\n|---|---|---|\n")
	for _, f := range found {
		a.Reporter.Infof("%s@%s: %s", f.Tagged(), f.Digest, strings.Join(f.Platforms, ", "))
		fmt.Fprintf(&md, "| `%s` | `%s` | %s |\n", f.Tagged(), f.Digest, strings.Join(f.Platforms, ", "))
	}
	return md.String(), nil
}

func imageSource(mode string) string {
	if mode == images.ModeECR {
		return "the stack's ECR copies"
	}
	return "the source registry"
}

// copyImagesToECR is deploy apply's last step with images = "ecr": the pinned images,
// fetched by digest from the source registry, pushed into the stack's repositories
// with a token from ECR (no Docker daemon). Copies already there are left alone.
func (a *App) copyImagesToECR(ctx context.Context, img outputs.Images, cfg aws.Config) error {
	if img.Mode != images.ModeECR {
		return nil
	}
	auth, err := images.ECRAuth(ctx, ecr.NewFromConfig(cfg))
	if err != nil {
		return err
	}
	return a.copyImages(ctx, img, remote.WithAuth(auth))
}

func (a *App) copyImages(ctx context.Context, img outputs.Images, dst ...remote.Option) error {
	pins, err := images.Settings{Registry: img.Registry, Tag: img.Tag, Digests: img.Digests}.Pins()
	if err != nil {
		return err
	}
	src := images.Registry{Host: a.Getenv(imageRegistryEnv)}
	for _, p := range pins {
		repo := img.ECRRepositories[p.Component]
		if repo == "" {
			return fmt.Errorf("images = \"ecr\" but the stack has no repository for %s (is terraform/ from another jitsictl version?)", p.Component)
		}
		c, err := images.Copy(ctx, p, src, repo, dst...)
		if err != nil {
			return fmt.Errorf("copy the pinned images into ECR: %w; deploy apply again retries (copies already made stay)", err)
		}
		if c.Already {
			a.Reporter.Infof("%s: already in ECR", c.To)
		} else {
			a.Reporter.Infof("copied %s to %s", p.Ref(), c.To)
		}
	}
	return nil
}

// copyImagesAfterApply reads the applied stack's images output and copies them into
// ECR when it says so: before any session can start a task that pulls them.
func (a *App) copyImagesAfterApply(ctx context.Context, r *tf.Runner, cfg aws.Config) error {
	out, err := r.Outputs(ctx)
	if err != nil {
		return fmt.Errorf("read the stack's outputs to copy its images: %w", err)
	}
	return a.copyImagesToECR(ctx, out.Images, cfg)
}
