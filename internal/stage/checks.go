package stage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/plan"
)

// Parameters is the part of the SSM client the checks use.
type Parameters interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, opts ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// Services is the part of the ECS client the checks use.
type Services interface {
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, opts ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
}

// Checker verifies a stage's expected results against AWS.
type Checker struct {
	SSM Parameters
	ECS Services
}

// Snapshot is what the checks compare against: the services and parameters the stage's
// plan knows, as they were before it was applied.
type Snapshot struct {
	Parameters []string
	Services   []ServiceState
}

// ServiceState is one ECS service as DescribeServices showed it.
type ServiceState struct {
	Cluster, Name  string
	DesiredCount   int32
	TaskDefinition string
}

// Before reads what the checks need from the stage's plan and AWS.
func (c *Checker) Before(ctx context.Context, p *tfjson.Plan) (*Snapshot, error) {
	s := &Snapshot{Parameters: planParameters(p)}
	for _, id := range planServices(p) {
		st, err := c.describe(ctx, id[0], id[1])
		if err != nil {
			return nil, err
		}
		s.Services = append(s.Services, st)
	}
	return s, nil
}

// After runs the checks against the snapshot and returns every failure.
func (c *Checker) After(ctx context.Context, s *Snapshot, checks []Check) error {
	var errs []error
	for _, ch := range checks {
		var err error
		switch ch {
		case ParametersReadable:
			err = c.parametersReadable(ctx, s.Parameters)
		case ServiceCountUnchanged, ServiceUnchanged:
			err = c.servicesUnchanged(ctx, s.Services, ch == ServiceUnchanged)
		default:
			err = fmt.Errorf("unknown check %q", ch)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("check %s: %w", ch, err))
		}
	}
	return errors.Join(errs...)
}

func (c *Checker) parametersReadable(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return errors.New("the stack has no SSM parameters to read")
	}
	var missing []string
	for i := 0; i < len(names); i += 10 { // GetParameters takes at most 10 names
		batch := names[i:min(i+10, len(names))]
		out, err := c.SSM.GetParameters(ctx, &ssm.GetParametersInput{Names: batch, WithDecryption: aws.Bool(true)})
		if err != nil {
			return fmt.Errorf("read parameters: %w", err)
		}
		missing = append(missing, out.InvalidParameters...)
		if len(out.Parameters)+len(out.InvalidParameters) != len(batch) {
			return fmt.Errorf("asked for %d parameters, got %d and %d invalid", len(batch), len(out.Parameters), len(out.InvalidParameters))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("not readable: %s", strings.Join(missing, ", "))
	}
	return nil
}

func (c *Checker) servicesUnchanged(ctx context.Context, before []ServiceState, taskDef bool) error {
	var bad []string
	for _, b := range before {
		now, err := c.describe(ctx, b.Cluster, b.Name)
		if err != nil {
			return err
		}
		if now.DesiredCount != b.DesiredCount {
			bad = append(bad, fmt.Sprintf("service %s: desired count %d, was %d before the stage", b.Name, now.DesiredCount, b.DesiredCount))
		}
		if taskDef && now.TaskDefinition != b.TaskDefinition {
			bad = append(bad, fmt.Sprintf("service %s: runs %s, ran %s before the stage", b.Name, now.TaskDefinition, b.TaskDefinition))
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

func (c *Checker) describe(ctx context.Context, cluster, name string) (ServiceState, error) {
	out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
	if err != nil {
		return ServiceState{}, fmt.Errorf("describe service %s: %w", name, err)
	}
	if len(out.Services) != 1 {
		return ServiceState{}, fmt.Errorf("service %s not found in cluster %s", name, cluster)
	}
	s := out.Services[0]
	return ServiceState{Cluster: cluster, Name: name, DesiredCount: s.DesiredCount, TaskDefinition: aws.ToString(s.TaskDefinition)}, nil
}

// planParameters lists the SSM parameter names the stack holds once the plan is applied:
// those in the prior state or the planned values, less those the plan deletes.
func planParameters(p *tfjson.Plan) []string {
	names := map[string]bool{}
	if p.PriorState != nil && p.PriorState.Values != nil {
		walk(p.PriorState.Values.RootModule, "aws_ssm_parameter", func(v map[string]any) {
			if n, _ := v["name"].(string); n != "" {
				names[n] = true
			}
		})
	}
	if p.PlannedValues != nil {
		walk(p.PlannedValues.RootModule, "aws_ssm_parameter", func(v map[string]any) {
			if n, _ := v["name"].(string); n != "" {
				names[n] = true
			}
		})
	}
	for _, rc := range p.ResourceChanges {
		if rc.Type != "aws_ssm_parameter" || rc.Change == nil {
			continue
		}
		if a, err := plan.Classify(rc.Change.Actions); err == nil && a == plan.Delete {
			if b, ok := rc.Change.Before.(map[string]any); ok {
				n, _ := b["name"].(string)
				delete(names, n)
			}
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// planServices lists (cluster, name) of the ECS services that existed before the plan.
func planServices(p *tfjson.Plan) [][2]string {
	var out [][2]string
	if p.PriorState == nil || p.PriorState.Values == nil {
		return nil
	}
	walk(p.PriorState.Values.RootModule, "aws_ecs_service", func(v map[string]any) {
		c, _ := v["cluster"].(string)
		n, _ := v["name"].(string)
		if c != "" && n != "" {
			out = append(out, [2]string{c, n})
		}
	})
	return out
}

func walk(m *tfjson.StateModule, typ string, f func(map[string]any)) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		if r.Mode == tfjson.ManagedResourceMode && r.Type == typ {
			f(r.AttributeValues)
		}
	}
	for _, c := range m.ChildModules {
		walk(c, typ, f)
	}
}
