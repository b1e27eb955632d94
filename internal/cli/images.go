package cli

import (
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/images"
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
			return images.PinCommand(cmd.Context(), a.Reporter, a.Getenv, a.StackDir, registry, tag)
		},
	}
	pin.Flags().StringVar(&registry, "registry", "ghcr.io/jitsi", "registry and namespace of the images")
	pin.Flags().StringVar(&tag, "tag", "", "docker-jitsi-meet release tag, e.g. stable-11146-2 (required)")
	cmd.AddCommand(pin)
	return cmd
}
