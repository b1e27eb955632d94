# Legacy: every XMPP password in one Secrets Manager secret ($0.40/month while idle).
# The seed kept random_password values in plaintext state; this fixture writes a
# generated value write-only instead, so not even a test state holds a password.
ephemeral "aws_secretsmanager_random_password" "xmpp" {
  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "jitsi" {
  name = "${var.project}/xmpp"
}

resource "aws_secretsmanager_secret_version" "jitsi" {
  secret_id = aws_secretsmanager_secret.jitsi.id
  secret_string_wo = jsonencode({
    JICOFO_AUTH_PASSWORD = ephemeral.aws_secretsmanager_random_password.xmpp.random_password
    JVB_AUTH_PASSWORD    = ephemeral.aws_secretsmanager_random_password.xmpp.random_password
  })
  secret_string_wo_version = 1
}
