terraform {
  # 1.11 brings write-only arguments (value_wo), which keep generated secrets out of state and plans.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # >= 5.83 for ephemeral aws_secretsmanager_random_password and aws_ssm_parameter.value_wo.
      version = "~> 5.100"
    }
  }

  # Partial configuration: bucket, key, region, use_lockfile and encrypt come from a
  # -backend-config file (see backend.hcl.example), so one stack serves any account.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  # Emulators such as moto serve S3 on one host; real AWS wants virtual-hosted style.
  s3_use_path_style = var.s3_use_path_style

  default_tags {
    tags = {
      Project   = var.project
      ManagedBy = "jitsictl"
    }
  }
}
