variable "name" {
  description = "The stack's project: names the schedule group and role, and is the Project tag the role may act on."
  type        = string
}

variable "service_arn" {
  description = "ARN of the stack's ECS service, the only service the guard may scale."
  type        = string
}

variable "create_role" {
  description = "Create the guard role here (runs without terraform/bootstrap: emulators, the demo). false: use the one the bootstrap creates."
  type        = bool
  default     = false
}
