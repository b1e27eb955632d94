package verify

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// WithAWS is d reading the session's configuration from the account cfg names.
func (d Deps) WithAWS(cfg aws.Config) Deps {
	d.SSM, d.ELB, d.EC2, d.ECS = ssm.NewFromConfig(cfg), elb.NewFromConfig(cfg), ec2.NewFromConfig(cfg), ecs.NewFromConfig(cfg)
	return d
}

// Result is verify's --output json document: the checks, the step outputs
// and the session's cost figures (absent when they could not be read).
type Result struct {
	Report  Report
	Outputs map[string]string
	Cost    any
}

func (v Result) MarshalJSON() ([]byte, error) {
	// Report has its own MarshalJSON; splice its fields in beside the others.
	var doc map[string]any
	b, err := json.Marshal(v.Report)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	doc["outputs"] = v.Outputs
	if v.Cost != nil {
		doc["cost"] = v.Cost
	}
	return json.Marshal(doc)
}
