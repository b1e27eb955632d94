# Phase 2 changes only output values; no resource changes.
variable "phase" {
  type = number
}

resource "terraform_data" "web" {
  input = "web"
}

output "url" {
  value = var.phase == 1 ? "https://meet.example.org" : "https://meet.example.net"
}

output "stage" {
  value = var.phase == 1 ? "one" : "two"
}

output "removed_in_two" {
  value = var.phase == 1 ? "present" : null
}
