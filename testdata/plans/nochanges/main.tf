# Applied, then planned again unchanged: the plan has only no-op changes.
variable "phase" {
  type = number
}

resource "terraform_data" "web" {
  input = { image = "ghcr.io/jitsi/web:stable-11146-2" }
}

resource "terraform_data" "jvb" {
  input = { image = "ghcr.io/jitsi/jvb:stable-11146-2" }
}

output "service" {
  value = "jitsi"
}
