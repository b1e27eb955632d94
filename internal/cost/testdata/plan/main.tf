# A small stack whose phase 2 changes everything the cost model reads from a
# plan: the task moves from 4 vCPU / 8 GB x86 to 2 vCPU / 4 GB ARM, one
# parameter turns advanced and one advanced parameter is added, and the Cloud
# Map private DNS namespace (a $0.50/month hosted zone) becomes an HTTP
# namespace. generate.sh applies phase 1 and writes phase 2's plan as JSON.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "phase" {
  type = number
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

resource "aws_vpc" "this" {
  cidr_block           = "10.50.0.0/16"
  enable_dns_hostnames = true
}

resource "aws_ecs_task_definition" "jvb" {
  family                   = "cost-plan-jvb"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.phase == 1 ? "4096" : "2048"
  memory                   = var.phase == 1 ? "8192" : "4096"
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.phase == 1 ? "X86_64" : "ARM64"
  }
  container_definitions = jsonencode([{ name = "jvb", image = "ghcr.io/jitsi/jvb:stable-11146-2", essential = true }])
}

resource "aws_ssm_parameter" "advertise" {
  name  = "/cost-plan/advertise"
  type  = "String"
  value = "203.0.113.10"
  tier  = var.phase == 1 ? "Standard" : "Advanced"
}

resource "aws_ssm_parameter" "big" {
  count = var.phase == 1 ? 0 : 1
  name  = "/cost-plan/big"
  type  = "String"
  value = "x"
  tier  = "Advanced"
}

resource "aws_service_discovery_private_dns_namespace" "dns" {
  count = var.phase == 1 ? 1 : 0
  name  = "cost-plan.local"
  vpc   = aws_vpc.this.id
}

resource "aws_service_discovery_http_namespace" "http" {
  count = var.phase == 1 ? 0 : 1
  name  = "cost-plan"
}
