package images_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// images = "ecr" on the emulator: the stack's immutable repositories, a task definition
// that pulls the pinned digests from them on ARM64, and registry credentials from ECR's
// token. (moto has no image push API: the copy itself runs between local registries in
// copy_test.go and internal/cli.)
func TestECRModeOnEmulator(t *testing.T) {
	e := testbed.PrivateMoto(t)
	s := testbed.NewStack(t, e)
	ctx := testbed.Context(t)
	digests := map[string]any{}
	for i, c := range images.Components {
		digests[c] = "sha256:" + strings.Repeat(string(rune('a'+i)), 64)
	}
	vars := tf.Vars{"images": "ecr", "jitsi_image_digests": digests, "ecr_scan_on_push": true}
	if err := s.Runner.Apply(ctx, vars, []string{"aws_ecr_repository.jitsi", "aws_ecs_task_definition.jitsi"}); err != nil {
		t.Fatal(err)
	}
	cfg := e.AWSConfig(t)
	repos, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, r := range repos.Repositories {
		if r.ImageTagMutability != ecrtypes.ImageTagMutabilityImmutable || r.ImageScanningConfiguration == nil || !r.ImageScanningConfiguration.ScanOnPush {
			t.Errorf("%s: mutability %s, scanning %+v", aws.ToString(r.RepositoryName), r.ImageTagMutability, r.ImageScanningConfiguration)
		}
		urls[aws.ToString(r.RepositoryName)] = aws.ToString(r.RepositoryUri)
	}
	if len(urls) != 4 {
		t.Fatalf("repositories: %v", urls)
	}
	td, err := ecs.NewFromConfig(cfg).DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("jitsi")})
	if err != nil {
		t.Fatal(err)
	}
	if td.TaskDefinition.RuntimePlatform == nil || td.TaskDefinition.RuntimePlatform.CpuArchitecture != "ARM64" {
		t.Errorf("runtime platform %+v, want ARM64 by default", td.TaskDefinition.RuntimePlatform)
	}
	for _, cd := range td.TaskDefinition.ContainerDefinitions {
		name := aws.ToString(cd.Name)
		want := urls["jitsi/"+name] + ":stable-11146-2@" + digests[name].(string)
		if got := aws.ToString(cd.Image); urls["jitsi/"+name] == "" || got != want {
			t.Errorf("%s pulls %q, want %q", name, got, want)
		}
	}

	auth, err := images.ECRAuth(ctx, ecr.NewFromConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	ac, err := authn.Authorization(ctx, auth)
	if err != nil || ac.Username != "AWS" || ac.Password == "" {
		t.Fatalf("ECR credentials: user %q, password set %v, %v", ac.Username, ac.Password != "", err)
	}

	// ECR mode copies by digest, so it refuses unpinned images before any AWS call.
	err = s.Runner.Apply(ctx, tf.Vars{"images": "ecr"}, []string{"aws_ecr_repository.jitsi"})
	if err == nil || !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), "pin all four in jitsi_image_digests") {
		t.Fatalf("unpinned ECR mode: %v", err)
	}
}
