variable "name" {
  description = "The stack's project: names the role (<name>-session-guard, as the schedule group), and is the Project tag the role may act on."
  type        = string
}

variable "service_arn" {
  description = "ARN of the stack's ECS service, the only service the guard may scale."
  type        = string
}
