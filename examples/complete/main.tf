# A complete Proton platform: templates and their versions, two environments (one provisioned in
# another account through an account connection), a service with a pipeline and two instances, a
# component, and the account's pipeline settings. The environment template and the environments come
# from the reusable modules in examples/modules. See variables.tf for what an update changes.
#
# The bundles are the examples in examples/bundles: the environment template's versions come from
# vpc-environment, the service template's from web-service. Against proton-local, pack them under the
# keys used here and start proton-local with --bundles:
#   scripts/pack-bundles.py /tmp/bundles web/1.0.tar.gz=vpc-environment web/1.1.tar.gz=vpc-environment \
#     api/1.0.tar.gz=web-service api/1.1.tar.gz=web-service
#   proton-local --bundles /tmp/bundles --account test:test:000000000000 --account envkey:envsecret:111111111111

locals {
  environment_spec = <<-EOT
    proton: EnvironmentSpec
    spec:
      vpc_cidr: 10.0.0.0/16
      tier: ${var.environment_tier}
  EOT
}

resource "proton_account_settings" "this" {
  pipeline_service_role_arn = "arn:aws:iam::${var.management_account_id}:role/proton-pipeline"
}

# Environment template "web", versions 1.0 and 1.1, published by the reusable module in
# examples/modules/environment-template.
module "web_template" {
  source = "../modules/environment-template"

  name          = "web"
  description   = "Network and cluster shared by web services"
  bundle_bucket = var.bundle_bucket
  bundle_keys   = ["web/1.0.tar.gz", "web/1.1.tar.gz"]
}

# Service template "api", versions 1.0 and 1.1. No pipeline_provisioning: Proton provides its
# services' pipelines, which use the account's pipeline role set above.
resource "proton_service_template" "api" {
  name = "api"
}

resource "proton_service_template_version" "api_1_0" {
  template_name = proton_service_template.api.name
  status        = "PUBLISHED"
  source = {
    s3 = {
      bucket = var.bundle_bucket
      key    = "api/1.0.tar.gz"
    }
  }
  compatible_environment_templates = [{
    template_name = module.web_template.name
    major_version = module.web_template.major_version
  }]
  supported_component_sources = ["DIRECTLY_DEFINED"]
}

resource "proton_service_template_version" "api_1_1" {
  template_name = proton_service_template.api.name
  major_version = proton_service_template_version.api_1_0.major_version
  status        = "PUBLISHED"
  source = {
    s3 = {
      bucket = var.bundle_bucket
      key    = "api/1.1.tar.gz"
    }
  }
  compatible_environment_templates = [{
    template_name = module.web_template.name
    major_version = module.web_template.major_version
  }]
  supported_component_sources = ["DIRECTLY_DEFINED"]
}

# Staging: provisioned in the management account with Proton's service role, built by the
# reusable module in examples/modules/environment. The module's template outputs wait until both
# minor versions are published, so the environment can move between them.
module "staging" {
  source = "../modules/environment"

  name                    = "staging"
  template_name           = module.web_template.name
  template_major_version  = module.web_template.major_version
  template_minor_version  = var.environment_minor_version
  spec                    = local.environment_spec
  proton_service_role_arn = "arn:aws:iam::${var.management_account_id}:role/proton-service"
  component_role_arn      = "arn:aws:iam::${var.management_account_id}:role/proton-components"
}

# Production: provisioned in the production account, which requests a connection that the
# management account accepts.
resource "proton_environment_account_connection" "production" {
  provider              = proton.production_account
  management_account_id = var.management_account_id
  environment_name      = "production"
  role_arn              = "arn:aws:iam::${var.production_account_id}:role/proton-provisioning"
}

resource "proton_environment_account_connection_accepter" "production" {
  id = proton_environment_account_connection.production.id
}

module "production" {
  source = "../modules/environment"

  name                              = "production"
  template_name                     = module.web_template.name
  template_major_version            = module.web_template.major_version
  template_minor_version            = "0"
  spec                              = local.environment_spec
  environment_account_connection_id = proton_environment_account_connection_accepter.production.id
}

# The service: its spec lists one instance per environment and the pipeline's inputs.
resource "proton_service" "api" {
  name                   = "api"
  template_name          = proton_service_template.api.name
  template_major_version = proton_service_template_version.api_1_0.major_version
  template_minor_version = "0"

  repository_connection_arn = "arn:aws:codestar-connections:${var.region}:${var.management_account_id}:connection/example"
  repository_id             = "example-org/api"
  branch_name               = "main"

  spec = <<-EOT
    proton: ServiceSpec
    pipeline:
      test_command: make test
    instances:
      - name: api-staging
        environment: ${module.staging.name}
        spec:
          desired_count: 1
      - name: api-production
        environment: ${module.production.name}
        spec:
          desired_count: 2
  EOT

  depends_on = [proton_account_settings.this, proton_service_template_version.api_1_1]
}

# The production instance, taken over to run minor version 1.1 with three tasks.
resource "proton_service_instance" "api_production" {
  service_name           = proton_service.api.name
  name                   = "api-production"
  template_minor_version = proton_service_template_version.api_1_1.minor_version

  spec = <<-EOT
    proton: ServiceSpec
    instances:
      - name: api-production
        environment: ${module.production.name}
        spec:
          desired_count: 3
  EOT
}

# The pipeline, which also runs the integration tests.
resource "proton_service_pipeline" "api" {
  service_name = proton_service.api.name

  spec = <<-EOT
    proton: ServiceSpec
    pipeline:
      test_command: make test integration-test
      build_command: make image
  EOT
}

# A cache next to the staging instance.
resource "proton_component" "cache" {
  name                  = "api-cache"
  service_name          = proton_service.api.name
  service_instance_name = "api-staging"

  template_file = <<-EOT
    Resources:
      Cache:
        Type: AWS::ElastiCache::ServerlessCache
        Properties:
          Engine: redis
  EOT

  manifest = <<-EOT
    infrastructure:
      templates:
        - file: cloudformation.yaml
          rendering_engine: jinja
          template_language: cloudformation
  EOT
}

output "staging_deployment" {
  description = "The staging environment's last deployment."
  value       = module.staging.last_deployment_id
}

output "production_account" {
  description = "Where the production environment is provisioned."
  value       = module.production.account_id
}
