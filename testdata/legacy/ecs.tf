locals {
  ports = {
    web_http   = 8000
    web_https  = 8443
    jvb_udp    = 10000
    jvb_health = 8080
  }

  secret_names = ["JICOFO_AUTH_PASSWORD", "JVB_AUTH_PASSWORD"]

  containers = [for c in ["prosody", "jicofo", "jvb", "web"] : {
    name              = c
    image             = "ghcr.io/jitsi/${c}:${var.jitsi_image_tag}"
    memoryReservation = 512
    essential         = true
    # Legacy: secrets straight from the Secrets Manager secret's JSON keys.
    secrets = [for k in local.secret_names : { name = k, valueFrom = "${aws_secretsmanager_secret.jitsi.arn}:${k}::" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.task.name
        awslogs-region        = var.region
        awslogs-stream-prefix = c
      }
    }
  }]
}

resource "aws_cloudwatch_log_group" "task" {
  name              = "/ecs/${var.project}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_cluster" "this" {
  name = var.project
}

resource "aws_ecs_task_definition" "jitsi" {
  family                   = var.project
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = jsonencode(local.containers)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
}

# Legacy: no Service Connect.
resource "aws_ecs_service" "jitsi" {
  name            = var.project
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.jitsi.arn
  launch_type     = "FARGATE"
  desired_count   = 0

  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = aws_subnet.public[*].id
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = true
  }

  lifecycle {
    ignore_changes = [desired_count, availability_zone_rebalancing]
  }
}
