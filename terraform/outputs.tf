# Names and types here are a contract with internal/tf.Outputs (jitsictl reads them).

output "project" {
  value = var.project
}

output "region" {
  value = var.region
}

output "cluster_name" {
  value = aws_ecs_cluster.this.name
}

output "service_name" {
  value = aws_ecs_service.jitsi.name
}

output "task_definition_family" {
  value = aws_ecs_task_definition.jitsi.family
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "vpc_cidr" {
  value = aws_vpc.this.cidr_block
}

output "subnet_ids" {
  value = aws_subnet.public[*].id
}

output "security_group_id" {
  value = aws_security_group.task.id
}

output "ssm_parameter_prefix" {
  value = local.ssm_prefix
}

output "secret_parameter_names" {
  value = [for k in local.secret_names : aws_ssm_parameter.secret[k].name]
}

output "access" {
  value = var.access
}

output "jwt_app_id" {
  value = local.jwt_app_id
}

# The SecureString jitsictl reads (through the session role) to mint meeting links.
output "jwt_secret_parameter_name" {
  value = aws_ssm_parameter.secret["JWT_APP_SECRET"].name
}

output "xmpp_domain" {
  value = local.xmpp_env.XMPP_DOMAIN
}

output "advertise_ips_parameter_name" {
  value = aws_ssm_parameter.advertise_ips.name
}

output "bucket_name" {
  value = aws_s3_bucket.data.bucket
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.task.name
}

output "namespace_arn" {
  value = aws_service_discovery_http_namespace.this.arn
}

# From the module, not the variable: a session's apply targets the module (internal/session
# SessionTargets), and a targeted apply updates only the outputs that depend on its targets.
output "nlb_enabled" {
  value = length(module.jvb_nlb) > 0
}

# Session outputs are "" / empty (never null, which Terraform would drop from the output
# list) while no session runs.
output "nlb_arn" {
  value = var.nlb_enabled ? module.jvb_nlb[0].nlb_arn : ""
}

output "nlb_dns_name" {
  value = var.nlb_enabled ? module.jvb_nlb[0].nlb_dns_name : ""
}

output "eip_addresses" {
  value = var.nlb_enabled ? module.jvb_nlb[0].eip_addresses : []
}

output "eip_allocation_ids" {
  value = var.nlb_enabled ? module.jvb_nlb[0].eip_allocation_ids : []
}

output "target_group_arns" {
  value = var.nlb_enabled ? module.jvb_nlb[0].target_group_arns : {}
}

output "listener_arns" {
  value = var.nlb_enabled ? module.jvb_nlb[0].listener_arns : {}
}

output "domain_name" {
  value = var.domain_name
}

output "meeting_url" {
  description = "https://<domain_name>/ when set, else the NLB's DNS name during a session, else empty."
  value       = var.domain_name != "" ? "https://${var.domain_name}/" : (var.nlb_enabled ? "https://${module.jvb_nlb[0].nlb_dns_name}/" : "")
}

output "container_ports" {
  value = local.ports
}

output "session_guard_group" {
  value = module.session_guard.group_name
}

output "session_guard_role_arn" {
  value = module.session_guard.role_arn
}
