# The subset of the current stack's variables the legacy configuration reads, plus
# nlb_enabled, which jitsictl passes to every run (the legacy stack ignores it).
variable "project" {
  type    = string
  default = "jitsi"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "s3_use_path_style" {
  type    = bool
  default = false
}

variable "nlb_enabled" {
  type    = bool
  default = false
}

variable "vpc_cidr" {
  type    = string
  default = "10.42.0.0/16"
}

variable "jitsi_image_tag" {
  type    = string
  default = "stable-11146-2"
}

variable "task_cpu" {
  type    = number
  default = 4096
}

variable "task_memory" {
  type    = number
  default = 8192
}

variable "log_retention_days" {
  type    = number
  default = 14
}

variable "bucket_name" {
  type    = string
  default = ""
}

variable "archive_transition_days" {
  type    = number
  default = 30
}

variable "archive_storage_class" {
  type    = string
  default = "GLACIER_IR"
}

variable "noncurrent_version_expiration_days" {
  type    = number
  default = 30
}
