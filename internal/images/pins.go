// Package images keeps the stack's container images pinned: it reads the pin settings
// (release tag plus the digest of each image's multi-arch index), checks in the source
// registry that each pinned tag still carries its digest and offers the platform the task
// runs on (go-containerregistry, no Docker daemon), and copies the pinned images by digest
// into other repositories (the stack's private ECR ones).
package images

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Components are the docker-jitsi-meet images one task runs.
var Components = []string{"jicofo", "jvb", "prosody", "web"}

// Modes say where the task pulls from: the source registry (ghcr.io) or ECR
// repositories of the stack holding copies of the pinned images.
const (
	ModeSource = "source"
	ModeECR    = "ecr"
)

// Architectures as ECS runtimePlatform spells them, and the OCI platform each needs.
var platformOf = map[string]string{"ARM64": "linux/arm64", "X86_64": "linux/amd64"}

// Platform is the OCI platform (os/arch) an ECS cpu_architecture runs.
func Platform(arch string) (string, error) {
	p, ok := platformOf[arch]
	if !ok {
		return "", fmt.Errorf("cpu_architecture %q: use ARM64 or X86_64", arch)
	}
	return p, nil
}

// Settings are the stack's image variables (terraform/variables.tf, terraform.tfvars).
type Settings struct {
	Registry string            // jitsi_image_registry, e.g. ghcr.io/jitsi
	Tag      string            // jitsi_image_tag
	Digests  map[string]string // jitsi_image_digests: component -> sha256:…
	Arch     string            // cpu_architecture
	Mode     string            // images: source or ecr
}

// Pin is one image named by its release tag and pinned by the digest of what the tag
// pointed to when it was reviewed.
type Pin struct {
	Component string
	Repo      string // ghcr.io/jitsi/web
	Tag       string
	Digest    string // sha256:…
}

// Ref is the reference a task definition uses: the tag for the reader, the digest for
// the registry (which ignores the tag once a digest is given).
func (p Pin) Ref() string { return p.Repo + ":" + p.Tag + "@" + p.Digest }

// Tagged is the tag alone, what the pin was taken from.
func (p Pin) Tagged() string { return p.Repo + ":" + p.Tag }

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Pins returns one pin per component, or an error naming every component that is not
// pinned by a well-formed digest.
func (s Settings) Pins() ([]Pin, error) {
	var pins []Pin
	var missing, malformed []string
	for _, c := range Components {
		d := s.Digests[c]
		switch {
		case d == "":
			missing = append(missing, c)
		case !digestRE.MatchString(d):
			malformed = append(malformed, fmt.Sprintf("%s=%q", c, d))
		default:
			pins = append(pins, Pin{Component: c, Repo: strings.TrimSuffix(s.Registry, "/") + "/" + c, Tag: s.Tag, Digest: d})
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("not pinned: %s (jitsi_image_digests has no digest for them)", strings.Join(missing, ", ")))
	}
	if len(malformed) > 0 {
		problems = append(problems, fmt.Sprintf("not a sha256 digest: %s", strings.Join(malformed, ", ")))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("images %s/*:%s: %s; record the digests of the reviewed release with `jitsictl images pin` and commit terraform/images.auto.tfvars.json", s.Registry, s.Tag, strings.Join(problems, "; "))
	}
	return pins, nil
}

// FromVariables reads Settings from a plan's root variable values (tfjson
// Plan.Variables, name -> value).
func FromVariables(vars map[string]any) (Settings, error) {
	str := func(name string) string {
		s, _ := vars[name].(string)
		return s
	}
	s := Settings{Registry: str("jitsi_image_registry"), Tag: str("jitsi_image_tag"), Arch: str("cpu_architecture"), Mode: str("images"), Digests: map[string]string{}}
	if m, ok := vars["jitsi_image_digests"].(map[string]any); ok {
		for k, v := range m {
			if d, ok := v.(string); ok {
				s.Digests[k] = d
			}
		}
	}
	var missing []string
	for _, n := range []string{"jitsi_image_registry", "jitsi_image_tag", "cpu_architecture", "images"} {
		if str(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return s, fmt.Errorf("the plan has no value for %s (is terraform/ from another jitsictl version?)", strings.Join(missing, ", "))
	}
	if _, err := Platform(s.Arch); err != nil {
		return s, err
	}
	return s, nil
}
