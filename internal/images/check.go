package images

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Registry reaches the source registry.
type Registry struct {
	// Host, when set, replaces the registry host of every pinned repository
	// (ghcr.io/jitsi/web -> Host/jitsi/web): tests point it at a local registry.
	Host    string
	Options []remote.Option
}

// repo is where the registry serves p's repository.
func (r Registry) repo(p Pin) (name.Repository, error) {
	repo := p.Repo
	if r.Host != "" {
		_, path, _ := strings.Cut(p.Repo, "/")
		repo = r.Host + "/" + path
	}
	return name.NewRepository(repo)
}

// Found is what the registry says about one pinned image.
type Found struct {
	Pin
	Platforms []string // os/arch of the index's images, in index order
}

// Check resolves every pin's tag in the registry and requires that it still points to
// the pinned digest and that the index holds an image for platform (linux/arm64 for
// ARM64). Every image is checked; the error lists every problem.
func (r Registry) Check(ctx context.Context, pins []Pin, platform string) ([]Found, error) {
	var found []Found
	var errs []error
	for _, p := range pins {
		f, err := r.check(ctx, p, platform)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		found = append(found, f)
	}
	return found, errors.Join(errs...)
}

func (r Registry) check(ctx context.Context, p Pin, platform string) (Found, error) {
	f := Found{Pin: p}
	repo, err := r.repo(p)
	if err != nil {
		return f, fmt.Errorf("%s: %w", p.Tagged(), err)
	}
	desc, err := remote.Get(repo.Tag(p.Tag), append([]remote.Option{remote.WithContext(ctx)}, r.Options...)...)
	if err != nil {
		return f, r.getError(p, repo, err)
	}
	if got := desc.Digest.String(); got != p.Digest {
		return f, fmt.Errorf("%s now points to %s, but the stack pins %s: the tag was moved upstream since it was reviewed; "+
			"check the release, then record the new digest (`jitsictl images pin`) in a reviewed change, or pin another release", p.Tagged(), got, p.Digest)
	}
	f.Platforms, err = platforms(desc)
	if err != nil {
		return f, fmt.Errorf("%s@%s: %w", p.Tagged(), p.Digest, err)
	}
	if !slices.Contains(f.Platforms, platform) {
		return f, fmt.Errorf("%s@%s has no %s image (platforms found: %s): set cpu_architecture to the architecture it has (%s) in terraform.tfvars, or pin a release that publishes %s",
			p.Tagged(), p.Digest, platform, listOrNone(f.Platforms), archHint(platform), platform)
	}
	return f, nil
}

func (r Registry) getError(p Pin, repo name.Repository, err error) error {
	var te *transport.Error
	if errors.As(err, &te) {
		if te.StatusCode == 404 || slices.ContainsFunc(te.Errors, func(d transport.Diagnostic) bool {
			return d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode
		}) {
			return fmt.Errorf("%s: no such tag in %s (HTTP %d): check jitsi_image_tag and jitsi_image_registry", p.Tagged(), repo, te.StatusCode)
		}
		return fmt.Errorf("%s: the registry %s refused the manifest request (HTTP %d): %v", p.Tagged(), repo.RegistryStr(), te.StatusCode, err)
	}
	return fmt.Errorf("%s: cannot reach the registry %s to check the pinned image (%v); deploy plan checks every pinned image before planning: retry when %s answers "+
		"(on an emulator without network, JITSICTL_IMAGE_CHECK=skip skips the check)", p.Tagged(), repo.RegistryStr(), err, repo.RegistryStr())
}

// platforms lists os/arch of an index's images, or of a single image.
func platforms(desc *remote.Descriptor) ([]string, error) {
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		var out []string
		for _, d := range m.Manifests {
			if p := platformString(d.Platform); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
		return out, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	return []string{platformString(&v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant})}, nil
}

// platformString is os/arch, leaving out attestation entries (unknown/unknown) and
// arm64's usual v8 variant.
func platformString(p *v1.Platform) string {
	if p == nil || p.OS == "unknown" || p.OS == "" {
		return ""
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" && !(p.Architecture == "arm64" && p.Variant == "v8") {
		s += "/" + p.Variant
	}
	return s
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func archHint(platform string) string {
	if platform == platformOf["ARM64"] {
		return `"X86_64"`
	}
	return `"ARM64"`
}

// Resolve reads the digest a tag points to now: what `jitsictl images pin` records.
func (r Registry) Resolve(ctx context.Context, registry, tag string) (map[string]string, error) {
	out := map[string]string{}
	for _, c := range Components {
		p := Pin{Component: c, Repo: strings.TrimSuffix(registry, "/") + "/" + c, Tag: tag}
		repo, err := r.repo(p)
		if err != nil {
			return nil, err
		}
		desc, err := remote.Get(repo.Tag(tag), append([]remote.Option{remote.WithContext(ctx)}, r.Options...)...)
		if err != nil {
			return nil, r.getError(p, repo, err)
		}
		out[c] = desc.Digest.String()
	}
	return out, nil
}
