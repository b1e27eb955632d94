# Needs the AWS provider and a moto endpoint (generate.sh starts one). Phase 1 creates two
# parameters; generate.sh then changes the String parameter outside Terraform (drift) and
# phase 2 rotates the SecureString, whose value must be masked even where the provider does
# not mark it sensitive (insecure_value-like attributes).
variable "phase" {
  type = number
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_ssm_parameter" "jvb_password" {
  name  = "/jitsi/jvb_auth_password"
  type  = "SecureString"
  value = var.phase == 1 ? "FIXTURE-SSM-SECRET-phase1" : "FIXTURE-SSM-SECRET-phase2"
}

resource "aws_ssm_parameter" "advertise" {
  name           = "/jitsi/advertise_ips"
  type           = "String"
  insecure_value = "198.51.100.7,198.51.100.8"
}
