// Package verify checks that a running session is consistent and reachable:
// AWS's own target health, the configuration the seed got wrong (advertised
// addresses, STUN discovery, security group, DNS), and probes of every
// listener on every Elastic IP. Each check is a probe.Check, run concurrently.
package verify

import (
	"github.com/jitsictl/jitsictl/internal/outputs"
)

// Target is what verify needs to know about the stack, from its outputs.
type Target struct {
	NLBARN string
	// EIPAddresses are the stack's Elastic IPs, the addresses JVB must advertise.
	EIPAddresses []string
	// TargetGroupARNs maps a short name (e.g. "udp-10000") to an ARN.
	TargetGroupARNs       map[string]string
	SecurityGroupID       string
	VPCCIDR               string
	AdvertiseIPsParameter string
	TaskDefinitionFamily  string
	// JVBContainer names the videobridge container in the task definition (default "jvb").
	JVBContainer string
	// Domain, when set, must resolve to the Elastic IPs.
	Domain string
	// MeetingURL is probed over HTTPS on every Elastic IP.
	MeetingURL string
	// Access is the stack's access mode (invite, lobby); set, verify checks
	// that the served web config asks for a link.
	Access string
	// MediaPort is JVB's UDP port (default 10000); HealthPort is JVB's
	// private HTTP port the NLB health check uses (default 8080).
	MediaPort  int
	HealthPort int
}

// FromOutputs fills a Target from the stack's Terraform outputs.
func FromOutputs(o outputs.Outputs) Target {
	t := Target{
		NLBARN:                o.NLBArn,
		EIPAddresses:          o.EIPAddresses,
		TargetGroupARNs:       o.TargetGroupARNs,
		SecurityGroupID:       o.SecurityGroupID,
		VPCCIDR:               o.VPCCIDR,
		AdvertiseIPsParameter: o.AdvertiseIPsParameterName,
		TaskDefinitionFamily:  o.TaskDefinitionFamily,
		Domain:                o.DomainName,
		MeetingURL:            o.MeetingURL,
		Access:                o.Access,
	}
	if p := o.ContainerPorts["jvb_udp"]; p != 0 {
		t.MediaPort = p
	}
	if p := o.ContainerPorts["jvb_health"]; p != 0 {
		t.HealthPort = p
	}
	return t
}

func (t Target) withDefaults() Target {
	if t.JVBContainer == "" {
		t.JVBContainer = "jvb"
	}
	if t.MediaPort == 0 {
		t.MediaPort = 10000
	}
	if t.HealthPort == 0 {
		t.HealthPort = 8080
	}
	return t
}
