// Package outputs reads the stack's Terraform outputs into one typed struct,
// so every flow agrees on names and nobody parses `terraform output` twice.
package outputs

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Outputs are the values of terraform/outputs.tf that jitsictl reads.
type Outputs struct {
	Project                   string            `json:"project"`
	Region                    string            `json:"region"`
	ClusterName               string            `json:"cluster_name"`
	ServiceName               string            `json:"service_name"`
	TaskDefinitionFamily      string            `json:"task_definition_family"`
	VPCID                     string            `json:"vpc_id"`
	VPCCIDR                   string            `json:"vpc_cidr"`
	SubnetIDs                 []string          `json:"subnet_ids"`
	SecurityGroupID           string            `json:"security_group_id"`
	SSMParameterPrefix        string            `json:"ssm_parameter_prefix"`
	SecretParameterNames      []string          `json:"secret_parameter_names"`
	AdvertiseIPsParameterName string            `json:"advertise_ips_parameter_name"`
	BucketName                string            `json:"bucket_name"`
	LogGroupName              string            `json:"log_group_name"`
	NamespaceARN              string            `json:"namespace_arn"`
	NLBEnabled                bool              `json:"nlb_enabled"`
	NLBArn                    string            `json:"nlb_arn"`
	NLBDNSName                string            `json:"nlb_dns_name"`
	EIPAddresses              []string          `json:"eip_addresses"`
	EIPAllocationIDs          []string          `json:"eip_allocation_ids"`
	TargetGroupARNs           map[string]string `json:"target_group_arns"`
	ListenerARNs              map[string]string `json:"listener_arns"`
	DomainName                string            `json:"domain_name"`
	MeetingURL                string            `json:"meeting_url"`
	ContainerPorts            map[string]int    `json:"container_ports"`
	// Meeting access (terraform variable access) and what links are minted with.
	Access                 string `json:"access"`
	JWTAppID               string `json:"jwt_app_id"`
	JWTSecretParameterName string `json:"jwt_secret_parameter_name"`
	XMPPDomain             string `json:"xmpp_domain"`
	// The AWS-side session guard (terraform/modules/session-guard).
	SessionGuardGroup   string `json:"session_guard_group"`
	SessionGuardRoleARN string `json:"session_guard_role_arn"`
	// The pinned images and, with images = "ecr", the stack's repositories (terraform/images.tf).
	Images Images `json:"images"`
}

// Images is the images output.
type Images struct {
	Mode            string            `json:"mode"`
	Architecture    string            `json:"architecture"`
	Registry        string            `json:"registry"`
	Tag             string            `json:"tag"`
	Digests         map[string]string `json:"digests"`
	ECRRepositories map[string]string `json:"ecr_repositories"`
}

// Parse decodes `terraform output -json` values (name -> raw value). Null
// outputs (the NLB's, while it does not exist) leave zero values.
func Parse(raw map[string]json.RawMessage) (Outputs, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return Outputs{}, err
	}
	var o Outputs
	if err := json.Unmarshal(b, &o); err != nil {
		return Outputs{}, fmt.Errorf("stack outputs have an unexpected shape (is terraform/ from another jitsictl version?): %w", err)
	}
	return o, nil
}

// TargetGroups returns the target group ARNs in a stable order.
func (o Outputs) TargetGroups() []string {
	keys := make([]string, 0, len(o.TargetGroupARNs))
	for k := range o.TargetGroupARNs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	arns := make([]string, 0, len(keys))
	for _, k := range keys {
		if a := o.TargetGroupARNs[k]; a != "" {
			arns = append(arns, a)
		}
	}
	return arns
}
