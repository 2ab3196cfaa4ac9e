# An environment deployed from version 1 of the "web" environment template. Proton provisions it with
# the given service role; the apply waits until the deployment succeeds.
resource "proton_environment" "staging" {
  name                   = "staging"
  template_name          = "web"
  template_major_version = "1"
  # template_minor_version unset: the recommended minor version of major 1.

  spec = <<-EOT
    proton: EnvironmentSpec
    spec:
      vpc_cidr: 10.0.0.0/16
      subnets: 2
  EOT

  proton_service_role_arn = "arn:aws:iam::123456789012:role/proton-service"
  description             = "Staging environment"

  # Cancel the deployment instead of leaving it running when it takes longer than the timeout.
  cancel_on_timeout = true
  timeouts {
    create = "45m"
    update = "45m"
  }

  tags = {
    stage = "staging"
  }
}

# An environment provisioned in another account through an accepted account connection.
resource "proton_environment" "production" {
  name                              = "production"
  template_name                     = "web"
  template_major_version            = "2"
  environment_account_connection_id = "0123abcd-0123-4567-89ab-0123456789ab"
  component_role_arn                = "arn:aws:iam::123456789012:role/proton-components"

  spec = <<-EOT
    proton: EnvironmentSpec
    spec:
      vpc_cidr: 10.1.0.0/16
      subnets: 3
  EOT
}
