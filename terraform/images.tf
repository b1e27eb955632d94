# Images are pinned by digest: the task definition names <repo>:<tag>@<digest>, and a
# registry serves the digest whatever the tag points to later, so a re-tag upstream
# cannot change a running stack. `jitsictl images pin` records the digests of a release
# (terraform/images.auto.tfvars.json, read by every Terraform run here) and
# `deploy plan` checks them against the registry, with the platform cpu_architecture
# needs (internal/images).
#
# images = "ecr": deploy copies the pinned images by digest into private repositories
# made here, and the task pulls them in-region (no dependency on ghcr.io at meeting
# time). The execution role may pull from <project>/* repositories either way
# (terraform/iam.tf, terraform/bootstrap/policy_ecr.tf).

variable "jitsi_image_digests" {
  description = "Digest (sha256:…) of each image's multi-arch index for jitsi_image_tag, by component (web, prosody, jicofo, jvb). Written by `jitsictl images pin`."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for k, d in var.jitsi_image_digests :
    contains(["web", "prosody", "jicofo", "jvb"], k) && can(regex("^sha256:[0-9a-f]{64}$", d))])
    error_message = "jitsi_image_digests maps web, prosody, jicofo and jvb to sha256:<64 hex> digests."
  }
}

variable "images" {
  description = "Where the task pulls its images: \"source\" (jitsi_image_registry, default) or \"ecr\" (copies in private ECR repositories of the stack, made by deploy)."
  type        = string
  default     = "source"

  validation {
    condition     = contains(["source", "ecr"], var.images)
    error_message = "images must be \"source\" or \"ecr\"."
  }
  validation {
    # Copies are made by digest: ECR mode needs every image pinned.
    condition     = var.images == "source" || length(var.jitsi_image_digests) == 4
    error_message = "images = \"ecr\" copies the images by digest: pin all four in jitsi_image_digests first (jitsictl images pin)."
  }
}

variable "ecr_scan_on_push" {
  description = "With images = \"ecr\": ECR basic scanning of each copied image (free)."
  type        = bool
  default     = false
}

locals {
  components = ["web", "prosody", "jicofo", "jvb"]

  image_repository = { for c in local.components : c => (
    var.images == "ecr" ? aws_ecr_repository.jitsi[c].repository_url : "${trimsuffix(var.jitsi_image_registry, "/")}/${c}"
  ) }
  # Unpinned (by tag) until `jitsictl images pin`: deploy plan warns, and checks the tag's platforms.
  image = { for c in local.components : c => join("", [
    "${local.image_repository[c]}:${var.jitsi_image_tag}",
    contains(keys(var.jitsi_image_digests), c) ? "@${var.jitsi_image_digests[c]}" : "",
  ]) }
}

resource "aws_ecr_repository" "jitsi" {
  for_each = var.images == "ecr" ? toset(local.components) : toset([])

  name = "${var.project}/${each.key}"
  # A tag, once copied, keeps its digest; a new release is a new tag.
  image_tag_mutability = "IMMUTABLE"
  # The copies can always be made again from the source registry.
  force_delete = true

  image_scanning_configuration {
    scan_on_push = var.ecr_scan_on_push
  }
}

# What deploy reads to copy the images (outputs.Outputs.Images).
output "images" {
  value = {
    mode             = var.images
    architecture     = var.cpu_architecture
    registry         = var.jitsi_image_registry
    tag              = var.jitsi_image_tag
    digests          = var.jitsi_image_digests
    ecr_repositories = { for c, r in aws_ecr_repository.jitsi : c => r.repository_url }
  }
}
