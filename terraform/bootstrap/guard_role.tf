# The role EventBridge Scheduler assumes to end an expired session (the stack's
# modules/session-guard arms the schedules). It lives here, like the task execution role
# (task_role.tf): a deploy role that may create roles or edit their policies can make
# itself account admin. The stack looks it up by name; the module is the one definition
# both use.
module "session_guard_role" {
  source = "../modules/session-guard-role"

  name        = var.project
  service_arn = local.ecs_service_arn
}
