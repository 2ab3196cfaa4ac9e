# Environments deployed from major version 1 or 2 of the "vpc" environment template.
list "proton_environment" "vpc" {
  provider         = proton
  include_resource = true

  config {
    environment_templates = [
      { template_name = "vpc", major_version = "1" },
      { template_name = "vpc", major_version = "2" },
    ]
  }
}
