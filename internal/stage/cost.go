package stage

import (
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/prcomment"
	"github.com/jitsictl/jitsictl/internal/report"
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

// RegionCost is the Deployer's Cost for region at the embedded prices, priced
// on PlanCostBase; nil (the cost shows n/a) with a warning when the region has none.
func RegionCost(region string, rep report.Reporter) func(*tfjson.Plan) (*prcomment.CostDelta, error) {
	prices, err := cost.Embedded()
	if err != nil {
		return nil
	}
	rp, err := prices.Lookup(region)
	if err != nil {
		rep.Warnf("no prices for %s: the cost delta shows n/a (%v)", region, err)
		return nil
	}
	return CostOf(rp, PlanCostBase())
}
