data "aws_partition" "current" {}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The execution role starts the task: it reads this project's parameters and writes logs,
# and pulls the stack's own ECR copies of the images (images = "ecr"), nothing else (no
# AmazonECSTaskExecutionRolePolicy).
#
# terraform/bootstrap creates it (<project>-ecs-task-execution, same policy), so that the
# deploy role needs no IAM writes at all: a role that may create or edit roles can make
# itself account admin. The stack only looks it up. create_iam_roles = true makes
# the stack create the same role itself, for runs without the bootstrap (emulators, the
# demo, administrator credentials).
#
# New addresses and a new name, not a moved block: Terraform refuses any targeted plan
# (every deploy stage but the last) while a moved block applies to the state. A stack
# that still holds the old aws_iam_role.execution (<project>-task-execution) drops it in
# the untargeted last stage (see terraform/bootstrap/README.md for real accounts).
locals {
  execution_role_name = "${var.project}-ecs-task-execution"
  execution_role_arn  = var.create_iam_roles ? aws_iam_role.task_execution[0].arn : data.aws_iam_role.task_execution[0].arn
}

data "aws_iam_role" "task_execution" {
  count = var.create_iam_roles ? 0 : 1
  name  = local.execution_role_name
}

resource "aws_iam_role" "task_execution" {
  count              = var.create_iam_roles ? 1 : 0
  name               = local.execution_role_name
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "ReadProjectParameters"
    actions   = ["ssm:GetParameters"]
    resources = ["arn:${data.aws_partition.current.partition}:ssm:${var.region}:${data.aws_caller_identity.current.account_id}:parameter${local.ssm_prefix}*"]
  }

  # SecureStrings use the account's aws/ssm key; allow decrypting only on behalf of SSM.
  statement {
    sid       = "DecryptThroughSSM"
    actions   = ["kms:Decrypt"]
    resources = ["arn:${data.aws_partition.current.partition}:kms:${var.region}:${data.aws_caller_identity.current.account_id}:key/*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${var.region}.amazonaws.com"]
    }
  }

  # The stack's ECR copies (images = "ecr", terraform/images.tf); the token call has no
  # resource-level permission.
  statement {
    sid       = "PullProjectImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:${data.aws_partition.current.partition}:ecr:${var.region}:${data.aws_caller_identity.current.account_id}:repository/${var.project}/*"]
  }

  statement {
    sid       = "RegistryToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.task.arn}:*"]
  }
}

resource "aws_iam_role_policy" "task_execution" {
  count  = var.create_iam_roles ? 1 : 0
  name   = "read-project-parameters"
  role   = aws_iam_role.task_execution[0].id
  policy = data.aws_iam_policy_document.execution.json
}
