package guard

import (
	"strings"
	"testing"
	"time"
)

// TestPlan: the service and the NLB go at expiry + grace, each address
// ReleaseAfter later; inputs carry exactly the API parameters.
func TestPlan(t *testing.T) {
	g := Guard{Stack: Stack{Group: "g", RoleARN: "arn:aws:iam::1:role/g", Cluster: "c", Service: "s", Addresses: 2}, Grace: time.Minute, ReleaseAfter: 2 * time.Minute}
	exp := time.Date(2026, 12, 2, 10, 0, 0, 500, time.FixedZone("CET", 3600))
	got := g.Plan(Session{ExpiresAt: exp, NLBArn: "arn:nlb", AllocationIDs: []string{"eipalloc-a", "eipalloc-b"}})
	want := []string{
		"scale-to-zero at(2026-12-02T09:01:00) " + TargetScaleService + ` {"Cluster":"c","DesiredCount":0,"Service":"s"}`,
		"delete-load-balancer at(2026-12-02T09:01:00) " + TargetDeleteNLB + ` {"LoadBalancerArn":"arn:nlb"}`,
		"release-address-0 at(2026-12-02T09:03:00) " + TargetReleaseEIP + ` {"AllocationId":"eipalloc-a"}`,
		"release-address-1 at(2026-12-02T09:03:00) " + TargetReleaseEIP + ` {"AllocationId":"eipalloc-b"}`,
	}
	var lines []string
	for _, s := range got {
		lines = append(lines, s.Name+" "+s.Expression()+" "+s.Target+" "+s.Input)
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	at, err := ParseAt(got[0].Expression())
	if err != nil || !at.Equal(got[0].At) {
		t.Fatalf("ParseAt(%s) = %s, %v", got[0].Expression(), at, err)
	}
	if _, err := ParseAt("rate(5 minutes)"); err == nil {
		t.Fatal("ParseAt accepted a rate expression")
	}
	if err := (Guard{}).check(); err == nil || !strings.Contains(err.Error(), "deploy the current terraform/") {
		t.Fatalf("a guard without group or role must say how to get one: %v", err)
	}
}

// TestPlanExact: a linger end is not an expiry: the NLB goes at that very
// time (before the next billed hour), not a grace period later.
func TestPlanExact(t *testing.T) {
	g := Guard{Stack: Stack{Group: "g", RoleARN: "r", Cluster: "c", Service: "s"}, ReleaseAfter: 2 * time.Minute}
	end := time.Date(2026, 12, 2, 10, 55, 0, 0, time.UTC)
	got := g.Plan(Session{ExpiresAt: end, NLBArn: "arn:nlb", AllocationIDs: []string{"eipalloc-a"}, Exact: true})
	if len(got) != 3 || got[1].Name != NameNLB || got[1].Expression() != "at(2026-12-02T10:55:00)" || got[2].Expression() != "at(2026-12-02T10:57:00)" {
		t.Fatalf("exact plan: %+v", got)
	}
}
