# Secrets marked sensitive in one place and copied, through nonsensitive(), into unmarked
# attributes and outputs in every encoding a plan comment can carry them: raw,
# JSON-escaped (a newline, a quote, a backslash), one line of a multi-line PEM key, a JSON
# document inside a string, and base64 (aligned and at an offset). Phase 1 applies, phase 2
# replaces terraform_data.copied, so each copy sits on both sides of a replace. Short
# values of a sensitive object ("true", "8443", "admin") must not blank unrelated text.
# Every literal here is made up for the fixture.
variable "phase" {
  type = number
}

variable "tls_key" {
  type      = string
  sensitive = true
  default   = <<-EOT
    -----BEGIN PRIVATE KEY-----
    5+7nYV7zXzDkm0guFcrnUAcgHhJhew/tp+Fkd5b/AivqjtAqgqF1kw8jN803lMUi
    CABtaxrwwMvWJWWKrCyfqgfRPER+MwUe7vlaYOVhQ9bEO8rXbACKmwprX8kzFUpt
    4oQEqJfFJSYuanwHvL7oQfdFxV1On3R/YVFkxvco1xg1NxOCesiD1/uWWSNAdPUl
    W3OLsVHJcizSxkLm
    -----END PRIVATE KEY-----
  EOT
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "FIXTURE-\"quoted\"\\back\\slash-7c1d"
}

variable "api_token" {
  type      = string
  sensitive = true
  default   = "FIXTURE-TOKEN-5a4e3d2c1b"
}

variable "settings" {
  type      = map(string)
  sensitive = true
  default   = { enabled = "true", port = "8443", user = "admin" }
}

locals {
  key      = nonsensitive(var.tls_key)
  password = nonsensitive(var.db_password)
  token    = nonsensitive(var.api_token)
}

# The marked originals: Terraform masks these itself.
resource "terraform_data" "secrets" {
  input = { key = var.tls_key, password = var.db_password, token = var.api_token, settings = var.settings }
}

resource "terraform_data" "copied" {
  triggers_replace = "phase-${var.phase}"
  input = {
    raw       = "phase-${var.phase}/${local.token}"
    escaped   = "phase-${var.phase} ${local.password}"
    pem       = "# phase ${var.phase}\n${local.key}"
    pem_line  = "line ${split("\n", local.key)[var.phase]}"
    json_doc  = jsonencode({ phase = var.phase, password = local.password })
    b64       = base64encode("${local.token}/${var.phase}")
    b64_inner = base64encode("phase-${var.phase}:${local.token}")
    note      = "phase ${var.phase}: admin enabled=true on port 8443"
  }
}

output "raw" {
  value = "${var.phase}:${local.token}"
}

output "escaped" {
  value = { phase = var.phase, password = local.password }
}

output "pem_line" {
  value = split("\n", local.key)[var.phase + 1]
}

output "json_doc" {
  value = jsonencode({ phase = var.phase, key = local.key })
}

output "b64" {
  value = base64encode("${var.phase}${local.token}")
}

output "note" {
  value = "phase ${var.phase}: port 8443, tls enabled=true"
}
