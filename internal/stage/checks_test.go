package stage

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// The parameters a stage must leave readable come from the plan: what the state held,
// plus what the plan creates, less what it deletes.
func TestPlanParameters(t *testing.T) {
	t.Parallel()
	param := func(name string) *tfjson.StateResource {
		return &tfjson.StateResource{Mode: tfjson.ManagedResourceMode, Type: "aws_ssm_parameter", AttributeValues: map[string]any{"name": name}}
	}
	p := &tfjson.Plan{
		PriorState: &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{
			Resources: []*tfjson.StateResource{param("/p/kept"), param("/p/dropped")},
		}}},
		PlannedValues: &tfjson.StateValues{RootModule: &tfjson.StateModule{
			ChildModules: []*tfjson.StateModule{{Resources: []*tfjson.StateResource{param("/p/new")}}},
		}},
		ResourceChanges: []*tfjson.ResourceChange{{
			Type: "aws_ssm_parameter", Address: "aws_ssm_parameter.dropped",
			Change: &tfjson.Change{Actions: tfjson.Actions{tfjson.ActionDelete}, Before: map[string]any{"name": "/p/dropped"}},
		}},
	}
	if got := strings.Join(planParameters(p), ","); got != "/p/kept,/p/new" {
		t.Errorf("got %s", got)
	}
}

func TestParametersReadableOnMoto(t *testing.T) {
	emu := testbed.Moto(t)
	ctx := context.Background()
	api := ssm.NewFromConfig(emu.AWSConfig(t))
	for i, name := range []string{"/jitsi/a", "/jitsi/b"} {
		typ := ssmtypes.ParameterTypeString
		if i == 0 {
			typ = ssmtypes.ParameterTypeSecureString
		}
		if _, err := api.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	c := &Checker{SSM: api}
	// Twelve names: more than one GetParameters batch of ten.
	names := []string{"/jitsi/a", "/jitsi/b"}
	if err := c.After(ctx, &Snapshot{Parameters: names}, []Check{ParametersReadable}); err != nil {
		t.Errorf("readable parameters: %v", err)
	}
	for i := 0; i < 10; i++ {
		names = append(names, "/jitsi/missing-"+string(rune('a'+i)))
	}
	err := c.After(ctx, &Snapshot{Parameters: names}, []Check{ParametersReadable})
	if err == nil || !strings.Contains(err.Error(), "check parameters-readable: not readable: /jitsi/missing-a") || !strings.Contains(err.Error(), "/jitsi/missing-j") {
		t.Errorf("missing parameters: %v", err)
	}
	if err := c.After(ctx, &Snapshot{}, []Check{ParametersReadable}); err == nil {
		t.Error("a stack without parameters passed parameters-readable")
	}
}
