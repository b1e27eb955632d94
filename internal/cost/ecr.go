package cost

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// ECRImagesAPI is the ECR call that measures the stack's image copies.
type ECRImagesAPI interface {
	DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error)
}

// ReadECRBytes sums the stored size of every image in the given repositories (names
// such as jitsi/web, or URIs <account>.dkr.ecr.<region>.amazonaws.com/jitsi/web). ECR
// reports each platform's image, so a multi-arch copy counts all its platforms.
func ReadECRBytes(ctx context.Context, api ECRImagesAPI, repos []string) (int64, error) {
	var total int64
	for _, repo := range repos {
		if host, path, ok := strings.Cut(repo, "/"); ok && strings.Contains(host, ".") {
			repo = path // a URI: the name follows the registry host
		}
		p := ecr.NewDescribeImagesPaginator(api, &ecr.DescribeImagesInput{RepositoryName: aws.String(repo)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return 0, fmt.Errorf("ECR DescribeImages %s: %w", repo, err)
			}
			for _, d := range page.ImageDetails {
				total += aws.ToInt64(d.ImageSizeInBytes)
			}
		}
	}
	return total, nil
}
