resource "proton_service_template" "api" {
  name = "api"
}

resource "proton_service_template_version" "v1" {
  template_name = proton_service_template.api.name
  description   = "First release"
  status        = "PUBLISHED"

  source = {
    s3 = {
      bucket = "my-proton-bundles"
      key    = "api/v1.0.tar.gz"
    }
  }

  # Services of this version deploy to environments of major version 1 of the
  # environment template "web" (see proton_environment_template_version).
  compatible_environment_templates = [{
    template_name = "web"
    major_version = "1"
  }]

  supported_component_sources = ["DIRECTLY_DEFINED"]
}
