locals {
  ports = {
    web_http     = 8000
    web_https    = 8443
    prosody_c2s  = 5222
    prosody_http = 5280
    jicofo_http  = 8888
    jvb_udp      = 10000
    jvb_health   = 8080
  }

  # awsvpc: all containers of the task share one network namespace, so they reach each
  # other on 127.0.0.1 (an IP, so nginx needs no resolver for its proxy_pass to BOSH).
  # Checked against docker-jitsi-meet at 2e6b31d (2026-08): web listens on 8000/8443,
  # the images ship curl for the health checks, and the bridge channel is SCTP (no
  # colibri websocket port).
  loopback = "127.0.0.1"

  xmpp_env = {
    XMPP_DOMAIN              = "meet.jitsi"
    XMPP_AUTH_DOMAIN         = "auth.meet.jitsi"
    XMPP_MUC_DOMAIN          = "muc.meet.jitsi"
    XMPP_INTERNAL_MUC_DOMAIN = "internal-muc.meet.jitsi"
    XMPP_GUEST_DOMAIN        = "guest.meet.jitsi"
    XMPP_SERVER              = local.loopback
    TZ                       = "UTC"
    # The VPC is IPv4-only; nginx and prosody would otherwise also bind [::].
    ENABLE_IPV6 = "0"
  }

  public_url_env = var.domain_name == "" ? {} : { PUBLIC_URL = "https://${var.domain_name}" }

  # Without PUBLIC_URL the web image writes wss://localhost:8443/xmpp-websocket and an
  # absolute BOSH URL on localhost into config.js. A session reached by the NLB's DNS
  # name needs host-relative BOSH instead (and no websocket, which has no relative form).
  web_host_env = var.domain_name != "" ? {} : { BOSH_RELATIVE = "true", ENABLE_XMPP_WEBSOCKET = "0" }

  # Token authentication: only holders of a link that jitsictl mints (a JWT signed with
  # JWT_APP_SECRET, issued for and to the app id) start meetings. invite: nobody joins
  # without a link. lobby: a guest domain lets people without a link in once a
  # moderator with one has opened the room (and through its lobby when the moderator
  # turns it on). The secret reaches
  # Prosody only, through `secrets`.
  auth_env = {
    ENABLE_AUTH            = "1"
    AUTH_TYPE              = "jwt"
    ENABLE_AUTH_DOMAIN     = "1"
    JWT_APP_ID             = local.jwt_app_id
    JWT_ACCEPTED_ISSUERS   = local.jwt_app_id
    JWT_ACCEPTED_AUDIENCES = local.jwt_app_id
    JWT_ALLOW_EMPTY        = "0"
    ENABLE_GUESTS          = var.access == "lobby" ? "1" : "0"
    ENABLE_LOBBY           = "1"
  }
  jwt_app_id = var.project

  secret_arn = { for k, p in aws_ssm_parameter.secret : k => p.arn }

  # ECS renders env maps as sorted name/value lists; sorting here keeps plans quiet.
  to_env = { for name, m in {
    web     = merge(local.xmpp_env, local.auth_env, local.public_url_env, local.web_host_env, { XMPP_BOSH_URL_BASE = "http://${local.loopback}:${local.ports.prosody_http}" })
    prosody = merge(local.xmpp_env, local.auth_env, local.public_url_env)
    jicofo  = merge(local.xmpp_env, local.auth_env)
    jvb = merge(local.xmpp_env, local.public_url_env, {
      JVB_PORT = tostring(local.ports.jvb_udp)
      # Addresses are fixed (the NLB's Elastic IPs): STUN would only find the task's own IP.
      JVB_DISABLE_STUN = "1"
      # ice4j's AWS harvester would advertise the task's own public IP, the same bypass of
      # the NLB as STUN. Off by default in current images; pinned here so it stays off.
      DISABLE_AWS_HARVESTER = "true"
    })
  } : name => [for k in sort(keys(m)) : { name = k, value = m[k] }] }

  log_options = { for c in ["web", "prosody", "jicofo", "jvb"] : c => {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.task.name
      awslogs-region        = var.region
      awslogs-stream-prefix = c
    }
  } }

  health = { for c, url in {
    web     = "http://${local.loopback}:${local.ports.web_http}/"
    prosody = "http://${local.loopback}:${local.ports.prosody_http}/health"
    jicofo  = "http://${local.loopback}:${local.ports.jicofo_http}/about/health"
    jvb     = "http://${local.loopback}:${local.ports.jvb_health}/about/health"
    } : c => {
    command     = ["CMD-SHELL", "curl -fsS -o /dev/null ${url} || exit 1"]
    interval    = 10
    timeout     = 5
    retries     = 3
    startPeriod = 30
  } }

  # Soft memory reservations, three quarters of the task in all: JVB gets the most
  # (media buffers), the others start small and may grow into the rest. ECS on
  # Fargate does not require them, but they keep one container from starving JVB
  # (and moto cannot run a task without them).
  memory_reservation = {
    prosody = floor(var.task_memory / 16)
    jicofo  = floor(var.task_memory / 8)
    jvb     = floor(var.task_memory / 2)
    web     = floor(var.task_memory / 16)
  }

  containers = [
    {
      name              = "prosody"
      image             = local.image.prosody
      memoryReservation = local.memory_reservation.prosody
      essential         = true
      environment       = local.to_env.prosody
      secrets           = [for k in local.secret_names : { name = k, valueFrom = local.secret_arn[k] }]
      portMappings = [
        { name = "prosody-c2s", containerPort = local.ports.prosody_c2s, hostPort = local.ports.prosody_c2s, protocol = "tcp" },
        { name = "prosody-http", containerPort = local.ports.prosody_http, hostPort = local.ports.prosody_http, protocol = "tcp" },
      ]
      healthCheck      = local.health.prosody
      logConfiguration = local.log_options.prosody
    },
    {
      name              = "jicofo"
      image             = local.image.jicofo
      memoryReservation = local.memory_reservation.jicofo
      essential         = true
      environment       = local.to_env.jicofo
      secrets           = [{ name = "JICOFO_AUTH_PASSWORD", valueFrom = local.secret_arn["JICOFO_AUTH_PASSWORD"] }]
      portMappings      = [{ name = "jicofo-http", containerPort = local.ports.jicofo_http, hostPort = local.ports.jicofo_http, protocol = "tcp" }]
      dependsOn         = [{ containerName = "prosody", condition = "HEALTHY" }]
      healthCheck       = local.health.jicofo
      logConfiguration  = local.log_options.jicofo
    },
    {
      name              = "jvb"
      image             = local.image.jvb
      memoryReservation = local.memory_reservation.jvb
      essential         = true
      environment       = local.to_env.jvb
      secrets = [
        { name = "JVB_ADVERTISE_IPS", valueFrom = aws_ssm_parameter.advertise_ips.arn },
        { name = "JVB_AUTH_PASSWORD", valueFrom = local.secret_arn["JVB_AUTH_PASSWORD"] },
      ]
      portMappings = [
        { name = "jvb-media", containerPort = local.ports.jvb_udp, hostPort = local.ports.jvb_udp, protocol = "udp" },
        { name = "jvb-health", containerPort = local.ports.jvb_health, hostPort = local.ports.jvb_health, protocol = "tcp" },
      ]
      dependsOn        = [{ containerName = "prosody", condition = "HEALTHY" }]
      healthCheck      = local.health.jvb
      logConfiguration = local.log_options.jvb
    },
    {
      name              = "web"
      image             = local.image.web
      memoryReservation = local.memory_reservation.web
      essential         = true
      environment       = local.to_env.web
      portMappings = [
        { name = "web-http", containerPort = local.ports.web_http, hostPort = local.ports.web_http, protocol = "tcp", appProtocol = "http" },
        { name = "web-https", containerPort = local.ports.web_https, hostPort = local.ports.web_https, protocol = "tcp" },
      ]
      healthCheck      = local.health.web
      logConfiguration = local.log_options.web
    },
  ]
}

resource "aws_cloudwatch_log_group" "task" {
  name              = "/ecs/${var.project}"
  retention_in_days = var.log_retention_days
}

# An HTTP namespace is API-only Cloud Map: no Route 53 hosted zone, so $0 while idle.
# A private DNS namespace would create a private hosted zone at $0.50/month, and Service
# Connect works with either.
resource "aws_service_discovery_http_namespace" "this" {
  name        = var.project
  description = "Service Connect namespace for ${var.project}"
}

resource "aws_ecs_cluster" "this" {
  name = var.project

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.this.arn
  }
}

resource "aws_ecs_task_definition" "jitsi" {
  family                   = var.project
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = local.execution_role_arn
  container_definitions    = jsonencode(local.containers)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }
}

resource "aws_ecs_service" "jitsi" {
  name            = var.project
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.jitsi.arn
  launch_type     = "FARGATE"

  # Tasks inherit the service's tags (Project, ManagedBy), so Cost Explorer can attribute
  # Fargate hours to the project once Project is activated as a cost allocation tag.
  propagate_tags = "SERVICE"

  # Idle by default; sessions scale to 1 outside Terraform, and ignore_changes keeps a
  # later apply from scaling a live meeting back to 0.
  desired_count = 0

  # One JVB owns the advertised addresses: stop the old task before starting a new one
  # rather than running two that both claim the NLB's IPs.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = aws_subnet.public[*].id
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = true # image pulls (ghcr.io, or ECR's public endpoint) without a NAT gateway
  }

  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.this.arn

    service {
      port_name      = "web-http"
      discovery_name = "web"
      client_alias {
        port     = local.ports.web_http
        dns_name = "web"
      }
    }
  }

  lifecycle {
    # availability_zone_rebalancing: moto 5.2.1 never returns it, so every plan would show
    # a change; it has no effect on a one-task service, so ignoring it hides nothing real.
    ignore_changes = [desired_count, availability_zone_rebalancing]
  }
}
