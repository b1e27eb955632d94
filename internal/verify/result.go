package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/report"
)

// WithAWS is d reading the session's configuration from the account cfg names.
func (d Deps) WithAWS(cfg aws.Config) Deps {
	d.SSM, d.ELB, d.EC2, d.ECS = ssm.NewFromConfig(cfg), elb.NewFromConfig(cfg), ec2.NewFromConfig(cfg), ecs.NewFromConfig(cfg)
	return d
}

// Priced is the session's cost as verify shows it beside the checks
// (internal/cost.SessionFigures).
type Priced interface {
	Outputs() map[string]string
	Text() string
}

// Result is verify's whole result: the checks and the session's cost (nil
// when it could not be read). Cost never decides the exit status.
type Result struct {
	Report Report
	Cost   Priced
}

// Outputs are the step outputs: the checks' and the cost's.
func (v Result) Outputs() map[string]string {
	outs := v.Report.Outputs()
	if v.Cost != nil {
		maps.Copy(outs, v.Cost.Outputs())
	}
	return outs
}

// WriteText writes the checks' table and the cost for a terminal.
func (v Result) WriteText(w io.Writer) error {
	if err := v.Report.WriteText(w); err != nil {
		return err
	}
	if v.Cost != nil {
		_, err := fmt.Fprintf(w, "\n%s", v.Cost.Text())
		return err
	}
	return nil
}

// MarshalJSON is the --output json document: the checks, the step outputs
// and the cost figures (absent when they could not be read).
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
	doc["outputs"] = v.Outputs()
	if v.Cost != nil {
		doc["cost"] = v.Cost
	}
	return json.Marshal(doc)
}

// Validate refuses check limits out of range: bad input, before anything is
// touched (Run's defaults are for zero values; a user's flags are checked).
func (d Deps) Validate() error {
	if s := d.STUN; s.Attempts < 1 || s.Attempts > 99 || s.Timeout <= 0 || s.Timeout > d.CheckTimeout || d.CheckTimeout <= 0 || d.Concurrency < 1 {
		return report.Usagef("--stun-attempts must be 1 to 99, --stun-timeout positive and at most --timeout, --timeout and --concurrency positive")
	}
	return nil
}

// Publish hands the whole result to the Reporter (the JSON face prints it)
// and writes the table and cost to text (nil on the JSON face). Its error
// ends verify with exit 1 when a check failed; the checks are already shown.
func (v Result) Publish(rep report.Reporter, text io.Writer) error {
	rep.Result(v)
	if text != nil {
		if err := v.WriteText(text); err != nil {
			return err
		}
	}
	if v.Report.Failed() {
		return report.Failedf("verify: %d checks failed", v.Report.Count(probe.Fail))
	}
	return nil
}
