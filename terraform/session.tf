# The on-demand part of a session: Elastic IPs, NLB, target groups and listeners. Idle
# stacks run with nlb_enabled = false and pay nothing for it. Targets are registered by the
# session (the service has no load_balancer block), so creating or destroying the NLB never
# touches the ECS service.
module "jvb_nlb" {
  source = "./modules/jvb-nlb"
  count  = var.nlb_enabled ? 1 : 0

  name                  = var.project
  vpc_id                = aws_vpc.this.id
  subnet_ids            = aws_subnet.public[*].id
  certificate_arn       = var.certificate_arn
  legacy_tcp_4443       = var.legacy_tcp_4443
  deregistration_delay  = var.deregistration_delay
  health_check_interval = var.health_check_interval
  route53_zone_id       = var.route53_zone_id
  domain_name           = var.domain_name

  ports = {
    jvb_udp    = local.ports.jvb_udp
    jvb_health = local.ports.jvb_health
    web_http   = local.ports.web_http
    web_https  = local.ports.web_https
  }
}

# Always present (it costs nothing idle): the schedules a session creates end it on the
# AWS side if nothing else does (see modules/session-guard).
module "session_guard" {
  source = "./modules/session-guard"

  name        = var.project
  service_arn = aws_ecs_service.jitsi.id
  create_role = var.create_iam_roles
}
