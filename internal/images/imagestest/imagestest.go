// Package imagestest publishes multi-arch images into go-containerregistry's
// in-process OCI registry on loopback, for tests of the image check and copy.
package imagestest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Registry starts a registry on loopback for the test and returns its host:port.
func Registry(t testing.TB) string {
	t.Helper()
	s := httptest.NewServer(registry.New())
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// Publish pushes to ref an index holding one random image per platform (os/arch) plus,
// as docker buildx does, an attestation entry (unknown/unknown), and returns the
// index's digest.
func Publish(t testing.TB, ref string, platforms ...string) string {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	add := func(p v1.Platform, size int64) {
		img, err := random.Image(size, 1)
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	for _, p := range platforms {
		os, arch, _ := strings.Cut(p, "/")
		add(v1.Platform{OS: os, Architecture: arch}, 256)
	}
	add(v1.Platform{OS: "unknown", Architecture: "unknown"}, 64)
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// Release publishes the four images of a docker-jitsi-meet release under
// host/jitsi/<component>:tag and returns component -> digest.
func Release(t testing.TB, host, tag string, platforms func(component string) []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range []string{"jicofo", "jvb", "prosody", "web"} {
		out[c] = Publish(t, host+"/jitsi/"+c+":"+tag, platforms(c)...)
	}
	return out
}

// Both is a release with amd64 and arm64 images for every component.
func Both(string) []string { return []string{"linux/amd64", "linux/arm64"} }
