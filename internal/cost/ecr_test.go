package cost

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// The idle month's ECR line measures the stack's repositories as ECR reports them.
func TestReadECRBytesOnEmulator(t *testing.T) {
	cfg, _ := awsConfig(t)
	ctx := testbed.Context(t)
	api := ecr.NewFromConfig(cfg)
	var uris []string
	var want int64
	for i, c := range []string{"web", "jvb"} {
		out, err := api.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("jitsi/" + c)})
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, aws.ToString(out.Repository.RepositoryUri))
		for j := range 2 {
			manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"sha256:%064x"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"sha256:%064x"}]}`, 100+i, i*10+j, 1000*(i+1)+j, i*10+j+1)
			if _, err := api.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("jitsi/" + c), ImageManifest: aws.String(manifest), ImageTag: aws.String(fmt.Sprint("t", j))}); err != nil {
				t.Fatal(err)
			}
		}
		imgs, err := api.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("jitsi/" + c)})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range imgs.ImageDetails {
			want += aws.ToInt64(d.ImageSizeInBytes)
		}
	}
	got, err := ReadECRBytes(ctx, api, uris)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || got <= 0 {
		t.Fatalf("ReadECRBytes = %d, ECR reports %d", got, want)
	}
	if byName, err := ReadECRBytes(ctx, api, []string{"jitsi/web", "jitsi/jvb"}); err != nil || byName != got {
		t.Fatalf("by name: %d %v", byName, err)
	}
}
