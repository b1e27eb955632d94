variable "project" {
  description = "Name prefix for every resource and the Project tag (cost allocation, sweeping)."
  type        = string
  default     = "jitsi"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project))
    error_message = "project must be 3-20 characters (NLB and target group names add a suffix and AWS caps them at 32) of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "s3_use_path_style" {
  description = "Use path-style S3 requests. Only emulators (moto) need this; leave false on AWS."
  type        = bool
  default     = false
}

variable "create_iam_roles" {
  description = "Create the roles terraform/bootstrap otherwise makes (<project>-ecs-task-execution and the session guard's <project>-session-guard) here. false (default): use the bootstrap's, so that deploys need no IAM writes. true: runs without the bootstrap (emulators, the demo, administrator credentials)."
  type        = bool
  default     = false
}

variable "domain_name" {
  description = "Public DNS name of the meeting site (e.g. meet.example.com). Empty: no PUBLIC_URL, the meeting URL falls back to the NLB DNS name."
  type        = string
  default     = ""
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name. Set: each session upserts domain_name as an A record on its Elastic IPs and removes it on close. Empty: manage DNS yourself."
  type        = string
  default     = ""

  validation {
    condition     = var.route53_zone_id == "" || var.domain_name != ""
    error_message = "route53_zone_id needs domain_name: the record it would hold is domain_name."
  }
}

variable "nlb_enabled" {
  description = "Create the on-demand session resources (Elastic IPs, NLB, target groups, listeners). Sessions set this; idle stacks keep it false."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ACM certificate for a TLS listener on 443 that forwards to the web container's plain port 8000. Empty: TCP pass-through from 443 to 8443."
  type        = string
  default     = ""
}

variable "legacy_tcp_4443" {
  description = "Dead option kept for old clients: a TCP 4443 listener to JVB. docker-jitsi-meet removed JVB TCP in stable-7001 and jitsi-videobridge removed ICE/TCP in 2024, so nothing answers it. TCP fallback today means TURN on 443."
  type        = bool
  default     = false
}

variable "vpc_cidr" {
  description = "CIDR of the stack's VPC; web and health-check ports are open to this range only."
  type        = string
  default     = "10.42.0.0/16"
}

variable "jitsi_image_registry" {
  description = "Where the docker-jitsi-meet images come from: <registry>/<namespace>, the images being <this>/{web,prosody,jicofo,jvb}."
  type        = string
  default     = "ghcr.io/jitsi"
}

variable "jitsi_image_tag" {
  description = "docker-jitsi-meet release tag for ghcr.io/jitsi/{web,prosody,jicofo,jvb}. Pin a release, never 'stable'."
  type        = string
  default     = "stable-11146-2"

  validation {
    condition     = var.jitsi_image_tag != "stable" && var.jitsi_image_tag != "latest"
    error_message = "jitsi_image_tag must be a pinned release such as stable-11146-2, not a moving tag."
  }
}

variable "access" {
  description = "Who may join a meeting. invite (default): only people with a link from jitsictl (session open, session links). lobby: a moderator with a link opens the room; people without one join (or knock, once a moderator turns its lobby on) only after a moderator is in."
  type        = string
  default     = "invite"

  validation {
    condition     = contains(["invite", "lobby"], var.access)
    error_message = "access must be invite or lobby."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 4096
}

variable "task_memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 8192
}

variable "cpu_architecture" {
  description = "Fargate runtime platform: ARM64 (about 20% cheaper; deploy plan checks that every pinned image has a linux/arm64 variant) or X86_64."
  type        = string
  default     = "ARM64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for the task's log group."
  type        = number
  default     = 14
}

variable "secrets_version" {
  description = "Bump to rotate the generated XMPP passwords and the JWT app secret (write-only values are only sent when this changes; rotating the JWT secret voids every link minted before)."
  type        = number
  default     = 1
}

variable "bucket_name" {
  description = "Name of the recordings/archive bucket. Empty: <project>-data-<account id>."
  type        = string
  default     = ""
}

variable "archive_transition_days" {
  description = "Days after which objects under archive/ move to archive_storage_class."
  type        = number
  default     = 30
}

variable "archive_storage_class" {
  description = "Storage class for archived objects: GLACIER_IR or DEEP_ARCHIVE."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["GLACIER_IR", "DEEP_ARCHIVE"], var.archive_storage_class)
    error_message = "archive_storage_class must be GLACIER_IR or DEEP_ARCHIVE."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions expire."
  type        = number
  default     = 30
}

variable "deregistration_delay" {
  description = "Seconds the NLB drains a deregistered target. Sessions are short; AWS's 300 s default only slows closing."
  type        = number
  default     = 15
}

variable "health_check_interval" {
  description = "Seconds between NLB health checks (5-300); a short interval makes a new target healthy sooner."
  type        = number
  default     = 5
}
