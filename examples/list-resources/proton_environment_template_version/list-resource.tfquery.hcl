# The versions of major version 1 of the "vpc" environment template. Leave `config` out to list
# the versions of every environment template.
list "proton_environment_template_version" "vpc_v1" {
  provider         = proton
  include_resource = true

  config {
    template_name = "vpc"
    major_version = "1"
  }
}
