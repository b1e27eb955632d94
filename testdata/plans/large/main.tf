# Many resources (var.n, set by generate.sh) with a mix of actions in phase 2: every 10th is
# replaced, every 7th is updated in place, the last 5% are deleted, and 3 are created.
variable "phase" {
  type = number
}

variable "n" {
  type = number
}

locals {
  keep = var.phase == 1 ? var.n : var.n - floor(var.n / 20)
}

resource "terraform_data" "member" {
  count            = local.keep
  triggers_replace = var.phase == 2 && count.index % 10 == 0 ? "r2-${count.index}" : "r1-${count.index}"
  input = {
    name  = "participant-${count.index}"
    room  = "room-${count.index % 97}"
    level = var.phase == 2 && count.index % 7 == 0 ? "debug" : "info"
  }
}

resource "terraform_data" "extra" {
  count = var.phase == 1 ? 0 : 3
  input = "extra-${count.index}"
}

output "members" {
  value = length(terraform_data.member)
}
