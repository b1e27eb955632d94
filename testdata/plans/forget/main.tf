# Phase 1 (with legacy.phase1.tf) manages two objects; phase 2 drops the block and adds a
# `removed` block with destroy = false (legacy.phase2.tf): Terraform forgets the object
# instead of destroying it. The web resource is replaced meanwhile.
variable "phase" {
  type = number
}

resource "terraform_data" "web" {
  triggers_replace = var.phase
}
