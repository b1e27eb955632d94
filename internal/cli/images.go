package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/stage"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func init() { register(newImagesCmd) }

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
		Short: "Record the digest each image's tag points to now, in terraform/" + images.PinFile,
		Long: `pin resolves <registry>/{web,prosody,jicofo,jvb}:<tag> in the registry and writes
their digests to ` + images.PinFile + ` in the stack directory, which every Terraform
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
	path, digests, err := images.WritePins(ctx, a.Reporter, images.Registry{Host: a.Getenv(images.RegistryEnv)}, dir, registry, tag)
	if err != nil {
		return err
	}
	a.Reporter.Result(map[string]any{"path": path, "registry": registry, "tag": tag, "digests": digests})
	return nil
}

// planVariables are the root variables of the first stage that planned.
func planVariables(planned []stage.Planned) map[string]any {
	for _, p := range planned {
		if p.Plan != nil && p.Plan.Variables != nil {
			return images.VariableValues(p.Plan.Variables)
		}
	}
	return nil
}

// checkImages is deploy plan's image check (images.CheckPlanned), unless
// JITSICTL_IMAGE_CHECK=skip on an emulator.
func (a *App) checkImages(ctx context.Context, vars map[string]any) (string, error) {
	src, skip, err := images.CheckSource(a.Getenv)
	switch {
	case err != nil:
		return "", usageError{Err: err}
	case skip:
		a.Reporter.Warnf("image check skipped (%s=skip, on the emulator AWS_ENDPOINT_URL names)", images.CheckEnv)
		return "", nil
	}
	return images.CheckPlanned(ctx, a.Reporter, src, vars)
}

// copyImagesAfterApply reads the applied stack's images output and copies them into
// ECR when it says so: before any session can start a task that pulls them.
func (a *App) copyImagesAfterApply(ctx context.Context, r *tf.Runner, cfg aws.Config) error {
	out, err := r.Outputs(ctx)
	if err != nil {
		return fmt.Errorf("read the stack's outputs to copy its images: %w", err)
	}
	return images.CopyToECR(ctx, a.Reporter, out.Images, images.Registry{Host: a.Getenv(images.RegistryEnv)}, cfg)
}
