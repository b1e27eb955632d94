terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state on purpose: this configuration creates the bucket every other state lives
  # in. See README.md for moving it into that bucket afterwards.
}

provider "aws" {
  region = var.region

  # Emulators such as moto serve S3 on one host; real AWS wants virtual-hosted style.
  s3_use_path_style = var.s3_use_path_style

  default_tags {
    tags = {
      Project   = var.project
      ManagedBy = "jitsictl-bootstrap"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
