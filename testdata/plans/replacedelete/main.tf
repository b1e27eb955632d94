# Phase 1 creates everything; phase 2 replaces one resource (triggers_replace), deletes one
# by removing its block and two by lowering count, updates one in place, creates one, and
# changes an output.
variable "phase" {
  type = number
}

resource "terraform_data" "task" {
  triggers_replace = var.phase == 1 ? "revision-1" : "revision-2"
  input            = { cpu = 4096, memory = 8192 }
}

resource "terraform_data" "nlb" {
  count = var.phase == 1 ? 1 : 0
  input = { name = "jitsi-nlb", eips = 2 }
}

resource "terraform_data" "target" {
  count = var.phase == 1 ? 3 : 1
  input = "10.0.1.${count.index + 10}"
}

resource "terraform_data" "params" {
  input = { log_level = var.phase == 1 ? "info" : "debug" }
}

resource "terraform_data" "dashboard" {
  count = var.phase == 1 ? 0 : 1
  input = "cost-dashboard"
}

output "revision" {
  value = terraform_data.task.triggers_replace
}
