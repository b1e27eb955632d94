output "group_name" {
  value = aws_scheduler_schedule_group.this.name
}

output "role_arn" {
  value = var.create_role ? module.role[0].role_arn : data.aws_iam_role.this[0].arn
}
