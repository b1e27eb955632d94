package bootstrap

import (
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// stackPlanImageVars plan the stack with images = "ecr", so that its ECR repositories
// are in the plan the role policies are checked against.
var stackPlanImageVars = map[string]any{
	"images": "ecr",
	"jitsi_image_digests": map[string]any{
		"web": "sha256:" + hex64("a"), "prosody": "sha256:" + hex64("b"),
		"jicofo": "sha256:" + hex64("c"), "jvb": "sha256:" + hex64("d"),
	},
}

func hex64(c string) string {
	s := ""
	for range 64 {
		s += c
	}
	return s
}

// ecrPerms: with images = "ecr", deploy creates the stack's repositories and pushes the
// pinned images into them, the task's execution role pulls from them, and plan and
// session refresh them; nobody reaches another application's repositories.
func ecrPerms(t *testing.T, rcs map[string]*tfjson.ResourceChange) map[string][]perm {
	t.Helper()
	repo := arnPrefix("ecr") + "repository/" + after(t, rcs, `aws_ecr_repository.jitsi["jvb"]`, "name")
	other := arnPrefix("ecr") + "repository/billing/api"
	out := map[string][]perm{}
	for _, a := range []string{"ecr:CreateRepository", "ecr:DeleteRepository", "ecr:PutImageTagMutability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:BatchGetImage"} {
		out["deploy"] = append(out["deploy"], perm{action: a, resource: repo, allow: true}, perm{action: a, resource: other, allow: false})
	}
	out["deploy"] = append(out["deploy"],
		perm{action: "ecr:GetAuthorizationToken", resource: "*", allow: true},
		perm{action: "ecr:SetRepositoryPolicy", resource: repo, allow: false})
	for _, a := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"} {
		out["task"] = append(out["task"], perm{action: a, resource: repo, allow: true}, perm{action: a, resource: other, allow: false})
	}
	out["task"] = append(out["task"],
		perm{action: "ecr:GetAuthorizationToken", resource: "*", allow: true},
		perm{action: "ecr:PutImage", resource: repo, allow: false})
	for _, flow := range []string{"plan", "session"} {
		out[flow] = append(out[flow],
			perm{action: "ecr:DescribeRepositories", resource: repo, allow: true},
			perm{action: "ecr:ListTagsForResource", resource: repo, allow: true},
			perm{action: "ecr:DescribeRepositories", resource: other, allow: false},
			perm{action: "ecr:PutImage", resource: repo, allow: false},
			perm{action: "ecr:CreateRepository", resource: repo, allow: false})
	}
	return out
}
