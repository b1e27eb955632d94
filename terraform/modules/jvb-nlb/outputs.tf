output "nlb_arn" {
  value = aws_lb.this.arn
}

output "nlb_dns_name" {
  value = aws_lb.this.dns_name
}

# Ordered like subnet_ids.
output "eip_addresses" {
  value = aws_eip.this[*].public_ip
}

output "eip_allocation_ids" {
  value = aws_eip.this[*].id
}

output "target_group_arns" {
  value = merge(
    { udp_10000 = aws_lb_target_group.jvb_udp.arn, tcp_443 = aws_lb_target_group.web.arn },
    var.legacy_tcp_4443 ? { tcp_4443 = aws_lb_target_group.legacy_tcp_4443[0].arn } : {},
  )
}

output "listener_arns" {
  value = merge(
    { udp_10000 = aws_lb_listener.jvb_udp.arn, tcp_443 = aws_lb_listener.web.arn },
    var.legacy_tcp_4443 ? { tcp_4443 = aws_lb_listener.legacy_tcp_4443[0].arn } : {},
  )
}
