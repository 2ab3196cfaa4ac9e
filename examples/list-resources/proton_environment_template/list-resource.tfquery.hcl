# Every environment template in the account and region, with the full objects so that
# `terraform query -generate-config-out=templates.tf` can write configuration to import them.
list "proton_environment_template" "all" {
  provider         = proton
  include_resource = true
}
