locals {
  ssm_prefix     = "/${var.project}/"
  secrets_prefix = "${local.ssm_prefix}secrets/"

  # Passwords the current docker-jitsi-meet images read, and the key Prosody checks
  # meeting links (JWTs) with. JICOFO_COMPONENT_SECRET is obsolete since 2021 and
  # deliberately absent.
  secret_names = ["JICOFO_AUTH_PASSWORD", "JVB_AUTH_PASSWORD", "JWT_APP_SECRET"]
}

# Ephemeral: generated during each plan/apply, never written to state or plan files.
ephemeral "aws_secretsmanager_random_password" "xmpp" {
  for_each = toset(local.secret_names)

  password_length     = 40
  exclude_punctuation = true
}

resource "aws_ssm_parameter" "secret" {
  for_each = toset(local.secret_names)

  name        = "${local.secrets_prefix}${each.key}"
  description = "Generated ${each.key} (write-only; rotate with secrets_version)"
  type        = "SecureString"

  # Write-only: Terraform sends the value only when value_wo_version changes and keeps no
  # copy, so the secret never reaches state, plan files or logs.
  value_wo         = ephemeral.aws_secretsmanager_random_password.xmpp[each.key].random_password
  value_wo_version = var.secrets_version
}

# The addresses JVB advertises in ICE candidates. A session writes the NLB's Elastic IPs
# here before the task starts; ECS injects it as JVB_ADVERTISE_IPS (through `secrets`, so
# changing it needs no new task definition). Without a session it holds a value that is
# obviously not an address.
resource "aws_ssm_parameter" "advertise_ips" {
  name        = "${local.ssm_prefix}session/advertise-ips"
  description = "Comma-separated public IPs JVB advertises (the session NLB's Elastic IPs)"
  type        = "String"
  # Public addresses, not a secret: insecure_value keeps them readable in plans (value
  # would be masked as sensitive).
  insecure_value = var.nlb_enabled ? join(",", module.jvb_nlb[0].eip_addresses) : "none"
}
