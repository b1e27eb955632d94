# One parameter, to tell a plan that refreshes from one that does not: deleted
# outside Terraform, it shows as a create only when the plan refreshes.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_ssm_parameter" "probe" {
  name  = "/jitsictl-tf-test/refresh"
  type  = "String"
  value = "v"
}
