locals {
  # Every resource here carries Component = "session" so a sweeper can find leftovers of a
  # session by the tags Project + Component, even without Terraform state.
  tags = { Component = "session" }

  tls = var.certificate_arn != ""

  health_check_timeout = min(var.health_check_interval - 1, 5)
}

# One Elastic IP per AZ, attached through subnet_mapping: the addresses exist (and can be
# handed to JVB as JVB_ADVERTISE_IPS) before the NLB is even created.
resource "aws_eip" "this" {
  count = length(var.subnet_ids)

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${var.name}-jvb-${count.index}" })
}

resource "aws_lb" "this" {
  name               = "${var.name}-jvb"
  load_balancer_type = "network"
  internal           = false

  # The task runs in one AZ but clients send media to every advertised IP: each AZ's node
  # must be able to reach it.
  enable_cross_zone_load_balancing = true

  dynamic "subnet_mapping" {
    for_each = var.subnet_ids
    content {
      subnet_id     = subnet_mapping.value
      allocation_id = aws_eip.this[subnet_mapping.key].id
    }
  }

  tags = merge(local.tags, { Name = "${var.name}-jvb" })
}

# UDP health checks do not exist; JVB's private HTTP /about/health on 8080 stands in.
resource "aws_lb_target_group" "jvb_udp" {
  name                 = "${var.name}-udp-${var.ports.jvb_udp}"
  port                 = var.ports.jvb_udp
  protocol             = "UDP"
  target_type          = "ip" # Fargate awsvpc tasks are registered by IP
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    protocol            = "HTTP"
    port                = tostring(var.ports.jvb_health)
    path                = "/about/health"
    interval            = var.health_check_interval
    timeout             = local.health_check_timeout
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = merge(local.tags, { Name = "${var.name}-udp-${var.ports.jvb_udp}" })
}

resource "aws_lb_target_group" "web" {
  # TLS terminates at the NLB when a certificate is given; otherwise web's own 8443.
  name                 = "${var.name}-web-${local.tls ? var.ports.web_http : var.ports.web_https}"
  port                 = local.tls ? var.ports.web_http : var.ports.web_https
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    protocol            = "HTTP"
    port                = tostring(var.ports.web_http)
    path                = "/"
    interval            = var.health_check_interval
    timeout             = local.health_check_timeout
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = merge(local.tags, { Name = "${var.name}-web" })
}

resource "aws_lb_target_group" "legacy_tcp_4443" {
  count = var.legacy_tcp_4443 ? 1 : 0

  name                 = "${var.name}-tcp-4443"
  port                 = 4443
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    protocol = "HTTP"
    port     = tostring(var.ports.jvb_health)
    path     = "/about/health"
    interval = var.health_check_interval
    timeout  = local.health_check_timeout
  }

  tags = merge(local.tags, { Name = "${var.name}-tcp-4443" })
}

resource "aws_lb_listener" "jvb_udp" {
  load_balancer_arn = aws_lb.this.arn
  port              = var.ports.jvb_udp
  protocol          = "UDP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.jvb_udp.arn
  }

  tags = local.tags
}

resource "aws_lb_listener" "web" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = local.tls ? "TLS" : "TCP"
  certificate_arn   = local.tls ? var.certificate_arn : null
  ssl_policy        = local.tls ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }

  tags = local.tags
}

resource "aws_lb_listener" "legacy_tcp_4443" {
  count = var.legacy_tcp_4443 ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 4443
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.legacy_tcp_4443[0].arn
  }

  tags = local.tags
}

# The meeting's name points at the session's Elastic IPs while the session
# runs and disappears with it. Record sets carry no tags; Terraform alone
# manages this one (the sweeper cannot find it, and need not: a record costs
# nothing by itself).
resource "aws_route53_record" "meeting" {
  count = var.route53_zone_id == "" ? 0 : 1

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"
  ttl     = 60
  records = aws_eip.this[*].public_ip
}
