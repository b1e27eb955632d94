# The AWS-side session guard: when a session opens, jitsictl creates one-time
# EventBridge Scheduler schedules in this group that end the session at its expiry
# (plus a grace period) even if no GitHub workflow ever runs again. Each schedule is a
# universal target (a direct AWS API call, no Lambda) run as the role below. Idle, a
# schedule group and a role cost nothing; each fired schedule is one Scheduler invocation.
locals {
  group = "${var.name}-session-guard"
}

resource "aws_scheduler_schedule_group" "this" {
  name = local.group
}

# The role the schedules run as (../session-guard-role): made by terraform/bootstrap and
# looked up here by name, or made here when create_role is true (no bootstrap).
module "role" {
  count  = var.create_role ? 1 : 0
  source = "../session-guard-role"

  name        = var.name
  service_arn = var.service_arn
}

data "aws_iam_role" "this" {
  count = var.create_role ? 0 : 1
  name  = local.group
}
