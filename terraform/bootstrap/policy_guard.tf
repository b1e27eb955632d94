# The stack's session guard (terraform/modules/session-guard): a schedule group and the
# role EventBridge Scheduler assumes to end an expired session. The deploy role creates
# the group; the role is made here (guard_role.tf), so deploy only reads it, like plan
# and session. The session role's own rights on the group's
# schedules are in policy_session.tf.
locals {
  guard_name      = "${var.project}-session-guard"
  guard_group_arn = "${local.arn}:scheduler:${var.region}:${local.account}:schedule-group/${local.guard_name}"
  guard_role_arn  = "${local.arn}:iam::${local.account}:role/${local.guard_name}"
}

data "aws_iam_policy_document" "guard_deploy" {
  statement {
    sid = "GuardScheduleGroup"
    actions = [
      "scheduler:CreateScheduleGroup", "scheduler:DeleteScheduleGroup", "scheduler:GetScheduleGroup",
      "scheduler:TagResource", "scheduler:UntagResource", "scheduler:ListTagsForResource",
    ]
    resources = [local.guard_group_arn]
  }
}

data "aws_iam_policy_document" "guard_read" {
  statement {
    sid       = "ReadGuardScheduleGroup"
    actions   = ["scheduler:GetScheduleGroup", "scheduler:ListTagsForResource"]
    resources = [local.guard_group_arn]
  }

  statement {
    sid       = "ReadGuardRole"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources = [local.guard_role_arn]
  }
}

resource "aws_iam_role_policy" "guard_deploy" {
  name   = "session-guard"
  role   = aws_iam_role.github["deploy"].id
  policy = data.aws_iam_policy_document.guard_deploy.json
}

resource "aws_iam_role_policy" "guard_read" {
  for_each = toset(["plan", "session", "deploy"])

  name   = "session-guard-read"
  role   = aws_iam_role.github[each.key].id
  policy = data.aws_iam_policy_document.guard_read.json
}
