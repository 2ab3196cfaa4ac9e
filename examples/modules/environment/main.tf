# One Proton environment deployed from a published environment template version. Every apply that
# changes the spec, the template version, the role or the connection waits for the deployment.

resource "proton_environment" "this" {
  name        = var.name
  description = var.description

  template_name          = var.template_name
  template_major_version = var.template_major_version
  template_minor_version = var.template_minor_version
  spec                   = var.spec

  proton_service_role_arn           = var.proton_service_role_arn
  environment_account_connection_id = var.environment_account_connection_id
  component_role_arn                = var.component_role_arn
  provisioning_repository           = var.provisioning_repository

  cancel_on_timeout = var.cancel_on_timeout
  tags              = var.tags

  timeouts {
    create = var.deployment_timeout
    update = var.deployment_timeout
    delete = var.deployment_timeout
  }
}
