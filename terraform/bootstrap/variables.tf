variable "github_repository" {
  description = "The one GitHub repository (owner/name) whose workflows may assume the roles."
  type        = string

  validation {
    # GitHub owners: letters, digits, hyphens; repository names add '.' and '_'.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository)) && !can(regex("/\\.\\.?$", var.github_repository))
    error_message = "github_repository must be \"owner/name\" exactly as GitHub spells it (e.g. \"octo-org/jitsi\"), without a URL, .git suffix or wildcard."
  }
}

variable "project" {
  description = "The stack's project name (its var.project): every scoped ARN and tag condition uses it."
  type        = string
  default     = "jitsi"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project))
    error_message = "project must match the stack's rule: 3-20 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "state_bucket_name" {
  description = "Name of the S3 bucket for the stack's Terraform state and the session record (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name)) && !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
}

variable "state_key" {
  description = "Object key of the stack's state. Empty: <project>/terraform.tfstate. The lock file (<key>.tflock) and the session record (jitsictl-session.json) sit beside it."
  type        = string
  default     = ""
}

variable "data_bucket_name" {
  description = "The stack's recordings bucket (its var.bucket_name). Empty: the stack's default <project>-data-<account id>."
  type        = string
  default     = ""
}

variable "region" {
  description = "AWS region of the state bucket and the stack."
  type        = string
  default     = "us-east-1"
}

variable "default_branch" {
  description = "The repository's default branch: workflow_dispatch and schedule runs carry its ref in their OIDC subject."
  type        = string
  default     = "main"
}

variable "route53_zone_id" {
  description = "Hosted zone of the stack's domain_name when sessions manage its record (the stack's route53_zone_id); empty: the session role gets no Route 53 write."
  type        = string
  default     = ""
}

variable "production_environment" {
  description = "GitHub environment whose protection rules gate the deploy role."
  type        = string
  default     = "production"
}

variable "existing_oidc_provider_arn" {
  description = "An account holds one provider per URL: if token.actions.githubusercontent.com is already registered, give its ARN and none is created."
  type        = string
  default     = ""
}

variable "s3_use_path_style" {
  description = "Use path-style S3 requests. Only emulators (moto) need this; leave false on AWS."
  type        = bool
  default     = false
}
