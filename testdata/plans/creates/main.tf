# Planned from an empty state: creates only. The secret literal below must never reach a
# rendered comment (it is marked sensitive, so it appears only under after_sensitive).
variable "phase" {
  type = number
}

variable "jvb_auth_password" {
  type      = string
  sensitive = true
  default   = "FIXTURE-SECRET-9f8e7d6c"
}

resource "terraform_data" "web" {
  input = { image = "ghcr.io/jitsi/web:stable-11146-2", port = 8443 }
}

resource "terraform_data" "jvb" {
  input = { image = "ghcr.io/jitsi/jvb:stable-11146-2", advertise_ips = ["198.51.100.7", "198.51.100.8"] }
}

resource "terraform_data" "jvb_secret" {
  input = var.jvb_auth_password
}

output "web_image" {
  value = terraform_data.web.output.image
}

output "jvb_password" {
  value     = terraform_data.jvb_secret.output
  sensitive = true
}
