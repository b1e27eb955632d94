package bootstrap

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// wantTrust is each role's trust condition: GitHub's default subject (repository plus
// event, environment or branch) and the workflow file and ref the job runs from.
var wantTrust = map[string]map[string]map[string][]string{
	"plan": {
		"StringEquals": {aud: {"sts.amazonaws.com"}, sub: {"repo:" + testRepo + ":pull_request"}},
		"StringLike":   {jobWorkflowRef: {testRepo + "/.github/workflows/plan.yml@refs/pull/*/merge"}},
	},
	"deploy": {
		"StringEquals": {
			aud: {"sts.amazonaws.com"}, sub: {"repo:" + testRepo + ":environment:production"},
			jobWorkflowRef: {testRepo + "/.github/workflows/deploy.yml@refs/heads/main"},
		},
	},
	"session": {
		"StringEquals": {
			aud: {"sts.amazonaws.com"}, sub: {"repo:" + testRepo + ":ref:refs/heads/main"},
			jobWorkflowRef: {
				testRepo + "/.github/workflows/deploy.yml@refs/heads/main",
				testRepo + "/.github/workflows/scale-down.yml@refs/heads/main",
				testRepo + "/.github/workflows/session.yml@refs/heads/main",
			},
		},
	},
}

const (
	aud            = "token.actions.githubusercontent.com:aud"
	sub            = "token.actions.githubusercontent.com:sub"
	jobWorkflowRef = "token.actions.githubusercontent.com:job_workflow_ref"
)

// stringSet reads a condition value (a string or a list of strings) sorted.
func stringSet(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

const oidcARN = "arn:aws:iam::" + testAccount + ":oidc-provider/token.actions.githubusercontent.com"

// TestBootstrapOnEmulator applies terraform/bootstrap to moto, checks what it created,
// that a second plan is empty, the rendered GitHub instructions, and then evaluates the
// roles' policies as read back from IAM (see simulate_test.go). Last, on the same applied
// bootstrap (an apply starts the AWS provider several times: one is enough), moto's IAM
// enforcement: the plan role plans the stack, and each role's calls are allowed or
// denied as the policies say. These change moto (enforcement, seeded objects), so they
// come after the read-only checks, one after the other.
func TestBootstrapOnEmulator(t *testing.T) {
	t.Parallel()
	requireSimulator(t)
	a := applyBootstrap(t)
	ctx := context.Background()
	cfg := awsConfig(a.moto.URL, rootCreds)

	t.Run("outputs", func(t *testing.T) {
		for _, flow := range Flows {
			want := "arn:aws:iam::" + testAccount + ":role/" + RoleName(testProject, flow)
			if got := outputString(t, a, flow+"_role_arn"); got != want {
				t.Errorf("%s_role_arn = %q, want %q", flow, got, want)
			}
		}
		if got := outputString(t, a, "state_bucket_name"); got != testBucket {
			t.Errorf("state_bucket_name = %q", got)
		}
		if got := outputString(t, a, "oidc_provider_arn"); got != oidcARN {
			t.Errorf("oidc_provider_arn = %q", got)
		}
		var vars map[string]string
		if err := json.Unmarshal(a.outputs["github_variables"], &vars); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"AWS_PLAN_ROLE_ARN", "AWS_DEPLOY_ROLE_ARN", "AWS_SESSION_ROLE_ARN", "AWS_REGION", "JITSICTL_STATE_BUCKET", "JITSICTL_STATE_KEY"} {
			if vars[k] == "" {
				t.Errorf("github_variables lacks %s: %v", k, vars)
			}
		}
		// The rendered instructions are reviewed text: golden files.
		golden(t, "github_settings.golden", outputString(t, a, "github_settings"))
		golden(t, "backend_config.golden", outputString(t, a, "backend_config"))
	})

	t.Run("state bucket", func(t *testing.T) {
		api := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		b := aws.String(testBucket)
		v, err := api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("versioning = %q, want Enabled", v.Status)
		}
		enc, err := api.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		rules := enc.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
			t.Errorf("default encryption = %+v, want AES256", rules)
		}
		pab, err := api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		c := pab.PublicAccessBlockConfiguration
		if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.RestrictPublicBuckets) {
			t.Errorf("public access block = %+v, want all four on", c)
		}
		own, err := api.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if r := own.OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("ownership = %+v, want BucketOwnerEnforced (ACLs off)", r)
		}
		pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		var doc policyDoc
		if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Deny" || !strings.Contains(string(doc.Statement[0].Condition), `"aws:SecureTransport":"false"`) {
			t.Errorf("bucket policy = %s, want one Deny on aws:SecureTransport false", aws.ToString(pol.Policy))
		}
	})

	t.Run("oidc provider", func(t *testing.T) {
		api := iam.NewFromConfig(cfg)
		p, err := api.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN)})
		if err != nil {
			t.Fatal(err)
		}
		if u := aws.ToString(p.Url); strings.TrimPrefix(u, "https://") != "token.actions.githubusercontent.com" {
			t.Errorf("provider url = %q", u)
		}
		if len(p.ClientIDList) != 1 || p.ClientIDList[0] != "sts.amazonaws.com" {
			t.Errorf("audiences = %v, want [sts.amazonaws.com]", p.ClientIDList)
		}
	})

	roles := readRoles(t, ctx, iam.NewFromConfig(cfg))

	t.Run("trust pinned to the repository", func(t *testing.T) {
		for flow, r := range roles {
			var doc policyDoc
			if err := json.Unmarshal(r.Trust, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Statement) != 1 {
				t.Fatalf("%s trust has %d statements, want 1: %s", flow, len(doc.Statement), r.Trust)
			}
			s := doc.Statement[0]
			var principal struct{ Federated any }
			_ = json.Unmarshal(s.Principal, &principal)
			if s.Effect != "Allow" || string(s.Action) != `"sts:AssumeRoleWithWebIdentity"` || principal.Federated != oidcARN {
				t.Errorf("%s trust statement = %+v", flow, s)
			}
			var cond map[string]map[string]any
			if err := json.Unmarshal(s.Condition, &cond); err != nil {
				t.Fatal(err)
			}
			got := map[string]map[string][]string{}
			for op, kv := range cond {
				got[op] = map[string][]string{}
				for k, v := range kv {
					got[op][k] = stringSet(v)
				}
			}
			if !equalJSON(got, wantTrust[flow]) {
				t.Errorf("%s trust condition = %s, want exactly %v", flow, s.Condition, wantTrust[flow])
			}
		}
	})

	// moto does not enforce IAM's size quotas; AWS refuses a managed policy over 6,144
	// characters and inline policies over 10,240 per role, whitespace not counted.
	t.Run("policy size quotas", func(t *testing.T) {
		for flow, r := range roles {
			inline := 0
			for _, p := range r.Policies {
				n := len(strings.Join(strings.Fields(string(p.Document)), ""))
				if strings.HasPrefix(p.Name, "arn:") {
					if n > 6144 {
						t.Errorf("%s: managed policy %s has %d characters, over the 6,144 quota", flow, p.Name, n)
					}
					t.Logf("%s: %s %d/6144", flow, p.Name, n)
				} else {
					inline += n
				}
			}
			if inline > 10240 {
				t.Errorf("%s: inline policies have %d characters, over the 10,240 per-role quota", flow, inline)
			}
			t.Logf("%s: inline %d/10240", flow, inline)
		}
	})

	t.Run("second plan is empty", func(t *testing.T) {
		changed, err := a.runner.Plan(ctx, testVars, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if changed {
			t.Error("terraform plan after apply shows changes: the bootstrap does not converge")
		}
	})

	t.Run("trust simulation", func(t *testing.T) { testTrustSimulation(t, roles) })
	t.Run("permission simulation", func(t *testing.T) { testPermissionSimulation(t, roles) })
	t.Run("stack names", func(t *testing.T) { testStackNames(t, roles, a) })
	t.Run("plan role plans the stack", func(t *testing.T) { testPlanRolePlansTheStack(t, a) })
	t.Run("roles enforced by the emulator", func(t *testing.T) { testRolesEnforcedByEmulator(t, a) })
}

// policyDoc is just enough of an IAM policy document to inspect statements.
type policyDoc struct {
	Statement []struct {
		Sid       string
		Effect    string
		Action    json.RawMessage
		Resource  json.RawMessage
		Principal json.RawMessage
		Condition json.RawMessage
	}
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
