# The template's recommended version.
data "proton_environment_template_version" "recommended" {
  template_name = "web"
}

# The newest published minor version of major version 1.
data "proton_environment_template_version" "v1" {
  template_name = "web"
  major_version = "1"
}

resource "proton_environment" "staging" {
  name                    = "staging"
  template_name           = "web"
  template_major_version  = data.proton_environment_template_version.v1.major_version
  template_minor_version  = data.proton_environment_template_version.v1.minor_version
  proton_service_role_arn = "arn:aws:iam::123456789012:role/proton-service"
  spec = yamlencode({
    proton = "EnvironmentSpec"
    spec   = { vpc_cidr = "10.0.0.0/16" }
  })
}
