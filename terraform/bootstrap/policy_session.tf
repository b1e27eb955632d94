# A session opens and closes the on-demand NLB: the jvb-nlb module's resources, the
# advertised-address parameter, the service's desired count, the state and the record.
# Everything else is read-only (stack_read).
data "aws_iam_policy_document" "session" {
  statement {
    sid       = "WriteStateAndRecord"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [local.state_object_arn, local.session_record_arn]
  }

  # use_lockfile = true: the backend creates <key>.tflock with If-None-Match and deletes it
  # on unlock.
  statement {
    sid       = "StateLockFile"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_lock_arn]
  }

  # The meeting's DNS record (stack variable route53_zone_id): only in that zone.
  dynamic "statement" {
    for_each = var.route53_zone_id == "" ? [] : [var.route53_zone_id]
    content {
      sid       = "MeetingRecord"
      actions   = ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetHostedZone"]
      resources = ["${local.arn}:route53:::hostedzone/${statement.value}"]
    }
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == "" ? [] : [var.route53_zone_id]
    content {
      sid       = "MeetingRecordChanges"
      actions   = ["route53:GetChange"]
      resources = ["${local.arn}:route53:::change/*"]
    }
  }

  # Elastic IPs: create only when tagged for this project, release only this project's.
  statement {
    sid       = "AllocateProjectAddresses"
    actions   = ["ec2:AllocateAddress"]
    resources = ["${local.arn}:ec2:${var.region}:${local.account}:elastic-ip/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }
  }

  statement {
    sid       = "TagAddressesOnAllocate"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.arn}:ec2:${var.region}:${local.account}:elastic-ip/*"]
    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["AllocateAddress"]
    }
  }

  # No AssociateAddress: the NLB attaches its addresses itself (subnet_mapping). But the
  # provider's aws_eip delete calls DisassociateAddress whenever the refreshed state still
  # shows the NLB's association, so that is allowed for this project's addresses.
  statement {
    sid       = "ReleaseProjectAddresses"
    actions   = ["ec2:ReleaseAddress", "ec2:DisassociateAddress", "ec2:CreateTags", "ec2:DeleteTags"]
    resources = ["${local.arn}:ec2:${var.region}:${local.account}:elastic-ip/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }
  }

  # DisassociateAddress is also authorized against the interface (the NLB's, untagged);
  # the address side above keeps it to this project's EIPs.
  statement {
    sid       = "DisassociateFromInterfaces"
    actions   = ["ec2:DisassociateAddress"]
    resources = ["${local.arn}:ec2:${var.region}:${local.account}:network-interface/*"]
  }

  # The NLB, its listeners and target groups, matched by the names the module gives them.
  statement {
    sid = "CreateProjectNLB"
    actions = [
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:CreateListener",
    ]
    resources = concat([local.nlb_arn, local.nlb_listener_arn], local.nlb_target_group_arns)
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }
  }

  statement {
    sid = "ManageProjectNLB"
    actions = [
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:RegisterTargets",
      "elasticloadbalancing:DeregisterTargets",
    ]
    resources = concat([local.nlb_arn, local.nlb_listener_arn], local.nlb_target_group_arns)
  }

  statement {
    sid       = "WriteSessionParameters"
    actions   = ["ssm:PutParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"]
    resources = ["${local.ssm_prefix_arn}/session/*"]
  }

  # The first load balancer in an account creates ELB's service-linked role, and nothing
  # but a session ever creates one here (deploys run with nlb_enabled = false).
  statement {
    sid       = "ELBServiceLinkedRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn}:iam::${local.account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["elasticloadbalancing.amazonaws.com"]
    }
  }

  statement {
    sid       = "ScaleProjectService"
    actions   = ["ecs:UpdateService"]
    resources = [local.ecs_service_arn]
  }

  # The session guard: the session's one-time schedules in the stack's group, which run
  # as the guard role (policy_guard.tf), handed to EventBridge Scheduler only.
  statement {
    sid       = "SessionGuardSchedules"
    actions   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"]
    resources = ["${local.arn}:scheduler:${var.region}:${local.account}:schedule/${local.guard_name}/*"]
  }

  statement {
    sid       = "PassGuardRoleToScheduler"
    actions   = ["iam:PassRole"]
    resources = [local.guard_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "session" {
  name   = "session"
  role   = aws_iam_role.github["session"].id
  policy = data.aws_iam_policy_document.session.json
}
