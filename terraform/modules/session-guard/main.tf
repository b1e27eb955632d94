# The AWS-side session guard: when a session opens, jitsictl creates one-time
# EventBridge Scheduler schedules in this group that end the session at its expiry
# (plus a grace period) even if no GitHub workflow ever runs again. Each schedule is a
# universal target (a direct AWS API call, no Lambda) run as the role below. Idle, a
# schedule group and a role cost nothing; each fired schedule is one Scheduler invocation.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  arn     = "arn:${data.aws_partition.current.partition}"
  region  = data.aws_region.current.name
  group   = "${var.name}-session-guard"
}

resource "aws_scheduler_schedule_group" "this" {
  name = local.group
}

# Only EventBridge Scheduler, on behalf of this account's schedule group, may assume the
# role (the confused-deputy conditions AWS recommends). Scheduler's documentation gives the
# group's ARN as aws:SourceArn; the group's schedules' ARNs are accepted as well.
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = [
        "${local.arn}:scheduler:${local.region}:${local.account}:schedule-group/${local.group}",
        "${local.arn}:scheduler:${local.region}:${local.account}:schedule/${local.group}/*",
      ]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.group
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# What the schedules do, and nothing else: scale exactly the stack's service, delete a
# load balancer and release addresses only when they carry this project's session tags
# (the tags jvb-nlb gives them, the same ones the sweeper looks for).
data "aws_iam_policy_document" "guard" {
  statement {
    sid       = "ScaleStackService"
    actions   = ["ecs:UpdateService"]
    resources = [var.service_arn]
  }

  statement {
    sid       = "DeleteSessionLoadBalancer"
    actions   = ["elasticloadbalancing:DeleteLoadBalancer"]
    resources = ["${local.arn}:elasticloadbalancing:${local.region}:${local.account}:loadbalancer/net/${var.name}-jvb/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.name]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Component"
      values   = ["session"]
    }
  }

  statement {
    sid       = "ReleaseSessionAddresses"
    actions   = ["ec2:ReleaseAddress"]
    resources = ["${local.arn}:ec2:${local.region}:${local.account}:elastic-ip/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.name]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Component"
      values   = ["session"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "end-expired-session"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.guard.json
}
