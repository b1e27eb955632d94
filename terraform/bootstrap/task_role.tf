# The stack's task execution role lives here, not in the stack: a deploy role that may
# create roles, edit their policies or trust can make itself account admin (a role that
# trusts another account, with "*" attached, passed to a task). With the role made once
# by an administrator, deploy needs no IAM write at all; it may only pass this role to
# ECS tasks. The stack finds it by name (terraform/iam.tf).
#
# Same rights as the stack's own copy (create_iam_roles = true): start the task,
# read this project's parameters (SecureStrings through SSM only), pull the stack's ECR
# copies of the images (images = "ecr") and write its logs.
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task_execution" {
  name               = local.task_execution_role
  description        = "Starts the ${var.project} Fargate task: reads /${var.project}/ parameters, writes /ecs/${var.project} logs"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task_execution" {
  statement {
    sid       = "ReadProjectParameters"
    actions   = ["ssm:GetParameters"]
    resources = ["${local.ssm_prefix_arn}/*"]
  }

  statement {
    sid       = "DecryptThroughSSM"
    actions   = ["kms:Decrypt"]
    resources = ["${local.arn}:kms:${var.region}:${local.account}:key/*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${var.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "PullProjectImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [local.ecr_repository_arn]
  }

  statement {
    sid       = "RegistryToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "read-project-parameters"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}
