package cost

import (
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// PlanScenarios derives the before and after Scenario of a Terraform plan
// (`terraform show -json`) from base, the deployment as measured: the task
// size follows aws_ecs_task_definition, advanced parameters follow
// aws_ssm_parameter tiers, hosted zones follow aws_route53_zone and Cloud Map
// private DNS namespaces (each creates one), and the session's Elastic IPs
// follow aws_eip when the plan has any. Bucket and log bytes are not in a
// plan and stay as measured.
func PlanScenarios(p *tfjson.Plan, base Scenario) (before, after Scenario, err error) {
	before, after = base, base
	var zonesB, zonesA, advB, advA, eipB, eipA int64
	var sawParams, sawZones, sawEIPs bool
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil || rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		b, _ := rc.Change.Before.(map[string]any)
		a, _ := rc.Change.After.(map[string]any)
		switch rc.Type {
		case "aws_ecs_task_definition":
			if b != nil {
				if before.Session.Task, err = planTaskSize(b, before.Session.Task); err != nil {
					return before, after, fmt.Errorf("cost: %s before: %w", rc.Address, err)
				}
			}
			if a != nil {
				if after.Session.Task, err = planTaskSize(a, after.Session.Task); err != nil {
					return before, after, fmt.Errorf("cost: %s after: %w", rc.Address, err)
				}
			}
		case "aws_ssm_parameter":
			sawParams = true
			advB += countIf(b != nil && b["tier"] == "Advanced")
			advA += countIf(a != nil && a["tier"] == "Advanced")
		case "aws_route53_zone", "aws_service_discovery_private_dns_namespace":
			sawZones = true
			zonesB += countIf(b != nil)
			zonesA += countIf(a != nil)
		case "aws_eip":
			sawEIPs = true
			eipB += countIf(b != nil)
			eipA += countIf(a != nil)
		}
	}
	if sawParams {
		before.Idle.AdvancedParameters, after.Idle.AdvancedParameters = advB, advA
	}
	if sawZones {
		before.Idle.HostedZones, after.Idle.HostedZones = zonesB, zonesA
	}
	if sawEIPs {
		before.Session.NLBAddresses, after.Session.NLBAddresses = eipB, eipA
	}
	return before, after, nil
}

func countIf(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// planTaskSize reads cpu, memory and runtime_platform from a task
// definition's planned values; a value unknown until apply keeps the old one.
func planTaskSize(v map[string]any, old TaskSize) (TaskSize, error) {
	t := old
	if s, ok := v["cpu"].(string); ok && s != "" {
		n, err := taskUnits(s, "vcpu")
		if err != nil {
			return t, fmt.Errorf("cpu: %w", err)
		}
		t.CPUUnits = n
	}
	if s, ok := v["memory"].(string); ok && s != "" {
		n, err := taskUnits(s, "gb")
		if err != nil {
			return t, fmt.Errorf("memory: %w", err)
		}
		t.MemoryMiB = n
	}
	t.Arch = X86
	if rps, ok := v["runtime_platform"].([]any); ok && len(rps) > 0 {
		if rp, ok := rps[0].(map[string]any); ok {
			if arch, ok := rp["cpu_architecture"].(string); ok && arch != "" {
				t.Arch = Arch(strings.ToUpper(arch))
			}
		}
	}
	return t, nil
}
