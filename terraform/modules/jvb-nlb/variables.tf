variable "name" {
  description = "Name prefix (the stack's project, at most 20 characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the Jitsi task."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets, one per AZ; each gets one Elastic IP on the NLB."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate: 443 becomes a TLS listener forwarding to web_http_port. Empty: TCP pass-through to web_https_port."
  type        = string
  default     = ""
}

variable "legacy_tcp_4443" {
  description = "Create the dead TCP 4443 JVB listener (JVB has had no ICE/TCP since 2024). Default off."
  type        = bool
  default     = false
}

variable "ports" {
  description = "Container ports: jvb_udp, jvb_health, web_http, web_https."
  type = object({
    jvb_udp    = number
    jvb_health = number
    web_http   = number
    web_https  = number
  })
}

variable "deregistration_delay" {
  description = "Seconds to drain a deregistered target."
  type        = number
  default     = 15
}

variable "health_check_interval" {
  description = "Seconds between health checks (5-300)."
  type        = number
  default     = 5
}

variable "route53_zone_id" {
  description = "Hosted zone holding domain_name. Set: the session points domain_name (an A record on the Elastic IPs) at itself while it runs."
  type        = string
  default     = ""
}

variable "domain_name" {
  description = "The meeting's DNS name (with route53_zone_id)."
  type        = string
  default     = ""
}
