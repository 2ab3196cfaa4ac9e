# A first Proton platform. scripts/quickstart.sh applies it against proton-local, which reads the
# template bundles of examples/bundles (packed by scripts/pack-bundles.py, given as --bundles);
# against real AWS, upload those bundles to your own bucket, drop the endpoint variable and use your
# usual credentials.

terraform {
  required_providers {
    proton = {
      source = "proton-community/proton"
    }
  }
}

# Region, credentials and endpoint come from the environment (AWS_REGION, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_PROTON), as with the AWS CLI.
provider "proton" {
  region = "us-east-1"

  default_tags {
    tags = {
      managed-by = "terraform"
    }
  }
}

variable "bundle_bucket" {
  description = "S3 bucket holding the template bundles."
  type        = string
  default     = "proton-bundles"
}

variable "role_arn" {
  description = "Role Proton provisions the environment's infrastructure with."
  type        = string
  default     = "arn:aws:iam::000000000000:role/proton-service"
}

# The environment template, and version 1.0 registered from the CloudFormation VPC bundle
# (examples/bundles/vpc-environment) and published.
resource "proton_environment_template" "vpc" {
  name         = "quickstart-vpc"
  display_name = "Quickstart VPC"
  description  = "A VPC with one public subnet and an ECS cluster"

  tags = {
    project = "quickstart"
  }
}

resource "proton_environment_template_version" "vpc" {
  template_name = proton_environment_template.vpc.name
  description   = "First release"
  status        = "PUBLISHED"
  source        = { s3 = { bucket = var.bundle_bucket, key = "vpc-environment.tar.gz" } }
}

# An environment deployed from it; the spec sets the inputs the bundle's schema declares.
resource "proton_environment" "dev" {
  name                    = "quickstart-dev"
  template_name           = proton_environment_template_version.vpc.template_name
  template_major_version  = proton_environment_template_version.vpc.major_version
  proton_service_role_arn = var.role_arn

  spec = <<-EOT
    proton: EnvironmentSpec
    spec:
      vpc_cidr: 10.10.0.0/16
      subnet_cidr: 10.10.1.0/24
      tier: development
  EOT
}

# A service template without a Proton pipeline (CUSTOMER_MANAGED), from the worker bundle
# (examples/bundles/worker-service), for services in environments of the VPC template.
resource "proton_service_template" "worker" {
  name                  = "quickstart-worker"
  pipeline_provisioning = "CUSTOMER_MANAGED"
}

resource "proton_service_template_version" "worker" {
  template_name = proton_service_template.worker.name
  status        = "PUBLISHED"
  source        = { s3 = { bucket = var.bundle_bucket, key = "worker-service.tar.gz" } }

  compatible_environment_templates = [{
    template_name = proton_environment_template_version.vpc.template_name
    major_version = proton_environment_template_version.vpc.major_version
  }]
}

# A service with one instance in the environment.
resource "proton_service" "orders" {
  name                   = "quickstart-orders"
  template_name          = proton_service_template_version.worker.template_name
  template_major_version = proton_service_template_version.worker.major_version

  spec = <<-EOT
    proton: ServiceSpec
    instances:
      - name: orders-dev
        environment: ${proton_environment.dev.name}
        spec:
          queue_name: orders
          memory: 256
  EOT
}

data "proton_environment_outputs" "dev" {
  environment_name = proton_environment.dev.name
}

data "proton_service_instance_outputs" "orders_dev" {
  service_name          = proton_service.orders.name
  service_instance_name = "orders-dev"
}

output "environment_template_version" {
  description = "The registered and published environment template version."
  value       = "${proton_environment_template_version.vpc.template_name} ${proton_environment_template_version.vpc.major_version}.${proton_environment_template_version.vpc.minor_version}"
}

output "environment_deployment_status" {
  value = proton_environment.dev.deployment_status
}

output "environment_outputs" {
  description = "What the environment's last deployment produced."
  value       = data.proton_environment_outputs.dev.outputs
}

output "service_instance_outputs" {
  description = "What the service instance's last deployment produced."
  value       = data.proton_service_instance_outputs.orders_dev.outputs
}

output "environment_template_tags_all" {
  description = "Tags on the template, provider default_tags included."
  value       = proton_environment_template.vpc.tags_all
}
