# GitHub Actions' OIDC issuer. AWS no longer checks the thumbprints for this issuer (it
# trusts its own CA store), but the API still requires at least one.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == "" ? 1 : 0

  url             = "https://${local.oidc_host}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_policy_document" "trust" {
  for_each = local.trust

  statement {
    sid     = "GitHubActions${title(each.key)}"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # StringEquals, never StringLike: a wildcard here would admit forks' branches or
    # other repositories of the owner.
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = [each.value.sub]
    }

    dynamic "condition" {
      for_each = length(each.value.workflows) > 0 ? [each.value.workflows] : []
      content {
        test     = "StringEquals"
        variable = "${local.oidc_host}:job_workflow_ref"
        values   = condition.value
      }
    }

    # Only the pull request number is a wildcard; the repository and file are exact.
    dynamic "condition" {
      for_each = length(each.value.workflow_like) > 0 ? [each.value.workflow_like] : []
      content {
        test     = "StringLike"
        variable = "${local.oidc_host}:job_workflow_ref"
        values   = condition.value
      }
    }
  }
}

resource "aws_iam_role" "github" {
  for_each = local.trust

  name                 = "${var.project}-github-${each.key}"
  description          = "jitsictl ${each.key} flow, assumed by ${var.github_repository} (${each.value.sub})"
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = 3600
}
