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

  data_bucket = var.data_bucket_name != "" ? var.data_bucket_name : "${var.project}-data-${local.account}"

  # The stack's names (terraform/*.tf and modules/jvb-nlb): keep in step with them.
  ssm_prefix_arn   = "${local.arn}:ssm:${var.region}:${local.account}:parameter/${var.project}"
  ecs_cluster_arn  = "${local.arn}:ecs:${var.region}:${local.account}:cluster/${var.project}"
  ecs_service_arn  = "${local.arn}:ecs:${var.region}:${local.account}:service/${var.project}/${var.project}"
  elb_prefix       = "${local.arn}:elasticloadbalancing:${var.region}:${local.account}"
  nlb_arn          = "${local.elb_prefix}:loadbalancer/net/${var.project}-jvb/*"
  nlb_listener_arn = "${local.elb_prefix}:listener/net/${var.project}-jvb/*/*"
  # Exact name stems, so project "jitsi" never matches project "jitsi-test"'s groups.
  nlb_target_group_arns = [for stem in ["udp", "web", "tcp"] : "${local.elb_prefix}:targetgroup/${var.project}-${stem}-*/*"]

  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.existing_oidc_provider_arn != "" ? var.existing_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn

  # The OIDC subject GitHub puts in each flow's token. Only these exact strings match.
  subjects = {
    # pull_request runs carry no ref in their subject, only the event.
    plan = "repo:${var.github_repository}:pull_request"
    # A job with `environment:` gets the environment in its subject, whatever its ref.
    deploy = "repo:${var.github_repository}:environment:${var.production_environment}"
    # workflow_dispatch and schedule always run on the default branch (GitHub schedules
    # only the default branch; dispatch from elsewhere is refused by this subject).
    session = "repo:${var.github_repository}:ref:refs/heads/${var.default_branch}"
  }
}
