package awsx

import (
	"fmt"

	"github.com/jitsictl/jitsictl/internal/suggest"
)

// knownRegions are the AWS commercial, GovCloud and China regions as of 2026-11.
// A region outside this list is almost always a typo; we say which name was meant
// rather than letting the SDK fail later with a DNS lookup error.
var knownRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
	"me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1",
	"us-gov-west-1", "us-west-1", "us-west-2",
}

// ValidateRegion rejects names that are not AWS regions and suggests the closest one.
func ValidateRegion(region string) error {
	for _, r := range knownRegions {
		if r == region {
			return nil
		}
	}
	best := suggest.Nearest(region, knownRegions, 1)[0]
	if suggest.Distance(region, best) <= 3 {
		return fmt.Errorf("unknown AWS region %q: did you mean %q? (set --region or AWS_REGION)", region, best)
	}
	return fmt.Errorf("unknown AWS region %q: use a region name such as us-east-1 or eu-central-1 (set --region or AWS_REGION)", region)
}
