locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  arn       = "arn:${local.partition}"

  state_key  = var.state_key != "" ? var.state_key : "${var.project}/terraform.tfstate"
  state_dir  = dirname(local.state_key)
  record_key = local.state_dir == "." ? "jitsictl-session.json" : "${local.state_dir}/jitsictl-session.json"

  state_bucket_arn   = "${local.arn}:s3:::${var.state_bucket_name}"
  state_object_arn   = "${local.state_bucket_arn}/${local.state_key}"
  state_lock_arn     = "${local.state_bucket_arn}/${local.state_key}.tflock"
  session_record_arn = "${local.state_bucket_arn}/${local.record_key}"
  # stage/backup.go copies the state to <state dir>/backups/<name> before every apply.
  state_backups_arn = local.state_dir == "." ? "${local.state_bucket_arn}/backups/*" : "${local.state_bucket_arn}/${local.state_dir}/backups/*"

  data_bucket = var.data_bucket_name != "" ? var.data_bucket_name : "${var.project}-data-${local.account}"

  # The stack's names (terraform/*.tf and modules/jvb-nlb): keep in step with them.
  ssm_prefix_arn = "${local.arn}:ssm:${var.region}:${local.account}:parameter/${var.project}"
  log_group_arn  = "${local.arn}:logs:${var.region}:${local.account}:log-group:/ecs/${var.project}"
  # images = "ecr": the stack's repositories are <project>/<component> (terraform/images.tf).
  ecr_repository_arn = "${local.arn}:ecr:${var.region}:${local.account}:repository/${var.project}/*"
  ecs_cluster_arn    = "${local.arn}:ecs:${var.region}:${local.account}:cluster/${var.project}"
  ecs_service_arn    = "${local.arn}:ecs:${var.region}:${local.account}:service/${var.project}/${var.project}"
  elb_prefix         = "${local.arn}:elasticloadbalancing:${var.region}:${local.account}"
  nlb_arn            = "${local.elb_prefix}:loadbalancer/net/${var.project}-jvb/*"
  nlb_listener_arn   = "${local.elb_prefix}:listener/net/${var.project}-jvb/*/*"
  # Made here (task_role.tf) and found by the stack by this name (terraform/iam.tf).
  task_execution_role = "${var.project}-ecs-task-execution"
  # Exact name stems, so project "jitsi" never matches project "jitsi-test"'s groups.
  nlb_target_group_arns = [for stem in ["udp", "web", "tcp"] : "${local.elb_prefix}:targetgroup/${var.project}-${stem}-*/*"]

  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.existing_oidc_provider_arn != "" ? var.existing_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn

  # Each role trusts a token only when all of its claims match (StringEquals unless noted):
  # - sub, GitHub's default subject: the repository plus the event (pull_request), the
  #   environment (a job with `environment:` gets it whatever its ref) or the branch;
  # - job_workflow_ref, the workflow file and the ref it was loaded from, which AWS STS
  #   checks as token.actions.githubusercontent.com:job_workflow_ref (since 2026-01). The
  #   environment alone matches any branch's workflow that names it; this pins deploy to
  #   deploy.yml as it is on the default branch.
  workflows = "${var.github_repository}/.github/workflows"
  trust = {
    plan = {
      sub = "repo:${var.github_repository}:pull_request"
      # A pull request's workflows run from its merge ref; pull_request_target runs carry
      # the same subject but a branch ref, and are refused.
      workflow_like = ["${local.workflows}/plan.yml@refs/pull/*/merge"]
      workflows     = []
    }
    deploy = {
      sub           = "repo:${var.github_repository}:environment:${var.production_environment}"
      workflow_like = []
      workflows     = ["${local.workflows}/deploy.yml@refs/heads/${var.default_branch}"]
    }
    # workflow_dispatch and schedule on the default branch; deploy.yml's plan jobs also
    # run here, before anyone approves the production environment.
    session = {
      sub           = "repo:${var.github_repository}:ref:refs/heads/${var.default_branch}"
      workflow_like = []
      workflows     = [for f in ["deploy.yml", "scale-down.yml", "session.yml"] : "${local.workflows}/${f}@refs/heads/${var.default_branch}"]
    }
  }
}
