# The role EventBridge Scheduler assumes to end an expired session (see ../session-guard).
# terraform/bootstrap creates it, so that the deploy role needs no IAM writes (a role that
# may create or edit roles can make itself account admin); the stack creates it only when
# create_iam_roles is true (emulators, the demo). Both call this module: one definition.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  arn     = "arn:${data.aws_partition.current.partition}"
  region  = data.aws_region.current.name
  group   = "${var.name}-session-guard"
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
