package images

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/jitsictl/jitsictl/internal/images/imagestest"
)

const tag = "stable-11146-2"

// release publishes a release on host and returns its pins as the stack names them
// (ghcr.io/jitsi/…), which Registry{Host} redirects to host.
func release(t *testing.T, host string, platforms func(component string) []string) []Pin {
	t.Helper()
	digests := imagestest.Release(t, host, tag, platforms)
	var pins []Pin
	for _, c := range Components {
		pins = append(pins, Pin{Component: c, Repo: "ghcr.io/jitsi/" + c, Tag: tag, Digest: digests[c]})
	}
	return pins
}

var (
	localRegistry = imagestest.Registry
	push          = imagestest.Publish
	both          = imagestest.Both
)

func TestCheckMultiArchIndexPasses(t *testing.T) {
	host := localRegistry(t)
	pins := release(t, host, both)
	for _, arch := range []string{"ARM64", "X86_64"} {
		platform, _ := Platform(arch)
		found, err := Registry{Host: host}.Check(context.Background(), pins, platform)
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		if len(found) != 4 || strings.Join(found[0].Platforms, ",") != "linux/amd64,linux/arm64" {
			t.Fatalf("%s: found %+v", arch, found)
		}
	}
}

func TestCheckTagWithoutARM64(t *testing.T) {
	host := localRegistry(t)
	pins := release(t, host, func(c string) []string {
		if c == "jvb" {
			return []string{"linux/amd64"}
		}
		return both(c)
	})
	_, err := Registry{Host: host}.Check(context.Background(), pins, "linux/arm64")
	if err == nil {
		t.Fatal("a jvb without arm64 passed the ARM64 check")
	}
	for _, want := range []string{"ghcr.io/jitsi/jvb:" + tag, "has no linux/arm64 image", "platforms found: linux/amd64)", `cpu_architecture to the architecture it has ("X86_64")`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "jitsi/web") {
		t.Errorf("error blames images that have arm64:\n%v", err)
	}
	// X86_64 stays selectable for such a release.
	if _, err := (Registry{Host: host}).Check(context.Background(), pins, "linux/amd64"); err != nil {
		t.Fatalf("X86_64: %v", err)
	}
}

func TestCheckDigestMismatch(t *testing.T) {
	host := localRegistry(t)
	pins := release(t, host, both)
	reviewed := pins[0].Digest
	moved := push(t, host+"/jitsi/"+pins[0].Component+":"+tag, both("")...)
	_, err := Registry{Host: host}.Check(context.Background(), pins, "linux/arm64")
	if err == nil {
		t.Fatal("a re-tagged image passed the check")
	}
	for _, want := range []string{pins[0].Tagged() + " now points to " + moved, "the stack pins " + reviewed, "jitsictl images pin"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestCheckUnreachableAndUnknownTag(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	pin := Pin{Component: "web", Repo: "ghcr.io/jitsi/web", Tag: tag, Digest: "sha256:" + strings.Repeat("a", 64)}
	_, err = Registry{Host: dead, Options: []remote.Option{remote.WithRetryBackoff(remote.Backoff{Steps: 1})}}.Check(context.Background(), []Pin{pin}, "linux/arm64")
	if err == nil || !strings.Contains(err.Error(), "cannot reach the registry "+dead) || !strings.Contains(err.Error(), "JITSICTL_IMAGE_CHECK=skip") {
		t.Fatalf("unreachable registry: %v", err)
	}
	_, err = Registry{Host: localRegistry(t)}.Check(context.Background(), []Pin{pin}, "linux/arm64")
	if err == nil || !strings.Contains(err.Error(), "no such tag") {
		t.Fatalf("unknown tag: %v", err)
	}
}

func TestPinsNamesWhatIsNotPinned(t *testing.T) {
	s := Settings{Registry: "ghcr.io/jitsi", Tag: tag, Digests: map[string]string{"web": "sha256:" + strings.Repeat("b", 64), "jvb": "latest"}}
	_, err := s.Pins()
	if err == nil || !strings.Contains(err.Error(), "not pinned: jicofo, prosody") || !strings.Contains(err.Error(), `jvb="latest"`) {
		t.Fatalf("%v", err)
	}
	for _, c := range Components {
		s.Digests[c] = "sha256:" + strings.Repeat("c", 64)
	}
	pins, err := s.Pins()
	if err != nil || pins[3].Ref() != "ghcr.io/jitsi/web:"+tag+"@sha256:"+strings.Repeat("c", 64) {
		t.Fatalf("%v %v", pins, err)
	}
}

func TestCopyByDigestBetweenRegistries(t *testing.T) {
	src, dst := localRegistry(t), localRegistry(t)
	pins := release(t, src, both)
	ctx := context.Background()
	// The tag moves upstream after the review: the copy still takes the pinned digest.
	push(t, src+"/jitsi/web:"+tag, both("")...)
	for _, p := range pins {
		c, err := Copy(ctx, p, Registry{Host: src}, dst+"/jitsi-"+p.Component)
		if err != nil {
			t.Fatal(err)
		}
		if c.Already {
			t.Fatalf("%s: reported as already there", p.Component)
		}
		ref, _ := name.ParseReference(dst + "/jitsi-" + p.Component + ":" + tag)
		idx, err := remote.Index(ref)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := idx.Digest(); d.String() != p.Digest {
			t.Fatalf("%s: destination holds %s, pinned %s", p.Component, d, p.Digest)
		}
		// Every platform's image came along, layers included.
		m, _ := idx.IndexManifest()
		for _, desc := range m.Manifests {
			img, err := idx.Image(desc.Digest)
			if err != nil {
				t.Fatal(err)
			}
			layers, _ := img.Layers()
			for _, l := range layers {
				rc, err := l.Compressed()
				if err != nil {
					t.Fatalf("%s %s: layer missing in destination: %v", p.Component, desc.Platform, err)
				}
				rc.Close()
			}
		}
	}
	// Again: nothing to upload.
	c, err := Copy(ctx, pins[0], Registry{Host: src}, dst+"/jitsi-"+pins[0].Component)
	if err != nil || !c.Already {
		t.Fatalf("second copy: %+v %v", c, err)
	}
	// A destination tag holding another image is never overwritten.
	other := pins[1]
	other.Digest = pins[2].Digest
	if _, err := Copy(ctx, other, Registry{Host: src}, dst+"/jitsi-"+pins[1].Component); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("conflicting tag: %v", err)
	}
}
