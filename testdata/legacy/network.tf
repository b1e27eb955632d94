data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_caller_identity" "current" {}

locals {
  # Two AZs: an internet-facing NLB needs a subnet in each enabled AZ, and each AZ costs
  # one Elastic IP per session, so two is the useful minimum.
  azs = slice(data.aws_availability_zones.available.names, 0, 2)
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.project }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = var.project }
}

# Public subnets only: the task gets a public IP for image pulls, which avoids a NAT
# gateway ($0.045/h) that would dominate idle cost.
resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  map_public_ip_on_launch = false

  tags = { Name = "${var.project}-public-${local.azs[count.index]}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.project}-public" }
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = length(aws_subnet.public)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "task" {
  name        = "${var.project}-task"
  description = "Jitsi task: media from anywhere, web and health from the VPC (NLB) only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.project}-task" }
}

# The NLB preserves client source addresses for UDP, so media must be open to the world.
resource "aws_vpc_security_group_ingress_rule" "jvb_udp" {
  security_group_id = aws_security_group.task.id
  description       = "JVB media (client IPs preserved by the NLB)"
  ip_protocol       = "udp"
  from_port         = local.ports.jvb_udp
  to_port           = local.ports.jvb_udp
  cidr_ipv4         = "0.0.0.0/0"
}

# For TCP to IP targets the NLB does not preserve client IPs, and health checks come from
# the NLB's private addresses: the VPC CIDR is enough for these.
resource "aws_vpc_security_group_ingress_rule" "vpc_tcp" {
  for_each = {
    web_http   = local.ports.web_http
    web_https  = local.ports.web_https
    jvb_health = local.ports.jvb_health
  }

  security_group_id = aws_security_group.task.id
  description       = "${each.key} from the VPC (NLB and its health checks)"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = aws_vpc.this.cidr_block
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.task.id
  description       = "Image pulls, SSM, CloudWatch Logs, STUN-free media replies"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
