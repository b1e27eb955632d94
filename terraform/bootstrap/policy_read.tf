# What `terraform plan` needs to refresh the whole stack and read its state: describe/list/get
# only. Shared by the plan and session roles (a session's apply refreshes everything too).
data "aws_iam_policy_document" "stack_read" {
  statement {
    sid = "DescribeStack"
    actions = [
      "ec2:Describe*",
      "ecs:Describe*",
      "ecs:List*",
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
      # jitsictl cost: idle inventory (hosted zones), list prices and actual spend.
      "route53:ListHostedZones",
      "route53:ListTagsForResources",
      "pricing:GetProducts",
      "ce:GetCostAndUsage",
    ]
    # These APIs either have no resource-level permissions or only list metadata.
    resources = ["*"]
  }

  statement {
    sid = "ReadStackRoles"
    actions = [
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${var.project}-task-*"]
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

  # use_lockfile = true: the backend creates <key>.tflock with If-None-Match and deletes it
  # on unlock. Nothing else in the bucket is writable from here.
  statement {
    sid       = "StateLockFile"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_lock_arn]
  }
}

resource "aws_iam_policy" "stack_read" {
  name        = "${var.project}-stack-read"
  description = "Refresh the ${var.project} stack and take its state lock; no writes"
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
