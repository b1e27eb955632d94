# What `terraform plan` needs to refresh the whole stack and read its state: describe/list/get
# only. Shared by the plan and session roles (a session's apply refreshes everything too).
data "aws_iam_policy_document" "stack_read" {
  statement {
    sid = "DescribeStack"
    actions = [
      "ec2:Describe*",
      "elasticloadbalancing:Describe*",
      "logs:DescribeLogGroups",
      "logs:ListTagsForResource",
      "logs:ListTagsLogGroup",
      "servicediscovery:GetNamespace",
      "servicediscovery:GetOperation",
      "servicediscovery:ListNamespaces",
      "servicediscovery:ListTagsForResource",
      "ssm:DescribeParameters",
      "cloudwatch:GetMetricData",
      # The stack's ephemeral password generator runs during plan; it reads no secret.
      "secretsmanager:GetRandomPassword",
      # jitsictl cost: idle inventory (hosted zones) and list prices. The plan comment's
      # cost delta prices the plan with the Price List; no Cost Explorer (only
      # `jitsictl cost --actual`, run by a person, reads actual spend).
      "route53:ListHostedZones",
      "route53:ListTagsForResources",
      "pricing:GetProducts",
      # Task definitions have no resource-level permission for reading.
      "ecs:DescribeTaskDefinition",
    ]
    # These APIs either have no resource-level permissions or only list metadata.
    resources = ["*"]
  }

  # The stack's ECR repositories (images = "ecr"), refreshed like the rest.
  statement {
    sid       = "DescribeProjectImageRepositories"
    actions   = ["ecr:DescribeRepositories", "ecr:ListTagsForResource"]
    resources = [local.ecr_repository_arn]
  }

  # ECS reads that AWS scopes: this project's cluster, service and tasks only, never
  # another application's.
  statement {
    sid = "DescribeProjectECS"
    actions = [
      "ecs:DescribeClusters",
      "ecs:DescribeServices",
      "ecs:DescribeTasks",
      "ecs:ListTasks",
      "ecs:ListTagsForResource",
    ]
    resources = [
      local.ecs_cluster_arn,
      "${local.arn}:ecs:${var.region}:${local.account}:service/${var.project}/*",
      "${local.arn}:ecs:${var.region}:${local.account}:task/${var.project}/*",
      "${local.arn}:ecs:${var.region}:${local.account}:container-instance/${var.project}/*",
      "${local.arn}:ecs:${var.region}:${local.account}:task-definition/${var.project}:*",
    ]
  }

  # EC2 reads have no resource-level permissions, so ec2:Describe* is account-wide; these
  # two would show other instances' user data (often with credentials in it).
  statement {
    sid       = "NoInstanceUserData"
    effect    = "Deny"
    actions   = ["ec2:DescribeInstanceAttribute", "ec2:DescribeLaunchTemplateVersions"]
    resources = ["*"]
  }

  # The stack looks the bootstrap's task execution role up by name.
  statement {
    sid       = "ReadTaskExecutionRole"
    actions   = ["iam:GetRole"]
    resources = [aws_iam_role.task_execution.arn]
  }

  statement {
    sid = "ReadStackParameters"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:ListTagsForResource",
    ]
    resources = ["${local.ssm_prefix_arn}/*"]
  }

  statement {
    sid = "ReadDataBucketSettings"
    actions = [
      "s3:ListBucket",
      "s3:GetBucket*",
      "s3:GetAccelerateConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
    ]
    resources = ["${local.arn}:s3:::${local.data_bucket}"]
  }

  # The backend lists the bucket (workspaces) and reads the state.
  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = [local.state_object_arn, local.session_record_arn]
  }

  # No lock file: pull request plans run with -lock=false, so a plan can neither take nor
  # break a deploy's lock. The session role gets the lock in policy_session.tf.
}

resource "aws_iam_policy" "stack_read" {
  name        = "${var.project}-stack-read"
  description = "Refresh the ${var.project} stack and read its state; no writes"
  policy      = data.aws_iam_policy_document.stack_read.json
}

# Plan runs on pull requests: read-only, and blind to the generated secrets. The account's
# aws/ssm key policy lets any principal of the account decrypt through SSM, so only an
# explicit deny keeps SecureString values from a role that may call ssm:GetParameter.
data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "NoSecretValues"
    effect    = "Deny"
    actions   = ["ssm:GetParameter*"]
    resources = ["${local.ssm_prefix_arn}/secrets/*"]
  }

  statement {
    sid       = "NoDecrypt"
    effect    = "Deny"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy_attachment" "stack_read" {
  for_each = toset(["plan", "session"])

  role       = aws_iam_role.github[each.key].name
  policy_arn = aws_iam_policy.stack_read.arn
}

resource "aws_iam_role_policy" "plan" {
  name   = "no-secrets"
  role   = aws_iam_role.github["plan"].id
  policy = data.aws_iam_policy_document.plan.json
}
