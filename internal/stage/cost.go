package stage

import (
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/prcomment"
)

// CostOf prices a plan's change with the cost model: base is the deployment as measured
// (or assumed); the plan moves the task size, parameter tiers, hosted zones and Elastic
// IPs it touches, and everything it does not touch stays as in base.
func CostOf(prices *cost.RegionPrices, base cost.Scenario) func(*tfjson.Plan) (*prcomment.CostDelta, error) {
	return func(p *tfjson.Plan) (*prcomment.CostDelta, error) {
		before, after, err := cost.PlanScenarios(p, base)
		if err != nil {
			return nil, err
		}
		d := prices.ComparePlans(before, after)
		return &prcomment.CostDelta{
			IdleMonthlyBefore: d.Idle.Before.Float(), IdleMonthlyAfter: d.Idle.After.Float(),
			RunningHourlyBefore: d.Running.Before.Float(), RunningHourlyAfter: d.Running.After.Float(),
		}, nil
	}
}
