resource "proton_environment_template" "web" {
  name = "web"
}

# Major version 1.0: major_version is left unset, so Proton starts a new major version.
resource "proton_environment_template_version" "v1" {
  template_name = proton_environment_template.web.name
  description   = "VPC and cluster"
  status        = "PUBLISHED"

  source = {
    s3 = {
      bucket = "my-proton-bundles"
      key    = "web/v1.0.tar.gz"
    }
  }
}

# Minor version 1.1 of the same major version, registered as a draft.
resource "proton_environment_template_version" "v1_1" {
  template_name = proton_environment_template.web.name
  major_version = proton_environment_template_version.v1.major_version

  source = {
    s3 = {
      bucket = "my-proton-bundles"
      key    = "web/v1.1.tar.gz"
    }
  }

  timeouts {
    create = "15m"
  }
}
