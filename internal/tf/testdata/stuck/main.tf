# An apply that cannot finish: the AWS provider talks to a listener that accepts and never
# answers, and a local-exec sleeps. The process-group test cancels it mid-way.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "endpoint" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  max_retries                 = 1
  endpoints {
    s3 = var.endpoint
  }
}

resource "aws_s3_bucket" "stuck" {
  bucket = "stuck"
}

resource "terraform_data" "sleep" {
  provisioner "local-exec" {
    command = "sleep 900"
  }
}
