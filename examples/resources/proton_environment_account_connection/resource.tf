# Two accounts: the management account (templates, environments) and an environment account where
# the "production" environment's infrastructure is provisioned.
provider "proton" {
  region = "us-east-1"
}

provider "proton" {
  alias   = "production_account"
  region  = "us-east-1"
  profile = "production"
}

# Requested from the environment account.
resource "proton_environment_account_connection" "production" {
  provider              = proton.production_account
  management_account_id = "123456789012"
  environment_name      = "production"
  role_arn              = "arn:aws:iam::210987654321:role/proton-provisioning"
  component_role_arn    = "arn:aws:iam::210987654321:role/proton-components"
}

# Accepted from the management account.
resource "proton_environment_account_connection_accepter" "production" {
  id = proton_environment_account_connection.production.id
}

resource "proton_environment" "production" {
  name                              = "production"
  template_name                     = "web"
  template_major_version            = "1"
  environment_account_connection_id = proton_environment_account_connection_accepter.production.id

  spec = <<-EOT
    proton: EnvironmentSpec
    spec:
      vpc_cidr: 10.2.0.0/16
  EOT
}
