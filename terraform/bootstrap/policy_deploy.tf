# Deploy applies the whole stack from main, behind the production environment's
# protection rules. Broad, but every action that AWS lets us scope is scoped to this
# project's names or tags. No IAM writes at all: the task execution role comes from
# task_role.tf, and deploy may only pass that one role, only to ECS tasks.
data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_object_arn, local.state_lock_arn, local.session_record_arn]
  }

  # The state backup every apply writes first (stage/backup.go) and restore-state reads.
  # No delete: the bucket's versioning keeps them, and nothing here prunes them.
  statement {
    sid       = "StateBackups"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [local.state_backups_arn]
  }

  # The data bucket's settings, as its resources in terraform/storage.tf need them; not
  # its recordings, and no Delete* (of the bucket, its policy or its public access block).
  statement {
    sid = "DataBucket"
    actions = [
      "s3:CreateBucket",
      "s3:ListBucket",
      "s3:GetBucket*",
      "s3:GetAccelerateConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketPolicy",
    ]
    resources = ["${local.arn}:s3:::${local.data_bucket}"]
  }

  statement {
    sid = "ReadEverything"
    actions = [
      "ec2:Describe*",
      "ecs:Describe*",
      "ecs:List*",
      "elasticloadbalancing:Describe*",
      "logs:DescribeLogGroups",
      "ssm:DescribeParameters",
      "servicediscovery:Get*",
      "servicediscovery:List*",
      "cloudwatch:GetMetricData",
      "secretsmanager:GetRandomPassword",
    ]
    resources = ["*"]
  }

  # Network resources: EC2's create calls for VPCs, routes and rules cannot be scoped to
  # names, so this is the broad part. No instances, volumes, images or peering.
  statement {
    sid = "Network"
    actions = [
      "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute",
      "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
      "ec2:CreateInternetGateway", "ec2:DeleteInternetGateway",
      "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
      "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute",
      "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
      "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
      "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress",
      "ec2:CreateTags", "ec2:DeleteTags",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ProjectNLB"
    actions   = ["elasticloadbalancing:*"]
    resources = concat([local.nlb_arn, local.nlb_listener_arn], local.nlb_target_group_arns)
  }

  statement {
    sid     = "ProjectECS"
    actions = ["ecs:*"]
    resources = [
      local.ecs_cluster_arn,
      local.ecs_service_arn,
      "${local.arn}:ecs:${var.region}:${local.account}:task-definition/${var.project}:*",
    ]
  }

  # Task definitions have no resource-level permission for registering.
  statement {
    sid       = "TaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"]
    resources = ["*"]
  }

  # The stack looks the bootstrap's task execution role up (data "aws_iam_role").
  statement {
    sid       = "ReadTaskExecutionRole"
    actions   = ["iam:GetRole"]
    resources = [aws_iam_role.task_execution.arn]
  }

  statement {
    sid       = "PassTaskExecutionRoleToECS"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task_execution.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  # First use of ECS or ELB in an account creates their service-linked roles.
  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn}:iam::${local.account}:role/aws-service-role/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com"]
    }
  }

  # images = "ecr" (terraform/images.tf): the stack's repositories, and jitsictl deploy
  # pushing the pinned images into them. Nothing outside <project>/*.
  statement {
    sid = "ProjectImageRepositories"
    actions = [
      "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
      "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
      "ecr:ListTagsForResource", "ecr:TagResource", "ecr:UntagResource",
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
      "ecr:DescribeImages", "ecr:BatchDeleteImage",
    ]
    resources = [local.ecr_repository_arn]
  }

  statement {
    sid       = "RegistryToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid     = "ProjectLogs"
    actions = ["logs:*"]
    resources = [
      "${local.arn}:logs:${var.region}:${local.account}:log-group:/ecs/${var.project}",
      "${local.arn}:logs:${var.region}:${local.account}:log-group:/ecs/${var.project}:*",
    ]
  }

  statement {
    sid = "ProjectParameters"
    actions = [
      "ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters",
      "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource",
    ]
    resources = ["${local.ssm_prefix_arn}/*"]
  }

  statement {
    sid       = "CreateProjectNamespace"
    actions   = ["servicediscovery:CreateHttpNamespace", "servicediscovery:TagResource"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }
  }

  statement {
    sid       = "ManageProjectNamespace"
    actions   = ["servicediscovery:DeleteNamespace", "servicediscovery:UpdateHttpNamespace", "servicediscovery:TagResource", "servicediscovery:UntagResource"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }
  }
}

resource "aws_iam_policy" "deploy" {
  name        = "${var.project}-deploy"
  description = "Apply the ${var.project} stack (scoped to its names and tags where AWS allows)"
  policy      = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_role_policy_attachment" "deploy" {
  role       = aws_iam_role.github["deploy"].name
  policy_arn = aws_iam_policy.deploy.arn
}
