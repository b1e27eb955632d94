output "plan_role_arn" {
  value = aws_iam_role.github["plan"].arn
}

output "deploy_role_arn" {
  value = aws_iam_role.github["deploy"].arn
}

output "session_role_arn" {
  value = aws_iam_role.github["session"].arn
}

# The stack finds it by name; create_iam_roles stays false there.
output "task_execution_role_arn" {
  value = aws_iam_role.task_execution.arn
}

output "state_bucket_name" {
  value = aws_s3_bucket.state.bucket
}

output "state_key" {
  value = local.state_key
}

output "oidc_provider_arn" {
  value = local.oidc_provider_arn
}

# The repository variables the workflows read. All are plain variables, not secrets:
# role ARNs and bucket names are not credentials, and OIDC needs no stored key.
output "github_variables" {
  value = {
    AWS_PLAN_ROLE_ARN     = aws_iam_role.github["plan"].arn
    AWS_DEPLOY_ROLE_ARN   = aws_iam_role.github["deploy"].arn
    AWS_SESSION_ROLE_ARN  = aws_iam_role.github["session"].arn
    AWS_REGION            = var.region
    JITSICTL_STATE_BUCKET = aws_s3_bucket.state.bucket
    JITSICTL_STATE_KEY    = local.state_key
  }
}

output "github_settings" {
  description = "What to set in GitHub, as commands to paste."
  value       = <<-EOT
    # Repository variables for ${var.github_repository} (Settings > Secrets and variables > Actions > Variables).
    # No secrets are needed: the workflows get short-lived credentials from GitHub's OIDC token
    # (permissions: id-token: write) and assume these roles; no AWS access key is stored anywhere.
    gh variable set AWS_PLAN_ROLE_ARN --repo ${var.github_repository} --body '${aws_iam_role.github["plan"].arn}'
    gh variable set AWS_DEPLOY_ROLE_ARN --repo ${var.github_repository} --body '${aws_iam_role.github["deploy"].arn}'
    gh variable set AWS_SESSION_ROLE_ARN --repo ${var.github_repository} --body '${aws_iam_role.github["session"].arn}'
    gh variable set AWS_REGION --repo ${var.github_repository} --body '${var.region}'
    gh variable set JITSICTL_STATE_BUCKET --repo ${var.github_repository} --body '${aws_s3_bucket.state.bucket}'
    gh variable set JITSICTL_STATE_KEY --repo ${var.github_repository} --body '${local.state_key}'
    # The deploy role trusts deploy.yml on ${var.default_branch} in the "${var.production_environment}" environment only.
    # Create that environment with required reviewers and ${var.default_branch} as its only deployment
    # branch, and keep GitHub's default OIDC subject format (a token with admin rights):
    GITHUB_TOKEN=$(gh auth token) jitsictl bootstrap github --repo ${var.github_repository} --environment ${var.production_environment} --default-branch ${var.default_branch} --reviewer <your GitHub login>
    # `jitsictl doctor --repo ${var.github_repository}` checks the same settings later.
  EOT
}

# The stack's -backend-config file (see terraform/backend.hcl.example).
output "backend_config" {
  value = <<-EOT
    bucket       = "${aws_s3_bucket.state.bucket}"
    key          = "${local.state_key}"
    region       = "${var.region}"
    use_lockfile = true
    encrypt      = true
  EOT
}
