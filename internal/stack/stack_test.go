package stack

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// clients are the AWS APIs the assertions read, all pointed at the emulator.
type clients struct {
	ec2 *ec2.Client
	ecs *ecs.Client
	elb *elb.Client
	iam *iam.Client
	s3  *s3.Client
	ssm *ssm.Client
}

func newClients(t *testing.T, e *testbed.Emulator) clients {
	cfg := e.AWSConfig(t)
	return clients{ec2.NewFromConfig(cfg), ecs.NewFromConfig(cfg), elb.NewFromConfig(cfg), iam.NewFromConfig(cfg), s3.NewFromConfig(cfg), ssm.NewFromConfig(cfg)}
}

// must(call())(t) fails the test on a call's error and returns its value.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// One stack walks idle -> session -> idle, because each NLB apply waits about a minute
// in the provider's waiter; subtests check each state.
func TestStackLifecycle(t *testing.T) {
	start := time.Now()
	e := testbed.Moto(t)
	s := testbed.NewStack(t, e)
	c := newClients(t, e)
	ctx := context.Background()
	off := tf.Vars{"nlb_enabled": false}
	on := tf.Vars{"nlb_enabled": true}

	s.Apply(t, off)
	t.Logf("idle apply done after %s", time.Since(start).Round(time.Second))
	idle := s.Outputs(t)

	t.Run("idle outputs", func(t *testing.T) {
		if idle.NLBEnabled || idle.NLBArn != "" || idle.NLBDNSName != "" || len(idle.EIPAddresses) != 0 || len(idle.TargetGroupARNs) != 0 || len(idle.ListenerARNs) != 0 || idle.MeetingURL != "" {
			t.Errorf("idle stack reports session resources: %+v", idle)
		}
		if len(idle.SubnetIDs) != 2 || idle.VPCCIDR != "10.42.0.0/16" || idle.ClusterName == "" || idle.ServiceName == "" || idle.BucketName == "" {
			t.Errorf("idle outputs incomplete: %+v", idle)
		}
		if got := advertised(t, c, idle.AdvertiseIPsParameterName); got != "none" {
			t.Errorf("advertise-ips while idle = %q, want the placeholder none", got)
		}
		if idle.Access != "invite" || idle.JWTAppID != idle.Project || idle.XMPPDomain != "meet.jitsi" || !slices.Contains(idle.SecretParameterNames, idle.JWTSecretParameterName) {
			t.Errorf("access outputs: access %q, jwt_app_id %q, xmpp_domain %q, jwt_secret_parameter_name %q (secrets %v): want invite, the project, meet.jitsi and one of the generated secrets",
				idle.Access, idle.JWTAppID, idle.XMPPDomain, idle.JWTSecretParameterName, idle.SecretParameterNames)
		}
		if idle.ContainerPorts["jvb_udp"] != 10000 || idle.ContainerPorts["jvb_health"] != 8080 || idle.ContainerPorts["web_http"] != 8000 || idle.ContainerPorts["web_https"] != 8443 {
			t.Errorf("container_ports = %v", idle.ContainerPorts)
		}
	})

	t.Run("idle plan is empty", func(t *testing.T) {
		if s.Plan(t, off) {
			t.Error("a second plan with nlb_enabled=false shows changes: the stack does not round-trip")
		}
	})

	t.Run("security group", func(t *testing.T) { checkSecurityGroup(t, c, idle.SecurityGroupID, idle.VPCCIDR) })
	t.Run("task definition", func(t *testing.T) {
		checkTaskDefinition(t, c, idle.TaskDefinitionFamily, idle.AdvertiseIPsParameterName, idle.SecretParameterNames)
	})
	t.Run("execution role", func(t *testing.T) { checkExecutionRole(t, c, idle.TaskDefinitionFamily, idle.SSMParameterPrefix) })
	t.Run("service", func(t *testing.T) { checkService(t, c, idle.ClusterName, idle.ServiceName) })
	t.Run("bucket", func(t *testing.T) { checkBucket(t, c, idle.BucketName) })
	t.Run("no secret in state", func(t *testing.T) { checkSecretsNotInState(t, c, s, idle.SecretParameterNames) })
	t.Run("TLS and legacy plan", func(t *testing.T) { checkTLSAndLegacyPlan(t, s) })

	// The session flow: first only the Elastic IPs and the advertised-address parameter
	// (the task can start with the right JVB_ADVERTISE_IPS), then the rest.
	targets := []string{"module.jvb_nlb[0].aws_eip.this", "aws_ssm_parameter.advertise_ips"}
	if err := s.Runner.Apply(ctx, on, targets); err != nil {
		t.Fatal(err)
	}
	var earlyIPs []string
	t.Run("targeted apply creates only addresses", func(t *testing.T) {
		lbs := must(c.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}))(t)
		if len(lbs.LoadBalancers) != 0 {
			t.Errorf("the targeted apply created %d load balancers", len(lbs.LoadBalancers))
		}
		addrs := sessionAddresses(t, c, idle.Project)
		if len(addrs) != 2 {
			t.Fatalf("%d session Elastic IPs after the targeted apply, want 2", len(addrs))
		}
		for _, a := range addrs {
			earlyIPs = append(earlyIPs, *a.PublicIp)
		}
		got := strings.Split(advertised(t, c, idle.AdvertiseIPsParameterName), ",")
		if !sameSet(got, earlyIPs) {
			t.Errorf("advertise-ips = %v, want the Elastic IPs %v", got, earlyIPs)
		}
	})

	// A session scales the service outside terraform; a later apply must keep it.
	must(c.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(idle.ClusterName), Service: aws.String(idle.ServiceName), DesiredCount: aws.Int32(1)}))(t)

	nlbStart := time.Now()
	s.Apply(t, on)
	t.Logf("session apply (NLB) took %s", time.Since(nlbStart).Round(time.Second))
	live := s.Outputs(t)

	t.Run("session outputs", func(t *testing.T) {
		if !live.NLBEnabled || live.NLBArn == "" || live.NLBDNSName == "" || len(live.EIPAddresses) != 2 || len(live.EIPAllocationIDs) != 2 {
			t.Fatalf("session outputs incomplete: %+v", live)
		}
		if !sameSet(live.EIPAddresses, earlyIPs) {
			t.Errorf("the full apply replaced the Elastic IPs: %v, the targeted apply made %v", live.EIPAddresses, earlyIPs)
		}
		if live.MeetingURL != "https://"+live.NLBDNSName+"/" {
			t.Errorf("meeting_url = %q without a domain, want the NLB's DNS name", live.MeetingURL)
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range live.TargetGroupARNs {
				if !yield(k) {
					return
				}
			}
		})
		if !slices.Equal(keys, []string{"tcp_443", "udp_10000"}) {
			t.Errorf("target_group_arns keys = %v, want tcp_443 and udp_10000 (no legacy 4443 by default)", keys)
		}
	})
	t.Run("session plan is empty", func(t *testing.T) {
		if s.Plan(t, on) {
			t.Error("a second plan with nlb_enabled=true shows changes: the NLB does not round-trip")
		}
	})
	t.Run("nlb", func(t *testing.T) { checkNLB(t, c, s, live) })
	t.Run("target groups", func(t *testing.T) { checkTargetGroups(t, c, live) })
	t.Run("advertised addresses are the NLB's", func(t *testing.T) {
		got := strings.Split(advertised(t, c, live.AdvertiseIPsParameterName), ",")
		if !slices.Equal(got, live.EIPAddresses) {
			t.Errorf("advertise-ips = %v, want eip_addresses %v", got, live.EIPAddresses)
		}
	})
	t.Run("desired count survives apply", func(t *testing.T) { checkDesired(t, c, live, 1) })
	t.Run("no secret in state with session", func(t *testing.T) { checkSecretsNotInState(t, c, s, live.SecretParameterNames) })

	s.Apply(t, off)
	closed := s.Outputs(t)
	t.Run("session resources gone", func(t *testing.T) {
		lbs := must(c.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}))(t)
		tgs := must(c.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{}))(t)
		if len(lbs.LoadBalancers) != 0 || len(tgs.TargetGroups) != 0 {
			t.Errorf("after nlb_enabled=false: %d load balancers, %d target groups remain", len(lbs.LoadBalancers), len(tgs.TargetGroups))
		}
		if a := sessionAddresses(t, c, idle.Project); len(a) != 0 {
			t.Errorf("after nlb_enabled=false: %d session Elastic IPs remain", len(a))
		}
		if got := advertised(t, c, closed.AdvertiseIPsParameterName); got != "none" {
			t.Errorf("advertise-ips after the session = %q, want none", got)
		}
		if closed.NLBArn != "" || len(closed.EIPAddresses) != 0 {
			t.Errorf("outputs after the session still name session resources: %+v", closed)
		}
		if s.Plan(t, off) {
			t.Error("plan after closing shows changes")
		}
	})
	t.Run("desired count survives closing apply", func(t *testing.T) { checkDesired(t, c, closed, 1) })
	t.Logf("lifecycle took %s", time.Since(start).Round(time.Second))
}

// The TLS and legacy variants are checked on the plan (an apply would only repeat the
// minute-long NLB waiter): they differ from the default only in listener and target
// group arguments.
func checkTLSAndLegacyPlan(t *testing.T, s *testbed.Stack) {
	// Against the recorded state (-refresh=false): the idle plan before this found it
	// equal to the emulator's, and these plans look only at what the variables change.
	// A refresh would read back every resource twice more.
	r, err := tf.New(context.Background(), s.Dir, tf.WithEnv(s.Emulator.Env()), tf.WithVars(s.Emulator.TFVars()), tf.WithoutRefresh(), tf.WithReattach(s.Reattach))
	if err != nil {
		t.Fatal(err)
	}
	cert := "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
	plan := showPlan(t, r, tf.Vars{"nlb_enabled": true, "certificate_arn": cert, "legacy_tcp_4443": true})
	web := planned(t, plan, "module.jvb_nlb[0].aws_lb_listener.web")
	if web["protocol"] != "TLS" || web["port"] != float64(443) || web["certificate_arn"] != cert {
		t.Errorf("443 listener with a certificate = protocol %v port %v cert %v, want TLS 443 %s", web["protocol"], web["port"], web["certificate_arn"], cert)
	}
	if tg := planned(t, plan, "module.jvb_nlb[0].aws_lb_target_group.web"); tg["port"] != float64(8000) || tg["protocol"] != "TCP" {
		t.Errorf("TLS-terminated web target group = %v/%v, want TCP 8000 (web's plain port)", tg["protocol"], tg["port"])
	}
	if l := planned(t, plan, "module.jvb_nlb[0].aws_lb_listener.legacy_tcp_4443[0]"); l["port"] != float64(4443) {
		t.Errorf("legacy listener port = %v", l["port"])
	}
	for _, rc := range plan.ResourceChanges {
		if !strings.HasPrefix(rc.Address, "module.jvb_nlb[0].") && !rc.Change.Actions.NoOp() && rc.Address != "aws_ssm_parameter.advertise_ips" {
			t.Errorf("opening a session plans %v on %s: only the jvb_nlb module and the advertised addresses may change", rc.Change.Actions, rc.Address)
		}
	}

	// The addresses are public: insecure_value keeps them readable in a plan (value would
	// be masked). A session's plan learns them from the Elastic IPs on apply.
	adv := change(t, plan, "aws_ssm_parameter.advertise_ips")
	if unknown, _ := adv.AfterUnknown.(map[string]any); unknown["insecure_value"] != true {
		t.Errorf("advertise-ips insecure_value is not planned from the Elastic IPs (after %v, unknown %v): its addresses should be readable in a plan, not masked", adv.After, adv.AfterUnknown)
	}
	if sensitive, _ := adv.AfterSensitive.(map[string]any); sensitive["insecure_value"] == true {
		t.Errorf("advertise-ips is planned as sensitive (%v): its addresses should be readable in a plan, not masked", adv.AfterSensitive)
	}
	for _, rc := range plan.ResourceChanges {
		if strings.Contains(rc.Address, "aws_route53_record") {
			t.Errorf("without a zone the session plans %s", rc.Address)
		}
	}

	// One plan for three settings: a hosted zone, a domain and access through the lobby.
	// With a zone, the session (and only the session) holds the meeting's A record.
	domain := showPlan(t, r, tf.Vars{"nlb_enabled": true, "domain_name": "meet.example.org", "route53_zone_id": "Z0123456789ABCDEFGHIJ", "access": "lobby"})
	rec := planned(t, domain, "module.jvb_nlb[0].aws_route53_record.meeting[0]")
	if rec["name"] != "meet.example.org" || rec["type"] != "A" || rec["zone_id"] != "Z0123456789ABCDEFGHIJ" || rec["ttl"] != float64(60) {
		t.Errorf("meeting record planned as %v, want an A record for meet.example.org in the zone, TTL 60", rec)
	}
	if u := domain.OutputChanges["meeting_url"]; u == nil || u.After != "https://meet.example.org/" {
		t.Errorf("meeting_url planned as %+v, want https://meet.example.org/ (the domain, not the NLB's name)", u)
	}
	td := planned(t, domain, "aws_ecs_task_definition.jitsi")
	if defs, _ := td["container_definitions"].(string); !strings.Contains(defs, `"PUBLIC_URL","value":"https://meet.example.org"`) || strings.Contains(defs, "BOSH_RELATIVE") {
		t.Errorf("with a domain, PUBLIC_URL should be set and BOSH_RELATIVE gone: %s", defs)
	}
	if defs, _ := td["container_definitions"].(string); strings.Count(defs, `"ENABLE_GUESTS","value":"1"`) != 3 || !strings.Contains(defs, `"AUTH_TYPE","value":"jwt"`) {
		t.Errorf("access lobby: prosody, jicofo and web should get ENABLE_GUESTS=1 with token authentication kept: %s", defs)
	}
	if a := domain.OutputChanges["access"]; a == nil || a.After != "lobby" {
		t.Errorf("access output planned as %+v, want lobby", a)
	}
}

func showPlan(t *testing.T, r *tf.Runner, vars tf.Vars) *tfjson.Plan {
	t.Helper()
	ctx := context.Background()
	file := t.TempDir() + "/plan.tfplan"
	if _, err := r.Plan(ctx, vars, nil, file); err != nil {
		t.Fatal(err)
	}
	return must(r.ShowPlan(ctx, file))(t)
}

func planned(t *testing.T, p *tfjson.Plan, addr string) map[string]any {
	t.Helper()
	m, _ := change(t, p, addr).After.(map[string]any)
	return m
}

func change(t *testing.T, p *tfjson.Plan, addr string) *tfjson.Change {
	t.Helper()
	for _, rc := range p.ResourceChanges {
		if rc.Address == addr {
			return rc.Change
		}
	}
	t.Fatalf("plan has no %s", addr)
	return nil
}
