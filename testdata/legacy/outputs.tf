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

# Legacy: the migration replaces this output with ssm_parameter_prefix.
output "secrets_manager_arn" {
  value = aws_secretsmanager_secret.jitsi.arn
}
